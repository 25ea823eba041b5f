//! `sleep`, `sleep_until` and `Sleep`, and the paused clock (`pause`, `resume`, `advance`, the
//! jump to the next timer when the runtime is idle).
//!
//! Everything timing-sensitive runs on a paused current-thread runtime. The few real-clock tests
//! check only that sleeps complete and never before their deadline, and the one real-time bound
//! (a minute-long paused sleep takes < 100 ms) is about the paused clock not waiting in real time.

mod common;

use std::any::Any;
use std::future::Future;
use std::io::ErrorKind;
use std::panic::catch_unwind;
use std::pin::pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use runtime::time::{self, sleep, sleep_until, Instant};
use runtime::{Builder, Handle};

const YEAR: Duration = Duration::from_secs(365 * 86_400);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Polls `future` once with a no-op waker (the future stays where it is).
fn poll_once<F: Future + ?Sized>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

fn num_timers() -> usize {
    Handle::current().num_timers()
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}

/// Runs `f` on another thread and fails the test if it takes longer than 30 s (a timer that
/// never fires on the real clock would otherwise hang the test binary).
fn with_watchdog<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(value) => {
            thread.join().unwrap();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sent nothing and did not panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: not finished after 30 s"),
    }
}

// ---- completing at the first poll ----------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn a_zero_sleep_completes_at_its_first_poll() {
    let mut zero = pin!(sleep(Duration::ZERO));
    assert!(zero.is_elapsed());
    assert!(poll_once(zero.as_mut()).is_ready());
    assert_eq!(num_timers(), 0, "a zero sleep filed a timer");
}

#[runtime::test]
async fn a_zero_sleep_completes_at_its_first_poll_on_the_real_clock() {
    let mut zero = pin!(sleep(Duration::ZERO));
    assert!(poll_once(zero.as_mut()).is_ready());
    assert_eq!(num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn a_deadline_in_the_past_or_now_completes_at_the_first_poll() {
    let now = Instant::now();
    for deadline in [
        now - Duration::from_secs(3600),
        now - Duration::from_nanos(1),
        now,
    ] {
        let mut past = pin!(sleep_until(deadline));
        assert_eq!(past.deadline(), deadline);
        assert!(past.is_elapsed());
        assert!(
            poll_once(past.as_mut()).is_ready(),
            "sleep_until(now - {:?}) is pending",
            now - deadline
        );
    }
    assert_eq!(num_timers(), 0);
    assert_eq!(
        Instant::now(),
        now,
        "completing past deadlines moved the clock"
    );
}

#[runtime::test(start_paused = true)]
async fn a_sub_millisecond_sleep_is_pending_then_completes_on_the_next_tick() {
    let start = Instant::now();
    for nanos in [1, 1_000, 999_999] {
        let before = Instant::now();
        let mut short = pin!(sleep(Duration::from_nanos(nanos)));
        assert!(!short.is_elapsed());
        assert!(
            poll_once(short.as_mut()).is_pending(),
            "a {nanos} ns sleep completed before its deadline"
        );
        assert_eq!(num_timers(), 1);
        short.as_mut().await;
        let now = Instant::now();
        assert!(now >= before + Duration::from_nanos(nanos));
        assert!(now - before <= ms(1), "{nanos} ns took {:?}", now - before);
        assert!(short.is_elapsed());
    }
    assert_eq!(num_timers(), 0);
    assert!(start.elapsed() <= ms(3));
}

// ---- Duration::MAX -------------------------------------------------------------------------

#[runtime::test]
async fn sleep_duration_max_does_not_overflow_on_the_real_clock() {
    let now = Instant::now();
    let mut forever = Box::pin(sleep(Duration::MAX));
    assert!(forever.deadline() > now + 10 * YEAR);
    assert!(!forever.is_elapsed());
    assert!(poll_once(forever.as_mut()).is_pending());
    assert_eq!(num_timers(), 1);
    assert!(poll_once(forever.as_mut()).is_pending());
    drop(forever);
    assert_eq!(num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn sleep_duration_max_on_the_paused_clock_ends_decades_later() {
    let start = Instant::now();
    let mut forever = pin!(sleep(Duration::MAX));
    let deadline = forever.deadline();
    assert!(deadline > start + 10 * YEAR);
    assert!(poll_once(forever.as_mut()).is_pending());
    forever.as_mut().await;
    let now = Instant::now();
    assert!(now >= deadline, "fired {:?} early", deadline - now);
    assert!(
        now - start > 10 * YEAR,
        "the clock moved only {:?}",
        now - start
    );
    assert_eq!(num_timers(), 0);
    // The clock still works after the jump.
    sleep(ms(5)).await;
    assert_eq!(Instant::now(), now + ms(5));
}

#[runtime::test(start_paused = true)]
async fn advance_by_duration_max_does_not_panic_or_move_the_clock_backwards() {
    let before = Instant::now();
    time::advance(Duration::MAX).await;
    assert!(Instant::now() >= before);
}

// ---- reset, is_elapsed, deadline -------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn reset_to_an_earlier_deadline_fires_then() {
    let start = Instant::now();
    let mut s = pin!(sleep(ms(100)));
    assert_eq!(s.deadline(), start + ms(100));
    assert!(poll_once(s.as_mut()).is_pending());
    assert_eq!(num_timers(), 1);
    s.as_mut().reset(start + ms(30));
    assert_eq!(s.deadline(), start + ms(30));
    assert!(!s.is_elapsed());
    s.as_mut().await;
    assert_eq!(Instant::now(), start + ms(30));
    assert_eq!(num_timers(), 0, "the old 100 ms timer is still filed");
}

#[runtime::test(start_paused = true)]
async fn reset_to_a_later_deadline_does_not_fire_at_the_old_one() {
    let start = Instant::now();
    let mut s = pin!(sleep(ms(10)));
    assert!(poll_once(s.as_mut()).is_pending());
    s.as_mut().reset(start + ms(70));
    assert!(poll_once(s.as_mut()).is_pending());
    assert_eq!(num_timers(), 1, "reset filed the timer twice");
    // A witness that would see the clock stop at 10 ms.
    let witness = runtime::spawn(async move {
        sleep_until(start + ms(20)).await;
        Instant::now()
    });
    s.as_mut().await;
    assert_eq!(Instant::now(), start + ms(70));
    assert_eq!(witness.await.unwrap(), start + ms(20));
    assert_eq!(num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn reset_after_completion_makes_the_sleep_pending_again() {
    let start = Instant::now();
    let mut s = pin!(sleep(ms(5)));
    s.as_mut().await;
    assert!(s.is_elapsed());
    assert!(
        poll_once(s.as_mut()).is_ready(),
        "a completed sleep polled again"
    );
    s.as_mut().reset(start + ms(25));
    assert!(!s.is_elapsed());
    assert!(poll_once(s.as_mut()).is_pending());
    s.as_mut().await;
    assert_eq!(Instant::now(), start + ms(25));
    // And back into the past: ready at once.
    s.as_mut().reset(start);
    assert!(s.is_elapsed());
    assert!(poll_once(s.as_mut()).is_ready());
    assert_eq!(num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn is_elapsed_follows_the_clock_even_without_polling() {
    let start = Instant::now();
    let s = sleep(ms(50));
    assert_eq!(s.deadline(), start + ms(50));
    assert!(!s.is_elapsed());
    time::advance(ms(49)).await;
    assert!(!s.is_elapsed());
    time::advance(ms(1)).await;
    assert!(s.is_elapsed());
    assert_eq!(num_timers(), 0, "an unpolled sleep filed a timer");
}

#[runtime::test(start_paused = true)]
async fn sleep_until_keeps_the_exact_deadline() {
    let deadline = Instant::now() + Duration::from_nanos(12_345_678);
    let s = sleep_until(deadline);
    assert_eq!(s.deadline(), deadline);
    s.await;
    let now = Instant::now();
    assert!(now >= deadline);
    assert!(now - deadline < ms(1));
}

// ---- dropping ----------------------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn dropping_a_pending_sleep_removes_its_timer() {
    let mut s = Box::pin(sleep(Duration::from_secs(3600)));
    assert_eq!(
        num_timers(),
        0,
        "a sleep filed a timer before its first poll"
    );
    assert!(poll_once(s.as_mut()).is_pending());
    assert_eq!(num_timers(), 1);
    drop(s);
    assert_eq!(num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn aborting_sleeping_tasks_removes_their_timers() {
    let start = Instant::now();
    let sleepers: Vec<_> = (1..=10u64)
        .map(|i| runtime::spawn(sleep(Duration::from_secs(3600 * i))))
        .collect();
    // Queued after the sleepers: they have all been polled once when it runs.
    let census = runtime::spawn(async { num_timers() });
    assert_eq!(census.await.unwrap(), 10);
    for sleeper in &sleepers {
        sleeper.abort();
    }
    for sleeper in sleepers {
        assert!(sleeper.await.unwrap_err().is_cancelled());
    }
    assert_eq!(num_timers(), 0);
    assert_eq!(
        Instant::now(),
        start,
        "the clock moved to a cancelled timer"
    );
}

// ---- the paused clock ----------------------------------------------------------------------

#[runtime::test(start_paused = true)]
async fn a_minute_long_sleep_on_the_paused_clock_takes_no_real_time() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_secs(60)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(60));
    let took = real.elapsed();
    assert!(
        took < ms(100),
        "a paused 60 s sleep took {took:?} of real time"
    );
}

#[runtime::test(start_paused = true)]
async fn the_paused_clock_stands_still_while_a_task_can_run() {
    let start = Instant::now();
    let sleeper = runtime::spawn(async move {
        sleep(ms(1)).await;
        Instant::now()
    });
    let busy = runtime::spawn(async move {
        for _ in 0..200 {
            assert_eq!(
                Instant::now(),
                start,
                "the clock moved while a task was runnable"
            );
            runtime::task::yield_now().await;
        }
    });
    busy.await.unwrap();
    assert_eq!(sleeper.await.unwrap(), start + ms(1));
}

#[runtime::test(start_paused = true)]
async fn the_paused_clock_jumps_timer_by_timer_in_order() {
    let start = Instant::now();
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let handles: Vec<_> = [300u64, 7, 4096, 64, 7, 1]
        .into_iter()
        .map(|d| {
            let order = order.clone();
            runtime::spawn(async move {
                sleep(ms(d)).await;
                order.lock().unwrap().push((d, Instant::now() - start));
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    let order = order.lock().unwrap().clone();
    let expected: Vec<_> = [1u64, 7, 7, 64, 300, 4096]
        .into_iter()
        .map(|d| (d, ms(d)))
        .collect();
    assert_eq!(order, expected);
}

#[runtime::test]
async fn pause_freezes_the_clock_advance_moves_it_and_resume_restarts_it() {
    time::pause();
    let paused_at = Instant::now();
    std::thread::sleep(ms(2));
    assert_eq!(
        Instant::now(),
        paused_at,
        "the paused clock followed real time"
    );

    time::advance(Duration::from_secs(5)).await;
    assert_eq!(Instant::now(), paused_at + Duration::from_secs(5));

    time::resume();
    let resumed_at = Instant::now();
    assert!(resumed_at >= paused_at + Duration::from_secs(5));
    std::thread::sleep(ms(2));
    assert!(
        Instant::now() >= resumed_at + ms(2),
        "the resumed clock does not follow real time"
    );

    // Pausing again works, and so does sleeping on it.
    time::pause();
    let again = Instant::now();
    sleep(ms(10)).await;
    assert_eq!(Instant::now(), again + ms(10));
}

#[runtime::test(start_paused = true)]
async fn advance_fires_the_timer_that_became_due_before_returning() {
    let sleeper = runtime::spawn(sleep(Duration::from_secs(10)));
    time::advance(Duration::from_secs(10)).await;
    assert!(sleeper.is_finished());
}

#[runtime::test(start_paused = true)]
async fn advance_runs_every_task_it_woke_before_returning() {
    let start = Instant::now();
    let due: Vec<_> = [1u64, 5, 9, 10]
        .into_iter()
        .map(|s| runtime::spawn(sleep(Duration::from_secs(s))))
        .collect();
    let not_due = runtime::spawn(sleep(Duration::from_secs(11)));
    // Let every sleeper file its timer.
    let census = runtime::spawn(async { num_timers() });
    assert_eq!(census.await.unwrap(), 5);

    time::advance(Duration::from_secs(10)).await;
    assert_eq!(Instant::now(), start + Duration::from_secs(10));
    let finished: Vec<bool> = due.iter().map(|h| h.is_finished()).collect();
    assert_eq!(
        finished, [true; 4],
        "sleepers of 1, 5, 9 and 10 s after advance(10 s)"
    );
    assert!(!not_due.is_finished());
    assert_eq!(num_timers(), 1);
}

#[runtime::test(start_paused = true)]
async fn advance_short_of_a_deadline_does_not_fire_it() {
    let start = Instant::now();
    // Created here, so that its deadline is 10 s from the start whenever the task first runs.
    let ten_seconds = sleep(Duration::from_secs(10));
    let sleeper = runtime::spawn(async {
        ten_seconds.await;
        Instant::now()
    });
    time::advance(Duration::from_secs(9)).await;
    assert!(!sleeper.is_finished());
    time::advance(ms(999)).await;
    assert!(!sleeper.is_finished());
    assert_eq!(sleeper.await.unwrap(), start + Duration::from_secs(10));
}

#[runtime::test(start_paused = true)]
async fn advance_from_a_spawned_task_runs_the_tasks_it_woke() {
    let start = Instant::now();
    let sleepers: Vec<_> = [100u64, 250, 500]
        .into_iter()
        .map(|d| runtime::spawn(sleep(ms(d))))
        .collect();
    let mover = runtime::spawn(async move {
        runtime::task::yield_now().await; // the sleepers file their timers
        time::advance(ms(500)).await;
        let finished: Vec<bool> = sleepers.iter().map(|h| h.is_finished()).collect();
        (Instant::now(), finished)
    });
    let (at, finished) = mover.await.unwrap();
    assert_eq!(at, start + ms(500));
    assert_eq!(
        finished, [true; 3],
        "sleepers of 100, 250, 500 ms after advance(500 ms)"
    );
}

// ---- misuse ------------------------------------------------------------------------------

#[test]
fn start_paused_on_the_multi_thread_flavor_is_invalid_input() {
    let err = Builder::new_multi_thread()
        .worker_threads(2)
        .start_paused(true)
        .build()
        .expect_err("a multi-thread runtime cannot start paused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn pause_on_a_multi_thread_runtime_panics() {
    let rt = common::multi_thread();
    rt.block_on(async {
        let err = catch_unwind(time::pause).expect_err("pause on a multi-thread runtime");
        let message = panic_message(&*err);
        assert!(message.contains("current-thread"), "message: {message}");
        // The clock still follows real time.
        let before = Instant::now();
        std::thread::sleep(ms(2));
        assert!(Instant::now() >= before + ms(2));
    });
    let join = rt.block_on(async { runtime::spawn(async { time::pause() }).await });
    assert!(join.unwrap_err().is_panic());
}

#[runtime::test]
async fn pause_twice_panics() {
    time::pause();
    let err = catch_unwind(time::pause).expect_err("a second pause");
    let message = panic_message(&*err);
    assert!(message.contains("already paused"), "message: {message}");
    // Still paused after the failed call.
    let now = Instant::now();
    std::thread::sleep(ms(1));
    assert_eq!(Instant::now(), now);
}

#[runtime::test]
#[should_panic(expected = "not paused")]
async fn resume_without_pause_panics() {
    time::resume();
}

#[runtime::test]
#[should_panic(expected = "needs a paused clock")]
async fn advance_without_pause_panics() {
    time::advance(ms(1)).await;
}

#[test]
fn sleep_outside_a_runtime_panics_and_names_the_runtime() {
    let err = catch_unwind(|| sleep(ms(1))).expect_err("sleep outside a runtime");
    let message = panic_message(&*err);
    assert!(message.contains("needs a runtime"), "message: {message}");
    assert!(message.contains("no runtime"), "message: {message}");

    let err = catch_unwind(|| sleep_until(Instant::now())).expect_err("sleep_until outside");
    assert!(panic_message(&*err).contains("runtime"));
    let err = catch_unwind(time::pause).expect_err("pause outside a runtime");
    assert!(panic_message(&*err).contains("runtime"));
    let err = catch_unwind(|| time::interval(ms(1))).expect_err("interval outside a runtime");
    assert!(panic_message(&*err).contains("runtime"));
}

#[test]
fn a_sleep_created_in_a_runtime_can_be_dropped_outside_it() {
    let rt = common::current_thread();
    // Created under `enter` (no `block_on`), polled inside `block_on`, dropped outside both.
    let mut s = {
        let _entered = rt.enter();
        Box::pin(sleep(Duration::from_secs(3600)))
    };
    assert_eq!(rt.handle().num_timers(), 0);
    rt.block_on(async {
        assert!(poll_once(s.as_mut()).is_pending());
        assert_eq!(num_timers(), 1);
    });
    drop(s);
    assert_eq!(rt.handle().num_timers(), 0);
}

// ---- the real clock ------------------------------------------------------------------------

#[test]
fn real_clock_sleeps_on_the_current_thread_flavor_complete_and_never_early() {
    with_watchdog("current-thread sleeps", || {
        let rt = common::current_thread();
        rt.block_on(async {
            let handles: Vec<_> = (1..=20u64)
                .map(|d| {
                    runtime::spawn(async move {
                        let start = Instant::now();
                        let s = sleep(ms(d));
                        let deadline = s.deadline();
                        assert!(deadline >= start + ms(d));
                        s.await;
                        (d, start.elapsed(), Instant::now() >= deadline)
                    })
                })
                .collect();
            for handle in handles {
                let (d, elapsed, after_deadline) = handle.await.unwrap();
                assert!(
                    after_deadline && elapsed >= ms(d),
                    "{d} ms sleep took {elapsed:?}"
                );
            }
            assert_eq!(num_timers(), 0);
        });
    });
}

#[test]
fn a_thousand_real_clock_sleeps_on_two_workers_complete_and_never_early() {
    with_watchdog("multi-thread sleeps", || {
        let rt = common::multi_thread();
        let early = rt.block_on(async {
            let handles: Vec<_> = (0..1_000u64)
                .map(|i| {
                    runtime::spawn(async move {
                        let d = ms(1 + i % 10);
                        let start = Instant::now();
                        let s = sleep(d);
                        let deadline = s.deadline();
                        s.await;
                        let now = Instant::now();
                        (now < deadline || now - start < d).then_some((d, now - start))
                    })
                })
                .collect();
            let mut early = Vec::new();
            for handle in handles {
                early.extend(handle.await.unwrap());
            }
            early
        });
        assert!(early.is_empty(), "sleeps completed early: {early:?}");
        assert_eq!(rt.handle().num_timers(), 0);
    });
}

#[test]
fn resume_hands_timers_filed_while_paused_to_the_real_clock() {
    with_watchdog("resumed sleep", || {
        let rt = common::current_thread();
        rt.block_on(async {
            time::pause();
            let sleeper = runtime::spawn(async {
                let s = sleep(ms(20));
                let deadline = s.deadline();
                s.await;
                Instant::now() >= deadline
            });
            let census = runtime::spawn(async { num_timers() });
            assert_eq!(census.await.unwrap(), 1);
            time::resume();
            assert!(sleeper.await.unwrap(), "the resumed sleep fired early");
            assert_eq!(num_timers(), 0);
        });
    });
}

#[test]
fn sleep_through_a_handle_from_outside_the_runtime() {
    with_watchdog("handle sleep", || {
        let rt = common::multi_thread();
        let handle = rt.handle().clone();
        let start = std::time::Instant::now();
        let elapsed = handle.block_on(async {
            let s = sleep(ms(15));
            s.await;
            start.elapsed()
        });
        assert!(elapsed >= ms(15), "a 15 ms sleep took {elapsed:?}");
    });
}
