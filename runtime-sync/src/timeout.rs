//! `timeout`, `timeout_at` and `FutureExt::timeout`: run a future against a deadline (asyncio's
//! `wait_for`).
//!
//! `Timeout` holds the inner future and a `Sleep` side by side (pinned in place, no allocation).
//! Each poll tries the inner future first, so a future that is ready wins even over a deadline
//! that has passed; then the timer, polled outside the task's cooperative budget so that it
//! fires even behind a future that always spends the whole budget. On expiry the caller gets
//! `Elapsed` and drops the `Timeout`, which drops the inner future.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use runtime_core::coop;
use runtime_core::time::{sleep, sleep_until, Instant, Sleep};

/// Errors of the timeout combinators.
pub mod error {
    use std::fmt;

    /// The deadline passed before the future completed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Elapsed(pub(crate) ());

    impl fmt::Display for Elapsed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("deadline has elapsed")
        }
    }

    impl std::error::Error for Elapsed {}

    impl From<Elapsed> for std::io::Error {
        fn from(_: Elapsed) -> std::io::Error {
            std::io::ErrorKind::TimedOut.into()
        }
    }
}

use error::Elapsed;

/// Runs `future` for at most `duration` (asyncio's `wait_for`): its output, or `Elapsed` once
/// the time is up, in which case the future has been dropped. `Duration::MAX` never expires;
/// a zero duration still lets a future that is ready at its first poll win.
///
/// # Panics
/// Outside a runtime (it needs the runtime's timers).
///
/// ```
/// use std::time::Duration;
/// use runtime::time::{sleep, timeout};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let slow = timeout(Duration::from_secs(2), sleep(Duration::from_secs(5))).await;
///     assert!(slow.is_err());
///     let fast = timeout(Duration::from_secs(2), async { 42 }).await;
///     assert_eq!(fast, Ok(42));
/// }
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep(duration),
    }
}

/// Like `timeout`, with an absolute deadline.
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep_until(deadline),
    }
}

pin_project! {
    /// The future of `timeout` and `timeout_at`.
    ///
    /// Cancel-safe exactly when the inner future is: dropping it drops the inner future.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        #[pin]
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// A `Timeout` whose deadline is an existing `Sleep`: for the loom models, which drive
    /// timers by hand (`runtime_core::time::testing::ManualTimers`) without a runtime.
    #[doc(hidden)]
    pub fn with_sleep(future: F, sleep: Sleep) -> Timeout<F> {
        Timeout { future, sleep }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The inner future, without its deadline.
    pub fn into_inner(self) -> F {
        self.future
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let sleep = this.sleep;
        match coop::unconstrained(|| sleep.poll(cx)) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("future", &self.future)
            .field("deadline", &self.sleep.deadline())
            .finish()
    }
}

/// `future.timeout(d)` and `future.timeout_at(deadline)` for every future.
///
/// ```
/// use std::time::Duration;
/// use runtime::time::FutureExt;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let never = std::future::pending::<()>();
///     assert!(never.timeout(Duration::from_millis(10)).await.is_err());
/// }
/// ```
pub trait FutureExt: Future {
    /// See `timeout`.
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    fn timeout(self, duration: Duration) -> Timeout<Self>
    where
        Self: Sized,
    {
        timeout(duration, self)
    }

    /// See `timeout_at`.
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    fn timeout_at(self, deadline: Instant) -> Timeout<Self>
    where
        Self: Sized,
    {
        timeout_at(deadline, self)
    }
}

impl<F: Future + ?Sized> FutureExt for F {}
