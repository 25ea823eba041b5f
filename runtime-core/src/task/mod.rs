//! Tasks: spawning, joining, aborting and naming (asyncio's `create_task`, `Task`, `cancel`).
//!
//! A task is one heap allocation (`raw::Cell`): a header with the atomic state word, then the
//! scheduler handle, the join waker and the future/output slot. `Task` (the owned list's
//! reference), `Notified` (a run queue's reference), `JoinHandle`, `AbortHandle` and wakers
//! each hold one counted reference; the last one to go frees the cell.

mod builder;
mod error;
mod group;
mod harness;
mod id;
mod info;
mod join;
pub mod join_set;
pub(crate) mod list;
pub(crate) mod raw;
mod state;
pub(crate) mod stats;
mod waker;
mod yield_now;

use std::future::Future;
use std::panic::Location;
use std::sync::Arc as StdArc;

pub use builder::Builder;
pub use error::JoinError;
pub use group::{GroupClosed, GroupError, TaskGroup};
pub use id::Id;
pub(crate) use info::render as render_tasks;
pub use info::{TaskInfo, TaskState};
pub use join::{AbortHandle, JoinHandle};
pub use join_set::JoinSet;
pub use yield_now::yield_now;

pub use crate::blocking::block_in_place;
use crate::context;
use raw::{Cell, Header, RawTask};

/// How a scheduler receives its tasks back.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// A task was woken (or spawned): put it in a run queue.
    fn schedule(&self, task: Notified);

    /// The task woke itself while it was being polled (a yield, or it ran out of budget):
    /// it goes to the back of the queue.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
    }

    /// The task finished: take it out of the owned list, returning the list's reference.
    fn release(&self, task: &Header) -> Option<Task>;

    /// A task panicked and its output will never be read.
    fn unhandled_panic(&self, error: &JoinError) {
        crate::unhandled::report_by_default(error);
    }
}

/// The owned list's reference to a task.
pub(crate) struct Task(RawTask);

impl Task {
    pub(crate) fn raw(&self) -> RawTask {
        self.0
    }

    /// Cancels the task unless somebody is running it; releases this reference.
    pub(crate) fn shutdown(self) {
        let raw = self.0;
        std::mem::forget(self);
        raw.shutdown();
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        self.0.drop_reference();
    }
}

/// A run queue's reference to a task that is due to be polled.
pub(crate) struct Notified(pub(crate) RawTask);

impl Notified {
    /// Polls the task (or cancels it, if it was aborted); releases this reference.
    pub(crate) fn run(self) {
        let raw = self.0;
        std::mem::forget(self);
        raw.poll();
    }

    /// Cancels the task unless somebody is running it; releases this reference.
    pub(crate) fn shutdown(self) {
        let raw = self.0;
        std::mem::forget(self);
        raw.shutdown();
    }

    pub(crate) fn header(&self) -> &Header {
        self.0.header()
    }
}

// SAFETY: a `Notified` is one counted task reference; `into_raw` forgets it without releasing
// the reference and `from_raw` takes it back.
unsafe impl crate::scheduler::lifo_slot::IntoRawPtr for Notified {
    fn into_raw(self) -> std::ptr::NonNull<()> {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr.cast()
    }

    unsafe fn from_raw(ptr: std::ptr::NonNull<()>) -> Self {
        // SAFETY: per the caller, `ptr` is a task header whose reference `into_raw` kept.
        Notified(unsafe { RawTask::from_raw(ptr.cast()) })
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        self.0.drop_reference();
    }
}

impl std::fmt::Debug for Notified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.header().fmt(f)
    }
}

/// What a spawn records about the task besides its future.
#[derive(Clone, Debug)]
pub(crate) struct SpawnMeta {
    pub(crate) name: Option<StdArc<str>>,
    pub(crate) location: &'static Location<'static>,
}

impl SpawnMeta {
    #[track_caller]
    pub(crate) fn new(name: Option<StdArc<str>>) -> SpawnMeta {
        SpawnMeta {
            name,
            location: Location::caller(),
        }
    }
}

/// Allocates a task for the owned list: returns the list's reference, the first `Notified`
/// and the `JoinHandle`.
pub(crate) fn new_owned<F, S>(
    future: F,
    scheduler: S,
    meta: SpawnMeta,
) -> (Task, Notified, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let ptr = Cell::allocate(future, scheduler, Id::next(), meta.name, meta.location, 3);
    // SAFETY: a freshly allocated task with three references, one for each wrapper.
    let raw = unsafe { RawTask::from_raw(ptr) };
    (Task(raw), Notified(raw), JoinHandle::new(raw))
}

/// Allocates a task that is in no owned list (blocking work): the `Notified` and the handle.
pub(crate) fn new_unowned<F, S>(
    future: F,
    scheduler: S,
    meta: SpawnMeta,
) -> (Notified, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let ptr = Cell::allocate(future, scheduler, Id::next(), meta.name, meta.location, 2);
    // SAFETY: a freshly allocated task with two references, one for each wrapper.
    let raw = unsafe { RawTask::from_raw(ptr) };
    (Notified(raw), JoinHandle::new(raw))
}

/// Spawns a task on the current runtime (asyncio's `create_task`).
///
/// The task starts when a worker picks it up, never inside `spawn`. Dropping the returned
/// handle detaches the task.
///
/// # Panics
/// Panics when called outside a runtime (start one with `#[runtime::main]`, `runtime::run` or
/// `Runtime::new`; from a plain thread, spawn through a `Handle`).
///
/// ```
/// #[runtime::main]
/// async fn main() {
///     let tasks: Vec<_> = (0..4).map(|i| runtime::spawn(async move { i * 10 })).collect();
///     let mut sum = 0;
///     for task in tasks {
///         sum += task.await.unwrap();
///     }
///     assert_eq!(sum, 60);
/// }
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    crate::scheduler::spawn_current(future, SpawnMeta::new(None))
}

/// Runs a blocking function on the blocking thread pool and returns a handle to its result.
///
/// # Panics
/// Panics when called outside a runtime.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let sum = runtime::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap();
///     assert_eq!(sum, 55);
/// }
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = SpawnMeta::new(None);
    context::with_current_handle(|handle| handle.spawn_blocking(f, meta))
}

/// The id of the task being polled on this thread.
///
/// # Panics
/// Panics outside a task (use `try_id`).
#[track_caller]
pub fn id() -> Id {
    try_id().expect("`runtime::task::id()` called outside a task; use `try_id()`")
}

/// The id of the task being polled on this thread, or `None` outside a task.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     assert!(runtime::task::try_id().is_none()); // the main future is not a task
///     let handle = runtime::spawn(async { runtime::task::id() });
///     let id = handle.id();
///     assert_eq!(handle.await.unwrap(), id);
/// }
/// ```
pub fn try_id() -> Option<Id> {
    context::with_current_task(|task| task.map(|header| header.id))
}

/// The name of the task being polled on this thread, if it has one.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let name = runtime::task::Builder::new()
///         .name("fetch_task_1")
///         .spawn(async { runtime::task::name() })
///         .await
///         .unwrap();
///     assert_eq!(name.as_deref(), Some("fetch_task_1"));
/// }
/// ```
pub fn name() -> Option<StdArc<str>> {
    context::with_current_task(|task| task.and_then(|header| header.name_shared()))
}
