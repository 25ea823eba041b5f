//! Cooperative scheduling: each task poll gets a budget of leaf-future polls.
//!
//! Leaf futures (a `JoinHandle`, and later channels, sockets and timers) call `poll_proceed`
//! before doing work. Once a task has used its budget they return `Pending` after waking the
//! task, which is then rescheduled at the back of its queue, so a task that always finds its
//! resources ready still lets its neighbours run.

use std::task::{Context, Poll};

use crate::context;

/// Leaf polls allowed per task poll.
const INITIAL: u8 = 128;

/// A task's remaining budget; `None` means unconstrained (outside a task).
#[derive(Clone, Copy, Debug)]
pub struct Budget(Option<u8>);

impl Budget {
    pub(crate) fn initial() -> Budget {
        Budget(Some(INITIAL))
    }

    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }
}

/// Returned by `poll_proceed`: gives the unit of budget back unless `made_progress` is called.
#[derive(Debug)]
#[must_use = "call `made_progress` when the leaf future returns `Ready`"]
pub struct RestoreOnPending(Option<Budget>);

impl RestoreOnPending {
    /// The leaf made progress: keep the budget spent.
    pub fn made_progress(mut self) {
        self.0 = None;
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(budget) = self.0 {
            context::with_budget(|cell| cell.set(budget));
        }
    }
}

/// Spends one unit of the current task's budget, or returns `Pending` (after waking the task)
/// when it is used up. Leaf futures of other crates call this first thing in `poll`.
///
/// ```
/// use std::task::{Context, Poll};
///
/// fn poll_leaf(cx: &mut Context<'_>, ready: bool) -> Poll<()> {
///     let restore = std::task::ready!(runtime_core::coop::poll_proceed(cx));
///     if ready {
///         restore.made_progress();
///         Poll::Ready(())
///     } else {
///         Poll::Pending
///     }
/// }
/// # let _ = poll_leaf;
/// ```
#[inline]
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    context::with_budget(|cell| {
        let budget = cell.get();
        match budget.0 {
            None => Poll::Ready(RestoreOnPending(None)),
            Some(0) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(n) => {
                cell.set(Budget(Some(n - 1)));
                Poll::Ready(RestoreOnPending(Some(budget)))
            }
        }
    })
}

/// True if the current task may still poll leaf futures in this poll.
pub fn has_budget_remaining() -> bool {
    context::with_budget(|cell| cell.get().0 != Some(0))
}

/// Runs `f` with an unconstrained budget, restoring the task's budget afterwards. For leaf
/// futures that must make progress even when the task has spent its budget (a timeout's timer,
/// which would otherwise never fire behind a future that always uses the whole budget).
///
/// ```
/// let ready = runtime_core::coop::unconstrained(|| runtime_core::coop::has_budget_remaining());
/// assert!(ready);
/// ```
pub fn unconstrained<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Budget);
    impl Drop for Restore {
        fn drop(&mut self) {
            context::with_budget(|cell| cell.set(self.0));
        }
    }
    let _restore = Restore(context::with_budget(|cell| {
        cell.replace(Budget::unconstrained())
    }));
    f()
}
