//! `yield_now`: give the worker to other tasks once (asyncio's `await asyncio.sleep(0)`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once: the task goes to the back of its worker's queue and runs again after the tasks
/// already waiting there.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     for _ in 0..3 {
///         runtime::task::yield_now().await;
///     }
/// }
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Woken while running, the task is rescheduled at the back when this poll returns.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
