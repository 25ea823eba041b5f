//! `interval` and `interval_at`: a ticker built on one boxed `Sleep` that is reset after each
//! tick, with a policy for ticks missed while the task was busy.

use std::future::{poll_fn, Future as _};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::{sleep_until, Instant, Sleep};

/// A tick counts as missed when it is served this much after its deadline.
const MISSED_AFTER: Duration = Duration::from_millis(5);

/// What an `Interval` does when ticks were missed (the task was busy past a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back until caught up, keeping the original schedule
    /// (the default).
    #[default]
    Burst,
    /// Fire once now, then schedule every later tick a full period after this one.
    Delay,
    /// Fire once now, then continue on the original schedule, skipping the ticks missed.
    Skip,
}

impl MissedTickBehavior {
    fn next_deadline(self, scheduled: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => scheduled.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let late = now.saturating_duration_since(scheduled).as_nanos();
                let period_nanos = period.as_nanos();
                let into_period = Duration::from_nanos((late % period_nanos) as u64);
                now.saturating_add(period - into_period)
            }
        }
    }
}

/// Ticks every `period`; the first tick completes at once.
///
/// # Panics
/// If `period` is zero, or outside a runtime.
///
/// ```
/// use std::time::Duration;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let start = runtime::time::Instant::now();
///     let mut ticker = runtime::time::interval(Duration::from_millis(10));
///     for _ in 0..3 {
///         ticker.tick().await; // at 0, 10 and 20 ms
///     }
///     assert_eq!(start.elapsed(), Duration::from_millis(20));
/// }
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks at `start`, then every `period`.
///
/// # Panics
/// If `period` is zero, or outside a runtime.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval` needs a non-zero period");
    Interval {
        sleep: Box::pin(sleep_until(start)),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// A stream of evenly spaced instants; see `interval`.
#[derive(Debug)]
pub struct Interval {
    sleep: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    ///
    /// Cancel-safe: if dropped before it completes, no tick is consumed.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (for hand-written futures and streams).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.sleep.as_mut().poll(cx));
        let scheduled = self.sleep.deadline();
        let now = Instant::now();
        let next = if now > scheduled.saturating_add(MISSED_AFTER) {
            self.missed_tick_behavior
                .next_deadline(scheduled, now, self.period)
        } else {
            scheduled.saturating_add(self.period)
        };
        self.sleep.as_mut().reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        let next = Instant::now().saturating_add(self.period);
        self.sleep.as_mut().reset(next);
    }

    /// Makes the next tick complete at once.
    pub fn reset_immediately(&mut self) {
        let now = Instant::now();
        self.sleep.as_mut().reset(now);
    }

    /// Makes the next tick complete at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        self.sleep.as_mut().reset(deadline);
    }

    /// The policy for missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets the policy for missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}
