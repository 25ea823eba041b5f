#![cfg(loom)]
//! Models `abort` racing the task's completion.
//!
//! `abort` sets `CANCELLED` (and queues an idle task so a worker drops its future) while the
//! worker may be polling, completing or about to poll the task. Whatever the order, awaiting
//! the handle must give the output or a cancellation error (never hang, never both), and the
//! future must be dropped exactly once (a guard inside it counts its drops).

use loom::thread;
use loom_tests::support::{model, multi_thread, DropCount};
use runtime_core::task::{yield_now, JoinError};

fn check<T: std::fmt::Debug + PartialEq>(result: Result<T, JoinError>, expected: T) {
    match result {
        Ok(value) => assert_eq!(value, expected),
        Err(error) => assert!(error.is_cancelled(), "unexpected join error: {error:?}"),
    }
}

/// A task that completes at once; its `JoinHandle` is aborted on another thread.
#[test]
fn abort_races_completion() {
    model(|| {
        let future = DropCount::new();
        let rt = multi_thread(1);
        let guard = future.guard();
        let join = rt.spawn(async move {
            let _guard = guard;
            7
        });
        let aborter = thread::spawn(move || {
            join.abort();
            join
        });
        let join = aborter.join().unwrap();
        check(rt.block_on(join), 7);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        drop(rt);
        assert_eq!(future.dropped(), 1);
    });
}

/// A task that completes after one yield is aborted through an `AbortHandle` on another
/// thread while the main thread awaits its `JoinHandle`.
#[test]
fn abort_handle_races_completion_while_awaited() {
    model(|| {
        let future = DropCount::new();
        let rt = multi_thread(1);
        let guard = future.guard();
        let join = rt.spawn(async move {
            let _guard = guard;
            yield_now().await;
            7
        });
        let abort = join.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        check(rt.block_on(join), 7);
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        aborter.join().unwrap();
        drop(rt);
        assert_eq!(future.dropped(), 1);
    });
}

/// A task that never completes on its own: the abort must reach it (before, during or after
/// its first poll) and the awaiting main thread must see the cancellation.
#[test]
fn abort_handle_cancels_pending_task_while_awaited() {
    model(|| {
        let future = DropCount::new();
        let rt = multi_thread(1);
        let guard = future.guard();
        let join = rt.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let abort = join.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        let error = rt.block_on(join).unwrap_err();
        assert!(error.is_cancelled());
        assert_eq!(future.dropped(), 1, "future leaked or dropped twice");
        aborter.join().unwrap();
        drop(rt);
        assert_eq!(future.dropped(), 1);
    });
}
