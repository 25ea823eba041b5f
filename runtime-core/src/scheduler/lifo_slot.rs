//! A worker's LIFO slot, stealable: one task its owner fills and takes, and which another
//! thread may take while the owner is stuck in a slow poll.
//!
//! The slot is one atomic pointer holding an owned reference (a `Notified`). Emptying it, by
//! the owner or a thief, is a swap with null (skipped when a load sees it empty): whoever's swap
//! returns the pointer owns that reference, so a task is never run twice or lost. Filling it is
//! the owner's alone, so an empty slot is filled with a plain store (nobody else can fill it in
//! between), and only a full one with a swap that hands back the task it displaced.

use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use crate::loom::sync::atomic::{AtomicPtr, Ordering::*};

/// A value that is one owning pointer (`Notified`, `Box`), so it can sit in an atomic.
///
/// # Safety
/// `from_raw(into_raw(x))` must give back `x`, and the pointer must own what `x` owned.
pub unsafe trait IntoRawPtr: Sized {
    /// Gives up the value as its pointer.
    fn into_raw(self) -> NonNull<()>;
    /// # Safety
    /// `ptr` comes from `into_raw` and is given back once.
    unsafe fn from_raw(ptr: NonNull<()>) -> Self;
}

// SAFETY: `Box::into_raw`/`from_raw` round-trip and own the allocation.
unsafe impl<T> IntoRawPtr for Box<T> {
    fn into_raw(self) -> NonNull<()> {
        NonNull::from(Box::leak(self)).cast()
    }

    unsafe fn from_raw(ptr: NonNull<()>) -> Self {
        // SAFETY: per the caller, `ptr` came from `into_raw` of a `Box<T>`.
        unsafe { Box::from_raw(ptr.cast::<T>().as_ptr()) }
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct LifoSlot<T: IntoRawPtr> {
    ptr: AtomicPtr<()>,
    _owns: PhantomData<T>,
}

// SAFETY: the slot hands its `T` to exactly one thread (whoever swaps it out), so it is as
// thread-safe as sending a `T`.
unsafe impl<T: IntoRawPtr + Send> Send for LifoSlot<T> {}
// SAFETY: as above: shared access only moves `T`s in and out with atomic swaps.
unsafe impl<T: IntoRawPtr + Send> Sync for LifoSlot<T> {}

impl<T: IntoRawPtr> Default for LifoSlot<T> {
    fn default() -> Self {
        LifoSlot::new()
    }
}

impl<T: IntoRawPtr> LifoSlot<T> {
    /// An empty slot.
    pub fn new() -> LifoSlot<T> {
        LifoSlot {
            ptr: AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// Owner: puts `value` in the slot and returns what it held.
    pub fn replace(&self, value: T) -> Option<T> {
        let new = value.into_raw().as_ptr();
        if self.ptr.load(Relaxed).is_null() {
            // Only the owner fills the slot, so it stays empty until our store: no swap needed.
            self.ptr.store(new, Release);
            return None;
        }
        let old = self.ptr.swap(new, AcqRel);
        // SAFETY: a non-null pointer in the slot came from `into_raw`, and our swap took it.
        NonNull::new(old).map(|old| unsafe { T::from_raw(old) })
    }

    /// Owner or thief: empties the slot.
    pub fn take(&self) -> Option<T> {
        if self.ptr.load(Relaxed).is_null() {
            return None;
        }
        let old = self.ptr.swap(ptr::null_mut(), AcqRel);
        // SAFETY: as in `replace`.
        NonNull::new(old).map(|old| unsafe { T::from_raw(old) })
    }

    /// Whether the slot holds something (a snapshot).
    pub fn is_some(&self) -> bool {
        !self.ptr.load(Relaxed).is_null()
    }
}

impl<T: IntoRawPtr> Drop for LifoSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}
