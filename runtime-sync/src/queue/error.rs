//! The errors of the queue operations (asyncio's `QueueShutDown`, `QueueFull`, `QueueEmpty`
//! and the `ValueError` of a `task_done` too many).

use std::fmt;

/// The queue was shut down (asyncio's `QueueShutDown`).
///
/// `put` returns the item it could not enqueue in it (`ShutDown<T>`); `get` returns
/// `ShutDown<()>`, written `ShutDown`.
///
/// ```
/// use runtime::sync::{queue::ShutDown, Queue};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let queue = Queue::unbounded();
///     queue.shutdown();
///     let ShutDown(item) = queue.put("job").await.unwrap_err();
///     assert_eq!(item, "job");
///     assert_eq!(queue.get().await, Err(ShutDown(())));
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShutDown<T = ()>(pub T);

impl<T> ShutDown<T> {
    /// The item that was not enqueued.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::bounded(1);
    /// queue.shutdown();
    /// let error = queue.try_put(7).unwrap_err();
    /// assert_eq!(error.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutDown").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> std::error::Error for ShutDown<T> {}

/// Why `try_put` did not enqueue its item (asyncio's `QueueFull` or `QueueShutDown`); both
/// variants carry the item back.
///
/// ```
/// use runtime::sync::{queue::TryPutError, Queue};
///
/// let queue = Queue::bounded(1);
/// queue.try_put(1).unwrap();
/// assert_eq!(queue.try_put(2), Err(TryPutError::Full(2)));
/// queue.shutdown();
/// assert_eq!(queue.try_put(3), Err(TryPutError::ShutDown(3)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue is bounded and holds `capacity` items.
    Full(T),
    /// The queue was shut down.
    ShutDown(T),
}

impl<T> TryPutError<T> {
    /// The item that was not enqueued.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::bounded(1);
    /// queue.try_put("a").unwrap();
    /// assert_eq!(queue.try_put("b").unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(item) | TryPutError::ShutDown(item) => item,
        }
    }

    /// Whether the queue was full.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::bounded(1);
    /// queue.try_put(1).unwrap();
    /// assert!(queue.try_put(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }

    /// Whether the queue was shut down.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::unbounded();
    /// queue.shutdown();
    /// assert!(queue.try_put(1).unwrap_err().is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        matches!(self, TryPutError::ShutDown(_))
    }
}

impl<T> From<ShutDown<T>> for TryPutError<T> {
    fn from(ShutDown(item): ShutDown<T>) -> TryPutError<T> {
        TryPutError::ShutDown(item)
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("queue is full"),
            TryPutError::ShutDown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T> std::error::Error for TryPutError<T> {}

/// Why `try_get` returned no item (asyncio's `QueueEmpty` or `QueueShutDown`).
///
/// ```
/// use runtime::sync::{queue::TryGetError, Queue};
///
/// let queue = Queue::<u32>::unbounded();
/// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
/// queue.shutdown();
/// assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryGetError {
    /// No item is available (the queue is empty, or its items are promised to getters that
    /// were already woken).
    Empty,
    /// The queue was shut down and no item is left for this call.
    ShutDown,
}

impl TryGetError {
    /// Whether the queue had no item available.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::<u32>::unbounded();
    /// assert!(queue.try_get().unwrap_err().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, TryGetError::Empty)
    }

    /// Whether the queue was shut down.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// let queue = Queue::<u32>::unbounded();
    /// queue.shutdown();
    /// assert!(queue.try_get().unwrap_err().is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        matches!(self, TryGetError::ShutDown)
    }
}

impl From<ShutDown> for TryGetError {
    fn from(_: ShutDown) -> TryGetError {
        TryGetError::ShutDown
    }
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("queue is empty"),
            TryGetError::ShutDown => f.write_str("queue is shut down"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// `task_done` was called more times than items were put (asyncio's `ValueError`).
///
/// ```
/// use runtime::sync::{queue::TaskDoneError, Queue};
///
/// let queue = Queue::<u32>::unbounded();
/// let error = queue.task_done().unwrap_err();
/// assert!(matches!(error, TaskDoneError { .. }));
/// assert_eq!(error.to_string(), "task_done() called more times than items were put");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskDoneError(pub(super) ());

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put")
    }
}

impl std::error::Error for TaskDoneError {}
