//! `wait`: await a set of tasks until the first completes, the first fails, or all complete,
//! and hand back the ones still running (asyncio's `wait`).
//!
//! The handles sit in a `FuturesUnordered`, each tagged with its position, so a wake-up polls
//! only the handles whose task finished. When the condition is met, the outputs collected so
//! far are returned in completion order and the handles still in the set are taken out of it
//! (they are `Unpin`) and returned in argument order, their tasks untouched.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::{Stream, TryFuture};
use futures_util::stream::FuturesUnordered;

use super::indexed::{Indexed, TryPoll};

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`).
///
/// ```
/// use runtime::future::ReturnWhen;
///
/// assert_ne!(ReturnWhen::FirstCompleted, ReturnWhen::AllCompleted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as at least one task has finished, whatever its outcome.
    FirstCompleted,
    /// As soon as a task fails (it panicked or was cancelled: its `JoinHandle` gives an
    /// `Err(JoinError)`), or when all have finished if none fails.
    FirstException,
    /// When every task has finished.
    AllCompleted,
}

/// Awaits tasks until `return_when` says so, and returns `(done, pending)`: the outputs of the
/// tasks that finished, in completion order, and the handles of the others, in argument
/// order, still running (asyncio's `wait`).
///
/// Every task that has finished by the time `wait` returns is in `done`, not only the one that
/// met the condition. Nothing is cancelled: abort the pending handles, or await them, or pass
/// them to `wait` again. With no handles, `wait` returns `(vec![], vec![])` at once.
///
/// The items may be any `Unpin` futures whose output is a `Result` (then `Err` counts as a
/// failure for `FirstException`): `JoinHandle<T>`, `&mut JoinHandle<T>` (to keep the handles
/// yourself), or other executors' handles. Futures returned in `pending` were polled but
/// are not driven further until you poll them again. A wake-up polls only the handles whose
/// task finished.
///
/// The returned future is not cancel-safe: dropping it drops the handles (which detaches the
/// tasks: they keep running) and the outputs collected so far.
///
/// ```
/// use std::time::Duration;
/// use runtime::future::{wait, ReturnWhen};
/// use runtime::time::sleep;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let handles = [2, 1, 3].map(|secs| {
///         runtime::spawn(async move {
///             sleep(Duration::from_secs(secs)).await;
///             secs
///         })
///     });
///     let (done, pending) = wait(handles, ReturnWhen::FirstCompleted).await;
///     assert_eq!(done.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1]);
///     assert_eq!(pending.len(), 2);
///
///     let (done, pending) = wait(pending, ReturnWhen::AllCompleted).await;
///     assert_eq!(done.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [2, 3]);
///     assert!(pending.is_empty());
///
///     // FIRST_EXCEPTION: returns when the panicking task fails, the other keeps running.
///     let ok = runtime::spawn(sleep(Duration::from_secs(10)));
///     let bad = runtime::spawn(async { panic!("boom") });
///     let (done, pending) = wait([ok, bad], ReturnWhen::FirstException).await;
///     assert!(done[0].as_ref().unwrap_err().is_panic());
///     assert_eq!(pending.len(), 1);
/// }
/// ```
pub fn wait<I>(futures: I, return_when: ReturnWhen) -> Wait<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
    <I::Item as IntoFuture>::IntoFuture: TryFuture + Unpin,
{
    let set = futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| Indexed {
            index,
            future: TryPoll {
                future: future.into_future(),
            },
        })
        .collect();
    Wait {
        set,
        done: Vec::new(),
        return_when,
    }
}

/// The future of [`wait`]: `(done, pending)`.
///
/// Not cancel-safe: dropping it drops the handles (detaching the tasks) and the outputs
/// collected.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Wait<F: TryFuture> {
    set: FuturesUnordered<Indexed<TryPoll<F>>>,
    done: Vec<Result<F::Ok, F::Error>>,
    return_when: ReturnWhen,
}

// The outputs are never pinned, and the futures are `Unpin`.
impl<F: TryFuture> Unpin for Wait<F> {}

impl<F: TryFuture + Unpin> Future for Wait<F> {
    type Output = (Vec<Result<F::Ok, F::Error>>, Vec<F>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut met = false;
        loop {
            match Pin::new(&mut this.set).poll_next(cx) {
                Poll::Ready(Some((_, output))) => {
                    met |= match this.return_when {
                        ReturnWhen::FirstCompleted => true,
                        ReturnWhen::FirstException => output.is_err(),
                        ReturnWhen::AllCompleted => false,
                    };
                    this.done.push(output);
                    // Keep going while more are ready, so that `done` holds every task that
                    // has finished by now.
                }
                Poll::Ready(None) => break,
                Poll::Pending if met => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        let mut pending: Vec<_> = mem::take(&mut this.set)
            .into_iter()
            .map(|indexed| (indexed.index, indexed.future.future))
            .collect();
        pending.sort_unstable_by_key(|(index, _)| *index);
        let pending = pending.into_iter().map(|(_, future)| future).collect();
        Poll::Ready((mem::take(&mut this.done), pending))
    }
}

impl<F: TryFuture> fmt::Debug for Wait<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("pending", &self.set.len())
            .field("done", &self.done.len())
            .field("return_when", &self.return_when)
            .finish()
    }
}
