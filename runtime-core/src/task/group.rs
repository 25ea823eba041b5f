//! `TaskGroup`: structured concurrency with asyncio's `TaskGroup` semantics. Spawn fallible
//! children, join them all; the first failure cancels the rest and is what `join` returns.
//!
//! # How it works
//!
//! A group is an `Arc` of shared state: one slot per child in spawn order (running, with its
//! `AbortHandle`; done, with its output; or gone), the number of children still alive, the
//! group's phase (open, failed, finished, abandoned), the first failure, and the waker of the
//! `join` that waits. `TaskGroup` values are counted handles to that state.
//!
//! Each child is an ordinary task whose future wraps the child's future and a *reporter*. The
//! wrapper catches a panic of the child's future, and when the child returns, the wrapper keeps
//! the outcome in the reporter. The reporter does its work in its `Drop`, which runs when the
//! task drops the wrapper: right after the child returned, or when the child was cancelled
//! (aborted, or dropped by a runtime shutting down). The child's own future is dropped first
//! (it is the wrapper's first field), so by the time a child counts as gone its drop guards have
//! run. The reporter then, under the group's lock:
//! - stores an `Ok` output in the child's slot;
//! - on the group's first failure (`Err`, panic, or a cancellation that did not come from the
//!   group itself) records it, marks the group failed and takes every sibling's `AbortHandle`,
//!   which it aborts right after unlocking: siblings are cancelled at once, not when somebody
//!   gets round to `join`;
//! - drops later failures, and outputs that arrive after the group failed;
//! - wakes `join` when the last child is gone.
//!
//! `join` waits until no child is alive, including children spawned (through clones) while it
//! waits and siblings that are being cancelled, so when it returns no child of the group is
//! running: `Ok` with the outputs in spawn order, or the first failure.
//!
//! # Closing, and spawning into a closed group
//!
//! A group closes when a child fails, when `join` returns, or when it is abandoned (below). A
//! closed group accepts no new children: `try_spawn` returns `Err(GroupClosed)` with the future
//! inside, and `spawn` runs nothing: the child's future is dropped without being polled and the
//! returned `AbortHandle` refers to a task that finishes at once. (asyncio raises
//! `RuntimeError` here; a Rust `spawn` that panicked would take down the sibling that tried, and
//! one that returned a `Result` would have to be checked at every call.)
//!
//! # Abandoning
//!
//! Dropping the last handle of a group that was never joined aborts its children, and so does
//! dropping a `join` future before it finished (cancelling the task that awaits `join`, as in
//! asyncio, cancels the children). A clone held by a child counts as a handle: a child that
//! holds a clone and never finishes keeps an unjoined group alive, so await `join` (possibly
//! under a timeout) rather than dropping the group.

use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::{AbortHandle, Id, JoinError, SpawnMeta};
use crate::context;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, Mutex};

/// A group of fallible tasks that succeed or fail together (asyncio's `TaskGroup`).
///
/// Children return `Result<T, E>`. `join` waits for all of them and returns their outputs in
/// spawn order. The first child to fail, by returning `Err(e)` or by panicking, cancels all its
/// siblings at once; `join` then returns `GroupError::Failed(e)` or `GroupError::Panicked`.
///
/// A clone is a handle to the same group, so children can spawn siblings. See the module docs
/// for the design, what happens on `spawn` after the group failed or finished, and what
/// dropping a group does.
///
/// ```
/// use std::time::Duration;
/// use runtime::task::{GroupError, TaskGroup};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let group = TaskGroup::new();
///     for secs in [3u64, 1, 2] {
///         group.spawn(async move {
///             runtime::time::sleep(Duration::from_secs(secs)).await;
///             Ok::<_, String>(secs)
///         });
///     }
///     assert_eq!(group.join().await.unwrap(), [3, 1, 2]);
///
///     let group = TaskGroup::new();
///     group.spawn(async { Ok(1) });
///     group.spawn(async { Err("no route to host") });
///     group.spawn(std::future::pending());
///     match group.join().await {
///         Err(GroupError::Failed(e)) => assert_eq!(e, "no route to host"),
///         other => panic!("unexpected {other:?}"),
///     }
/// }
/// ```
pub struct TaskGroup<T, E> {
    shared: Arc<Shared<T, E>>,
}

/// Why a `TaskGroup` did not produce all of its outputs: its first failure.
///
/// ```
/// use runtime::task::{GroupError, TaskGroup};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let group = TaskGroup::<(), String>::new();
///     group.spawn(async { panic!("boom") });
///     let error = group.join().await.unwrap_err();
///     assert!(matches!(&error, GroupError::Panicked(e) if e.is_panic()));
///     assert!(error.to_string().contains("boom"));
/// }
/// ```
#[derive(Debug)]
pub enum GroupError<E> {
    /// A child returned `Err(E)`.
    Failed(E),
    /// A child panicked (`JoinError::is_panic`), or was cancelled from outside the group
    /// (through its `AbortHandle`, or by its runtime shutting down; `JoinError::is_cancelled`):
    /// either way its output is missing.
    Panicked(JoinError),
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupError::Failed(error) => write!(f, "a task of the group failed: {error}"),
            GroupError::Panicked(error) => write!(f, "a task of the group failed: {error}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GroupError::Failed(error) => Some(error),
            GroupError::Panicked(error) => Some(error),
        }
    }
}

/// `TaskGroup::try_spawn` on a group that failed or finished: the future, not spawned.
///
/// ```
/// use runtime::task::TaskGroup;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let group = TaskGroup::<u32, ()>::new();
///     let late = group.clone();
///     group.spawn(async { Err(()) });
///     assert!(group.join().await.is_err());
///     let closed = late.try_spawn(async { Ok(1) }).unwrap_err();
///     let _future = closed.into_inner();
/// }
/// ```
pub struct GroupClosed<F>(F);

impl<F> GroupClosed<F> {
    /// The future that was not spawned.
    ///
    /// ```
    /// # use runtime::task::TaskGroup;
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = TaskGroup::<u32, ()>::new();
    /// let late = group.clone();
    /// group.join().await.unwrap();
    /// let future = late.try_spawn(async { Ok(7) }).unwrap_err().into_inner();
    /// assert_eq!(future.await, Ok(7));
    /// # }
    /// ```
    pub fn into_inner(self) -> F {
        self.0
    }
}

impl<F> fmt::Debug for GroupClosed<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupClosed").finish_non_exhaustive()
    }
}

impl<F> fmt::Display for GroupClosed<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the task group has failed or finished and accepts no new tasks")
    }
}

impl<F> std::error::Error for GroupClosed<F> {}

struct Shared<T, E> {
    /// `phase != Open`, readable without the lock: a child of a closed group is not polled.
    closed: AtomicBool,
    state: Mutex<State<T, E>>,
}

struct State<T, E> {
    /// One slot per child, in spawn order.
    children: Vec<Slot<T>>,
    /// Children spawned whose future has not been dropped yet.
    live: usize,
    phase: Phase,
    /// The first failure, until `join` takes it.
    failure: Option<GroupError<E>>,
    /// A `join` has claimed the group (only one may).
    joining: bool,
    /// The waiting `join`'s waker.
    waiter: Option<Waker>,
    /// `TaskGroup` values alive.
    handles: usize,
}

enum Slot<T> {
    /// The child runs; its `AbortHandle` once `spawn` stored it.
    Running(Option<AbortHandle>),
    Done(T),
    Gone,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Accepting children.
    Open,
    /// A child failed; siblings were aborted.
    Failed,
    /// `join` returned.
    Finished,
    /// Dropped unjoined (or its `join` was dropped); children were aborted.
    Abandoned,
}

impl<T, E> State<T, E> {
    /// Takes the handles of the children still running, to abort them.
    fn take_aborts(&mut self) -> Vec<AbortHandle> {
        self.children
            .iter_mut()
            .filter_map(|slot| match slot {
                Slot::Running(handle) => handle.take(),
                _ => None,
            })
            .collect()
    }
}

impl<T, E> Shared<T, E> {
    /// Closes an open group whose owner went away, returning the children to abort.
    fn abandon(&self) -> Vec<AbortHandle> {
        let mut state = self.state.lock();
        if state.phase != Phase::Open {
            return Vec::new();
        }
        state.phase = Phase::Abandoned;
        self.closed.store(true, Ordering::Release);
        state.take_aborts()
    }
}

impl<T, E> TaskGroup<T, E> {
    /// An empty, open group.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let group = runtime::task::TaskGroup::<(), std::io::Error>::new();
    ///     assert!(group.join().await.unwrap().is_empty());
    /// }
    /// ```
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            shared: Arc::new(Shared {
                closed: AtomicBool::new(false),
                state: Mutex::new(State {
                    children: Vec::new(),
                    live: 0,
                    phase: Phase::Open,
                    failure: None,
                    joining: false,
                    waiter: None,
                    handles: 1,
                }),
            }),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> TaskGroup<T, E> {
    /// Spawns a child on the current runtime and returns a handle that can abort it.
    ///
    /// The child starts when a worker picks it up, never inside `spawn`. If the group has
    /// already failed or finished, the child never runs: its future is dropped unpolled (see
    /// `try_spawn` to find out). Aborting a child through the returned handle fails the group
    /// (`GroupError::Panicked` with a cancelled `JoinError`), since its output will be missing.
    ///
    /// # Panics
    /// Outside a runtime, like `runtime::spawn`.
    ///
    /// ```
    /// use runtime::task::TaskGroup;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let group = TaskGroup::<u32, ()>::new();
    ///     let spawner = group.clone();
    ///     group.spawn(async move {
    ///         // A child can spawn siblings through a clone; `join` waits for them too.
    ///         spawner.spawn(async { Ok(2) });
    ///         Ok(1)
    ///     });
    ///     assert_eq!(group.join().await.unwrap(), [1, 2]);
    /// }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        match self.try_spawn(future) {
            Ok(abort) => abort,
            Err(GroupClosed(future)) => {
                // A task for the handle to refer to, which drops the future without polling it.
                let abort = self.spawn_child(future, None);
                abort.abort();
                abort
            }
        }
    }

    /// Spawns a child on the current runtime, unless the group has failed or finished: then the
    /// future comes back in `Err(GroupClosed)`.
    ///
    /// # Panics
    /// Outside a runtime, like `runtime::spawn`.
    ///
    /// ```
    /// use runtime::task::TaskGroup;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let group = TaskGroup::<(), &str>::new();
    ///     let late = group.clone();
    ///     assert!(group.try_spawn(async { Err("failed") }).is_ok());
    ///     assert!(group.join().await.is_err());
    ///     assert!(late.try_spawn(async { Ok(()) }).is_err());
    /// }
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(&self, future: F) -> Result<AbortHandle, GroupClosed<F>>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = {
            let mut state = self.shared.state.lock();
            if state.phase != Phase::Open {
                return Err(GroupClosed(future));
            }
            state.children.push(Slot::Running(None));
            state.live += 1;
            state.children.len() - 1
        };
        // Spawn without the lock: a runtime that is shutting down drops the task at once, and
        // the child's reporter takes the lock.
        let abort = self.spawn_child(future, Some(index));
        let abort_now = {
            let mut state = self.shared.state.lock();
            let open = state.phase == Phase::Open;
            match &mut state.children[index] {
                Slot::Running(slot) if open => {
                    *slot = Some(abort.clone());
                    false
                }
                // The group failed or was abandoned between the two locks.
                Slot::Running(_) => true,
                // The child is already gone.
                Slot::Done(_) | Slot::Gone => false,
            }
        };
        if abort_now {
            abort.abort();
        }
        Ok(abort)
    }

    #[track_caller]
    fn spawn_child<F>(&self, future: F, index: Option<usize>) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let child = Child {
            future,
            reporter: Reporter {
                shared: self.shared.clone(),
                index,
                outcome: None,
            },
        };
        let handle = crate::scheduler::spawn_current(child, SpawnMeta::new(None));
        // The reporter delivers the outcome; the handle is not needed beyond aborting.
        handle.abort_handle()
    }

    /// Waits for every child, including those spawned while it waits, and returns their outputs
    /// in spawn order, or the group's first failure. When it returns, no child of the group is
    /// running: after a failure it also waits for the aborted siblings to be dropped (which
    /// happens at their next scheduling point, without timers). The group is closed afterwards.
    ///
    /// Not cancel-safe: dropping the `join` future before it finished aborts all the children
    /// (as cancelling the task that awaits an asyncio `TaskGroup` does), and their outputs are
    /// lost.
    ///
    /// # Panics
    /// If `join` is already being awaited on another handle of the same group.
    ///
    /// ```
    /// use runtime::task::{GroupError, TaskGroup};
    ///
    /// #[runtime::main]
    /// async fn main() {
    ///     let group = TaskGroup::new();
    ///     for n in ["1", "2", "x"] {
    ///         group.spawn(async move { n.parse::<u32>() });
    ///     }
    ///     assert!(matches!(group.join().await, Err(GroupError::Failed(_))));
    /// }
    /// ```
    pub async fn join(self) -> Result<Vec<T>, GroupError<E>> {
        let mut join = Join {
            group: self,
            claimed: false,
            done: false,
        };
        poll_fn(|cx| join.poll_join(cx)).await
    }
}

impl<T, E> Clone for TaskGroup<T, E> {
    /// Another handle to the same group.
    ///
    /// ```
    /// let group = runtime::task::TaskGroup::<(), ()>::new();
    /// let spawner = group.clone();
    /// # drop((group, spawner));
    /// ```
    fn clone(&self) -> TaskGroup<T, E> {
        self.shared.state.lock().handles += 1;
        TaskGroup {
            shared: self.shared.clone(),
        }
    }
}

impl<T, E> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        let last = {
            let mut state = self.shared.state.lock();
            state.handles -= 1;
            state.handles == 0
        };
        if last {
            for abort in self.shared.abandon() {
                abort.abort();
            }
        }
    }
}

impl<T, E> Default for TaskGroup<T, E> {
    fn default() -> TaskGroup<T, E> {
        TaskGroup::new()
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("TaskGroup")
            .field("phase", &state.phase)
            .field("spawned", &state.children.len())
            .field("live", &state.live)
            .finish()
    }
}

/// The state of one `join` call; aborts the children if dropped before it finished.
struct Join<T, E> {
    group: TaskGroup<T, E>,
    claimed: bool,
    done: bool,
}

impl<T, E> Join<T, E> {
    fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, GroupError<E>>> {
        let shared = &self.group.shared;
        let mut state = shared.state.lock();
        if !self.claimed {
            assert!(
                !state.joining,
                "`TaskGroup::join` called while another handle of the same group is joining it"
            );
            state.joining = true;
            self.claimed = true;
        }
        if state.live > 0 {
            let replaced = match &state.waiter {
                Some(waiter) if waiter.will_wake(cx.waker()) => None,
                _ => state.waiter.replace(cx.waker().clone()),
            };
            drop(state);
            // A waker's drop may release a task: not under the lock.
            drop(replaced);
            return Poll::Pending;
        }
        self.done = true;
        let phase = std::mem::replace(&mut state.phase, Phase::Finished);
        shared.closed.store(true, Ordering::Release);
        let children = std::mem::take(&mut state.children);
        let failure = state.failure.take();
        drop(state);
        match phase {
            Phase::Open => Poll::Ready(Ok(children
                .into_iter()
                .map(|slot| match slot {
                    Slot::Done(output) => output,
                    // Every child of an open group with none alive returned `Ok`: any other
                    // end fails the group.
                    Slot::Running(_) | Slot::Gone => {
                        unreachable!("a TaskGroup child ended without an output or a failure")
                    }
                })
                .collect())),
            Phase::Failed => {
                Poll::Ready(Err(failure.expect("a failed TaskGroup records its failure")))
            }
            // Only the claimed `join` finishes or abandons a group it holds a handle to.
            Phase::Finished | Phase::Abandoned => {
                unreachable!("a TaskGroup was finished or abandoned under its own join")
            }
        }
    }
}

impl<T, E> Drop for Join<T, E> {
    fn drop(&mut self) {
        if self.claimed && !self.done {
            for abort in self.group.shared.abandon() {
                abort.abort();
            }
        }
    }
}

pin_project! {
    /// A child's task: the child's future, then the reporter (dropped after the future).
    struct Child<F, T, E> {
        #[pin]
        future: F,
        reporter: Reporter<T, E>,
    }
}

/// Delivers a child's outcome to the group when the child's task drops it.
struct Reporter<T, E> {
    shared: Arc<Shared<T, E>>,
    /// The child's slot; `None` for a child spawned into a closed group.
    index: Option<usize>,
    /// What the child returned; `None` if it was dropped before returning.
    outcome: Option<Result<T, GroupError<E>>>,
}

impl<F, T, E> Future for Child<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        if this.reporter.index.is_none() || this.reporter.shared.closed.load(Ordering::Acquire) {
            // The group failed or was abandoned (this child's abort is on its way), or it was
            // closed before the child was spawned: stop without polling.
            return Poll::Ready(());
        }
        let outcome = match catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(output))) => Ok(output),
            Ok(Poll::Ready(Err(error))) => Err(GroupError::Failed(error)),
            Err(payload) => Err(GroupError::Panicked(context::with_current_task(|task| {
                match task {
                    Some(header) => JoinError::panicked(header, payload),
                    // Children are only polled as tasks; this keeps the payload regardless.
                    None => JoinError::panicked_with_id(Id::next(), None, payload),
                }
            }))),
        };
        this.reporter.outcome = Some(outcome);
        Poll::Ready(())
    }
}

impl<T, E> Drop for Reporter<T, E> {
    fn drop(&mut self) {
        let Some(index) = self.index else {
            return;
        };
        let outcome = self.outcome.take().unwrap_or_else(|| {
            // Dropped before returning: cancelled (by the group, from outside, or by shutdown).
            Err(GroupError::Panicked(context::with_current_task(
                |task| match task {
                    Some(header) => JoinError::cancelled(header),
                    // The runtime drops futures inside their task's context; a fallback id.
                    None => JoinError::cancelled_with_id(Id::next(), None),
                },
            )))
        });
        let mut aborts = Vec::new();
        let mut unused = None;
        let (own, waiter) = {
            let mut state = self.shared.state.lock();
            state.live -= 1;
            let own = std::mem::replace(&mut state.children[index], Slot::Gone);
            match outcome {
                Ok(output) if state.phase == Phase::Open => {
                    state.children[index] = Slot::Done(output);
                }
                Err(failure) if state.phase == Phase::Open => {
                    state.phase = Phase::Failed;
                    state.failure = Some(failure);
                    self.shared.closed.store(true, Ordering::Release);
                    aborts = state.take_aborts();
                }
                // The group failed or was abandoned before: nobody wants this outcome.
                late => unused = Some(late),
            }
            let waiter = if state.live == 0 {
                state.waiter.take()
            } else {
                None
            };
            (own, waiter)
        };
        // Outside the lock: these may run user code (an output's drop) or touch other tasks.
        drop(own);
        drop(unused);
        for abort in aborts {
            abort.abort();
        }
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}
