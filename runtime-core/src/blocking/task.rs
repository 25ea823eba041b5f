//! A blocking closure as a task: the future runs the closure on its first poll, and the
//! scheduler of such tasks is the pool itself (they are never woken, only run once).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::loom::sync::Arc;
use crate::scheduler::current;
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
/// jump while one of them may still wake a task.
#[derive(Debug, Clone, Default)]
pub(crate) struct BlockingSchedule {
    current_thread: Option<Arc<current::Handle>>,
}

impl BlockingSchedule {
    pub(crate) fn counted(handle: &Arc<current::Handle>) -> BlockingSchedule {
        handle.blocking_started();
        BlockingSchedule {
            current_thread: Some(handle.clone()),
        }
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
        if let Some(handle) = &self.current_thread {
            handle.blocking_finished();
        }
        None
    }
}
