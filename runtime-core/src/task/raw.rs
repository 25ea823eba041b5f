//! Task memory: one heap cell per task (header, scheduler, join waker, then the future or its
//! output in one slot), addressed through a type-erased pointer to its header and a vtable.
//!
//! The header comes first (`repr(C)`), so a `NonNull<Header>` is also a pointer to the whole
//! cell; the vtable's functions are monomorphised for the cell's future and scheduler types
//! and cast the pointer back. The cell is freed when the last reference (counted in the state
//! word) is released.

use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;
use std::sync::Arc as StdArc;
use std::task::Waker;

use super::harness;
use super::state::State;
use super::stats::PollStats;
use super::{Id, Schedule};
use crate::loom::cell::UnsafeCell;

/// The fixed-size prefix of every task, at most 64 bytes.
#[repr(C)]
pub(crate) struct Header {
    /// Poll count and last-poll stamp for `Handle::tasks()`. In the header rather than after
    /// it: a cell one word larger shifted the malloc'd cells against cache lines and cost the
    /// scheduler benches 20-50% (false sharing between neighbouring tasks).
    pub(crate) stats: PollStats,
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    /// Links in the runtime's list of owned tasks; touched only under that list's shard lock.
    pub(crate) owned_prev: UnsafeCell<Option<NonNull<Header>>>,
    pub(crate) owned_next: UnsafeCell<Option<NonNull<Header>>>,
    pub(crate) id: Id,
    /// Set at spawn, never changed. Boxed to keep it one word (a named spawn pays one small
    /// allocation more), so that `stats` fits in the header's 64 bytes.
    pub(crate) name: Option<Box<StdArc<str>>>,
    /// Where `spawn` was called (`#[track_caller]`).
    pub(crate) spawned_at: &'static Location<'static>,
}

// SAFETY: the header's mutable parts are the atomic state and the list links, which are only
// accessed under the owned list's shard lock; everything else is immutable after creation.
unsafe impl Send for Header {}
// SAFETY: as above.
unsafe impl Sync for Header {}

impl Header {
    /// The task's name, shared (for a `JoinError`, a `TaskInfo`, `task::name()`).
    pub(crate) fn name_shared(&self) -> Option<StdArc<str>> {
        self.name.as_deref().cloned()
    }

    /// The task's name.
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().map(|name| &**name)
    }
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Header")
            .field("id", &self.id)
            .field("name", &self.name())
            .field("state", &self.state.load())
            .finish()
    }
}

/// The type-specific operations of a task, one static table per (future, scheduler) pair.
pub(crate) struct Vtable {
    /// Runs the task; the caller gives up one reference (the `Notified` it held).
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Hands one reference to the scheduler as a `Notified`.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Frees the cell; called once the reference count reached zero.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Writes `Poll::Ready(output)` into `*dst` (a `Poll<Result<T, JoinError>>`) if complete,
    /// otherwise registers the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// The `JoinHandle` is dropped; the caller gives up the handle's reference.
    pub(crate) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task unless it is running or complete; the caller gives up one reference.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
}

/// What the future slot holds over the task's life.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, Failure>),
    Consumed,
}

/// How a task ended without producing its output.
pub(crate) enum Failure {
    Cancelled,
    Panicked(Box<dyn std::any::Any + Send + 'static>),
}

/// The whole task allocation.
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    /// Written by the `JoinHandle` while it holds the slot, read by the runtime while the
    /// `JOIN_WAKER` bit hands it over (see `State`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    pub(crate) stage: UnsafeCell<Stage<F>>,
}

impl<F, S> Cell<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    const VTABLE: Vtable = Vtable {
        poll: harness::poll::<F, S>,
        schedule: harness::schedule::<F, S>,
        dealloc: harness::dealloc::<F, S>,
        try_read_output: harness::try_read_output::<F, S>,
        drop_join_handle: harness::drop_join_handle::<F, S>,
        shutdown: harness::shutdown::<F, S>,
    };

    /// Allocates a task with `refs` references and returns the pointer to its header.
    pub(crate) fn allocate(
        future: F,
        scheduler: S,
        id: Id,
        name: Option<StdArc<str>>,
        spawned_at: &'static Location<'static>,
        refs: usize,
    ) -> NonNull<Header> {
        let cell = Box::new(Cell {
            header: Header {
                state: State::new(refs),
                vtable: &Self::VTABLE,
                owned_prev: UnsafeCell::new(None),
                owned_next: UnsafeCell::new(None),
                id,
                name: name.map(Box::new),
                spawned_at,
                stats: PollStats::new(),
            },
            scheduler,
            join_waker: UnsafeCell::new(None),
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        NonNull::from(Box::leak(cell)).cast()
    }
}

/// A type-erased pointer to a task. Owns nothing by itself: the wrappers that hold one
/// (`Task`, `Notified`, `JoinHandle`, wakers) each own one counted reference.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: a task is shared between threads through counted references; all shared access goes
// through the atomic state word, and the future and output are only touched by whoever the
// state machine grants exclusive access (see `State`). Futures and outputs are `Send`.
unsafe impl Send for RawTask {}
// SAFETY: as above.
unsafe impl Sync for RawTask {}

impl RawTask {
    /// # Safety
    /// `ptr` must point to a live task header.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn as_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: whoever holds a RawTask holds a reference that keeps the cell alive.
        unsafe { self.ptr.as_ref() }
    }

    fn vtable(&self) -> &'static Vtable {
        self.header().vtable
    }

    /// Runs the task, consuming one reference.
    pub(crate) fn poll(self) {
        // SAFETY: the caller hands over a reference; `poll` matches the cell's type.
        unsafe { (self.vtable().poll)(self.ptr) }
    }

    /// Schedules the task, consuming one reference.
    pub(crate) fn schedule(self) {
        // SAFETY: as above.
        unsafe { (self.vtable().schedule)(self.ptr) }
    }

    /// Cancels the task if nobody runs it, consuming one reference.
    pub(crate) fn shutdown(self) {
        // SAFETY: as above.
        unsafe { (self.vtable().shutdown)(self.ptr) }
    }

    /// Frees the task.
    ///
    /// # Safety
    /// The reference count must have reached zero.
    pub(crate) unsafe fn dealloc(self) {
        // SAFETY: the caller guarantees no reference is left.
        unsafe { (self.vtable().dealloc)(self.ptr) }
    }

    /// # Safety
    /// `dst` must point to a `Poll<Result<T, JoinError>>` with `T` the task's output type,
    /// and the caller must be the task's `JoinHandle`.
    pub(crate) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded from the caller.
        unsafe { (self.vtable().try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    /// Only the `JoinHandle`'s drop calls this, giving up the handle's reference.
    pub(crate) unsafe fn drop_join_handle(self) {
        // SAFETY: forwarded from the caller.
        unsafe { (self.vtable().drop_join_handle)(self.ptr) }
    }

    /// Releases one reference, freeing the task if it was the last.
    pub(crate) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            // SAFETY: the count reached zero, nobody else can reach the task.
            unsafe { self.dealloc() }
        }
    }
}

// The header budget of DESIGN.md: 64 bytes (loom's instrumented cells are larger).
#[cfg(all(not(loom), target_pointer_width = "64"))]
const _: () = assert!(std::mem::size_of::<Header>() <= 64);

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::scheduler::{current, multi};

    fn task_size<F: Future, S>(_: &F) -> usize {
        std::mem::size_of::<Cell<F, S>>()
    }

    #[test]
    fn a_trivial_task_fits_in_128_bytes() {
        let trivial = async {};
        // Spawned tasks carry their scheduler's `Arc` handle (one pointer).
        let on_multi = task_size::<_, StdArc<multi::Handle>>(&trivial);
        let on_current = task_size::<_, StdArc<current::Handle>>(&trivial);
        assert!(on_multi < 128, "a trivial task takes {on_multi} bytes");
        assert!(on_current < 128, "a trivial task takes {on_current} bytes");
    }
}
