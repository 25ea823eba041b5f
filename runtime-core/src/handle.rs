//! `Handle`: a cloneable reference to a runtime, usable from any thread.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use crate::context;
use crate::metrics::RuntimeMetrics;
use crate::scheduler;
use crate::task::{JoinHandle, SpawnMeta};

/// A cloneable reference to a runtime: spawn onto it from anywhere, or block on it from a
/// thread outside it.
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let answer = std::thread::spawn(move || handle.block_on(async { 6 * 7 }))
///     .join()
///     .unwrap();
/// assert_eq!(answer, 42);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// `Handle::try_current` outside a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(context::no_runtime_message())
    }
}

impl std::error::Error for TryCurrentError {}

impl Handle {
    /// The handle of the runtime this thread is inside.
    ///
    /// # Panics
    /// Outside a runtime, with a message saying how to start one (see `try_current`).
    #[track_caller]
    pub fn current() -> Handle {
        context::with_current_handle(|inner| Handle {
            inner: inner.clone(),
        })
    }

    /// The handle of the runtime this thread is inside, or an error outside one.
    ///
    /// ```
    /// assert!(runtime::Handle::try_current().is_err());
    /// runtime::run(async { assert!(runtime::Handle::try_current().is_ok()) });
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::try_current_handle()
            .map(|inner| Handle { inner })
            .ok_or(TryCurrentError(()))
    }

    /// Spawns a task on this runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, SpawnMeta::new(None))
    }

    /// Runs a blocking function on this runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawn_blocking(f, SpawnMeta::new(None))
    }

    /// Runs `future` to completion on this thread, inside this runtime.
    ///
    /// # Panics
    /// When called from a thread that already drives a runtime; and, with
    /// `UnhandledPanic::ShutdownRuntime`, once the runtime shut down because of an unobserved
    /// task panic (the message names the task and its panic).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.inner.block_on(future)
    }

    /// Makes this the current runtime of this thread until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _scheduler: context::clear_scheduler(),
            _guard: context::set_handle(self.inner.clone()),
            _handle: PhantomData,
        }
    }

    /// Number of worker threads (1 for the current-thread flavor).
    pub fn num_workers(&self) -> usize {
        match &self.inner {
            scheduler::Handle::Multi(h) => h.num_workers(),
            scheduler::Handle::Current(_) => 1,
        }
    }

    /// Number of tasks spawned and not yet finished.
    pub fn num_alive_tasks(&self) -> usize {
        match &self.inner {
            scheduler::Handle::Multi(h) => h.num_alive_tasks(),
            scheduler::Handle::Current(h) => h.num_alive_tasks(),
        }
    }

    /// Every live task (spawned and not finished): id, name, state, polls, where it was spawned
    /// and the time since its last poll (asyncio's `all_tasks`). Cheap enough for production:
    /// it reads each task's header under one short lock per shard of the task list, and never
    /// touches a future or stops a worker. Blocking tasks (`spawn_blocking`) are not listed.
    ///
    /// ```
    /// use runtime::task::TaskState;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (tx, rx) = runtime::sync::oneshot::channel::<()>();
    /// let waiter = runtime::task::Builder::new()
    ///     .name("waiter")
    ///     .spawn(async move { rx.await.ok() });
    /// runtime::task::yield_now().await; // let it run until it waits
    ///
    /// let tasks = runtime::Handle::current().tasks();
    /// let info = tasks.iter().find(|t| t.name() == Some("waiter")).unwrap();
    /// assert_eq!(info.state(), TaskState::Idle);
    /// assert_eq!(info.polls(), 1);
    /// # tx.send(()).unwrap();
    /// # waiter.await.unwrap();
    /// # }
    /// ```
    pub fn tasks(&self) -> Vec<crate::task::TaskInfo> {
        match &self.inner {
            scheduler::Handle::Multi(h) => h.tasks(),
            scheduler::Handle::Current(h) => h.tasks(),
        }
    }

    /// [`tasks`](Handle::tasks) as a text table, one line per task, the longest-waiting first:
    /// id, name, state, polls, time since the last poll, spawn location.
    pub fn dump(&self) -> String {
        crate::task::render_tasks(self.tasks())
    }

    /// Threads alive in the blocking pool (worker threads included).
    pub fn num_blocking_threads(&self) -> usize {
        self.inner.blocking().num_threads()
    }

    /// Sockets and other descriptors registered with this runtime's reactor.
    pub fn num_io_sources(&self) -> usize {
        self.inner.driver().num_io_sources()
    }

    /// Timers (polled `Sleep`s) waiting in this runtime's timer wheel.
    pub fn num_timers(&self) -> usize {
        self.inner.driver().time.num_timers()
    }

    /// A snapshot of this runtime's metrics: workers, alive tasks, queue depths, blocking
    /// threads, and each worker's poll, steal and park counters (see [`RuntimeMetrics`]).
    ///
    /// Cheap enough to call often: it reads one cache-padded block of counters per worker
    /// (which the workers update without any shared counter) and takes the blocking pool's
    /// lock and, on the current-thread flavor, the shared queue's lock once each.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let tasks: Vec<_> = (0..10).map(|i| runtime::spawn(async move { i })).collect();
    ///     for task in tasks {
    ///         task.await.unwrap();
    ///     }
    /// });
    /// let metrics = rt.handle().metrics();
    /// assert_eq!(metrics.num_workers(), 2);
    /// let polls: u64 = (0..metrics.num_workers())
    ///     .map(|worker| metrics.worker_poll_count(worker))
    ///     .sum();
    /// assert!(polls >= 10);
    /// // A task counts as alive until its worker has taken it out of the task list, which
    /// // can be a moment after its `JoinHandle` returned.
    /// assert!(metrics.num_alive_tasks() <= 10);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.inner.metrics()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.num_workers())
            .finish_non_exhaustive()
    }
}

/// Returned by `Runtime::enter`/`Handle::enter`; leaves the runtime context when dropped.
#[must_use = "the runtime is only entered while the guard is alive"]
pub struct EnterGuard<'a> {
    // Dropped in order: the handle first, then the scheduler comes back.
    _guard: context::HandleGuard,
    _scheduler: context::SchedulerCleared,
    _handle: PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish()
    }
}
