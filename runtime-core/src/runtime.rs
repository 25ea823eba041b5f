//! `Runtime`: owns a scheduler and its blocking pool; `block_on` drives a future to completion,
//! and dropping the runtime cancels every task and joins its threads.

use std::fmt;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use crate::blocking::BlockingPool;
use crate::builder::{Builder, RuntimeFlavor};
use crate::handle::{EnterGuard, Handle};
use crate::scheduler;
use crate::task::JoinHandle;

pub(crate) enum Flavor {
    MultiThread,
    CurrentThread,
}

/// An async runtime: a scheduler, its worker threads and its blocking pool.
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let task = runtime::spawn(async { 40 });
///     task.await.unwrap() + 2
/// });
/// assert_eq!(answer, 42);
/// ```
pub struct Runtime {
    handle: Handle,
    pool: Option<BlockingPool>,
    flavor: Flavor,
}

impl Runtime {
    /// A multi-thread runtime with one worker per core.
    ///
    /// # Errors
    /// If a worker thread cannot be started.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    pub(crate) fn from_parts(
        handle: scheduler::Handle,
        pool: BlockingPool,
        flavor: Flavor,
    ) -> Runtime {
        Runtime {
            handle: Handle { inner: handle },
            pool: Some(pool),
            flavor,
        }
    }

    /// Runs `future` to completion on this thread, with the runtime's tasks running on its
    /// workers (multi-thread) or on this same thread (current-thread). asyncio's
    /// `loop.run_until_complete`.
    ///
    /// # Panics
    /// When called from a thread that already drives a runtime (inside `block_on` or a task):
    /// use `.await` there, or `spawn_blocking`/`block_in_place` for blocking code.
    ///
    /// With `UnhandledPanic::ShutdownRuntime`, once a task's panic went unobserved: the runtime
    /// has cancelled its tasks, and `block_on` panics with a message naming the task and its
    /// panic (see `UnhandledPanic::ShutdownRuntime`).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.inner.block_on(future)
    }

    /// Spawns a task on this runtime; see `runtime::spawn`.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking function on this runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// A cloneable handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this the current runtime of this thread until the guard drops, so that
    /// `runtime::spawn` works from synchronous code.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// The flavor of this runtime.
    pub fn flavor(&self) -> RuntimeFlavor {
        match self.flavor {
            Flavor::MultiThread => RuntimeFlavor::MultiThread,
            Flavor::CurrentThread => RuntimeFlavor::CurrentThread,
        }
    }

    /// Shuts down, waiting at most `timeout` for running tasks and blocking work to yield.
    /// Tasks are cancelled (their futures dropped) as soon as no thread is polling them.
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for running tasks or blocking work.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    fn shutdown(&mut self, mut timeout: Option<Duration>) {
        if timeout != Some(Duration::ZERO) && crate::context::is_driving() {
            if std::thread::panicking() {
                // Unwinding through a runtime thread: do not block, do not panic again.
                timeout = Some(Duration::ZERO);
            } else {
                panic!(
                    "Cannot drop a runtime in a context where blocking is not allowed: this \
                     thread drives a runtime (inside `block_on` or a task). Drop it from \
                     outside, or call `shutdown_background()`."
                );
            }
        }
        let Some(pool) = self.pool.take() else {
            return;
        };
        let deadline = timeout.map(|t| Instant::now() + t);
        {
            // Tasks dropped during shutdown may look for their runtime.
            let _enter = crate::context::set_handle(self.handle.inner.clone());
            match &self.handle.inner {
                scheduler::Handle::Multi(h) => {
                    h.shutdown(timeout);
                }
                scheduler::Handle::Current(h) => scheduler::current::Handle::shutdown(h),
            }
            // After the tasks: their sockets and timers deregister from a live driver.
            self.handle.inner.driver().shutdown();
        }
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if !pool.shutdown(remaining) {
            // Threads still busy are left to finish on their own.
            std::mem::forget(pool);
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.flavor())
            .finish_non_exhaustive()
    }
}

/// Runs `future` on a new multi-thread runtime and shuts it down (asyncio's `run`).
///
/// # Panics
/// If the runtime cannot be built (the OS refused to start threads), or when called from
/// inside a runtime.
///
/// ```
/// let n = runtime::run(async {
///     let a = runtime::spawn(async { 1 });
///     let b = runtime::spawn(async { 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(n, 3);
/// ```
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    let runtime = Runtime::new().expect("runtime::run: failed to start the runtime's threads");
    runtime.block_on(future)
}
