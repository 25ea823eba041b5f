//! `interval` and `interval_at` on the paused clock: the first tick, the grid of later ticks, the
//! three `MissedTickBehavior`s after a stretch in which the interval is not polled, `reset*`,
//! cancel safety of `tick`, and the zero-period panic.
//!
//! The paused clock is aligned to the wheel's 1 ms grid and jumps exactly to the next timer, so
//! whole-millisecond schedules are checked with `==` on `Instant::now()`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use runtime::time::{self, interval, interval_at, Instant, MissedTickBehavior};

const PERIOD: Duration = Duration::from_millis(10);

/// Polls `future` once with a no-op waker, then drops it.
fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    pin!(future).poll(&mut Context::from_waker(Waker::noop()))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Awaits the next tick and checks both the instant it reports (its schedule) and the clock
/// when it completes.
async fn expect_tick(ticker: &mut time::Interval, scheduled: Instant, completes_at: Instant) {
    let got = ticker.tick().await;
    let now = Instant::now();
    assert_eq!(
        got, scheduled,
        "tick reported the wrong scheduled instant (clock at {now:?})"
    );
    assert_eq!(
        now, completes_at,
        "tick for {scheduled:?} completed at the wrong time"
    );
}

#[runtime::test(start_paused = true)]
async fn first_tick_is_immediate_and_later_ticks_land_on_exact_multiples() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    assert_eq!(ticker.period(), PERIOD);
    expect_tick(&mut ticker, start, start).await;
    for k in 1..=20u32 {
        let at = start + PERIOD * k;
        expect_tick(&mut ticker, at, at).await;
    }
    assert_eq!(start.elapsed(), PERIOD * 20);
}

#[runtime::test(start_paused = true)]
async fn the_first_tick_completes_at_its_first_poll() {
    let mut ticker = interval(PERIOD);
    assert!(
        poll_once(ticker.tick()).is_ready(),
        "the first tick of `interval` must complete at once"
    );
}

#[runtime::test(start_paused = true)]
async fn the_default_behavior_is_burst_and_it_can_be_changed() {
    let mut ticker = interval(PERIOD);
    assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Burst);
    assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Skip);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    assert_eq!(ticker.missed_tick_behavior(), MissedTickBehavior::Delay);
}

/// Ticks once at the start, then moves the clock 3.5 periods without polling the interval.
async fn start_and_fall_behind(behavior: MissedTickBehavior) -> (time::Interval, Instant) {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    ticker.set_missed_tick_behavior(behavior);
    expect_tick(&mut ticker, start, start).await;
    time::advance(ms(35)).await;
    assert_eq!(Instant::now(), start + ms(35));
    (ticker, start)
}

#[runtime::test(start_paused = true)]
async fn burst_fires_the_missed_ticks_back_to_back_then_keeps_the_grid() {
    let (mut ticker, start) = start_and_fall_behind(MissedTickBehavior::Burst).await;
    let late = start + ms(35);
    // The three missed ticks (10, 20, 30 ms) come at once, without the clock moving.
    for k in 1..=3u32 {
        expect_tick(&mut ticker, start + PERIOD * k, late).await;
    }
    // Then the original grid again.
    for k in 4..=6u32 {
        let at = start + PERIOD * k;
        expect_tick(&mut ticker, at, at).await;
    }
}

#[runtime::test(start_paused = true)]
async fn burst_from_a_start_in_the_past_catches_up_at_once() {
    let now = Instant::now();
    let start = now - ms(25);
    let mut ticker = interval_at(start, PERIOD);
    // Ticks scheduled at -25, -15 and -5 ms are all due.
    for k in 0..3u32 {
        expect_tick(&mut ticker, start + PERIOD * k, now).await;
    }
    // +5 ms is on the original grid.
    expect_tick(&mut ticker, start + PERIOD * 3, now + ms(5)).await;
    expect_tick(&mut ticker, start + PERIOD * 4, now + ms(15)).await;
}

#[runtime::test(start_paused = true)]
async fn delay_fires_once_then_waits_a_full_period_from_the_late_tick() {
    let (mut ticker, start) = start_and_fall_behind(MissedTickBehavior::Delay).await;
    let late = start + ms(35);
    expect_tick(&mut ticker, start + PERIOD, late).await;
    // A new grid starting at the late tick: 45, 55, 65 ms.
    for k in 1..=3u32 {
        let at = late + PERIOD * k;
        expect_tick(&mut ticker, at, at).await;
    }
}

#[runtime::test(start_paused = true)]
async fn skip_fires_once_then_returns_to_the_next_multiple_of_the_grid() {
    let (mut ticker, start) = start_and_fall_behind(MissedTickBehavior::Skip).await;
    let late = start + ms(35);
    expect_tick(&mut ticker, start + PERIOD, late).await;
    // 20 and 30 ms are skipped; 40, 50, 60 ms are on the original grid.
    for k in 4..=6u32 {
        let at = start + PERIOD * k;
        expect_tick(&mut ticker, at, at).await;
    }
}

#[runtime::test(start_paused = true)]
async fn skip_when_late_by_a_whole_number_of_periods_stays_on_the_grid() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    expect_tick(&mut ticker, start, start).await;
    time::advance(ms(40)).await;
    let late = start + ms(40);
    expect_tick(&mut ticker, start + PERIOD, late).await;
    // The tick just served stands in for 40 ms; the next is 50 ms, not 40 again.
    expect_tick(&mut ticker, start + ms(50), start + ms(50)).await;
    expect_tick(&mut ticker, start + ms(60), start + ms(60)).await;
}

#[runtime::test(start_paused = true)]
async fn interval_at_a_future_start_waits_for_it() {
    let now = Instant::now();
    let start = now + ms(100);
    let period = ms(30);
    let mut ticker = interval_at(start, period);
    let got = {
        let mut first = pin!(ticker.tick());
        assert!(
            first
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending(),
            "a tick scheduled 100 ms ahead completed at once"
        );
        first.await
    };
    assert_eq!(got, start);
    assert_eq!(Instant::now(), start);
    for k in 1..=3u32 {
        let at = start + period * k;
        expect_tick(&mut ticker, at, at).await;
    }
}

#[runtime::test(start_paused = true)]
async fn reset_restarts_the_schedule_one_period_from_now() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    expect_tick(&mut ticker, start, start).await;
    time::advance(ms(3)).await;
    ticker.reset();
    let at = start + ms(13);
    expect_tick(&mut ticker, at, at).await;
    expect_tick(&mut ticker, at + PERIOD, at + PERIOD).await;
}

#[runtime::test(start_paused = true)]
async fn reset_immediately_makes_the_next_tick_complete_at_once() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    expect_tick(&mut ticker, start, start).await;
    time::advance(ms(3)).await;
    ticker.reset_immediately();
    let now = start + ms(3);
    expect_tick(&mut ticker, now, now).await;
    // The schedule continues from the immediate tick.
    expect_tick(&mut ticker, now + PERIOD, now + PERIOD).await;
}

#[runtime::test(start_paused = true)]
async fn reset_at_moves_the_next_tick_earlier_or_later() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    expect_tick(&mut ticker, start, start).await;

    // Later than the scheduled 10 ms.
    let later = start + ms(47);
    ticker.reset_at(later);
    expect_tick(&mut ticker, later, later).await;
    expect_tick(&mut ticker, later + PERIOD, later + PERIOD).await;

    // Earlier than the scheduled 67 ms, after the interval's timer has been filed.
    assert!(poll_once(ticker.tick()).is_pending());
    let earlier = start + ms(59);
    ticker.reset_at(earlier);
    expect_tick(&mut ticker, earlier, earlier).await;
    expect_tick(&mut ticker, earlier + PERIOD, earlier + PERIOD).await;
}

#[runtime::test(start_paused = true)]
async fn a_dropped_tick_future_consumes_no_tick() {
    let start = Instant::now();
    let mut ticker = interval(PERIOD);
    expect_tick(&mut ticker, start, start).await;
    assert!(poll_once(ticker.tick()).is_pending());
    time::advance(ms(4)).await;
    assert!(poll_once(ticker.tick()).is_pending());
    let at = start + PERIOD;
    expect_tick(&mut ticker, at, at).await;
    expect_tick(&mut ticker, at + PERIOD, at + PERIOD).await;
}

#[runtime::test(start_paused = true)]
async fn dropping_an_interval_removes_its_timer() {
    let mut ticker = interval(PERIOD);
    ticker.tick().await;
    assert!(poll_once(ticker.tick()).is_pending());
    assert_eq!(runtime::Handle::current().num_timers(), 1);
    drop(ticker);
    assert_eq!(runtime::Handle::current().num_timers(), 0);
}

#[runtime::test]
#[should_panic(expected = "non-zero period")]
async fn interval_with_a_zero_period_panics() {
    let _ = interval(Duration::ZERO);
}

#[runtime::test]
#[should_panic(expected = "non-zero period")]
async fn interval_at_with_a_zero_period_panics() {
    let _ = interval_at(Instant::now(), Duration::ZERO);
}
