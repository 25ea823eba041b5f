//! `JoinError`: why awaiting a task gave no output (it was cancelled, or it panicked).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::raw::Header;
use super::Id;

/// The task behind a `JoinHandle` did not produce its output.
///
/// ```
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// let err = rt.block_on(async {
///     runtime::task::Builder::new()
///         .name("fails")
///         .spawn(async { panic!("boom") })
///         .await
///         .unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert!(err.to_string().contains("fails"));
/// ```
pub struct JoinError {
    id: Id,
    name: Option<Arc<str>>,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    pub(crate) fn cancelled(header: &Header) -> JoinError {
        JoinError {
            id: header.id,
            name: header.name_shared(),
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panicked(header: &Header, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id: header.id,
            name: header.name_shared(),
            repr: Repr::Panic(payload),
        }
    }

    /// A cancellation of a task known by its id and name only (no header at hand).
    pub(crate) fn cancelled_with_id(id: Id, name: Option<Arc<str>>) -> JoinError {
        JoinError {
            id,
            name,
            repr: Repr::Cancelled,
        }
    }

    /// A panic of a task known by its id and name only (no header at hand).
    pub(crate) fn panicked_with_id(
        id: Id,
        name: Option<Arc<str>>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> JoinError {
        JoinError {
            id,
            name,
            repr: Repr::Panic(payload),
        }
    }

    /// True if the task was aborted or dropped by shutdown.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload.
    ///
    /// # Panics
    /// Panics if the task was cancelled rather than panicking (check `is_panic` first).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task's error")
    }

    /// The panic payload, or the error itself if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The name of the task that failed, if it had one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            Repr::Panic(payload) => payload
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str)),
            Repr::Cancelled => None,
        }
    }
}

struct TaskLabel<'a>(&'a JoinError);

impl fmt::Display for TaskLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.name {
            Some(name) => write!(f, "task '{name}' (id {})", self.0.id),
            None => write!(f, "task {}", self.0.id),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = TaskLabel(self);
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "{label} was cancelled"),
            (Repr::Panic(_), Some(message)) => {
                write!(f, "{label} panicked with message {message:?}")
            }
            (Repr::Panic(_), None) => write!(f, "{label} panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_cancelled() {
            "Cancelled"
        } else {
            "Panic"
        };
        f.debug_struct("JoinError")
            .field("kind", &kind)
            .field("id", &self.id)
            .field("name", &self.name)
            .field("message", &self.panic_message())
            .finish()
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(error: JoinError) -> std::io::Error {
        let kind = if error.is_cancelled() {
            std::io::ErrorKind::Interrupted
        } else {
            std::io::ErrorKind::Other
        };
        std::io::Error::new(kind, error.to_string())
    }
}
