//! `as_completed`: a stream of the outputs of many futures, in the order they complete
//! (asyncio's `as_completed`).
//!
//! A thin wrapper over a `FuturesUnordered`: a wake-up polls only the futures that were woken.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::FusedStream;
use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

/// A `Stream` of the futures' outputs in completion order (asyncio's `as_completed`); it ends
/// when every output has been yielded.
///
/// The futures run concurrently, driven by polling the stream. Works on any futures; the
/// items may be anything that implements `IntoFuture` (over `JoinHandle`s, the items are
/// `Result<T, JoinError>`). Among futures that complete in the same poll, the one polled
/// first comes first.
///
/// Awaiting the next item is cancel-safe: dropping a `next()` loses nothing, the outputs are
/// yielded by later calls. Dropping the stream drops the futures not yet complete.
///
/// ```
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use runtime::future::as_completed;
/// use runtime::time::sleep;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let tasks = [3, 1, 2].map(|secs| async move {
///         sleep(Duration::from_secs(secs)).await;
///         secs
///     });
///     let mut outputs = as_completed(tasks);
///     let mut order = Vec::new();
///     while let Some(secs) = outputs.next().await {
///         order.push(secs);
///     }
///     assert_eq!(order, [1, 2, 3]);
/// }
/// ```
pub fn as_completed<I>(futures: I) -> AsCompleted<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    AsCompleted {
        set: futures.into_iter().map(IntoFuture::into_future).collect(),
    }
}

/// The stream of [`as_completed`]: outputs in completion order.
///
/// Taking the next item is cancel-safe; dropping the stream drops the futures still running.
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F> {
    set: FuturesUnordered<F>,
}

impl<F> Unpin for AsCompleted<F> {}

impl<F> AsCompleted<F> {
    /// The number of futures not yet complete.
    ///
    /// ```
    /// let outputs = runtime::future::as_completed([std::future::ready(1), std::future::ready(2)]);
    /// assert_eq!(outputs.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when every output has been yielded.
    ///
    /// ```
    /// let outputs = runtime::future::as_completed(Vec::<std::future::Ready<()>>::new());
    /// assert!(outputs.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Adds a future to the set; its output will be yielded when it completes.
    ///
    /// ```
    /// use futures_util::StreamExt;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut outputs = runtime::future::as_completed([std::future::ready(1)]);
    ///     outputs.push(std::future::ready(2));
    ///     assert_eq!(outputs.collect::<Vec<_>>().await.len(), 2);
    /// }
    /// ```
    pub fn push(&mut self, future: F) {
        self.set.push(future);
    }
}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = F::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().set).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.set.len(), Some(self.set.len()))
    }
}

impl<F: Future> FusedStream for AsCompleted<F> {
    fn is_terminated(&self) -> bool {
        self.set.is_terminated()
    }
}

impl<F> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("pending", &self.set.len())
            .finish()
    }
}
