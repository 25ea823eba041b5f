//! What happens to a task: polling, completing, cancelling, joining, freeing.
//!
//! These are the monomorphised vtable functions. Each one first moves the state word, and only
//! touches the future, the output or the join waker when that transition granted it access.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::raw::{Cell, Failure, Header, RawTask, Stage};
use super::state::{ToIdle, ToRunning};
use super::{waker, JoinError, Notified, Schedule};
use crate::context;

/// # Safety
/// `ptr` must point to a live `Cell<F, S>`.
unsafe fn cell<'a, F: Future, S>(ptr: NonNull<Header>) -> &'a Cell<F, S> {
    // SAFETY: the header is the first field of a `repr(C)` cell of this type.
    unsafe { ptr.cast::<Cell<F, S>>().as_ref() }
}

pub(super) unsafe fn poll<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the vtable of a `Cell<F, S>` calls us with its own pointer; the caller holds a
    // reference for the duration.
    let cell = unsafe { cell::<F, S>(ptr) };
    match cell.header.state.transition_to_running() {
        ToRunning::Poll => {
            cell.header.stats.record_poll();
            if poll_future(cell, ptr).is_ready() {
                complete(cell);
                return;
            }
            match cell.header.state.transition_to_idle() {
                ToIdle::Idle => {}
                // SAFETY: our reference becomes the `Notified` one.
                ToIdle::Notified => cell
                    .scheduler
                    .yield_now(Notified(unsafe { RawTask::from_raw(ptr) })),
                // SAFETY: no reference is left.
                ToIdle::Dealloc => unsafe { dealloc::<F, S>(ptr) },
                ToIdle::Cancel => {
                    cancel_future(cell);
                    complete(cell);
                }
            }
        }
        ToRunning::Cancel => {
            cancel_future(cell);
            complete(cell);
        }
        ToRunning::Failed => {}
        // SAFETY: no reference is left.
        ToRunning::Dealloc => unsafe { dealloc::<F, S>(ptr) },
    }
}

/// Polls the future once (we hold `RUNNING`); on `Ready` or a panic, stores the outcome.
fn poll_future<F: Future, S: Schedule>(cell: &Cell<F, S>, ptr: NonNull<Header>) -> Poll<()> {
    // A waker borrowed from our own reference: it must not release it when dropped.
    // SAFETY: the task stays alive while we poll it; clones take their own references.
    let waker = ManuallyDrop::new(unsafe { waker::borrowed(ptr) });
    let _task = context::enter_task(ptr);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cell.stage.with_mut(|stage| {
            // SAFETY: `RUNNING` gives this thread exclusive access to the stage.
            let Stage::Running(future) = (unsafe { &mut *stage }) else {
                unreachable!("a task was polled after it finished");
            };
            // SAFETY: the future lives inside the heap cell, which never moves.
            let future = unsafe { std::pin::Pin::new_unchecked(future) };
            future.poll(&mut Context::from_waker(&waker))
        })
    }));
    let result = match outcome {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(panic) => Err(Failure::Panicked(panic)),
    };
    // Drop the future before storing the output; its drop may panic too.
    let dropped = catch_unwind(AssertUnwindSafe(|| set_stage(cell, Stage::Consumed)));
    let result = match (result, dropped) {
        (Ok(_), Err(panic)) => Err(Failure::Panicked(panic)),
        (result, _) => result,
    };
    set_stage(cell, Stage::Finished(result));
    Poll::Ready(())
}

/// Drops the future (we hold `RUNNING`) and stores a cancellation.
fn cancel_future<F: Future, S>(cell: &Cell<F, S>) {
    let _task = context::enter_task(NonNull::from(&cell.header));
    let failure = match catch_unwind(AssertUnwindSafe(|| set_stage(cell, Stage::Consumed))) {
        Ok(()) => Failure::Cancelled,
        Err(panic) => Failure::Panicked(panic),
    };
    set_stage(cell, Stage::Finished(Err(failure)));
}

fn set_stage<F: Future, S>(cell: &Cell<F, S>, stage: Stage<F>) {
    // SAFETY: callers hold `RUNNING`, or are the `JoinHandle` after completion, or the last
    // reference: each has exclusive access to the stage.
    cell.stage.with_mut(|slot| unsafe { *slot = stage });
}

/// Publishes completion, hands the output over, leaves the owned list and drops the run's
/// reference (plus the list's). The caller holds `RUNNING` and one reference.
fn complete<F: Future, S: Schedule>(cell: &Cell<F, S>) {
    let snapshot = cell.header.state.transition_to_complete();
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !snapshot.is_join_interested() {
            // Nobody will read the output: drop it here.
            let _task = context::enter_task(NonNull::from(&cell.header));
            drop_output(cell);
        } else if snapshot.is_join_waker_set() {
            // SAFETY: JOIN_WAKER with COMPLETE hands the slot to the runtime for reading; the
            // JoinHandle can no longer take it back.
            cell.join_waker.with(|slot| {
                // SAFETY: see above; only reads happen while the bit is set.
                if let Some(waker) = unsafe { &*slot } {
                    waker.wake_by_ref();
                }
            });
        }
    }));
    let released = cell.scheduler.release(&cell.header);
    let refs = match released {
        Some(task) => {
            std::mem::forget(task);
            2
        }
        None => 1,
    };
    if cell.header.state.ref_dec_by(refs) {
        // SAFETY: that was the last reference.
        unsafe { dealloc::<F, S>(NonNull::from(&cell.header)) }
    }
}

/// Drops an output nobody will read, telling the scheduler if it is a panic. The caller has
/// exclusive access to a finished stage.
fn drop_output<F: Future, S: Schedule>(cell: &Cell<F, S>) {
    // SAFETY: guaranteed by the caller (see above).
    let stage = cell
        .stage
        .with_mut(|slot| unsafe { std::mem::replace(&mut *slot, Stage::Consumed) });
    if let Stage::Finished(Err(Failure::Panicked(payload))) = stage {
        let error = JoinError::panicked(&cell.header, payload);
        cell.scheduler.unhandled_panic(&error);
    }
}

pub(super) unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the caller hands over a reference to a live `Cell<F, S>`.
    let cell = unsafe { cell::<F, S>(ptr) };
    // SAFETY: as above; that reference becomes the `Notified` one.
    cell.scheduler
        .schedule(Notified(unsafe { RawTask::from_raw(ptr) }));
}

pub(super) unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the cell was allocated as a `Box<Cell<F, S>>` and no reference is left.
    drop(unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) });
}

pub(super) unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller holds a reference to a live `Cell<F, S>`.
    let cell = unsafe { cell::<F, S>(ptr) };
    if cell.header.state.transition_to_shutdown() {
        // We are its runner now; `complete` consumes the caller's reference.
        cancel_future(cell);
        complete(cell);
    } else {
        // SAFETY: a live task; this releases the caller's reference.
        unsafe { RawTask::from_raw(ptr) }.drop_reference();
    }
}

pub(super) unsafe fn try_read_output<F: Future, S>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: the JoinHandle holds a reference to a live `Cell<F, S>`.
    let cell = unsafe { cell::<F, S>(ptr) };
    if !can_read_output(&cell.header, cell, waker) {
        return;
    }
    set_stage_taking(cell, |stage| {
        let result = match stage {
            Stage::Finished(Ok(output)) => Ok(output),
            Stage::Finished(Err(Failure::Cancelled)) => Err(JoinError::cancelled(&cell.header)),
            Stage::Finished(Err(Failure::Panicked(p))) => Err(JoinError::panicked(&cell.header, p)),
            Stage::Running(_) | Stage::Consumed => {
                panic!("JoinHandle polled after it returned its output")
            }
        };
        // SAFETY: the caller passes a `Poll<Result<F::Output, JoinError>>` slot.
        unsafe { *(dst as *mut Poll<Result<F::Output, JoinError>>) = Poll::Ready(result) };
    });
}

fn set_stage_taking<F: Future, S>(cell: &Cell<F, S>, f: impl FnOnce(Stage<F>)) {
    // SAFETY: COMPLETE with JOIN_INTEREST gives the JoinHandle exclusive access to the stage.
    let stage = cell
        .stage
        .with_mut(|slot| unsafe { std::mem::replace(&mut *slot, Stage::Consumed) });
    f(stage);
}

/// True once the output can be read; otherwise leaves `waker` where the runtime will wake it.
fn can_read_output<F: Future, S>(header: &Header, cell: &Cell<F, S>, waker: &Waker) -> bool {
    let snapshot = header.state.load();
    if snapshot.is_complete() {
        return true;
    }
    let result = if !snapshot.is_join_waker_set() {
        store_join_waker(header, cell, waker)
    } else {
        // SAFETY: while JOIN_WAKER is set the runtime may only read the slot, as we do here.
        let same = cell.join_waker.with(|slot| {
            // SAFETY: as above, a shared read.
            unsafe { &*slot }
                .as_ref()
                .is_some_and(|current| current.will_wake(waker))
        });
        if same {
            return false;
        }
        header
            .state
            .unset_join_waker()
            .and_then(|_| store_join_waker(header, cell, waker))
    };
    match result {
        Ok(_) => false,
        Err(snapshot) => {
            debug_assert!(snapshot.is_complete());
            true
        }
    }
}

fn store_join_waker<F: Future, S>(
    header: &Header,
    cell: &Cell<F, S>,
    waker: &Waker,
) -> Result<super::state::Snapshot, super::state::Snapshot> {
    // SAFETY: JOIN_WAKER is clear, so the JoinHandle owns the slot.
    cell.join_waker
        .with_mut(|slot| unsafe { *slot = Some(waker.clone()) });
    header.state.set_join_waker()
}

pub(super) unsafe fn drop_join_handle<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the JoinHandle holds a reference to a live `Cell<F, S>`.
    let cell = unsafe { cell::<F, S>(ptr) };
    match cell.header.state.unset_join_interested() {
        Ok(_) => {
            // SAFETY: clearing JOIN_WAKER returned the slot to us.
            let waker = cell.join_waker.with_mut(|slot| unsafe { (*slot).take() });
            drop(waker);
        }
        Err(_) => {
            // Complete with interest: the output is ours to drop.
            let _ = catch_unwind(AssertUnwindSafe(|| drop_output(cell)));
        }
    }
    // SAFETY: a live task; this releases the handle's reference.
    unsafe { RawTask::from_raw(ptr) }.drop_reference();
}
