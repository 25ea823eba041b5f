//! `select` (the first of two futures) and `race` (the first of many).
//!
//! `Select` holds both futures in place (no allocation, no `Unpin` bound) and drops the loser
//! as soon as the winner completes. `Race` keeps its futures in a `FuturesUnordered`, so a
//! wake-up polls only the futures that were woken, and clears it when the first completes.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::future::Either;
use futures_util::stream::FuturesUnordered;
use pin_project_lite::pin_project;

/// Awaits two futures and returns the output of the first to complete: `Either::Left` for
/// `a`, `Either::Right` for `b`.
///
/// The loser is dropped as soon as the winner completes (for a future, that cancels it). To
/// keep the loser, pass it by mutable reference to a pinned future (`fut.as_mut()` after
/// `let mut fut = std::pin::pin!(fut)`), then await it or drop it yourself. If both are ready
/// at the same poll, `a` wins: `a` is always polled first.
///
/// Works on any futures, `Unpin` or not; the items may be anything that implements
/// `IntoFuture`. For more than two futures, or futures of different types with patterns and
/// handlers, see `runtime::select!`.
///
/// The returned future is cancel-safe exactly when both futures are: dropping it drops them.
///
/// ```
/// use std::time::Duration;
/// use runtime::future::{select, Either};
/// use runtime::time::{sleep, Instant};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let slow = async {
///         sleep(Duration::from_secs(5)).await;
///         "slow"
///     };
///     let fast = async {
///         sleep(Duration::from_secs(1)).await;
///         1
///     };
///     match select(slow, fast).await {
///         Either::Left(text) => unreachable!("{text} won"),
///         Either::Right(number) => assert_eq!(number, 1),
///     }
///
///     // Keep the loser: pass it by reference.
///     let start = Instant::now();
///     let mut long = std::pin::pin!(sleep(Duration::from_secs(2)));
///     let first = select(long.as_mut(), sleep(Duration::from_secs(1))).await;
///     assert!(matches!(first, Either::Right(())));
///     long.await; // still armed: it completes at t = 2 s
///     assert_eq!(start.elapsed(), Duration::from_secs(2));
/// }
/// ```
pub fn select<A, B>(a: A, b: B) -> Select<A::IntoFuture, B::IntoFuture>
where
    A: IntoFuture,
    B: IntoFuture,
{
    Select {
        a: Some(a.into_future()),
        b: Some(b.into_future()),
    }
}

pin_project! {
    /// The future of [`select`]: `Either::Left(a's output)` or `Either::Right(b's output)`.
    ///
    /// Cancel-safe exactly when both futures are: dropping it drops them.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Select<A, B> {
        #[pin]
        a: Option<A>,
        #[pin]
        b: Option<B>,
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let a = this
            .a
            .as_mut()
            .as_pin_mut()
            .expect("`Select` polled after completion");
        if let Poll::Ready(output) = a.poll(cx) {
            this.a.set(None);
            this.b.set(None);
            return Poll::Ready(Either::Left(output));
        }
        let b = this
            .b
            .as_mut()
            .as_pin_mut()
            .expect("`Select` polled after completion");
        if let Poll::Ready(output) = b.poll(cx) {
            this.a.set(None);
            this.b.set(None);
            return Poll::Ready(Either::Right(output));
        }
        Poll::Pending
    }
}

impl<A, B> fmt::Debug for Select<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("complete", &self.a.is_none())
            .finish_non_exhaustive()
    }
}

/// Awaits many futures of one type and returns the output of the first to complete; the
/// others are dropped then (for futures, that cancels them; over `JoinHandle`s it detaches the
/// tasks, which keep running).
///
/// Works on any futures; the items may be anything that implements `IntoFuture`. A wake-up
/// polls only the futures that were woken. To cancel the losing tasks, race futures that own
/// the task (`JoinSet`, or an abort-on-drop wrapper) rather than bare `JoinHandle`s.
///
/// The returned future is cancel-safe exactly when the futures are: dropping it drops them.
///
/// # Panics
/// If `futures` is empty (there would be no first to finish, and awaiting would hang).
///
/// ```
/// use std::time::Duration;
/// use runtime::future::race;
/// use runtime::time::sleep;
///
/// async fn mirror(name: &'static str, secs: u64) -> &'static str {
///     sleep(Duration::from_secs(secs)).await;
///     name
/// }
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let fastest = race([mirror("eu", 3), mirror("us", 1), mirror("asia", 2)]).await;
///     assert_eq!(fastest, "us");
/// }
/// ```
#[track_caller]
pub fn race<I>(futures: I) -> Race<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let set: FuturesUnordered<_> = futures.into_iter().map(IntoFuture::into_future).collect();
    assert!(!set.is_empty(), "`race` needs at least one future");
    Race { set }
}

/// The future of [`race`]: the output of the first future to complete.
///
/// Cancel-safe exactly when the futures are: dropping it drops them.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Race<F> {
    set: FuturesUnordered<F>,
}

impl<F> Unpin for Race<F> {}

impl<F: Future> Future for Race<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match Pin::new(&mut this.set).poll_next(cx) {
            Poll::Ready(Some(output)) => {
                this.set.clear();
                Poll::Ready(output)
            }
            Poll::Ready(None) => panic!("`Race` polled after completion"),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for Race<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race")
            .field("pending", &self.set.len())
            .finish()
    }
}
