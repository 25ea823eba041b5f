#![cfg(loom)]
//! Models a `JoinHandle` being dropped while a worker completes its task.
//!
//! Dropping the handle clears `JOIN_INTEREST` (and takes back the join waker slot); completing
//! sets `COMPLETE` (and reads the join waker to wake it). Whichever lands first decides who
//! drops the output and who may touch the waker slot: the worker (no interest left) or the
//! handle (the task is already complete). If both think they own the output or the slot,
//! loom reports the concurrent access to the task's `UnsafeCell`s (see `support::model` for
//! why such a report cannot be swallowed by the harness's `catch_unwind`); if neither does,
//! the output's drop count stays at zero or loom's leak check fires. The drop comes from the
//! main thread and from a second loom thread, with and without a join waker registered.
//!
//! With one preemption loom runs one side of a race "atomically" inside any gap of the other,
//! so each race comes in two shapes: one where the dropper starts while the worker is mid-way
//! (main drops after a latch set inside the poll) and one where the worker starts while the
//! dropper is mid-way (the drop happens on a thread that is already running).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{model, multi_thread, DropCount, Latch, WakeMode, WakeSlot};
use runtime_core::task::JoinHandle;
use runtime_core::Runtime;

/// The handle is dropped right after spawning, racing the first poll, completion and shutdown
/// (the task may also be cancelled by shutdown before it ever runs).
#[test]
fn join_handle_drop_races_completion() {
    model(|| {
        let output = DropCount::new();
        let rt = multi_thread(1);
        let made = output.clone();
        let join = rt.spawn(async move { made.guard() });
        drop(join);
        drop(rt);
        // Either the task completed (its output was made and must be dropped exactly once),
        // or shutdown cancelled it before its first poll (no output was ever made).
        assert!(output.created() <= 1);
        assert_eq!(
            output.dropped(),
            output.created(),
            "output leaked or dropped twice"
        );
    });
}

/// The output exists before the handle drops: the main thread's drop lands inside the worker's
/// `complete`.
#[test]
fn join_handle_drop_races_completion_output_made() {
    model(|| {
        let output = DropCount::new();
        let made = Arc::new(Latch::new());
        let rt = multi_thread(1);
        let join = rt.spawn({
            let output = output.clone();
            let made = made.clone();
            async move {
                let value = output.guard();
                made.set();
                value
            }
        });
        made.wait();
        drop(join);
        drop(rt);
        assert_eq!(output.created(), 1);
        assert_eq!(output.dropped(), 1, "output leaked or dropped twice");
    });
}

/// The handle is dropped on another loom thread (the main thread blocks meanwhile), so the
/// worker's poll and completion can land inside the drop, racing `drop(rt)` too.
#[test]
fn join_handle_drop_from_other_thread_races_completion() {
    model(|| {
        let output = DropCount::new();
        let made = Arc::new(Latch::new());
        let rt = multi_thread(1);
        let join = rt.spawn({
            let output = output.clone();
            let made = made.clone();
            async move {
                let value = output.guard();
                made.set();
                value
            }
        });
        let dropper = thread::spawn(move || drop(join));
        made.wait();
        drop(rt);
        dropper.join().unwrap();
        assert_eq!(output.created(), 1);
        assert_eq!(output.dropped(), 1, "output leaked or dropped twice");
    });
}

/// Spawns a task that waits for `slot`, then makes an output (setting `made`); polls its
/// handle once from `block_on` so that a join waker is registered.
fn spawn_and_register_join_waker(
    rt: &Runtime,
    slot: &Arc<WakeSlot>,
    output: &DropCount,
    made: &Arc<Latch>,
) -> JoinHandle<loom_tests::support::DropGuard> {
    let mut join = rt.spawn({
        let slot = slot.clone();
        let output = output.clone();
        let made = made.clone();
        async move {
            WakeSlot::wait(&slot).await;
            let value = output.guard();
            made.set();
            value
        }
    });
    rt.block_on(std::future::poll_fn(|cx| {
        // The slot has not fired yet, so the task cannot be complete.
        assert!(Pin::new(&mut join).poll(cx).is_pending());
        Poll::Ready(())
    }));
    join
}

/// A handle with a registered join waker is dropped by the main thread while the worker
/// completes the task (and reads that waker to wake it).
#[test]
fn join_handle_with_waker_drop_races_completion() {
    model(|| {
        let output = DropCount::new();
        let made = Arc::new(Latch::new());
        let slot = WakeSlot::new();
        let rt = multi_thread(1);
        let join = spawn_and_register_join_waker(&rt, &slot, &output, &made);
        let firer = {
            let slot = slot.clone();
            thread::spawn(move || slot.fire(WakeMode::ByVal))
        };
        made.wait();
        drop(join);
        drop(rt);
        firer.join().unwrap();
        assert_eq!(output.created(), 1);
        assert_eq!(output.dropped(), 1, "output leaked or dropped twice");
    });
}

/// As above, but the thread that wakes the task drops the handle right after, so the worker's
/// poll and completion can land inside the drop.
#[test]
fn join_handle_with_waker_drop_from_other_thread_races_completion() {
    model(|| {
        let output = DropCount::new();
        let made = Arc::new(Latch::new());
        let slot = WakeSlot::new();
        let rt = multi_thread(1);
        let join = spawn_and_register_join_waker(&rt, &slot, &output, &made);
        let firer = {
            let slot = slot.clone();
            thread::spawn(move || {
                slot.fire(WakeMode::ByVal);
                drop(join);
            })
        };
        made.wait();
        drop(rt);
        firer.join().unwrap();
        assert_eq!(output.created(), 1);
        assert_eq!(output.dropped(), 1, "output leaked or dropped twice");
    });
}
