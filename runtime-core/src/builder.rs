//! `Builder`: configures and builds a `Runtime` of either flavor.

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::blocking::{BlockingPool, ThreadConfig};
use crate::driver;
use crate::runtime::{Flavor, Runtime};
use crate::scheduler::slow_poll::{self, SlowPoll, SlowPollConfig, SlowPollHook};
use crate::scheduler::{self, current, multi, Config};
use crate::time::Clock;
use crate::unhandled::{ReportHook, UnhandledPanicReport};

/// What happens when a task panics and nobody looks at its `JoinError`: its `JoinHandle` was
/// dropped before the panic, or is dropped after it without having been awaited (this includes
/// a `JoinSet` dropped with a panicked task still in it, and a handle dropped while the runtime
/// shuts down). A panic returned by awaiting the handle, by `JoinSet::join_next` (or
/// `JoinSet::shutdown`, which reads and discards outcomes) or collected by a `TaskGroup` was
/// observed and is never reported. `abort()` does not change a task that already panicked.
///
/// A panic is handled at most once, when the task's output is dropped unread. A panic of a
/// `spawn_blocking` closure whose handle was dropped is handled the same way.
///
/// ```
/// use runtime::{Builder, UnhandledPanic};
///
/// let rt = Builder::new_current_thread()
///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
///     .on_unhandled_panic(|_report| {}) // keep the doctest's stderr quiet
///     .build()
///     .unwrap();
/// let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     rt.block_on(async {
///         drop(runtime::spawn(async { panic!("boom") }));
///         std::future::pending::<()>().await;
///     })
/// }));
/// let message = *outcome.unwrap_err().downcast::<String>().unwrap();
/// assert!(message.contains("panicked with message \"boom\""), "{message}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Report it once, naming the task (its id when it has no name) and the panic message,
    /// through the `Builder::on_unhandled_panic` hook; the default hook prints one line on
    /// stderr: `runtime: task 'name' (id 7) panicked with message "boom", and nobody awaited
    /// its JoinHandle` (with the `tracing` feature and a subscriber: one ERROR event instead, see
    /// [`Builder::on_unhandled_panic`]). The runtime keeps going. This is the default.
    #[default]
    Report,
    /// Say nothing; the panic is still caught and the runtime keeps going.
    Ignore,
    /// Shut the runtime down at the first unobserved panic (Tokio's unstable option of the same
    /// name), on both flavors:
    ///
    /// 1. the panic is reported once through the hook, as with `Report`;
    /// 2. the runtime stops accepting tasks and cancels every task it owns at once, on the
    ///    thread that dropped the panicked output (a task being polled elsewhere is cancelled
    ///    when its poll returns); tasks spawned afterwards are cancelled without running, so
    ///    awaiting their handles gives `JoinError::is_cancelled`;
    /// 3. every `block_on` of the runtime, running or called later, panics with a `String`
    ///    payload `runtime shut down (UnhandledPanic::ShutdownRuntime): task 'name' (id 7)
    ///    panicked with message "boom", and nobody awaited its JoinHandle` (a `block_on` whose
    ///    future completes in the very poll that dropped the output returns its output; the
    ///    next one panics). On the multi-thread flavor the thread in `block_on` is woken for it.
    ///
    /// Later unobserved panics (e.g. from cancelled tasks) are neither reported nor acted upon.
    /// The worker threads keep running until the `Runtime` is dropped, which joins them as
    /// usual.
    ShutdownRuntime,
}

/// Which scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Work-stealing worker threads.
    MultiThread,
    /// Everything on the thread that calls `block_on`.
    CurrentThread,
}

type Callback = Arc<dyn Fn() + Send + Sync>;

/// Builds a runtime with custom settings (Tokio's `runtime::Builder`).
///
/// Settings are checked in `build`: a zero where a count is needed is an
/// `io::ErrorKind::InvalidInput` error, not a panic.
///
/// ```
/// let rt = runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { runtime::spawn(async { 2 + 2 }).await.unwrap() }), 4);
///
/// let err = runtime::Builder::new_multi_thread().worker_threads(0).build().unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// ```
pub struct Builder {
    flavor: RuntimeFlavor,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    thread_stack_size: Option<usize>,
    on_thread_start: Option<Callback>,
    on_thread_stop: Option<Callback>,
    keep_alive: Duration,
    global_queue_interval: Option<u32>,
    event_interval: u32,
    unhandled_panic: UnhandledPanic,
    unhandled_panic_hook: Option<ReportHook>,
    start_paused: bool,
    slow_poll_threshold: Duration,
    on_slow_poll: SlowPollHook,
}

impl Builder {
    /// A builder for the multi-thread, work-stealing flavor (one worker per core by default).
    pub fn new_multi_thread() -> Builder {
        Builder::new(RuntimeFlavor::MultiThread)
    }

    /// A builder for the current-thread flavor: tasks run on the thread that calls `block_on`.
    pub fn new_current_thread() -> Builder {
        Builder::new(RuntimeFlavor::CurrentThread)
    }

    fn new(flavor: RuntimeFlavor) -> Builder {
        Builder {
            flavor,
            worker_threads: None,
            max_blocking_threads: 512,
            thread_name: Arc::new(|| "runtime-worker".to_string()),
            thread_stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            keep_alive: Duration::from_secs(10),
            global_queue_interval: None,
            event_interval: 61,
            unhandled_panic: UnhandledPanic::default(),
            unhandled_panic_hook: None,
            start_paused: false,
            slow_poll_threshold: Duration::from_millis(100),
            on_slow_poll: Arc::new(slow_poll::print_report),
        }
    }

    /// How long one poll of a task may run before it is reported as blocking its worker
    /// (default 100 ms). Each such poll is reported once, while it still runs, to the
    /// [`on_slow_poll`](Builder::on_slow_poll) hook, which by default prints one line on stderr,
    /// or with the `tracing` feature and a subscriber emits one WARN event with target
    /// `runtime::slow_poll`.
    /// Zero makes `build` fail with `InvalidInput`.
    ///
    /// Polls are watched by the driver thread, which looks about every millisecond while a
    /// worker is busy, and keeps watching for half a threshold after all went idle: on the
    /// multi-thread flavor a report comes a millisecond or two after the threshold, at worst
    /// half a threshold later (a worker woken in that half-threshold is seen at its end). On the
    /// current-thread flavor the driver thread looks every half threshold while the driving
    /// thread runs tasks, so a report comes at most half a threshold late.
    pub fn slow_poll_threshold(&mut self, threshold: Duration) -> &mut Self {
        self.slow_poll_threshold = threshold;
        self
    }

    /// Where slow-poll reports go. The hook runs on the driver thread: keep it short and
    /// non-blocking. A hook set here replaces the default, which is:
    ///
    /// - without the `tracing` feature, one line on stderr naming the task, its id, where it was
    ///   spawned and how long the poll has run (the report's `Display`);
    /// - with the `tracing` feature and a subscriber installed (without one the event would
    ///   go nowhere, so the line above is printed instead), one `tracing` event at WARN level,
    ///   target `runtime::slow_poll`, with the fields `task.id` (u64), `task.name` (`""` when
    ///   the task has no name), `spawned_at` (the spawn location), `elapsed_ms` (u64), `worker` (usize)
    ///   and the same line as its message. It is emitted on the driver thread, so the subscriber
    ///   that receives it is the global default one.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .slow_poll_threshold(Duration::from_millis(20))
    ///     .on_slow_poll(move |report| {
    ///         let _ = tx.send(report.task().name().map(str::to_string));
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     runtime::task::Builder::new()
    ///         .name("sleepy")
    ///         .spawn(async {
    ///             // Don't do this: it blocks a worker (use spawn_blocking).
    ///             std::thread::sleep(Duration::from_millis(200));
    ///         })
    ///         .await
    ///         .unwrap();
    /// });
    /// assert_eq!(rx.recv().unwrap().as_deref(), Some("sleepy"));
    /// ```
    pub fn on_slow_poll<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&SlowPoll) + Send + Sync + 'static,
    {
        self.on_slow_poll = Arc::new(hook);
        self
    }

    /// Number of worker threads (multi-thread flavor; ignored by current-thread). Default: the
    /// number of cores. Zero makes `build` fail with `InvalidInput`.
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        self.worker_threads = Some(n);
        self
    }

    /// Most threads the blocking pool may run for `spawn_blocking` at once (default 512).
    /// Zero makes `build` fail with `InvalidInput`.
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        self.max_blocking_threads = n;
        self
    }

    /// Name of the runtime's threads (workers and blocking threads).
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name: String = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// A function naming each new thread (e.g. with a counter).
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = Arc::new(f);
        self
    }

    /// Stack size of the runtime's threads, in bytes.
    pub fn thread_stack_size(&mut self, size: usize) -> &mut Self {
        self.thread_stack_size = Some(size);
        self
    }

    /// Called on each new runtime thread before it runs anything.
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Called on each runtime thread just before it exits.
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.on_thread_stop = Some(Arc::new(f));
        self
    }

    /// How long an idle blocking thread waits for work before exiting (default 10 s).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = duration;
        self
    }

    /// Every this many scheduler ticks a worker checks the shared queue before its own
    /// (default 31 for current-thread, 61 for multi-thread). Zero is `InvalidInput`.
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        self.global_queue_interval = Some(ticks);
        self
    }

    /// Every this many tasks, the scheduler polls its `block_on` future and I/O events
    /// (default 61). Zero is `InvalidInput`.
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        self.event_interval = ticks;
        self
    }

    /// What to do when a task's panic is never observed (default `Report`: one line on stderr
    /// naming the task and the panic message). See `UnhandledPanic` for exactly what each
    /// setting does; with `ShutdownRuntime`, the first unobserved panic cancels every task and
    /// makes `block_on` panic with a message naming the task and its panic.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .unhandled_panic(runtime::UnhandledPanic::Ignore)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::spawn(async { panic!("silent") });
    ///     drop(handle); // not reported
    /// });
    /// ```
    pub fn unhandled_panic(&mut self, behavior: UnhandledPanic) -> &mut Self {
        self.unhandled_panic = behavior;
        self
    }

    /// Where reports of unobserved panics go (`Report`, and the first one under
    /// `ShutdownRuntime`): `hook` is called once per such panic, on the thread that dropped the
    /// panicked output (a worker, or whichever thread dropped the `JoinHandle`). A panic inside
    /// the hook is caught and ignored. A hook set here replaces the default, which is:
    ///
    /// - without the `tracing` feature, one line on stderr: `runtime: {report}`;
    /// - with the `tracing` feature and a subscriber installed (else the line above), one
    ///   `tracing` event at ERROR level, target
    ///   `runtime::unhandled_panic`, with the fields `task.id` (u64), `task.name` (`""` when the
    ///   task has no name), `panic` (the panic message) and the report's `Display` as its
    ///   message. It is emitted on that same thread, to its current subscriber.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let count = Arc::new(AtomicUsize::new(0));
    /// let counter = count.clone();
    /// let rt = runtime::Builder::new_current_thread()
    ///     .on_unhandled_panic(move |report| {
    ///         assert_eq!(report.message(), "lost");
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// let handle = rt.spawn(async { panic!("lost") });
    /// rt.block_on(async { while !handle.is_finished() { runtime::task::yield_now().await } });
    /// drop(handle);
    /// assert_eq!(count.load(Ordering::SeqCst), 1);
    /// ```
    pub fn on_unhandled_panic<F>(&mut self, hook: F) -> &mut Self
    where
        F: Fn(&UnhandledPanicReport) + Send + Sync + 'static,
    {
        self.unhandled_panic_hook = Some(ReportHook(Arc::new(hook)));
        self
    }

    /// Start with the clock paused (for tests of timeouts; see `runtime::time::pause`).
    /// Current-thread flavor only: on the multi-thread flavor `build` fails with
    /// `InvalidInput`.
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// Builds the runtime.
    ///
    /// # Errors
    /// `InvalidInput` for zero workers, blocking threads, or intervals; the OS error if a
    /// worker thread cannot be started.
    pub fn build(&mut self) -> io::Result<Runtime> {
        // Start the tasks' coarse clock (see `task::stats`) before the first spawn stamps it.
        crate::task::stats::refresh_coarse_clock();
        let invalid = |what: &str| {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("runtime::Builder: {what} must be at least 1"),
            ))
        };
        if self.worker_threads == Some(0) {
            return invalid("worker_threads");
        }
        if self.max_blocking_threads == 0 {
            return invalid("max_blocking_threads");
        }
        if self.global_queue_interval == Some(0) {
            return invalid("global_queue_interval");
        }
        if self.slow_poll_threshold.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "runtime::Builder: slow_poll_threshold must be more than zero",
            ));
        }
        if self.event_interval == 0 {
            return invalid("event_interval");
        }
        let current_thread = self.flavor == RuntimeFlavor::CurrentThread;
        if self.start_paused && !current_thread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "runtime::Builder: start_paused needs the current-thread flavor",
            ));
        }
        let driver = driver::Shared::new(Clock::new(current_thread, self.start_paused))?;
        let driver_name = format!("{}-driver", (self.thread_name)());
        let pool = BlockingPool::new(ThreadConfig {
            name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            on_start: self.on_thread_start.clone(),
            on_stop: self.on_thread_stop.clone(),
            max_blocking: self.max_blocking_threads,
            keep_alive: self.keep_alive,
        });
        let spawner = pool.spawner().clone();
        match self.flavor {
            RuntimeFlavor::CurrentThread => {
                let config = self.config(31);
                let handle = scheduler::Handle::Current(current::Handle::new(
                    config,
                    spawner,
                    driver.clone(),
                ));
                let runtime = Runtime::from_parts(handle.clone(), pool, Flavor::CurrentThread);
                driver::Shared::launch(&driver, handle, driver_name, self.thread_stack_size)?;
                Ok(runtime)
            }
            RuntimeFlavor::MultiThread => {
                let workers = self.worker_threads.unwrap_or_else(default_workers);
                let config = self.config(61);
                let (handle, cores) = multi::Handle::new(workers, config, spawner, driver.clone());
                let rt = scheduler::Handle::Multi(handle.clone());
                let runtime = Runtime::from_parts(rt.clone(), pool, Flavor::MultiThread);
                driver::Shared::launch(&driver, rt, driver_name, self.thread_stack_size)?;
                multi::Handle::launch(&handle, cores)?;
                Ok(runtime)
            }
        }
    }

    fn config(&self, default_global_queue_interval: u32) -> Config {
        Config {
            global_queue_interval: self
                .global_queue_interval
                .unwrap_or(default_global_queue_interval),
            event_interval: self.event_interval,
            max_lifo_polls: 3,
            unhandled_panic: self.unhandled_panic,
            slow_poll: SlowPollConfig {
                threshold: self.slow_poll_threshold,
                hook: self.on_slow_poll.clone(),
            },
            unhandled_panic_hook: self.unhandled_panic_hook.clone(),
        }
    }
}

fn default_workers() -> usize {
    static CACHED: AtomicUsize = AtomicUsize::new(0);
    let cached = CACHED.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    let n = std::env::var("RUNTIME_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    CACHED.store(n, Ordering::Relaxed);
    n
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("unhandled_panic", &self.unhandled_panic)
            .field("unhandled_panic_hook", &self.unhandled_panic_hook.is_some())
            .field("start_paused", &self.start_paused)
            .finish_non_exhaustive()
    }
}
