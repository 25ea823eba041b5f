//! Time: `sleep`, `sleep_until`, `interval`, `Instant`, and the paused clock for tests.
//!
//! Timers live in a hierarchical wheel (`wheel`) owned by the runtime's driver thread, which
//! sleeps in the poller until the next deadline. A `Sleep` carries its wheel entry inline
//! (`entry`), so a timer costs no allocation and cancelling one is O(1). Resolution is 1 ms:
//! a timer fires at or after its deadline, never before.
//!
//! With the clock paused (`pause`, `Builder::start_paused`; current-thread flavor) time moves
//! only through `advance` and when the runtime has nothing to run: then it jumps straight to
//! the next timer, so a test of a minute-long timeout takes microseconds.

mod clock;
pub(crate) mod driver;
mod entry;
mod instant;
mod interval;
mod sleep;
#[doc(hidden)]
pub mod testing;
mod wheel;

use std::time::Duration;

pub(crate) use clock::Clock;
pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};

/// Runs `f` with the current runtime's driver.
///
/// # Panics
/// Outside a runtime, naming `what` in the message.
#[track_caller]
pub(crate) fn with_clock_driver<R>(what: &str, f: impl FnOnce(&crate::driver::Handle) -> R) -> R {
    crate::context::with_handle_ref(|handle| match handle {
        Some(handle) => f(handle.driver()),
        None => panic!(
            "`{what}` needs a runtime: {}",
            crate::context::no_runtime_message()
        ),
    })
}

/// Stops the runtime's clock (asyncio tests' fake loop time). While paused, time moves only
/// through `advance`, and whenever every task is idle the clock jumps to the next timer.
///
/// # Panics
/// Outside a runtime, on a multi-thread runtime, or if the clock is already paused.
///
/// ```
/// use std::time::Duration;
/// use runtime::time::{self, Instant};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(3600)).await; // returns at once
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// }
/// ```
#[track_caller]
pub fn pause() {
    with_clock_driver("time::pause", |driver| {
        if let Err(message) = driver.time.clock.pause() {
            panic!("{message}");
        }
    });
}

/// Restarts a paused clock from where it stands.
///
/// # Panics
/// Outside a runtime, or if the clock is not paused.
#[track_caller]
pub fn resume() {
    with_clock_driver("time::resume", |driver| {
        if let Err(message) = driver.time.clock.resume() {
            panic!("{message}");
        }
        // The driver thread stopped watching time while paused.
        driver.unpark();
    });
}

/// Moves a paused clock forward by `duration`, fires the timers that became due, and yields so
/// the tasks they woke run before this returns.
///
/// # Panics
/// Outside a runtime, or if the clock is not paused.
///
/// ```
/// use std::time::Duration;
/// use runtime::time;
///
/// #[runtime::test(start_paused = true)]
/// async fn ticks() {
///     let sleeper = runtime::spawn(time::sleep(Duration::from_secs(10)));
///     time::advance(Duration::from_secs(10)).await;
///     assert!(sleeper.is_finished());
/// }
/// # fn main() {}
/// ```
pub async fn advance(duration: Duration) {
    let mut wakers = Vec::new();
    with_clock_driver("time::advance", |driver| {
        if let Err(message) = driver.time.clock.advance(duration) {
            panic!("{message}");
        }
        driver.time.fire_now(&mut wakers);
    });
    wakers.into_iter().for_each(std::task::Waker::wake);
    crate::task::yield_now().await;
}
