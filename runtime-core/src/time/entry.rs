//! A timer entry: the intrusive node a `Sleep` carries inside itself.
//!
//! The links, the deadline tick, the wheel position and the waker are touched only under the
//! time driver's wheel lock; `fired` is also read without it, so a woken `Sleep` sees that it
//! fired without locking. The entry never moves while linked (its `Sleep` is pinned) and
//! unlinks itself on drop, so cancellation is O(1).

use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};

/// Where an entry is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    Unlinked,
    Slot { level: u8, slot: u8 },
}

/// The fields guarded by the wheel lock.
#[derive(Debug)]
pub(crate) struct EntryInner {
    pub(crate) prev: Option<NonNull<TimerEntry>>,
    pub(crate) next: Option<NonNull<TimerEntry>>,
    /// Deadline, in ticks (milliseconds since the driver's origin).
    pub(crate) when: u64,
    pub(crate) position: Position,
    pub(crate) waker: Option<Waker>,
}

/// An intrusive timer node.
#[derive(Debug)]
pub(crate) struct TimerEntry {
    inner: UnsafeCell<EntryInner>,
    fired: AtomicBool,
    _pinned: PhantomPinned,
}

// SAFETY: `inner` (and the raw links in it) is only accessed with the wheel lock held, which
// serializes every thread that touches it; `fired` is atomic.
unsafe impl Send for TimerEntry {}
// SAFETY: as above.
unsafe impl Sync for TimerEntry {}

impl TimerEntry {
    pub(crate) fn new() -> TimerEntry {
        TimerEntry {
            inner: UnsafeCell::new(EntryInner {
                prev: None,
                next: None,
                when: 0,
                position: Position::Unlinked,
                waker: None,
            }),
            fired: AtomicBool::new(false),
            _pinned: PhantomPinned,
        }
    }

    /// True once the driver fired this entry (and unlinked it).
    pub(crate) fn is_fired(&self) -> bool {
        self.fired.load(Acquire)
    }

    pub(crate) fn set_fired(&self, fired: bool) {
        self.fired.store(fired, Release);
    }

    /// Runs `f` on the guarded fields.
    ///
    /// # Safety
    /// The caller holds the wheel lock of the driver this entry is registered with (or the
    /// entry is not shared yet), and `f` does not reach this entry again through a link.
    pub(crate) unsafe fn with_inner<R>(&self, f: impl FnOnce(&mut EntryInner) -> R) -> R {
        // SAFETY: the lock gives us exclusive access to `inner` (the caller's contract).
        self.inner.with_mut(|inner| f(unsafe { &mut *inner }))
    }
}

/// Runs `f` on the guarded fields of the entry behind `ptr`.
///
/// # Safety
/// As `TimerEntry::with_inner`, and `ptr` points to a live entry.
pub(crate) unsafe fn with_inner<R>(
    ptr: NonNull<TimerEntry>,
    f: impl FnOnce(&mut EntryInner) -> R,
) -> R {
    // SAFETY: forwarded from the caller.
    unsafe { ptr.as_ref().with_inner(f) }
}
