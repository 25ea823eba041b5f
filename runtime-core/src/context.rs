//! The per-thread runtime context: which runtime this thread is inside, which scheduler is
//! running tasks here, which task is being polled, and its cooperative budget.
//!
//! One thread-local struct of `Cell`s; every setter returns a guard (or takes a closure) that
//! restores the previous value, so nesting unwinds cleanly, panics included.

use std::cell::{Cell, RefCell};
use std::ptr::NonNull;

use crate::coop::Budget;
use crate::loom::context_thread_local;
use crate::scheduler::{self, SchedulerContext};
use crate::task::raw::Header;

struct Context {
    /// The runtime this thread is inside (`block_on`, `Runtime::enter`, worker threads).
    handle: RefCell<Option<scheduler::Handle>>,
    /// The scheduler polling tasks on this thread, if any.
    scheduler: Cell<Option<SchedulerContext>>,
    /// This thread is driving a runtime (`block_on` or a worker): blocking on another is a bug.
    driving: Cell<bool>,
    /// The task being polled.
    task: Cell<Option<NonNull<Header>>>,
    budget: Cell<Budget>,
    /// The scheduler (by address) whose worker wake-ups are being deferred by `defer_notify`.
    deferring: Cell<*const ()>,
    /// A wake-up was deferred during the current batch.
    deferred: Cell<bool>,
}

context_thread_local! {
    static CONTEXT: Context = Context {
        handle: RefCell::new(None),
        scheduler: Cell::new(None),
        driving: Cell::new(false),
        task: Cell::new(None),
        budget: Cell::new(Budget::unconstrained()),
        deferring: Cell::new(std::ptr::null()),
        deferred: Cell::new(false),
    };
}

const NO_RUNTIME: &str = "there is no runtime running on this thread: start one with \
    `#[runtime::main]`, `runtime::run(..)` or `Runtime::new()`, or use a `runtime::Handle` \
    (e.g. `handle.spawn(..)`) from threads outside the runtime";

/// Runs `f` with the handle of the runtime this thread is inside.
///
/// # Panics
/// Outside a runtime, with a message saying how to start one.
#[track_caller]
pub(crate) fn with_current_handle<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> R {
    let handle = try_current_handle();
    match handle {
        Some(handle) => f(&handle),
        None => panic!("{NO_RUNTIME}"),
    }
}

pub(crate) fn try_current_handle() -> Option<scheduler::Handle> {
    CONTEXT
        .try_with(|cx| cx.handle.borrow().clone())
        .ok()
        .flatten()
}

/// Runs `f` with a reference to the handle of the runtime this thread is inside, if any (no
/// reference count is touched).
pub(crate) fn with_handle_ref<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    let mut f = Some(f);
    match CONTEXT.try_with(|cx| (f.take().expect("called once"))(cx.handle.borrow().as_ref())) {
        Ok(result) => result,
        Err(_) => (f.take().expect("called once"))(None),
    }
}

/// Runs `f` (which wakes a batch of tasks) with `rt`'s remote wake-ups deferred, then tells
/// `rt` once if any were.
pub(crate) fn defer_notify(rt: &scheduler::Handle, f: impl FnOnce()) {
    struct Reset(*const ());
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.deferring.set(self.0));
        }
    }
    let previous = CONTEXT.with(|cx| {
        cx.deferred.set(false);
        cx.deferring.replace(rt.as_ptr())
    });
    let reset = Reset(previous);
    f();
    drop(reset);
    if CONTEXT.with(|cx| cx.deferred.take()) {
        rt.notify_deferred();
    }
}

/// Called by a scheduler about to wake a worker for a remotely queued task: true if a batch
/// for this scheduler is in progress on this thread (the wake-up is then deferred).
#[inline]
pub(crate) fn defer_wakeup(scheduler: *const ()) -> bool {
    CONTEXT
        .try_with(|cx| {
            let deferring = cx.deferring.get() == scheduler;
            if deferring {
                cx.deferred.set(true);
            }
            deferring
        })
        .unwrap_or(false)
}

pub(crate) fn no_runtime_message() -> &'static str {
    NO_RUNTIME
}

/// Restores the previous handle when dropped.
pub(crate) struct HandleGuard {
    previous: Option<scheduler::Handle>,
}

/// Makes `handle` the current runtime of this thread until the guard drops.
pub(crate) fn set_handle(handle: scheduler::Handle) -> HandleGuard {
    let previous = CONTEXT.with(|cx| cx.handle.borrow_mut().replace(handle));
    HandleGuard { previous }
}

impl Drop for HandleGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CONTEXT.try_with(|cx| *cx.handle.borrow_mut() = previous);
    }
}

/// This thread drives a runtime until dropped.
pub(crate) struct DrivingGuard {
    _handle: HandleGuard,
}

const NESTED: &str = "Cannot start a runtime from within a runtime. This happens because a \
    function (like `block_on`) attempted to block the current thread while the thread is being \
    used to drive asynchronous tasks. Use `.await` instead, or move the blocking call into \
    `runtime::spawn_blocking` or `runtime::task::block_in_place`.";

/// Marks this thread as driving `handle`'s runtime.
///
/// # Panics
/// If the thread already drives a runtime (a nested `block_on`).
#[track_caller]
pub(crate) fn enter_driving(handle: scheduler::Handle) -> DrivingGuard {
    let already = CONTEXT.with(|cx| cx.driving.replace(true));
    if already {
        panic!("{NESTED}");
    }
    DrivingGuard {
        _handle: set_handle(handle),
    }
}

impl Drop for DrivingGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|cx| cx.driving.set(false));
    }
}

/// True if this thread drives a runtime (inside `block_on` or a worker).
pub(crate) fn is_driving() -> bool {
    CONTEXT.try_with(|cx| cx.driving.get()).unwrap_or(false)
}

/// Runs `f` with the "driving" mark lifted (inside `block_in_place`, blocking is allowed).
pub(crate) fn exit_driving<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.driving.set(self.0));
        }
    }
    let _reset = Reset(CONTEXT.with(|cx| cx.driving.replace(false)));
    f()
}

/// Runs `f` with `scheduler` as this thread's task scheduler.
pub(crate) fn set_scheduler<R>(scheduler: SchedulerContext, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<SchedulerContext>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.scheduler.set(self.0));
        }
    }
    let _reset = Reset(CONTEXT.with(|cx| cx.scheduler.replace(Some(scheduler))));
    f()
}

/// Clears this thread's scheduler until the guard drops (inside `Handle::enter`, spawns go to
/// the entered runtime, not to the one polling here).
pub(crate) struct SchedulerCleared(Option<SchedulerContext>);

pub(crate) fn clear_scheduler() -> SchedulerCleared {
    SchedulerCleared(CONTEXT.with(|cx| cx.scheduler.take()))
}

impl Drop for SchedulerCleared {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|cx| cx.scheduler.set(self.0));
    }
}

/// The scheduler polling tasks on this thread (none while thread-locals are being destroyed).
#[inline]
pub(crate) fn current_scheduler() -> Option<SchedulerContext> {
    CONTEXT.try_with(|cx| cx.scheduler.get()).ok().flatten()
}

/// Restores the previous task and budget when dropped.
pub(crate) struct TaskGuard {
    previous: Option<NonNull<Header>>,
    budget: Budget,
}

/// Marks `task` as being polled on this thread, with a fresh cooperative budget.
#[inline]
pub(crate) fn enter_task(task: NonNull<Header>) -> TaskGuard {
    CONTEXT.with(|cx| TaskGuard {
        previous: cx.task.replace(Some(task)),
        budget: cx.budget.replace(Budget::initial()),
    })
}

impl Drop for TaskGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|cx| {
            cx.task.set(self.previous);
            cx.budget.set(self.budget);
        });
    }
}

/// Runs `f` with the header of the task being polled on this thread.
pub(crate) fn with_current_task<R>(f: impl FnOnce(Option<&Header>) -> R) -> R {
    let task = CONTEXT.try_with(|cx| cx.task.get()).ok().flatten();
    // SAFETY: the pointer is set only while that task is being polled or dropped on this
    // thread, and its runner holds a reference for that long.
    f(task.map(|ptr| unsafe { ptr.as_ref() }))
}

/// Runs `f` on this thread's budget cell (a fresh unconstrained one if thread-locals are gone).
pub(crate) fn with_budget<R>(f: impl FnOnce(&Cell<Budget>) -> R) -> R {
    let mut f = Some(f);
    match CONTEXT.try_with(|cx| (f.take().expect("called once"))(&cx.budget)) {
        Ok(result) => result,
        Err(_) => (f.take().expect("called once"))(&Cell::new(Budget::unconstrained())),
    }
}
