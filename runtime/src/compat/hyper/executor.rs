//! `HyperExecutor`: hyper's `Executor` trait, spawning each future as a task of the runtime.

use std::future::Future;

use runtime_core::Handle;

/// Spawns the futures hyper hands it (an HTTP/2 connection's background work, a client
/// connection's dispatch) as tasks of the runtime.
///
/// [`HyperExecutor::new`] spawns on the runtime of the thread that calls `execute` (hyper calls
/// it from inside its connection future, so that is the runtime serving the connection);
/// [`HyperExecutor::with_handle`] pins one runtime, for an executor used from outside any.
#[derive(Debug, Clone, Default)]
pub struct HyperExecutor {
    handle: Option<Handle>,
}

impl HyperExecutor {
    /// An executor that spawns on the current runtime.
    pub fn new() -> HyperExecutor {
        HyperExecutor { handle: None }
    }

    /// An executor that spawns on the runtime behind `handle`, from any thread.
    pub fn with_handle(handle: Handle) -> HyperExecutor {
        HyperExecutor {
            handle: Some(handle),
        }
    }
}

impl<F> ::hyper::rt::Executor<F> for HyperExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    /// Spawns `future`; its `JoinHandle` is dropped, so it runs detached.
    ///
    /// # Panics
    ///
    /// A `HyperExecutor::new()` panics when called outside a runtime, as `runtime::spawn` does.
    fn execute(&self, future: F) {
        match &self.handle {
            Some(handle) => drop(handle.spawn(future)),
            None => drop(runtime_core::spawn(future)),
        }
    }
}
