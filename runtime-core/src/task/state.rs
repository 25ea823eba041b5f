//! The task's single atomic state word: lifecycle flags in the low bits, a reference count above.
//!
//! Every transition is one atomic read-modify-write (a CAS loop where the next value depends on
//! the current one), so the scheduler, wakers, the `JoinHandle` and shutdown can race freely:
//! whoever's RMW lands first decides, and the others see its effect.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};

/// The task is being polled (or cancelled) by exactly one thread.
const RUNNING: usize = 1 << 0;
/// The future has finished (output stored or cancelled); it will never be polled again.
const COMPLETE: usize = 1 << 1;
/// A `Notified` reference for this task is in (or on its way into) a run queue.
const NOTIFIED: usize = 1 << 2;
/// The task must be cancelled instead of polled.
const CANCELLED: usize = 1 << 3;
/// A `JoinHandle` exists and wants the output.
const JOIN_INTEREST: usize = 1 << 4;
/// The join waker slot holds a waker the runtime must wake on completion (and may read).
const JOIN_WAKER: usize = 1 << 5;

const REF_SHIFT: usize = 6;
const REF_ONE: usize = 1 << REF_SHIFT;

/// A copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn is_idle(self) -> bool {
        self.0 & (RUNNING | COMPLETE) == 0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interested", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// What the poller must do after trying to start a run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToRunning {
    /// Poll the future.
    Poll,
    /// Drop the future and complete with a cancellation.
    Cancel,
    /// Somebody else owns the task (it is running, complete or claimed by shutdown): our
    /// reference was released.
    Failed,
    /// As `Failed`, and ours was the last reference: deallocate.
    Dealloc,
}

/// What the poller must do after a poll returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToIdle {
    /// Nothing: the task waits for a waker; our reference was released.
    Idle,
    /// The task was woken while running: reschedule it with our reference.
    Notified,
    /// Our reference was the last one: deallocate.
    Dealloc,
    /// The task was aborted while running: cancel it now (we still own it).
    Cancel,
}

/// What a waker must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToNotified {
    /// Nothing more (the task is running, complete or already queued).
    Nothing,
    /// Submit a `Notified` reference to the scheduler.
    Submit,
    /// The waker's reference was the last one: deallocate.
    Dealloc,
}

#[derive(Debug)]
pub(crate) struct State {
    word: AtomicUsize,
}

impl State {
    /// A new task: notified (it goes straight into a run queue), with a `JoinHandle`, and
    /// `refs` references (JoinHandle, the first `Notified`, and the owned list's if any).
    pub(crate) fn new(refs: usize) -> State {
        State {
            word: AtomicUsize::new(NOTIFIED | JOIN_INTEREST | (refs * REF_ONE)),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Acquire))
    }

    /// Runs `f` on the current value until its CAS succeeds; `f` returns the next value (or
    /// `None` to leave the word alone) plus what to report.
    fn update<R>(&self, mut f: impl FnMut(Snapshot) -> (Option<Snapshot>, R)) -> R {
        let mut current = self.word.load(Acquire);
        loop {
            let (next, result) = f(Snapshot(current));
            let Some(next) = next else {
                return result;
            };
            match self
                .word
                .compare_exchange_weak(current, next.0, AcqRel, Acquire)
            {
                Ok(_) => return result,
                Err(actual) => current = actual,
            }
        }
    }

    /// A worker holding a `Notified` reference starts a run.
    pub(crate) fn transition_to_running(&self) -> ToRunning {
        self.update(|s| {
            debug_assert!(
                s.is_notified() || s.is_running() || s.is_complete(),
                "{s:?}"
            );
            if !s.is_idle() {
                debug_assert!(s.ref_count() > 0);
                let next = Snapshot(s.0 - REF_ONE);
                let action = if next.ref_count() == 0 {
                    ToRunning::Dealloc
                } else {
                    ToRunning::Failed
                };
                return (Some(next), action);
            }
            let next = Snapshot((s.0 & !NOTIFIED) | RUNNING);
            let action = if s.is_cancelled() {
                ToRunning::Cancel
            } else {
                ToRunning::Poll
            };
            (Some(next), action)
        })
    }

    /// The poll returned `Pending`.
    pub(crate) fn transition_to_idle(&self) -> ToIdle {
        self.update(|s| {
            debug_assert!(s.is_running() && !s.is_complete(), "{s:?}");
            if s.is_cancelled() {
                return (None, ToIdle::Cancel);
            }
            let mut next = s.0 & !RUNNING;
            if s.is_notified() {
                // Our reference becomes the new `Notified`.
                return (Some(Snapshot(next)), ToIdle::Notified);
            }
            debug_assert!(s.ref_count() > 0);
            next -= REF_ONE;
            let action = if Snapshot(next).ref_count() == 0 {
                ToIdle::Dealloc
            } else {
                ToIdle::Idle
            };
            (Some(Snapshot(next)), action)
        })
    }

    /// The future finished (or was dropped): `RUNNING` -> `COMPLETE`. Returns the new state.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let prev = Snapshot(self.word.fetch_xor(RUNNING | COMPLETE, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete(), "{prev:?}");
        Snapshot(prev.0 ^ (RUNNING | COMPLETE))
    }

    /// A waker is consumed (`wake`): its reference either becomes the `Notified` one or is released.
    pub(crate) fn transition_to_notified_by_val(&self) -> ToNotified {
        self.update(|s| {
            debug_assert!(s.ref_count() > 0);
            if s.is_running() {
                // The poller sees NOTIFIED when it finishes and reschedules with its own reference.
                let next = Snapshot((s.0 | NOTIFIED) - REF_ONE);
                debug_assert!(next.ref_count() > 0);
                (Some(next), ToNotified::Nothing)
            } else if s.is_complete() || s.is_notified() {
                let next = Snapshot(s.0 - REF_ONE);
                let action = if next.ref_count() == 0 {
                    ToNotified::Dealloc
                } else {
                    ToNotified::Nothing
                };
                (Some(next), action)
            } else {
                (Some(Snapshot(s.0 | NOTIFIED)), ToNotified::Submit)
            }
        })
    }

    /// A waker is used by reference (`wake_by_ref`): a new reference is made for the queue.
    pub(crate) fn transition_to_notified_by_ref(&self) -> ToNotified {
        self.update(|s| {
            if s.is_complete() || s.is_notified() {
                (None, ToNotified::Nothing)
            } else if s.is_running() {
                (Some(Snapshot(s.0 | NOTIFIED)), ToNotified::Nothing)
            } else {
                (
                    Some(Snapshot((s.0 | NOTIFIED) + REF_ONE)),
                    ToNotified::Submit,
                )
            }
        })
    }

    /// `abort()`: mark cancelled; an idle task is queued (with a new reference) so that a
    /// worker drops its future, a running or queued one is cancelled by whoever runs it next.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.update(|s| {
            if s.is_cancelled() || s.is_complete() {
                (None, false)
            } else if s.is_running() || s.is_notified() {
                (Some(Snapshot(s.0 | CANCELLED)), false)
            } else {
                (Some(Snapshot((s.0 | CANCELLED | NOTIFIED) + REF_ONE)), true)
            }
        })
    }

    /// Shutdown claims the task: if nobody is running it and it is not complete, the caller
    /// becomes its runner (and must cancel it); otherwise it is only marked cancelled.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.update(|s| {
            if s.is_idle() {
                (Some(Snapshot(s.0 | RUNNING | CANCELLED)), true)
            } else if s.is_cancelled() {
                (None, false)
            } else {
                (Some(Snapshot(s.0 | CANCELLED)), false)
            }
        })
    }

    /// The `JoinHandle` is dropped. Fails (returning the state) once the task is complete, in
    /// which case the handle must drop the output itself. On success the handle regains
    /// exclusive access to the join waker slot.
    pub(crate) fn unset_join_interested(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested());
            if s.is_complete() {
                return (None, Err(s));
            }
            let next = Snapshot(s.0 & !(JOIN_INTEREST | JOIN_WAKER));
            (Some(next), Ok(next))
        })
    }

    /// The `JoinHandle` has written the waker slot and hands it to the runtime.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                return (None, Err(s));
            }
            let next = Snapshot(s.0 | JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    /// The `JoinHandle` takes the waker slot back to replace the waker.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested() && s.is_join_waker_set());
            if s.is_complete() {
                return (None, Err(s));
            }
            let next = Snapshot(s.0 & !JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    pub(crate) fn ref_inc(&self) {
        let prev = self.word.fetch_add(REF_ONE, Relaxed);
        // A count this large means references are leaking; abort rather than wrap around.
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Releases one reference; true if it was the last.
    pub(crate) fn ref_dec(&self) -> bool {
        self.ref_dec_by(1)
    }

    /// Releases `n` references; true if they were the last.
    pub(crate) fn ref_dec_by(&self, n: usize) -> bool {
        let prev = Snapshot(self.word.fetch_sub(n * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= n, "{prev:?} - {n}");
        prev.ref_count() == n
    }

    #[cfg(test)]
    pub(crate) fn flags(&self) -> usize {
        self.load().0 & (REF_ONE - 1)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn poll_then_idle_releases_the_run_reference() {
        let state = State::new(2);
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert_eq!(state.transition_to_idle(), ToIdle::Idle);
        assert_eq!(state.load().ref_count(), 1);
        assert_eq!(state.flags(), JOIN_INTEREST);
    }

    #[test]
    fn wake_while_running_reschedules() {
        let state = State::new(2);
        state.ref_inc(); // a waker
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert_eq!(state.transition_to_notified_by_val(), ToNotified::Nothing);
        assert_eq!(state.transition_to_idle(), ToIdle::Notified);
        assert_eq!(state.load().ref_count(), 2);
    }

    #[test]
    fn abort_idle_task_submits_it() {
        let state = State::new(2);
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert_eq!(state.transition_to_idle(), ToIdle::Idle);
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert_eq!(state.transition_to_running(), ToRunning::Cancel);
    }

    #[test]
    fn shutdown_claims_only_idle_tasks() {
        let state = State::new(2);
        assert!(state.transition_to_shutdown());
        let other = State::new(2);
        assert_eq!(other.transition_to_running(), ToRunning::Poll);
        assert!(!other.transition_to_shutdown());
        assert_eq!(other.transition_to_idle(), ToIdle::Cancel);
    }

    #[test]
    fn join_handle_drop_after_complete_fails() {
        let state = State::new(2);
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        state.transition_to_complete();
        assert!(state.unset_join_interested().is_err());
    }
}
