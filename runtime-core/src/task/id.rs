//! Task ids: unique, non-zero, handed out from one process-wide counter.

use std::fmt;
use std::num::NonZeroU64;

use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// An opaque id that is unique among all tasks of the process while they are alive.
///
/// ```
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// let a = rt.spawn(async {});
/// let b = rt.spawn(async {});
/// assert_ne!(a.id(), b.id());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        #[cfg(not(loom))]
        static NEXT: AtomicU64 = AtomicU64::new(1);
        #[cfg(loom)]
        loom::lazy_static! {
            static ref NEXT: AtomicU64 = AtomicU64::new(1);
        }
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("task ids exhausted"))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}
