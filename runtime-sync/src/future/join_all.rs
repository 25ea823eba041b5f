//! `join_all` and `try_join_all`: await many futures of one type (asyncio's `gather`).
//!
//! Both keep the futures in a `FuturesUnordered`, each tagged with its position, and write
//! each output into its slot of a `Vec` as it completes, so a wake-up polls only the futures
//! that were woken and the outputs come back in argument order.
//! (`futures_util::future::try_join_all` is not used: over more than 30 futures it reports
//! errors in argument order, not in completion order.)

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::{Stream, TryFuture};
use futures_util::stream::FuturesUnordered;

use super::indexed::{Indexed, TryPoll};

/// Awaits every future and returns their outputs in argument order (asyncio's
/// `gather(..., return_exceptions=True)`).
///
/// Nothing short-circuits: over `JoinHandle`s, a task that panicked or was cancelled gives an
/// `Err(JoinError)` in its place and the other outputs are still collected; over futures of
/// `Result`s, every `Err` stays in its place (use [`try_join_all`] to stop at the first).
///
/// Works on any futures; the items may be anything that implements `IntoFuture`. A wake-up
/// polls only the futures that were woken.
///
/// The returned future is not cancel-safe: dropping it drops the futures not yet complete
/// (over `JoinHandle`s, that detaches the tasks, which keep running) and the outputs collected
/// so far.
///
/// ```
/// use std::time::Duration;
/// use runtime::future::join_all;
/// use runtime::time::{sleep, Instant};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let start = Instant::now();
///     let handles = [3, 1, 2].map(|secs| {
///         runtime::spawn(async move {
///             sleep(Duration::from_secs(secs)).await;
///             secs
///         })
///     });
///     let outputs: Vec<u64> = join_all(handles)
///         .await
///         .into_iter()
///         .map(Result::unwrap)
///         .collect();
///     assert_eq!(outputs, [3, 1, 2]); // argument order
///     assert_eq!(start.elapsed(), Duration::from_secs(3)); // concurrently
/// }
/// ```
pub fn join_all<I>(futures: I) -> JoinAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let set: FuturesUnordered<_> = futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| Indexed {
            index,
            future: future.into_future(),
        })
        .collect();
    let outputs = (0..set.len()).map(|_| None).collect();
    JoinAll { set, outputs }
}

/// The future of [`join_all`]: a `Vec` of the outputs, in argument order.
///
/// Not cancel-safe: dropping it drops the futures it still holds and the outputs collected.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct JoinAll<F: Future> {
    set: FuturesUnordered<Indexed<F>>,
    outputs: Vec<Option<F::Output>>,
}

// The outputs are never pinned, and the futures are pinned inside the set's own allocations.
impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        while let Some((index, output)) = ready!(Pin::new(&mut this.set).poll_next(cx)) {
            this.outputs[index] = Some(output);
        }
        Poll::Ready(
            mem::take(&mut this.outputs)
                .into_iter()
                .map(|output| output.expect("join_all: every future completed"))
                .collect(),
        )
    }
}

impl<F: Future> fmt::Debug for JoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinAll")
            .field("pending", &self.set.len())
            .field("total", &self.outputs.len())
            .finish()
    }
}

/// Awaits futures of `Result`s: all their `Ok` values in argument order, or the first `Err`
/// (asyncio's `gather` without `return_exceptions`, except that the others are cancelled).
///
/// "First" is in completion order: the first future to finish with an error wins, wherever it
/// stands in the arguments (among futures that finish in the same poll, the one polled first).
/// As soon as it does, the futures still running are dropped, which cancels them (over
/// `JoinHandle`s dropping detaches: abort the tasks, or use `JoinSet`/`TaskGroup`, to cancel
/// them).
///
/// Works on any futures whose output is a `Result`; a wake-up polls only the futures that
/// were woken.
///
/// The returned future is not cancel-safe: dropping it drops the futures and the values
/// collected so far.
///
/// ```
/// use std::time::Duration;
/// use runtime::future::try_join_all;
/// use runtime::time::{sleep, Instant};
///
/// async fn fetch(id: u64) -> Result<u64, String> {
///     sleep(Duration::from_secs(id)).await;
///     if id == 2 { Err(format!("{id} failed")) } else { Ok(id * 10) }
/// }
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     assert_eq!(try_join_all([fetch(3), fetch(1)]).await, Ok(vec![30, 10]));
///
///     let start = Instant::now();
///     // `fetch(2)` fails at t = 2 s; `fetch(5)` is dropped then, unfinished.
///     assert_eq!(try_join_all([fetch(5), fetch(2)]).await, Err("2 failed".to_string()));
///     assert_eq!(start.elapsed(), Duration::from_secs(2));
/// }
/// ```
pub fn try_join_all<I>(futures: I) -> TryJoinAll<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
    <I::Item as IntoFuture>::IntoFuture: TryFuture,
{
    let set: FuturesUnordered<_> = futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| Indexed {
            index,
            future: TryPoll {
                future: future.into_future(),
            },
        })
        .collect();
    let outputs = (0..set.len()).map(|_| None).collect();
    TryJoinAll { set, outputs }
}

/// The future of [`try_join_all`]: every `Ok` value in argument order, or the first `Err`.
///
/// Not cancel-safe: dropping it drops the futures it still holds and the values collected.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct TryJoinAll<F: TryFuture> {
    set: FuturesUnordered<Indexed<TryPoll<F>>>,
    outputs: Vec<Option<F::Ok>>,
}

// The outputs are never pinned, and the futures are pinned inside the set's own allocations.
impl<F: TryFuture> Unpin for TryJoinAll<F> {}

impl<F: TryFuture> Future for TryJoinAll<F> {
    type Output = Result<Vec<F::Ok>, F::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        while let Some((index, output)) = ready!(Pin::new(&mut this.set).poll_next(cx)) {
            match output {
                Ok(value) => this.outputs[index] = Some(value),
                Err(error) => {
                    // Cancel the others now, not when the caller drops this future.
                    this.set.clear();
                    this.outputs.clear();
                    return Poll::Ready(Err(error));
                }
            }
        }
        Poll::Ready(Ok(mem::take(&mut this.outputs)
            .into_iter()
            .map(|value| value.expect("try_join_all: every future completed"))
            .collect()))
    }
}

impl<F: TryFuture> fmt::Debug for TryJoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryJoinAll")
            .field("pending", &self.set.len())
            .field("total", &self.outputs.len())
            .finish()
    }
}
