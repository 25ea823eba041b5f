//! `task::Builder`: spawn a task with a name (shown in `JoinError`s and diagnostics).

use std::future::Future;
use std::sync::Arc;

use super::{JoinHandle, SpawnMeta};
use crate::context;
use crate::Handle;

/// Configures a task before spawning it.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let handle = runtime::task::Builder::new()
///         .name("fetch_task_1")
///         .spawn(async { 7 });
///     assert_eq!(handle.name(), Some("fetch_task_1"));
///     assert_eq!(handle.await.unwrap(), 7);
/// }
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<Arc<str>>,
}

impl Builder {
    /// A builder for an unnamed task.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task.
    pub fn name(mut self, name: &str) -> Builder {
        self.name = Some(Arc::from(name));
        self
    }

    /// Spawns the task on the current runtime.
    ///
    /// # Panics
    /// Panics outside a runtime, like `runtime::spawn`.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        crate::scheduler::spawn_current(future, SpawnMeta::new(self.name))
    }

    /// Spawns the task on the runtime behind `handle`.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.inner.spawn(future, SpawnMeta::new(self.name))
    }

    /// Runs a blocking function on the current runtime's blocking pool, as a named task.
    ///
    /// # Panics
    /// Panics outside a runtime.
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = SpawnMeta::new(self.name);
        context::with_current_handle(|handle| handle.spawn_blocking(f, meta))
    }
}
