//! `Handle`: current/try_current inside and outside a runtime, `enter`, spawning and blocking
//! from plain threads.

use std::sync::mpsc;
use std::time::Duration;

use runtime::{Builder, Handle};

mod common;
use common::{current_thread, multi_thread, Gate};

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn try_current_outside_is_err() {
    let err = Handle::try_current().expect_err("no runtime here");
    assert!(!err.to_string().is_empty());
}

#[test]
#[should_panic(expected = "no runtime")]
fn current_outside_panics() {
    let _ = Handle::current();
}

#[test]
#[should_panic]
fn spawn_outside_a_runtime_panics() {
    drop(runtime::spawn(async {}));
}

#[test]
fn try_current_inside_block_on_and_tasks() {
    for rt in [current_thread(), multi_thread()] {
        rt.block_on(async {
            assert!(Handle::try_current().is_ok());
            let h = Handle::current();
            // The handle is this runtime's: a task spawned through it runs here.
            assert_eq!(h.spawn(async { 5 }).await.unwrap(), 5);
            let inside = runtime::spawn(async {
                let h = Handle::try_current().expect("a task sees its runtime");
                h.spawn(async { 6 }).await.unwrap()
            });
            assert_eq!(inside.await.unwrap(), 6);
        });
        assert!(
            Handle::try_current().is_err(),
            "the context is left on exit"
        );
    }
}

#[test]
fn handle_current_in_a_task_points_at_the_tasks_runtime() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("handle-test-worker")
        .build()
        .unwrap();
    let name = rt.block_on(async {
        runtime::spawn(async {
            Handle::current()
                .spawn(async { std::thread::current().name().map(str::to_owned) })
                .await
                .unwrap()
        })
        .await
        .unwrap()
    });
    assert_eq!(name.as_deref(), Some("handle-test-worker"));
}

#[test]
fn enter_sets_the_context() {
    let rt = current_thread();
    assert!(Handle::try_current().is_err());
    let h = {
        let _guard = rt.enter();
        assert!(Handle::try_current().is_ok());
        runtime::spawn(async { 8 })
    };
    assert!(
        Handle::try_current().is_err(),
        "dropping the guard leaves the context"
    );
    assert_eq!(rt.block_on(h).unwrap(), 8);
}

#[test]
fn nested_enter_guards_restore_in_order() {
    let a = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("rt-a")
        .build()
        .unwrap();
    let b = current_thread();
    let ga = a.enter();
    let hb = {
        let _gb = b.enter();
        runtime::spawn(async { "b" })
    };
    // Back on `a`: a task spawned now runs on `a`'s worker.
    let (tx, rx) = mpsc::channel();
    drop(runtime::spawn(async move {
        tx.send(std::thread::current().name().map(str::to_owned))
            .unwrap();
    }));
    drop(ga);
    assert!(Handle::try_current().is_err());
    let ran_on = rx
        .recv_timeout(WAIT)
        .expect("the task spawned after the inner guard dropped did not run on `a`");
    assert_eq!(ran_on.as_deref(), Some("rt-a"));
    assert_eq!(b.block_on(hb).unwrap(), "b");
}

#[test]
fn spawn_from_a_std_thread_multi_thread() {
    let rt = multi_thread();
    let handle = rt.handle().clone();
    let (tx, rx) = mpsc::channel();
    let jh = std::thread::spawn(move || {
        handle.spawn(async move {
            tx.send(7).unwrap();
            7
        })
    })
    .join()
    .unwrap();
    // The task runs on a worker without anyone blocking on it.
    assert_eq!(rx.recv_timeout(WAIT).expect("task never ran"), 7);
    assert_eq!(rt.block_on(jh).unwrap(), 7);
}

#[test]
fn spawn_from_a_std_thread_wakes_a_parked_current_thread_runtime() {
    let rt = current_thread();
    let handle = rt.handle().clone();
    let gate = Gate::default();
    let opener = gate.clone();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let spawner = std::thread::spawn(move || {
        go_rx.recv().unwrap();
        handle.spawn(async move {
            opener.open();
            3
        })
    });
    let wait = gate.wait();
    rt.block_on(async move {
        go_tx.send(()).unwrap();
        // Parks until the task spawned from the other thread runs here and opens the gate.
        wait.await;
    });
    let jh = spawner.join().unwrap();
    assert_eq!(rt.block_on(jh).unwrap(), 3);
}

#[test]
fn spawn_blocking_through_a_handle_from_a_std_thread() {
    for rt in [current_thread(), multi_thread()] {
        let handle = rt.handle().clone();
        let jh = std::thread::spawn(move || handle.spawn_blocking(|| 21 * 2))
            .join()
            .unwrap();
        assert_eq!(rt.block_on(jh).unwrap(), 42);
    }
}

#[test]
fn handle_block_on_from_a_std_thread_multi_thread() {
    let rt = multi_thread();
    let handle = rt.handle().clone();
    let v = std::thread::spawn(move || {
        handle.block_on(async {
            assert!(Handle::try_current().is_ok(), "block_on enters the runtime");
            runtime::spawn(async { 20 }).await.unwrap() + 1
        })
    })
    .join()
    .unwrap();
    assert_eq!(v, 21);
}

#[test]
fn handle_block_on_from_a_std_thread_current_thread() {
    let rt = current_thread();
    let handle = rt.handle().clone();
    let v = std::thread::spawn(move || {
        let gate = Gate::default();
        let opener = gate.clone();
        let t = std::thread::spawn(move || opener.open());
        let v = handle.block_on(async move {
            gate.wait().await;
            17
        });
        t.join().unwrap();
        v
    })
    .join()
    .unwrap();
    assert_eq!(v, 17);
}

#[test]
fn handles_are_clone_send_sync() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Handle>();
    let rt = current_thread();
    let a = rt.handle().clone();
    let b = a.clone();
    drop(a);
    assert_eq!(rt.block_on(b.spawn(async { 1 })).unwrap(), 1);
}

/// Inside a task, `Handle::enter` of another runtime makes `spawn` use that runtime, not the
/// worker polling the task (the spawn fast path must step aside while the guard lives).
#[test]
#[allow(clippy::async_yields_async)] // the task returns a JoinHandle of the other runtime on purpose
fn enter_inside_a_task_spawns_on_the_entered_runtime() {
    let outer = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let inner = runtime::Builder::new_current_thread().build().unwrap();
    let inner_handle = inner.handle().clone();
    let join = outer.block_on(async move {
        runtime::spawn(async move {
            let _guard = inner_handle.enter();
            runtime::spawn(async { runtime::Handle::current().num_workers() })
        })
        .await
        .unwrap()
    });
    // A task of the current-thread runtime runs when that runtime is driven, on its one worker.
    assert_eq!(inner.block_on(join).unwrap(), 1);
}
