//! `block_on` inside a runtime (inside `block_on` or inside a task) panics with
//! "Cannot start a runtime from within a runtime"; the runtime stays usable afterwards.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use runtime::{Builder, Handle, Runtime};

mod common;
use common::{current_thread, multi_thread};

const MSG: &str = "Cannot start a runtime from within a runtime";

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<not a string>".to_owned()
    }
}

fn assert_nested_panic(r: std::thread::Result<()>) {
    let payload = r.expect_err("nested block_on must panic");
    let msg = message(&*payload);
    assert!(msg.contains(MSG), "panic message was {msg:?}");
}

#[test]
#[should_panic(expected = "Cannot start a runtime from within a runtime")]
fn nested_block_on_same_runtime_panics() {
    let rt = current_thread();
    rt.block_on(async {
        rt.block_on(async {});
    });
}

#[test]
fn nested_block_on_in_block_on_panics_and_recovers() {
    for outer in [current_thread(), multi_thread()] {
        let inner = current_thread();
        let other_multi = multi_thread();
        outer.block_on(async {
            assert_nested_panic(catch_unwind(AssertUnwindSafe(|| outer.block_on(async {}))));
            assert_nested_panic(catch_unwind(AssertUnwindSafe(|| inner.block_on(async {}))));
            assert_nested_panic(catch_unwind(AssertUnwindSafe(|| {
                other_multi.block_on(async {})
            })));
            let h = inner.handle().clone();
            assert_nested_panic(catch_unwind(AssertUnwindSafe(|| h.block_on(async {}))));
            // The outer runtime is still ours and still works.
            assert!(Handle::try_current().is_ok());
            assert_eq!(runtime::spawn(async { 4 }).await.unwrap(), 4);
        });
        // The failed attempts left no context behind.
        assert!(Handle::try_current().is_err());
        assert_eq!(inner.block_on(async { 1 }), 1);
        assert_eq!(other_multi.block_on(async { 2 }), 2);
        assert_eq!(outer.block_on(async { 3 }), 3);
    }
}

fn nested_in_task(rt: &Runtime) {
    let inner = Arc::new(current_thread());
    let inner_handle = inner.handle().clone();

    // Handle::block_on inside a task.
    let h = rt.spawn(async move {
        inner_handle.block_on(async {});
    });
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_panic());
    let msg = message(&*err.into_panic());
    assert!(msg.contains(MSG), "panic message was {msg:?}");

    // Runtime::block_on inside a task (the task holds a clone of an Arc, never the last one).
    let inner2 = inner.clone();
    let h = rt.spawn(async move {
        inner2.block_on(async {});
    });
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_panic());
    let msg = message(&*err.into_panic());
    assert!(msg.contains(MSG), "panic message was {msg:?}");

    // The worker survived and the other runtime is intact.
    assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5);
    assert_eq!(inner.block_on(async { 6 }), 6);
}

#[test]
fn nested_block_on_in_task_multi_thread() {
    nested_in_task(&multi_thread());
}

#[test]
fn nested_block_on_in_task_current_thread() {
    nested_in_task(&current_thread());
}

#[test]
fn nested_in_task_spawned_inside_block_on() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let other = multi_thread();
    let other_handle = other.handle().clone();
    let msg = rt.block_on(async move {
        let err = runtime::spawn(async move { other_handle.block_on(async { 1 }) })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        message(&*err.into_panic())
    });
    assert!(msg.contains(MSG), "panic message was {msg:?}");
}

#[test]
fn block_on_in_spawn_blocking_is_allowed() {
    // A blocking-pool thread is not a runtime thread: blocking on a future there is the
    // documented way to call async code from blocking code (as in Tokio).
    let rt = multi_thread();
    let handle = rt.handle().clone();
    let v = rt
        .block_on(rt.spawn_blocking(move || {
            handle.block_on(async { runtime::spawn(async { 9 }).await.unwrap() })
        }))
        .unwrap();
    assert_eq!(v, 9);
}

#[test]
fn sequential_block_on_is_fine() {
    let rt = current_thread();
    for i in 0..100 {
        assert_eq!(rt.block_on(async move { i }), i);
    }
    let rt2 = multi_thread();
    for i in 0..100 {
        assert_eq!(
            rt.block_on(async move { i }),
            rt2.block_on(async move { i })
        );
    }
}
