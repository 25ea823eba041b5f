//! The two scheduler flavors behind one handle: multi-thread (work-stealing) and current-thread.

pub(crate) mod current;
pub(crate) mod lifo_slot;
pub(crate) mod multi;
pub(crate) mod slow_poll;

use std::future::Future;
use std::ptr::NonNull;
use std::time::Duration;

use crate::blocking::{BlockingSchedule, BlockingTask, Spawner};
use crate::loom::sync::Arc;
use crate::task::{self, JoinHandle, SpawnMeta};

/// A cloneable reference to a running scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    Multi(Arc<multi::Handle>),
    Current(Arc<current::Handle>),
}

/// The scheduler state of the thread that is polling tasks, as seen from `schedule`.
#[derive(Clone, Copy)]
pub(crate) enum SchedulerContext {
    Multi(NonNull<multi::WorkerContext>),
    Current(NonNull<current::CoreContext>),
}

impl Handle {
    #[track_caller]
    pub(crate) fn spawn<F>(&self, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::Multi(h) => multi::Handle::spawn(h, future, meta),
            Handle::Current(h) => current::Handle::spawn(h, future, meta),
        }
    }

    pub(crate) fn spawn_blocking<F, R>(&self, f: F, meta: SpawnMeta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let schedule = match self {
            Handle::Multi(h) => BlockingSchedule::multi(h),
            // A paused clock must not jump while blocking work may still wake a task.
            Handle::Current(h) => BlockingSchedule::counted(h),
        };
        let (notified, join) = task::new_unowned(BlockingTask::new(f), schedule, meta);
        self.blocking().spawn_task(notified, self);
        join
    }

    /// The runtime's driver (reactor and timers).
    pub(crate) fn driver(&self) -> &crate::driver::Handle {
        match self {
            Handle::Multi(h) => &h.driver,
            Handle::Current(h) => &h.driver,
        }
    }

    /// The scheduler's address, which identifies it for `context::defer_notify`.
    pub(crate) fn as_ptr(&self) -> *const () {
        match self {
            Handle::Multi(h) => Arc::as_ptr(h).cast(),
            Handle::Current(h) => Arc::as_ptr(h).cast(),
        }
    }

    /// Monitor side (the driver thread): reports polls that have run past the threshold.
    pub(crate) fn check_slow_polls(&self) {
        match self {
            Handle::Multi(h) => multi::Handle::check_slow_polls(h),
            Handle::Current(h) => h.check_slow_polls(),
        }
    }

    /// How long the driver keeps watching after every worker went to sleep, before it waits
    /// unwatched (see `driver::Watch`): half the slow-poll threshold, so a poll that blocks a
    /// worker woken meanwhile is still reported within 1.5 thresholds.
    pub(crate) fn watch_period(&self) -> Duration {
        let threshold = match self {
            Handle::Multi(h) => h.slow_poll_threshold(),
            Handle::Current(h) => h.slow_poll_threshold(),
        };
        (threshold / 2).max(Duration::from_millis(1))
    }

    /// True if the current-thread flavor's driving thread is awake: the driver thread then
    /// waits in the poller at most a watch period at a time, to look at its poll slot. (A
    /// multi-thread runtime's awake workers are watched through the standby instead.)
    pub(crate) fn needs_watching(&self) -> bool {
        match self {
            Handle::Multi(_) => false,
            Handle::Current(h) => h.is_driving_awake(),
        }
    }

    /// True if a worker of a multi-thread runtime is awake (the workers then poll for I/O
    /// themselves and the driver thread stands by).
    pub(crate) fn any_worker_awake(&self) -> bool {
        match self {
            Handle::Multi(h) => h.any_worker_awake(),
            Handle::Current(_) => false,
        }
    }

    /// Wakes a worker for tasks queued while wake-ups were deferred.
    pub(crate) fn notify_deferred(&self) {
        match self {
            Handle::Multi(h) => h.notify_parked(),
            Handle::Current(h) => h.unpark_driving_thread(),
        }
    }

    pub(crate) fn blocking(&self) -> &Spawner {
        match self {
            Handle::Multi(h) => &h.blocking,
            Handle::Current(h) => &h.blocking,
        }
    }

    /// A snapshot of the scheduler's and the blocking pool's metrics.
    pub(crate) fn metrics(&self) -> crate::RuntimeMetrics {
        let gauges = match self {
            Handle::Multi(h) => h.metrics(),
            Handle::Current(h) => current::Handle::metrics(h),
        };
        crate::RuntimeMetrics::new(gauges, self.blocking().metrics())
    }

    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self {
            Handle::Multi(h) => h.block_on(self, future),
            Handle::Current(h) => current::Handle::block_on(h, self, future),
        }
    }
}

/// Spawns on the runtime this thread is inside. On a worker (or the current-thread driver)
/// that is the scheduler running tasks here, reached without touching the handle's refcount.
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub(crate) fn spawn_current<F>(future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match crate::context::current_scheduler() {
        Some(SchedulerContext::Multi(cx)) => {
            // SAFETY: the context lives on this thread's stack while it is installed.
            let cx = unsafe { cx.as_ref() };
            multi::Handle::spawn(cx.handle_arc(), future, meta)
        }
        Some(SchedulerContext::Current(cx)) => {
            // SAFETY: as above.
            let cx = unsafe { cx.as_ref() };
            current::Handle::spawn(cx.handle_arc(), future, meta)
        }
        None => crate::context::with_current_handle(|handle| handle.spawn(future, meta)),
    }
}

/// Settings shared by both flavors.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Every this many ticks, a worker looks at the shared queue before its own.
    pub(crate) global_queue_interval: u32,
    /// Every this many ticks, the current-thread scheduler polls its `block_on` future and
    /// (later) the I/O driver.
    pub(crate) event_interval: u32,
    /// Consecutive LIFO-slot polls before the slot's task goes to the back of the queue.
    pub(crate) max_lifo_polls: u32,
    /// What to do with a panic nobody observes.
    pub(crate) unhandled_panic: crate::UnhandledPanic,
    /// When and how to report a poll that blocks its worker.
    pub(crate) slow_poll: slow_poll::SlowPollConfig,
    /// Receives the reports of unobserved panics (`None`: one line on stderr).
    pub(crate) unhandled_panic_hook: Option<crate::unhandled::ReportHook>,
}
