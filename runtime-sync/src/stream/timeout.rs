//! `StreamExt::timeout`: a time limit on the wait for each item.
//!
//! The adapter keeps one boxed `Sleep` (allocated at the first poll, then `reset` for each
//! wait), so that it is `Unpin` when the inner stream is and `next()` works without pinning. The
//! rule: the timer is armed, for `now + duration`, by the first
//! `poll_next` after the previous result (an item, an `Elapsed` or the end) was returned, and
//! disarmed when `poll_next` returns a result. Each poll tries the inner stream first, so an item
//! that is ready wins over a deadline that has passed; then the timer, outside the task's
//! cooperative budget (as `time::timeout` does).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::stream::{FusedStream, Stream};
use pin_project_lite::pin_project;
use runtime_core::coop;
use runtime_core::time::{sleep, Instant, Sleep};

use crate::timeout::error::Elapsed;

pin_project! {
    /// The stream of [`StreamExt::timeout`](super::StreamExt::timeout): the inner stream's items
    /// as `Ok`, and an `Err(Elapsed)` each time the wait for an item exceeds the duration.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let mut items = stream::iter([1, 2]).timeout(Duration::from_secs(1));
    ///     assert_eq!(items.next().await, Some(Ok(1)));
    ///     assert_eq!(items.next().await, Some(Ok(2)));
    ///     assert_eq!(items.next().await, None);
    /// }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Timeout<S> {
        #[pin]
        stream: S,
        duration: Duration,
        // Created at the first poll, so that building the adapter needs no runtime.
        sleep: Option<Pin<Box<Sleep>>>,
        armed: bool,
    }
}

impl<S> Timeout<S> {
    pub(crate) fn new(stream: S, duration: Duration) -> Timeout<S> {
        Timeout {
            stream,
            duration,
            sleep: None,
            armed: false,
        }
    }

    /// The inner stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The inner stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The inner stream, without its time limit.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

impl<S: Stream> Stream for Timeout<S> {
    type Item = Result<S::Item, Elapsed>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if !*this.armed {
            // Resetting unlinks the old timer; the wheel is touched again only when the sleep
            // is polled (below, if the stream is not ready).
            match (
                this.sleep.as_mut(),
                Instant::now().checked_add(*this.duration),
            ) {
                (Some(sleep), Some(deadline)) => sleep.as_mut().reset(deadline),
                // First wait, or a deadline past `Instant`'s range (`sleep` caps it).
                _ => *this.sleep = Some(Box::pin(sleep(*this.duration))),
            }
            *this.armed = true;
        }
        if let Poll::Ready(item) = this.stream.poll_next(cx) {
            *this.armed = false;
            return Poll::Ready(item.map(Ok));
        }
        let Some(sleep) = this.sleep.as_mut() else {
            // Unreachable: armed above.
            return Poll::Pending;
        };
        match coop::unconstrained(|| sleep.as_mut().poll(cx)) {
            Poll::Ready(()) => {
                *this.armed = false;
                Poll::Ready(Some(Err(Elapsed(()))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Every item comes through; any number of `Elapsed` may come between them.
        (self.stream.size_hint().0, None)
    }
}

impl<S: FusedStream> FusedStream for Timeout<S> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}

impl<S: fmt::Debug> fmt::Debug for Timeout<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("stream", &self.stream)
            .field("duration", &self.duration)
            .finish()
    }
}
