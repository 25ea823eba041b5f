//! `sleep`, `sleep_until` and the `Sleep` future, which carries its timer entry inline.
//!
//! A `Sleep` touches the wheel only when first polled (creating and dropping an unpolled one is
//! free). It files its entry with its waker, and a fired entry is seen with one atomic load.
//! Dropping or resetting a filed `Sleep` unlinks the entry under the wheel lock.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::entry::TimerEntry;
use super::Instant;
use crate::coop;
use crate::driver;

/// Waits until `duration` has elapsed (asyncio's `sleep`). `Duration::MAX` sleeps forever;
/// a zero duration completes at its first poll.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// use std::time::Duration;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let start = runtime::time::Instant::now();
///     runtime::time::sleep(Duration::from_secs(3)).await;
///     assert_eq!(start.elapsed().as_secs(), 3);
/// }
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now().saturating_add(duration);
    Sleep::new(deadline)
}

/// Waits until `deadline`; a deadline in the past completes at the first poll.
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future returned by `sleep` and `sleep_until`. It is `!Unpin` (the timer entry lives
/// inside it): pin it with `std::pin::pin!` or `Box::pin` to poll it by hand.
///
/// Cancel-safe: dropping it unlinks its timer.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    driver: driver::Handle,
    /// The entry is filed in the wheel (until it fires or is deregistered).
    registered: bool,
    entry: TimerEntry,
}

impl Sleep {
    #[track_caller]
    fn new(deadline: Instant) -> Sleep {
        let driver = super::with_clock_driver("runtime::time", |driver| driver.clone());
        Sleep::with_driver(driver, deadline)
    }

    pub(crate) fn with_driver(driver: driver::Handle, deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            driver,
            registered: false,
            entry: TimerEntry::new(),
        }
    }

    /// When this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        (self.registered && self.entry.is_fired())
            || self.deadline.into_std() <= self.driver.time.clock.now()
    }

    /// Moves the deadline (earlier or later), whether or not this sleep has completed.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        // SAFETY: nothing is moved out; the entry stays where it is.
        let this = unsafe { self.get_unchecked_mut() };
        this.deregister();
        this.deadline = deadline;
    }

    fn deregister(&mut self) {
        if std::mem::replace(&mut self.registered, false) && !self.entry.is_fired() {
            // SAFETY: we registered the entry with this driver and it is still alive (we are).
            unsafe { self.driver.time.deregister(NonNull::from(&self.entry)) };
        }
    }

    fn poll_elapsed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: nothing is moved out; the entry stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.registered {
            if this.entry.is_fired() {
                return Poll::Ready(());
            }
            if this.deadline.into_std() <= this.driver.time.clock.now() {
                // Due, but its tick (rounded up) is not processed yet: agree with `is_elapsed`.
                this.deregister();
                this.registered = true;
                this.entry.set_fired(true);
                return Poll::Ready(());
            }
            // SAFETY: registered with this driver, alive.
            return if unsafe { this.driver.time.update_waker(&this.entry, cx.waker()) } {
                Poll::Pending
            } else {
                Poll::Ready(())
            };
        }
        if this.deadline.into_std() <= this.driver.time.clock.now() {
            return Poll::Ready(());
        }
        let driver = &this.driver;
        // SAFETY: the entry is pinned inside us and `Drop` deregisters it.
        let pending = unsafe {
            driver.time.register(
                NonNull::from(&this.entry),
                this.deadline.into_std(),
                cx.waker(),
                || driver.unpark(),
            )
        };
        this.registered = pending;
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let restore = ready!(coop::poll_proceed(cx));
        ready!(self.poll_elapsed(cx));
        restore.made_progress();
        Poll::Ready(())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.deregister();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.registered)
            .finish_non_exhaustive()
    }
}
