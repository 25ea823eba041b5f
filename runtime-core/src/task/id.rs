//! Task ids: unique, non-zero. Each thread takes a batch of ids from one process-wide counter
//! and hands them out locally, so spawning on several threads shares no counter; ids of one
//! batch also land in one owned-list shard (see `task::list`).

use std::fmt;
use std::num::NonZeroU64;

use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// Ids per thread-local batch, as a power of two.
const BATCH_SHIFT: u32 = 8;

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
    #[cfg(not(loom))]
    pub(crate) fn next() -> Id {
        use std::cell::Cell;
        static NEXT_BATCH: AtomicU64 = AtomicU64::new(1);
        std::thread_local! {
            /// The next id of this thread's batch and the end of the batch.
            static BATCH: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        }
        let take_batch = || {
            let start = NEXT_BATCH.fetch_add(1, Ordering::Relaxed) << BATCH_SHIFT;
            (start, start + (1 << BATCH_SHIFT))
        };
        let id = BATCH
            .try_with(|batch| {
                let (mut next, mut end) = batch.get();
                if next == end {
                    (next, end) = take_batch();
                }
                batch.set((next + 1, end));
                next
            })
            .unwrap_or_else(|_| take_batch().0);
        Id(NonZeroU64::new(id).expect("task ids exhausted"))
    }

    #[cfg(loom)]
    pub(crate) fn next() -> Id {
        loom::lazy_static! {
            static ref NEXT: AtomicU64 = AtomicU64::new(1 << BATCH_SHIFT);
        }
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("task ids exhausted"))
    }

    /// Which batch the id came from.
    pub(crate) fn batch(self) -> u64 {
        self.0.get() >> BATCH_SHIFT
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
