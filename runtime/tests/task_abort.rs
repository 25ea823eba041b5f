//! Aborting tasks: before they start, while pending, after completion, through an AbortHandle,
//! from another thread; `is_finished` transitions.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use runtime::task::{yield_now, JoinError};
use runtime::{Builder, Runtime};

mod common;
use common::Gate;

const WAIT: Duration = Duration::from_secs(10);

fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

/// Counts drops into a shared counter.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A one-shot gate: tasks wait until someone opens it.
/// Yields until `cond` holds; fails the test rather than spinning forever.
async fn yield_until(mut cond: impl FnMut() -> bool) {
    for _ in 0..100_000 {
        if cond() {
            return;
        }
        yield_now().await;
    }
    panic!("condition never became true");
}

/// Waits until every sender of `rx` is gone (the task holding it dropped its future).
fn wait_disconnected(rx: &mpsc::Receiver<()>) {
    match rx.recv_timeout(WAIT) {
        Err(mpsc::RecvTimeoutError::Disconnected) => {}
        other => panic!("expected the task to drop its sender, got {other:?}"),
    }
}

/// Waits (bounded) until the task is reported finished. Completion is published right after the
/// future is dropped, so this is a short wait once `wait_disconnected` returned.
fn wait_finished<T>(h: &runtime::task::JoinHandle<T>) {
    let deadline = std::time::Instant::now() + WAIT;
    while !h.is_finished() {
        assert!(std::time::Instant::now() < deadline, "task never finished");
        std::thread::yield_now();
    }
}

fn assert_cancelled(r: Result<impl Sized, JoinError>) {
    match r {
        Err(e) => {
            assert!(e.is_cancelled(), "expected cancelled, got {e}");
            assert!(!e.is_panic());
        }
        Ok(_) => panic!("expected a cancelled JoinError, got Ok"),
    }
}

#[test]
fn abort_before_start_current_thread() {
    let rt = current_thread();
    let ran = Arc::new(AtomicBool::new(false));
    let drops = Arc::new(AtomicUsize::new(0));
    let (ran2, guard) = (ran.clone(), DropCount(drops.clone()));
    // Not polled: the current-thread runtime only runs tasks inside block_on.
    let h = rt.spawn(async move {
        let _g = guard;
        ran2.store(true, SeqCst);
        1
    });
    h.abort();
    let r = rt.block_on(h);
    assert_cancelled(r);
    assert!(!ran.load(SeqCst), "an aborted task never starts");
    assert_eq!(drops.load(SeqCst), 1, "the aborted future was dropped once");
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn abort_before_start_inside_block_on() {
    let rt = current_thread();
    let ran = Arc::new(AtomicBool::new(false));
    let ran2 = ran.clone();
    rt.block_on(async move {
        let h = runtime::spawn(async move {
            ran2.store(true, SeqCst);
        });
        h.abort();
        assert_cancelled(h.await);
    });
    assert!(!ran.load(SeqCst), "an aborted task never starts");
}

#[test]
fn abort_before_start_multi_thread_busy_worker() {
    // One worker, kept busy by a blocking task, so the target cannot start before abort().
    let rt = multi_thread(1);
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocker = rt.spawn(async move {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv();
    });
    started_rx
        .recv_timeout(WAIT)
        .expect("blocker never started");

    let ran = Arc::new(AtomicBool::new(false));
    let drops = Arc::new(AtomicUsize::new(0));
    let (ran2, guard) = (ran.clone(), DropCount(drops.clone()));
    let h = rt.spawn(async move {
        let _g = guard;
        ran2.store(true, SeqCst);
    });
    h.abort();
    release_tx.send(()).unwrap();
    assert_cancelled(rt.block_on(h));
    rt.block_on(blocker).unwrap();
    assert!(!ran.load(SeqCst), "an aborted task never starts");
    assert_eq!(drops.load(SeqCst), 1);
}

fn abort_while_pending(rt: &Runtime) {
    let drops = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicBool::new(false));
    let after_pending = Arc::new(AtomicBool::new(false));
    let (guard, started2, after2) = (
        DropCount(drops.clone()),
        started.clone(),
        after_pending.clone(),
    );
    let drops2 = drops.clone();
    rt.block_on(async move {
        let h = runtime::spawn(async move {
            let _g = guard;
            started2.store(true, SeqCst);
            std::future::pending::<()>().await;
            after2.store(true, SeqCst);
        });
        yield_until(|| started.load(SeqCst)).await;
        assert!(!h.is_finished());
        assert_eq!(drops2.load(SeqCst), 0);
        h.abort();
        assert_cancelled(h.await);
        assert_eq!(
            drops2.load(SeqCst),
            1,
            "the future is dropped by the time its JoinHandle reports cancellation"
        );
    });
    assert!(!after_pending.load(SeqCst));
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn abort_while_pending_current_thread() {
    abort_while_pending(&current_thread());
}

#[test]
fn abort_while_pending_multi_thread() {
    abort_while_pending(&multi_thread(2));
}

#[test]
fn abort_while_pending_from_outside() {
    let rt = multi_thread(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let (started_tx, started_rx) = mpsc::channel();
    let h = rt.spawn(async move {
        let _g = guard;
        started_tx.send(()).unwrap();
        std::future::pending::<u32>().await
    });
    started_rx.recv_timeout(WAIT).expect("task never started");
    h.abort();
    assert_cancelled(rt.block_on(h));
    assert_eq!(drops.load(SeqCst), 1);
}

fn abort_after_completion(rt: &Runtime) {
    rt.block_on(async {
        let h = runtime::spawn(async { 42u32 });
        yield_until(|| h.is_finished()).await;
        h.abort();
        assert!(h.is_finished());
        assert_eq!(
            h.await.expect("abort after completion keeps the output"),
            42
        );
    });
}

#[test]
fn abort_after_completion_current_thread() {
    abort_after_completion(&current_thread());
}

#[test]
fn abort_after_completion_multi_thread() {
    abort_after_completion(&multi_thread(2));
}

#[test]
fn abort_after_completion_from_outside() {
    let rt = multi_thread(2);
    let (done_tx, done_rx) = mpsc::channel();
    let h = rt.spawn(async move {
        let _tx = done_tx;
        String::from("done")
    });
    wait_disconnected(&done_rx);
    wait_finished(&h);
    let ah = h.abort_handle();
    ah.abort();
    h.abort();
    assert_eq!(rt.block_on(h).unwrap(), "done");
}

#[test]
fn abort_via_abort_handle() {
    let rt = current_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let gate = Gate::default();
    let wait = gate.wait();
    rt.block_on(async move {
        let h = runtime::spawn(async move {
            let _g = guard;
            wait.await;
            7
        });
        let ah = h.abort_handle();
        assert_eq!(ah.id(), h.id());
        assert!(!ah.is_finished());
        yield_now().await;
        yield_now().await;
        assert!(!ah.is_finished());
        ah.abort();
        assert_cancelled(h.await);
        assert!(ah.is_finished());
    });
    assert_eq!(drops.load(SeqCst), 1);
    // Opening the gate afterwards wakes a dead task: harmless.
    gate.open();
}

#[test]
fn abort_handle_outlives_join_handle() {
    let rt = current_thread();
    let ran = Arc::new(AtomicBool::new(false));
    let ran2 = ran.clone();
    let h = rt.spawn(async move {
        ran2.store(true, SeqCst);
    });
    let ah = h.abort_handle();
    drop(h);
    ah.abort();
    rt.block_on(yield_until(|| ah.is_finished()));
    assert!(
        !ran.load(SeqCst),
        "aborting a detached task still cancels it"
    );
    ah.abort(); // aborting a finished task is a no-op
}

#[test]
fn abort_from_another_thread() {
    let rt = multi_thread(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let (started_tx, started_rx) = mpsc::channel();
    let h = rt.spawn(async move {
        let _g = guard;
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    started_rx.recv_timeout(WAIT).expect("task never started");
    let ah = h.abort_handle();
    std::thread::spawn(move || ah.abort()).join().unwrap();
    assert_cancelled(rt.block_on(h));
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn join_handle_abort_from_another_thread() {
    let rt = multi_thread(2);
    let (started_tx, started_rx) = mpsc::channel();
    let h = rt.spawn(async move {
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    started_rx.recv_timeout(WAIT).expect("task never started");
    let h = std::thread::spawn(move || {
        h.abort();
        h
    })
    .join()
    .unwrap();
    assert_cancelled(rt.block_on(h));
}

#[test]
fn abort_many_racing_with_completion() {
    // Tasks that may or may not have completed when aborted: each gives Ok or cancelled, and
    // every future is dropped exactly once.
    const N: usize = 2_000;
    let rt = multi_thread(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let guard = DropCount(drops.clone());
            rt.spawn(async move {
                let _g = guard;
                if i % 2 == 0 {
                    yield_now().await;
                }
                i
            })
        })
        .collect();
    for h in &handles {
        h.abort();
    }
    rt.block_on(async move {
        for (i, h) in handles.into_iter().enumerate() {
            match h.await {
                Ok(v) => assert_eq!(v, i),
                Err(e) => assert!(e.is_cancelled()),
            }
        }
    });
    assert_eq!(drops.load(SeqCst), N);
}

#[test]
fn is_finished_transitions() {
    let rt = current_thread();
    let gate = Gate::default();
    let wait = gate.wait();
    rt.block_on(async move {
        let h = runtime::spawn(async move {
            wait.await;
            5
        });
        assert!(!h.is_finished(), "not finished before it ran");
        for _ in 0..5 {
            yield_now().await;
        }
        assert!(!h.is_finished(), "not finished while pending");
        gate.open();
        yield_until(|| h.is_finished()).await;
        assert!(h.is_finished());
        assert_eq!(h.await.unwrap(), 5);
    });
}

#[test]
fn is_finished_multi_thread() {
    let rt = multi_thread(2);
    let gate = Gate::default();
    let wait = gate.wait();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let h = rt.spawn(async move {
        let _tx = done_tx;
        wait.await;
        5
    });
    assert!(!h.is_finished());
    gate.open();
    wait_disconnected(&done_rx);
    wait_finished(&h);
    assert!(h.is_finished());
    assert_eq!(rt.block_on(h).unwrap(), 5);
}

#[test]
fn task_aborting_itself_is_cancelled_at_its_next_yield() {
    for rt in [current_thread(), multi_thread(2)] {
        let (ah_tx, ah_rx) = mpsc::channel::<runtime::task::AbortHandle>();
        let after = Arc::new(AtomicBool::new(false));
        let drops = Arc::new(AtomicUsize::new(0));
        let (after2, guard) = (after.clone(), DropCount(drops.clone()));
        let h = rt.spawn(async move {
            let _g = guard;
            let me = ah_rx.recv_timeout(WAIT).unwrap();
            me.abort();
            yield_now().await;
            after2.store(true, SeqCst);
        });
        ah_tx.send(h.abort_handle()).unwrap();
        assert_cancelled(rt.block_on(h));
        assert!(!after.load(SeqCst), "the task ran past its next yield");
        assert_eq!(drops.load(SeqCst), 1);
    }
}

#[test]
fn task_aborting_itself_then_finishing_keeps_its_output() {
    let rt = current_thread();
    let (ah_tx, ah_rx) = mpsc::channel::<runtime::task::AbortHandle>();
    let h = rt.spawn(async move {
        ah_rx.recv_timeout(WAIT).unwrap().abort();
        "finished"
    });
    ah_tx.send(h.abort_handle()).unwrap();
    // The task returned Ready in the same poll that aborted it: it completed.
    assert_eq!(rt.block_on(h).unwrap(), "finished");
}
