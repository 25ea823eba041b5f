//! Task wakers: a `Waker` is a counted reference to the task; waking it moves the state word
//! to `NOTIFIED` and, when the task was idle, hands a reference to its scheduler.

use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::raw::{Header, RawTask};
use super::state::ToNotified;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker for `ptr` that does not own a reference: wrap it in `ManuallyDrop`.
///
/// # Safety
/// The task must stay alive while the waker is in use.
pub(crate) unsafe fn borrowed(ptr: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's functions treat the data pointer as a task header.
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) }
}

fn task(data: *const ()) -> RawTask {
    // SAFETY: every waker built here points to a live task header (it owns a reference).
    unsafe { RawTask::from_raw(NonNull::new_unchecked(data as *mut Header)) }
}

unsafe fn clone(data: *const ()) -> RawWaker {
    task(data).header().state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    let task = task(data);
    match task.header().state.transition_to_notified_by_val() {
        ToNotified::Nothing => {}
        ToNotified::Submit => task.schedule(),
        // SAFETY: the waker held the last reference.
        ToNotified::Dealloc => unsafe { task.dealloc() },
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    let task = task(data);
    match task.header().state.transition_to_notified_by_ref() {
        ToNotified::Submit => task.schedule(),
        ToNotified::Nothing | ToNotified::Dealloc => {}
    }
}

unsafe fn drop_waker(data: *const ()) {
    task(data).drop_reference();
}
