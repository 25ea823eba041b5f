//! Timers driven by hand, without a runtime or a driver thread: for unit tests and the loom
//! models of the timer entry. Not part of the public API.

use std::task::Waker;
use std::time::Duration;

use super::{Clock, Instant, Sleep};
use crate::driver;

/// A timer wheel on a paused clock that moves only when `advance` is called.
#[derive(Debug)]
pub struct ManualTimers {
    driver: driver::Handle,
}

impl Default for ManualTimers {
    fn default() -> Self {
        ManualTimers::new()
    }
}

impl ManualTimers {
    /// A wheel at time zero, paused.
    pub fn new() -> ManualTimers {
        ManualTimers {
            driver: driver::Shared::manual(Clock::new(true, true)),
        }
    }

    /// A `Sleep` of `duration` on this wheel's clock.
    pub fn sleep(&self, duration: Duration) -> Sleep {
        let now = Instant::from_std(self.driver.time.clock.now());
        Sleep::with_driver(self.driver.clone(), now.saturating_add(duration))
    }

    /// Moves the clock forward and wakes the timers that became due; returns how many woke.
    pub fn advance(&self, duration: Duration) -> usize {
        let mut wakers = Vec::new();
        self.driver
            .time
            .clock
            .advance(duration)
            .expect("the manual clock is paused");
        self.driver.time.fire_now(&mut wakers);
        let woken = wakers.len();
        wakers.into_iter().for_each(Waker::wake);
        woken
    }

    /// Timers filed in the wheel.
    pub fn num_timers(&self) -> usize {
        self.driver.time.num_timers()
    }
}
