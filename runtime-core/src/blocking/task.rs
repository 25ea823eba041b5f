//! A blocking closure as a task: the future runs the closure on its first poll, and the
//! scheduler of such tasks is the pool itself (they are never woken, only run once).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::loom::sync::Arc;
use crate::scheduler::{self, current, multi};
use crate::task::raw::Header;
use crate::task::{Notified, Schedule, Task};

/// Runs `f` once when polled.
#[derive(Debug)]
pub(crate) struct BlockingTask<F> {
    f: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(crate) fn new(f: F) -> BlockingTask<F> {
        BlockingTask { f: Some(f) }
    }
}

impl<F> Unpin for BlockingTask<F> {}

impl<F, R> Future for BlockingTask<F>
where
    F: FnOnce() -> R,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self.f.take().expect("a blocking task ran twice");
        Poll::Ready(f())
    }
}

/// The "scheduler" of blocking tasks: they complete in their one poll and are in no list.
/// On a current-thread runtime it counts the tasks in flight, so that a paused clock does not
/// jump while one of them may still wake a task. An unobserved panic of the closure goes to the
/// runtime's `UnhandledPanic` handling, as for any task.
#[derive(Clone, Default)]
pub(crate) struct BlockingSchedule {
    runtime: Option<scheduler::Handle>,
}

impl BlockingSchedule {
    pub(crate) fn counted(handle: &Arc<current::Handle>) -> BlockingSchedule {
        handle.blocking_started();
        BlockingSchedule {
            runtime: Some(scheduler::Handle::Current(handle.clone())),
        }
    }

    /// A blocking task of a multi-thread runtime (not counted).
    pub(crate) fn multi(handle: &Arc<multi::Handle>) -> BlockingSchedule {
        BlockingSchedule {
            runtime: Some(scheduler::Handle::Multi(handle.clone())),
        }
    }
}

impl std::fmt::Debug for BlockingSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingSchedule")
            .field("runtime", &self.runtime.as_ref().map(|rt| rt.as_ptr()))
            .finish()
    }
}

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        // A blocking task is queued (notified) from spawn until it completes, so a wake-up or
        // an abort never has to queue it again; drop the reference if one arrives anyway.
        drop(task);
    }

    fn release(&self, _task: &Header) -> Option<Task> {
        // Called once, after the join waker was woken: the woken task is already queued.
        if let Some(scheduler::Handle::Current(handle)) = &self.runtime {
            handle.blocking_finished();
        }
        None
    }

    fn unhandled_panic(&self, error: &crate::task::JoinError) {
        match &self.runtime {
            Some(scheduler::Handle::Multi(handle)) => handle.unhandled_panic(error),
            Some(scheduler::Handle::Current(handle)) => handle.unhandled_panic(error),
            None => crate::unhandled::report_by_default(error),
        }
    }
}
