//! The `blocking_*` methods of the sync primitives: they refuse to block a thread that drives
//! a runtime (a panic naming the method, as in Tokio) and work from `spawn_blocking`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use runtime::sync::{mpsc, oneshot, Mutex, RwLock};

/// A blocking call to try inside a runtime, and the name its panic must give.
type Attempt<'a> = (&'static str, Box<dyn FnOnce() + 'a>);

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn blocking_methods_panic_inside_block_on() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let mutex = Mutex::new(0);
    let rwlock = RwLock::new(0);
    let (_tx, rx) = oneshot::channel::<u32>();
    let (_mtx, mut mrx) = mpsc::channel::<u32>(1);
    let attempts: Vec<Attempt<'_>> = vec![
        (
            "Mutex::blocking_lock",
            Box::new(|| drop(mutex.blocking_lock())),
        ),
        (
            "RwLock::blocking_read",
            Box::new(|| drop(rwlock.blocking_read())),
        ),
        (
            "oneshot::Receiver::blocking_recv",
            Box::new(move || {
                let _ = rx.blocking_recv();
            }),
        ),
        (
            "mpsc::Receiver::blocking_recv",
            Box::new(move || {
                let _ = mrx.blocking_recv();
            }),
        ),
    ];
    for (name, attempt) in attempts {
        let payload = rt
            .block_on(async { catch_unwind(AssertUnwindSafe(attempt)) })
            .expect_err(name);
        let message = panic_message(payload);
        assert!(
            message.contains("Cannot block the current thread"),
            "{message}"
        );
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn blocking_methods_work_from_spawn_blocking() {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let mutex = Arc::new(Mutex::new(1));
        let (tx, rx) = oneshot::channel();
        let blocking = runtime::spawn_blocking({
            let mutex = mutex.clone();
            move || {
                *mutex.blocking_lock() += 1;
                rx.blocking_recv().unwrap()
            }
        });
        tx.send(5).unwrap();
        assert_eq!(blocking.await.unwrap(), 5);
        assert_eq!(*mutex.lock().await, 2);
    });
}
