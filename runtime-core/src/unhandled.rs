//! Unobserved task panics: the report handed to the `Builder::on_unhandled_panic` hook, and the
//! per-runtime state that applies `UnhandledPanic` (report, ignore, or shut the runtime down).
//!
//! A task's panic is *unobserved* when its output is dropped unread: the `JoinHandle` was
//! dropped before the task panicked, or is dropped afterwards without having been awaited. The
//! task harness tells the scheduler at that moment (exactly once per task, because the output is
//! taken out of the task as it is dropped), and the scheduler calls `UnhandledPanics::unhandled`.
//!
//! With `ShutdownRuntime`, the first such panic is reported, records the message, and returns
//! true: the scheduler then closes its task list and cancels every task, and every `block_on`
//! of the runtime (woken through the wakers registered here) panics with that message.
//!
//! The default hook (`print_report`) prints `runtime: {report}` as one line on stderr; with the
//! `tracing` feature and a subscriber installed it emits one `tracing` ERROR event instead, target
//! `runtime::unhandled_panic`, with the fields `task.id` (u64), `task.name` (`""` when the task
//! has no name), `panic` (the panic message) and the report's `Display` as its message.

use std::fmt;
use std::future::Future;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Mutex;
use crate::park::Parker;
use crate::task::{Id, JoinError};
use crate::UnhandledPanic;

/// A task panicked and nobody will look at its `JoinError`: what `Builder::on_unhandled_panic`
/// hooks receive.
///
/// Its `Display` is the line the default hook prints (after `runtime: `): the task's name (or
/// its id when it has none) and the panic message.
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// let reports = Arc::new(Mutex::new(Vec::new()));
/// let seen = reports.clone();
/// let rt = runtime::Builder::new_current_thread()
///     .on_unhandled_panic(move |report: &runtime::UnhandledPanicReport| {
///         let name = report.task_name().map(str::to_owned);
///         seen.lock().unwrap().push((name, report.message().to_owned()));
///     })
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let handle = runtime::task::Builder::new()
///         .name("doomed")
///         .spawn(async { panic!("boom") });
///     drop(handle); // nobody will await it
///     runtime::task::yield_now().await;
/// });
/// assert_eq!(
///     *reports.lock().unwrap(),
///     [(Some("doomed".to_owned()), "boom".to_owned())]
/// );
/// ```
#[derive(Debug, Clone)]
pub struct UnhandledPanicReport {
    id: Id,
    name: Option<StdArc<str>>,
    message: String,
    string_payload: bool,
}

impl UnhandledPanicReport {
    pub(crate) fn new(error: &JoinError) -> UnhandledPanicReport {
        let (message, string_payload) = match error.panic_message() {
            Some(message) => (message.to_owned(), true),
            None => ("Box<dyn Any>".to_owned(), false),
        };
        UnhandledPanicReport {
            id: error.id(),
            name: error.name().map(StdArc::from),
            message,
            string_payload,
        }
    }

    /// The id of the task that panicked.
    pub fn task_id(&self) -> Id {
        self.id
    }

    /// The name of the task that panicked (`task::Builder::name`), if it had one.
    pub fn task_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The panic message: the payload of `panic!` when it is a `&str` or a `String`, otherwise
    /// `"Box<dyn Any>"` (as the standard panic hook says).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for UnhandledPanicReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "task '{name}' (id {})", self.id)?,
            None => write!(f, "task {}", self.id)?,
        }
        if self.string_payload {
            // `{:?}` keeps a multi-line message on one line.
            write!(f, " panicked with message {:?}", self.message)?;
        } else {
            write!(f, " panicked with a non-string payload ({})", self.message)?;
        }
        f.write_str(", and nobody awaited its JoinHandle")
    }
}

/// A hook set with `Builder::on_unhandled_panic`.
#[derive(Clone)]
pub(crate) struct ReportHook(pub(crate) StdArc<dyn Fn(&UnhandledPanicReport) + Send + Sync>);

impl fmt::Debug for ReportHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportHook(..)")
    }
}

/// What the default hook does: one line on stderr, or with the `tracing` feature one ERROR
/// event (target `runtime::unhandled_panic`; an unnamed task's `task.name` field is `""`).
pub(crate) fn print_report(report: &UnhandledPanicReport) {
    if crate::report::to_stderr() {
        eprintln!("runtime: {report}");
    } else {
        emit_event(report);
    }
}

/// Reports `error` with the default hook (a scheduler with no `UnhandledPanic` setting).
pub(crate) fn report_by_default(error: &JoinError) {
    print_report(&UnhandledPanicReport::new(error));
}

/// The `tracing` event of a report (see `print_report`).
#[cfg(feature = "tracing")]
fn emit_event(report: &UnhandledPanicReport) {
    tracing::error!(
        target: "runtime::unhandled_panic",
        {
            task.id = report.id.as_u64(),
            task.name = report.task_name().unwrap_or(""),
            panic = report.message(),
        },
        "{}",
        report
    );
}

/// Without the `tracing` feature every report goes to stderr (`report::to_stderr`).
#[cfg(not(feature = "tracing"))]
fn emit_event(_: &UnhandledPanicReport) {}

/// Calls `hook` (or the default one), containing a panic of the hook itself.
fn call_hook(hook: Option<&ReportHook>, report: &UnhandledPanicReport) {
    let call = || match hook {
        Some(hook) => (hook.0)(report),
        None => print_report(report),
    };
    // A panicking hook must not unwind into the task harness or a worker.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
}

/// One runtime's handling of unobserved panics.
pub(crate) struct UnhandledPanics {
    behavior: UnhandledPanic,
    hook: Option<ReportHook>,
    /// Set once `ShutdownRuntime` fired; `message` is then written (under its lock).
    fired: AtomicBool,
    message: Mutex<Option<String>>,
    /// The threads inside `block_on` (multi-thread flavor), woken when the runtime shuts down.
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    next: u64,
    wakers: Vec<(u64, Waker)>,
}

impl UnhandledPanics {
    pub(crate) fn new(behavior: UnhandledPanic, hook: Option<ReportHook>) -> UnhandledPanics {
        UnhandledPanics {
            behavior,
            hook,
            fired: AtomicBool::new(false),
            message: Mutex::new(None),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// A task's panic will never be observed. Returns true if the runtime must shut down now
    /// (the first unobserved panic under `ShutdownRuntime`); the caller then cancels every task
    /// and calls `wake_block_on`.
    pub(crate) fn unhandled(&self, error: &JoinError) -> bool {
        match self.behavior {
            UnhandledPanic::Ignore => false,
            UnhandledPanic::Report => {
                call_hook(self.hook.as_ref(), &UnhandledPanicReport::new(error));
                false
            }
            UnhandledPanic::ShutdownRuntime => {
                if self.fired.load(Acquire) {
                    // The runtime is already shutting down because of an earlier panic.
                    return false;
                }
                let report = UnhandledPanicReport::new(error);
                {
                    let mut message = self.message.lock();
                    if message.is_some() {
                        return false;
                    }
                    *message = Some(format!(
                        "runtime shut down (UnhandledPanic::ShutdownRuntime): {report}"
                    ));
                    self.fired.store(true, Release);
                }
                call_hook(self.hook.as_ref(), &report);
                true
            }
        }
    }

    /// True once `ShutdownRuntime` shut the runtime down.
    pub(crate) fn has_shut_down(&self) -> bool {
        self.fired.load(Acquire)
    }

    /// Panics with the shutdown message if `ShutdownRuntime` shut the runtime down (called by
    /// `block_on` between polls).
    #[track_caller]
    pub(crate) fn check(&self) {
        if self.has_shut_down() {
            let message = self
                .message
                .lock()
                .clone()
                .expect("the message is written before the flag");
            std::panic::panic_any(message);
        }
    }

    /// Wakes every `block_on` registered here, so that it sees the shutdown and panics.
    pub(crate) fn wake_block_on(&self) {
        let wakers: Vec<Waker> = self
            .waiters
            .lock()
            .wakers
            .iter()
            .map(|(_, waker)| waker.clone())
            .collect();
        for waker in wakers {
            waker.wake();
        }
    }

    /// Drives `future` to completion on this thread, parking between polls (the multi-thread
    /// `block_on`), and panics with the shutdown message once `ShutdownRuntime` fired.
    ///
    /// The thread registers its waker only before it first parks (a future ready at once costs
    /// no lock); it checks the flag after registering, so a shutdown either is seen then or
    /// finds the waker and unparks it.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        struct Unregister<'a>(&'a UnhandledPanics, Option<u64>);
        impl Drop for Unregister<'_> {
            fn drop(&mut self) {
                if let Some(key) = self.1 {
                    let mut waiters = self.0.waiters.lock();
                    waiters.wakers.retain(|(k, _)| *k != key);
                }
            }
        }
        let parker = StdArc::new(ThreadUnparker(Parker::new()));
        let waker = Waker::from(parker.clone());
        let mut registered = Unregister(self, None);
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            self.check();
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            if registered.1.is_none() {
                let mut waiters = self.waiters.lock();
                let key = waiters.next;
                waiters.next += 1;
                waiters.wakers.push((key, waker.clone()));
                drop(waiters);
                registered.1 = Some(key);
                // The flag is stored before `wake_block_on` takes the lock: either it finds
                // our waker, or we see the flag here.
                self.check();
            }
            parker.0.park();
        }
    }
}

impl fmt::Debug for UnhandledPanics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnhandledPanics")
            .field("behavior", &self.behavior)
            .field("shut_down", &self.has_shut_down())
            .finish_non_exhaustive()
    }
}

/// A `Parker` as a waker.
struct ThreadUnparker(Parker);

impl Wake for ThreadUnparker {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.unpark();
    }
}
