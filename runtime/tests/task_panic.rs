//! A panicking task: the JoinError says so, carries the payload and names the task, and the
//! worker that ran it keeps running other tasks.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::thread::ThreadId;
use std::time::Duration;

use runtime::task::{yield_now, Builder as TaskBuilder, JoinError, JoinHandle};
use runtime::{Builder, Runtime};

fn one_worker() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap()
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<not a string>".to_owned()
    }
}

struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn panic_is_reported(rt: &Runtime) {
    let h = rt.spawn(async {
        panic!("boom");
    });
    let id = h.id();
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_panic());
    assert!(!err.is_cancelled());
    assert_eq!(err.id(), id);
    let payload = err.into_panic();
    assert_eq!(
        *payload
            .downcast_ref::<&str>()
            .expect("the payload of panic!(\"boom\") is a &str"),
        "boom"
    );
}

#[test]
fn panic_is_reported_multi_thread() {
    panic_is_reported(&one_worker());
}

#[test]
fn panic_is_reported_current_thread() {
    panic_is_reported(&current_thread());
}

#[test]
fn formatted_panic_payload_is_a_string() {
    let rt = current_thread();
    let n = 7;
    let err = rt
        .block_on(rt.spawn(async move {
            panic!("boom {n}");
        }))
        .unwrap_err();
    assert!(err.is_panic());
    let payload = err.try_into_panic().expect("a panic error has a payload");
    assert_eq!(message(&*payload), "boom 7");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("boom 7")
    );
}

#[test]
fn try_into_panic_on_cancelled_gives_the_error_back() {
    let rt = current_thread();
    let h = rt.spawn(std::future::pending::<()>());
    h.abort();
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_cancelled());
    let err = err
        .try_into_panic()
        .expect_err("a cancelled task has no panic payload");
    assert!(err.is_cancelled());
}

#[test]
fn worker_survives_a_panic() {
    let rt = one_worker();
    let panicking = rt.spawn(async {
        let here = std::thread::current().id();
        // Report the thread through the panic message so the test can compare it.
        panic!("{:?}", here);
    });
    let err = rt.block_on(panicking).unwrap_err();
    assert!(err.is_panic());
    let panicked_on = message(&*err.into_panic());

    // Many more tasks still run on the single worker, and it is the same thread.
    let handles: Vec<_> = (0..100)
        .map(|i| {
            rt.spawn(async move {
                yield_now().await;
                (i, std::thread::current().id())
            })
        })
        .collect();
    let results: Vec<(usize, ThreadId)> = rt.block_on(async move {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    });
    for (i, (v, thread)) in results.into_iter().enumerate() {
        assert_eq!(v, i);
        assert_eq!(
            format!("{thread:?}"),
            panicked_on,
            "the worker thread was replaced"
        );
    }
}

#[test]
fn many_panics_do_not_kill_the_runtime() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let handles: Vec<_> = (0..200)
        .map(|i| {
            rt.spawn(async move {
                if i % 2 == 0 {
                    panic!("even {i}");
                }
                i
            })
        })
        .collect();
    rt.block_on(async move {
        for (i, h) in handles.into_iter().enumerate() {
            match h.await {
                Ok(v) => {
                    assert_eq!(i % 2, 1);
                    assert_eq!(v, i);
                }
                Err(e) => {
                    assert_eq!(i % 2, 0);
                    assert!(e.is_panic());
                    assert_eq!(message(&*e.into_panic()), format!("even {i}"));
                }
            }
        }
    });
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn panicking_task_drops_its_locals_once() {
    let rt = current_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let h = rt.spawn(async move {
        let _g = guard;
        yield_now().await;
        panic!("after yield");
    });
    assert!(rt.block_on(h).unwrap_err().is_panic());
    assert_eq!(drops.load(SeqCst), 1);
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn detached_panicking_task_does_not_stop_others() {
    let rt = one_worker();
    drop(rt.spawn(async { panic!("nobody is watching") }));
    let v = rt.block_on(async { runtime::spawn(async { 3 }).await.unwrap() });
    assert_eq!(v, 3);
}

#[test]
fn display_names_the_task() {
    let rt = current_thread();
    rt.block_on(async {
        let h = TaskBuilder::new()
            .name("exploding_task")
            .spawn(async { panic!("kaboom") });
        let err = h.await.unwrap_err();
        assert!(err.is_panic());
        let shown = err.to_string();
        assert!(shown.contains("exploding_task"), "Display was {shown:?}");

        let h = runtime::spawn(async { panic!("kaboom") });
        let id = h.id();
        let err = h.await.unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("task {id}")),
            "Display was {shown:?}"
        );
    });
}

#[test]
fn panic_in_spawn_blocking_is_reported() {
    let rt = current_thread();
    let err = rt
        .block_on(rt.spawn_blocking(|| -> u32 { panic!("blocking boom") }))
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(message(&*err.into_panic()), "blocking boom");
    // The pool keeps serving.
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 9)).unwrap(), 9);
}

/// Panics when dropped (unless already unwinding).
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("PanicOnDrop dropped");
        }
    }
}

/// Awaits a JoinHandle on a fresh runtime in another thread, failing instead of hanging.
fn join_with_timeout<T: Send + 'static>(h: JoinHandle<T>) -> Result<T, JoinError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = current_thread();
        let _ = tx.send(rt.block_on(h));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the JoinHandle never resolved")
}

#[test]
fn panic_while_dropping_an_aborted_task_is_contained() {
    for rt in [one_worker(), current_thread()] {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let (started_tx, started_rx) = mpsc::channel();
        let h = rt.spawn(async move {
            let _g = guard;
            let _p = PanicOnDrop;
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        });
        rt.block_on(async {
            while started_rx.try_recv().is_err() {
                yield_now().await;
            }
        });
        h.abort();
        // Drive the current-thread flavor so the cancellation happens.
        rt.block_on(async {
            for _ in 0..100 {
                if h.is_finished() {
                    break;
                }
                yield_now().await;
            }
        });
        let err = join_with_timeout(h).expect_err("an aborted task does not complete");
        assert!(
            err.is_panic() || err.is_cancelled(),
            "unexpected JoinError {err}"
        );
        assert_eq!(drops.load(SeqCst), 1, "the rest of the future was dropped");
        // The runtime (and its only worker) still runs tasks.
        let (tx, rx) = mpsc::channel();
        drop(rt.spawn(async move { tx.send(5).unwrap() }));
        let v = rt.block_on(async {
            for _ in 0..100_000 {
                if let Ok(v) = rx.try_recv() {
                    return Some(v);
                }
                yield_now().await;
            }
            None
        });
        assert_eq!(v, Some(5), "the worker died with the panicking Drop");
    }
}

#[test]
fn panic_while_dropping_tasks_at_shutdown_is_contained() {
    const M: usize = 10;
    for rt in [one_worker(), current_thread()] {
        let drops = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        for _ in 0..M {
            let guard = DropCount(drops.clone());
            let started = started.clone();
            drop(rt.spawn(async move {
                let _g = guard;
                let _p = PanicOnDrop;
                started.fetch_add(1, SeqCst);
                std::future::pending::<()>().await;
            }));
        }
        rt.block_on(async {
            while started.load(SeqCst) < M {
                yield_now().await;
            }
        });
        let r = catch_unwind(AssertUnwindSafe(move || drop(rt)));
        assert!(r.is_ok(), "a panicking task Drop escaped drop(rt)");
        assert_eq!(drops.load(SeqCst), M, "every task was still dropped");
    }
}
