//! `JoinHandle` and `AbortHandle`: the caller's side of a spawned task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::raw::RawTask;
use super::{Id, JoinError};
use crate::coop;

/// An owned permission to await a task's output (asyncio's `Task`).
///
/// Awaiting gives `Ok(output)`, or a `JoinError` if the task was cancelled or panicked.
/// Dropping the handle detaches the task: it keeps running and its output is dropped.
/// Awaiting a `JoinHandle` is cancel-safe: dropping the `await` loses nothing, the handle can be
/// awaited again.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let handle = runtime::spawn(async { "done" });
///     assert_eq!(handle.await.unwrap(), "done");
/// }
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves `T` out when the task finished; `T: Send` is required to spawn.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows no access to `T`.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// Takes over the handle's reference in `raw`.
    pub(crate) fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Cancels the task (asyncio's `Task.cancel`). A task that has not started never runs; a
    /// pending one is dropped at its next scheduling point; a finished one keeps its output.
    /// Awaiting the handle afterwards gives `JoinError::is_cancelled` unless it had finished.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let handle = runtime::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// }
    /// ```
    pub fn abort(&self) {
        abort(self.raw);
    }

    /// True once the task has finished (output stored, panicked or cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.header().id
    }

    /// The task's name, given with `task::Builder::name`.
    pub fn name(&self) -> Option<&str> {
        self.raw.header().name()
    }

    /// A handle that can abort the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.header().state.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

fn abort(raw: RawTask) {
    if raw.header().state.transition_to_notified_and_cancel() {
        // A new reference was taken for the queue.
        raw.schedule();
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut ret = Poll::Pending;
        let restore = std::task::ready!(coop::poll_proceed(cx));
        // SAFETY: `ret` has the type the task's vtable writes for output type `T`, and we are
        // the task's only JoinHandle.
        unsafe {
            self.raw.try_read_output(
                &mut ret as *mut Poll<Result<T, JoinError>> as *mut (),
                cx.waker(),
            );
        }
        if ret.is_ready() {
            restore.made_progress();
        }
        ret
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: we are the JoinHandle, giving up its reference.
        unsafe { self.raw.drop_join_handle() }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish()
    }
}

/// A handle that can cancel a task, but not await it.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let handle = runtime::spawn(std::future::pending::<()>());
///     let abort = handle.abort_handle();
///     abort.abort();
///     assert!(handle.await.unwrap_err().is_cancelled());
///     assert!(abort.is_finished());
/// }
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

impl AbortHandle {
    /// Cancels the task; see `JoinHandle::abort`.
    pub fn abort(&self) {
        abort(self.raw);
    }

    /// True once the task has finished.
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.header().id
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.raw.header().state.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
