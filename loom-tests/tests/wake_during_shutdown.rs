#![cfg(loom)]
//! Models a wake-up arriving while the runtime shuts down.
//!
//! The task is parked on a `WakeSlot`; another thread wakes it while the main thread drops
//! the runtime. The wake may queue the task into an injector being drained, race shutdown's
//! claim on the task, or come after the runtime is gone (the waker then only releases its
//! reference). After `drop(rt)` the task's future must have been dropped exactly once, the
//! task must be finished, nothing may deadlock, and loom's leak check must find every loom
//! object (the runtime's handle inside the task included) freed.

use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{
    current_thread, model, model_with_preemptions, multi_thread, DropCount, Latch, WakeMode,
    WakeSlot,
};
use runtime_core::task::{yield_now, JoinHandle};
use runtime_core::Runtime;

/// 1 worker; the task has registered its waker before the wake and the shutdown start.
#[test]
fn wake_during_shutdown_multi_thread() {
    model(|| {
        let future = DropCount::new();
        let rt = multi_thread(1);
        let slot = WakeSlot::with_registration();
        let guard = future.guard();
        let join = rt.spawn({
            let slot = slot.clone();
            async move {
                let _guard = guard;
                WakeSlot::wait(&slot).await;
            }
        });
        slot.wait_registered();
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.fire(WakeMode::ByVal))
        };
        drop(rt);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        assert!(join.is_finished());
        drop(join);
        waker.join().unwrap();
        assert_eq!(future.dropped(), 1);
    });
}

/// 1 worker, the other way round: the main thread starts the shutdown only when the waking
/// thread is about to wake, so loom runs the shutdown inside any gap of the wake (e.g. between
/// the task's state change and its push onto the injector that shutdown drains and closes).
#[test]
fn wake_during_shutdown_multi_thread_shutdown_inside_wake() {
    model(shutdown_inside_wake);
}

/// The same model with two preemptions (about 10k executions, a few seconds): the worker can
/// then be caught between taking the wake's unpark token and parking, while the shutdown's
/// unpark lands on that same token. The worker must still see the shutdown flag and stop,
/// or the main thread waits for its core forever (loom reports a deadlock).
#[test]
fn wake_during_shutdown_multi_thread_shutdown_inside_wake_two_preemptions() {
    model_with_preemptions(2, shutdown_inside_wake);
}

fn shutdown_inside_wake() {
    let future = DropCount::new();
    let rt = multi_thread(1);
    let slot = WakeSlot::with_registration();
    let guard = future.guard();
    let join = rt.spawn({
        let slot = slot.clone();
        async move {
            let _guard = guard;
            WakeSlot::wait(&slot).await;
        }
    });
    slot.wait_registered();
    let go = Arc::new(Latch::new());
    let waker = {
        let slot = slot.clone();
        let go = go.clone();
        thread::spawn(move || {
            go.set();
            slot.fire(WakeMode::ByVal);
        })
    };
    go.wait();
    drop(rt);
    assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
    assert!(join.is_finished());
    drop(join);
    waker.join().unwrap();
    assert_eq!(future.dropped(), 1);
}

/// 1 worker; no waiting for the first poll: the wake and the shutdown may also come before
/// the task ever ran. The `JoinHandle` is dropped first (the task is detached).
#[test]
fn wake_during_shutdown_multi_thread_detached() {
    model(|| {
        let future = DropCount::new();
        let rt = multi_thread(1);
        let slot = WakeSlot::new();
        let guard = future.guard();
        drop(rt.spawn({
            let slot = slot.clone();
            async move {
                let _guard = guard;
                WakeSlot::wait(&slot).await;
            }
        }));
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.fire(WakeMode::ByVal))
        };
        drop(rt);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        waker.join().unwrap();
        assert_eq!(future.dropped(), 1);
    });
}

/// Current-thread flavor: the task is polled once inside `block_on`, then woken (by reference)
/// from another thread while the main thread drops the runtime. The main thread never blocks,
/// so loom runs the whole wake inside any gap of the shutdown.
#[test]
fn wake_during_shutdown_current_thread() {
    model(|| {
        let future = DropCount::new();
        let rt = current_thread();
        let slot = WakeSlot::new();
        let join = spawn_parked(&rt, &slot, &future);
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.fire(WakeMode::ByRef))
        };
        drop(rt);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        assert!(join.is_finished());
        drop(join);
        waker.join().unwrap();
        assert_eq!(future.dropped(), 1);
    });
}

/// Current-thread flavor, the other way round: the main thread starts the shutdown only when
/// the waking thread is about to wake, so loom runs the whole shutdown inside any gap of the
/// wake (e.g. between the task's state change and its push onto the closed injection queue).
#[test]
fn wake_during_shutdown_current_thread_shutdown_inside_wake() {
    model(|| {
        let future = DropCount::new();
        let rt = current_thread();
        let slot = WakeSlot::new();
        let join = spawn_parked(&rt, &slot, &future);
        let go = Arc::new(Latch::new());
        let waker = {
            let slot = slot.clone();
            let go = go.clone();
            thread::spawn(move || {
                go.set();
                slot.fire(WakeMode::ByVal);
            })
        };
        go.wait();
        drop(rt);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        assert!(join.is_finished());
        drop(join);
        waker.join().unwrap();
        assert_eq!(future.dropped(), 1);
    });
}

/// Spawns a task on a current-thread runtime that parks on `slot`, and has it polled once.
fn spawn_parked(rt: &Runtime, slot: &Arc<WakeSlot>, future: &DropCount) -> JoinHandle<()> {
    let guard = future.guard();
    let join = rt.spawn({
        let slot = slot.clone();
        async move {
            let _guard = guard;
            WakeSlot::wait(&slot).await;
        }
    });
    // The driver polls this future, runs the queued task once (it parks on the slot), then
    // sees its own wake-up and returns.
    rt.block_on(yield_now());
    assert!(!join.is_finished());
    join
}
