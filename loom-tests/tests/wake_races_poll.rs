#![cfg(loom)]
//! Models a wake-up racing the poll that registers the waker.
//!
//! The task awaits a hand-written readiness source (`WakeSlot`): a poll checks `ready` and
//! stores its waker; another thread sets `ready`, then takes and wakes the waker. The wake can
//! land before the poll, while the task is `RUNNING` (it must then be rescheduled when the
//! poll returns) or once it is idle (it must be queued and a worker or the driver unparked).
//! A lost wake-up leaves the main thread blocked on the `JoinHandle` forever, which loom
//! reports as a deadlock. Both `wake` and `wake_by_ref`, on a 1-worker multi-thread runtime
//! (the main thread blocks in `block_on`, so the worker and the waking thread interleave both
//! ways) and on the current-thread flavor (where the main thread is the driver).

use loom::thread;
use loom_tests::support::{current_thread, model, multi_thread, WakeMode, WakeSlot};
use runtime_core::Runtime;

fn wake_races_poll(rt: fn() -> Runtime, mode: WakeMode) {
    model(move || {
        let rt = rt();
        let slot = WakeSlot::new();
        let join = rt.spawn({
            let slot = slot.clone();
            async move {
                WakeSlot::wait(&slot).await;
                5
            }
        });
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.fire(mode))
        };
        assert_eq!(rt.block_on(join).unwrap(), 5);
        waker.join().unwrap();
        drop(rt);
    });
}

#[test]
fn wake_races_poll_multi_thread_wake() {
    wake_races_poll(|| multi_thread(1), WakeMode::ByVal);
}

#[test]
fn wake_races_poll_multi_thread_wake_by_ref() {
    wake_races_poll(|| multi_thread(1), WakeMode::ByRef);
}

#[test]
fn wake_races_poll_current_thread_wake() {
    wake_races_poll(current_thread, WakeMode::ByVal);
}

#[test]
fn wake_races_poll_current_thread_wake_by_ref() {
    wake_races_poll(current_thread, WakeMode::ByRef);
}
