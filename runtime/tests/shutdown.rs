//! Shutting a runtime down: every task is dropped exactly once by the time `drop(rt)` returns,
//! JoinHandles of dropped tasks resolve to cancelled, spawning afterwards gives a cancelled
//! handle, `shutdown_timeout` and `shutdown_background` return with a stuck task.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use runtime::task::{yield_now, JoinHandle};
use runtime::{Handle, Runtime};

mod common;
use common::{current_thread, multi_thread, Gate};

const N: usize = 10_000;
const WAIT: Duration = Duration::from_secs(10);

/// Counts drops; optionally signals when the counter reaches `signal_at`.
struct DropCount {
    count: Arc<AtomicUsize>,
    signal: Option<(usize, mpsc::Sender<()>)>,
}

impl DropCount {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        DropCount {
            count: count.clone(),
            signal: None,
        }
    }
}

impl Drop for DropCount {
    fn drop(&mut self) {
        let now = self.count.fetch_add(1, SeqCst) + 1;
        if let Some((at, tx)) = self.signal.take() {
            if now == at {
                let _ = tx.send(());
            }
        }
    }
}

/// Spawns `n` tasks that hold a drop guard and then wait forever; returns once all have been
/// polled (so they are idle, not queued) together with their handles.
fn spawn_pending(rt: &Runtime, n: usize, drops: &Arc<AtomicUsize>) -> Vec<JoinHandle<()>> {
    let started = Arc::new(AtomicUsize::new(0));
    let (all_tx, all_rx) = mpsc::channel();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let guard = DropCount::new(drops);
            let started = started.clone();
            let all_tx = all_tx.clone();
            rt.spawn(async move {
                let _g = guard;
                if started.fetch_add(1, SeqCst) + 1 == n {
                    all_tx.send(()).unwrap();
                }
                drop(all_tx);
                std::future::pending::<()>().await;
            })
        })
        .collect();
    // On the current-thread flavor nothing runs outside block_on: drive it until all started.
    rt.block_on(async {
        while started.load(SeqCst) < n {
            yield_now().await;
        }
    });
    all_rx.recv_timeout(WAIT).expect("tasks never started");
    handles
}

fn drop_with_pending_tasks(rt: Runtime) {
    let drops = Arc::new(AtomicUsize::new(0));
    let handles = spawn_pending(&rt, N, &drops);
    drop(handles); // detached: only the runtime owns them now
    assert_eq!(drops.load(SeqCst), 0);
    drop(rt);
    assert_eq!(
        drops.load(SeqCst),
        N,
        "every pending task is dropped exactly once by the time drop(rt) returns"
    );
}

#[test]
fn drop_with_pending_tasks_multi_thread() {
    drop_with_pending_tasks(multi_thread());
}

#[test]
fn drop_with_pending_tasks_current_thread() {
    drop_with_pending_tasks(current_thread());
}

#[test]
fn drop_with_queued_never_polled_tasks_current_thread() {
    let rt = current_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..N {
        let guard = DropCount::new(&drops);
        let ran = ran.clone();
        drop(rt.spawn(async move {
            let _g = guard;
            ran.fetch_add(1, SeqCst);
        }));
    }
    assert_eq!(drops.load(SeqCst), 0);
    drop(rt);
    assert_eq!(ran.load(SeqCst), 0, "shutdown does not poll queued tasks");
    assert_eq!(
        drops.load(SeqCst),
        N,
        "every queued task dropped exactly once"
    );
}

#[test]
fn drop_with_queued_tasks_and_held_handles() {
    let rt = current_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..1000)
        .map(|_| {
            let guard = DropCount::new(&drops);
            rt.spawn(async move {
                let _g = guard;
            })
        })
        .collect();
    drop(rt);
    assert_eq!(
        drops.load(SeqCst),
        1000,
        "held JoinHandles do not keep futures alive"
    );
    for h in &handles {
        assert!(h.is_finished());
    }
    let other = current_thread();
    other.block_on(async move {
        for h in handles {
            assert!(h.await.unwrap_err().is_cancelled());
        }
    });
}

fn handles_resolve_cancelled_on_another_runtime(rt: Runtime) {
    let drops = Arc::new(AtomicUsize::new(0));
    let finished = rt.spawn(async { 5 });
    rt.block_on(async {
        while !finished.is_finished() {
            yield_now().await;
        }
    });
    let handles = spawn_pending(&rt, 100, &drops);
    drop(rt);
    assert_eq!(drops.load(SeqCst), 100);
    let other = current_thread();
    other.block_on(async move {
        for h in handles {
            assert!(h.is_finished());
            let err = h.await.unwrap_err();
            assert!(err.is_cancelled(), "pending task at shutdown is cancelled");
        }
        assert_eq!(
            finished.await.unwrap(),
            5,
            "a finished task keeps its output"
        );
    });
}

#[test]
fn handles_resolve_cancelled_on_another_runtime_multi_thread() {
    handles_resolve_cancelled_on_another_runtime(multi_thread());
}

#[test]
fn handles_resolve_cancelled_on_another_runtime_current_thread() {
    handles_resolve_cancelled_on_another_runtime(current_thread());
}

fn spawn_after_shutdown(rt: Runtime) {
    let handle: Handle = rt.handle().clone();
    drop(rt);
    let ran = Arc::new(AtomicBool::new(false));
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount::new(&drops);
    let ran2 = ran.clone();
    let h = handle.spawn(async move {
        let _g = guard;
        ran2.store(true, SeqCst);
        1
    });
    assert_eq!(drops.load(SeqCst), 1, "the future is dropped at once");
    let other = current_thread();
    let r = other.block_on(h);
    assert!(r.unwrap_err().is_cancelled());
    assert!(!ran.load(SeqCst));
}

#[test]
fn spawn_after_shutdown_multi_thread() {
    spawn_after_shutdown(multi_thread());
}

#[test]
fn spawn_after_shutdown_current_thread() {
    spawn_after_shutdown(current_thread());
}

/// A task's Drop spawns a new task through a handle while the runtime is shutting down:
/// no deadlock, and the late task is dropped too.
fn spawn_from_drop_during_shutdown(rt: Runtime) {
    struct SpawnOnDrop {
        handle: Handle,
        late_drops: Arc<AtomicUsize>,
    }
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let guard = DropCount::new(&self.late_drops);
            drop(self.handle.spawn(async move {
                let _g = guard;
            }));
        }
    }
    let late_drops = Arc::new(AtomicUsize::new(0));
    let drops = Arc::new(AtomicUsize::new(0));
    const M: usize = 100;
    let _handles = {
        let started = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..M)
            .map(|_| {
                let s = SpawnOnDrop {
                    handle: rt.handle().clone(),
                    late_drops: late_drops.clone(),
                };
                let guard = DropCount::new(&drops);
                let started = started.clone();
                rt.spawn(async move {
                    let _s = s;
                    let _g = guard;
                    started.fetch_add(1, SeqCst);
                    std::future::pending::<()>().await;
                })
            })
            .collect();
        rt.block_on(async {
            while started.load(SeqCst) < M {
                yield_now().await;
            }
        });
        hs
    };
    drop(rt);
    assert_eq!(drops.load(SeqCst), M);
    assert_eq!(
        late_drops.load(SeqCst),
        M,
        "tasks spawned during shutdown are dropped"
    );
}

#[test]
fn spawn_from_drop_during_shutdown_multi_thread() {
    spawn_from_drop_during_shutdown(multi_thread());
}

#[test]
fn spawn_from_drop_during_shutdown_current_thread() {
    spawn_from_drop_during_shutdown(current_thread());
}

/// Tasks are woken from another thread while the runtime is being dropped.
#[test]
fn wake_racing_with_shutdown() {
    const M: usize = 1_000;
    let rt = multi_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let gates: Vec<Gate> = (0..M).map(|_| Gate::default()).collect();
    let started = Arc::new(AtomicUsize::new(0));
    for gate in &gates {
        let wait = gate.wait();
        let guard = DropCount::new(&drops);
        let started = started.clone();
        drop(rt.spawn(async move {
            let _g = guard;
            started.fetch_add(1, SeqCst);
            wait.await;
            yield_now().await;
        }));
    }
    rt.block_on(async {
        while started.load(SeqCst) < M {
            yield_now().await;
        }
    });
    let opener_gates = gates.clone();
    let opener = std::thread::spawn(move || {
        for g in &opener_gates {
            g.open();
        }
    });
    drop(rt);
    opener.join().unwrap();
    assert_eq!(drops.load(SeqCst), M);
    drop(gates);
}

#[test]
fn wake_after_shutdown_is_harmless() {
    for rt in [current_thread(), multi_thread()] {
        let drops = Arc::new(AtomicUsize::new(0));
        let gate = Gate::default();
        let wait = gate.wait();
        let guard = DropCount::new(&drops);
        let h = rt.spawn(async move {
            let _g = guard;
            wait.await;
        });
        rt.block_on(async {
            // Let the task register its waker.
            for _ in 0..10 {
                yield_now().await;
            }
        });
        drop(rt);
        assert_eq!(drops.load(SeqCst), 1);
        gate.open(); // wakes a task of a runtime that is gone
        let other = current_thread();
        assert!(other.block_on(h).unwrap_err().is_cancelled());
    }
}

#[test]
fn shutdown_timeout_with_a_stuck_task() {
    let rt = multi_thread();
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (gone_tx, gone_rx) = mpsc::channel();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut guard = DropCount::new(&drops);
    guard.signal = Some((1, gone_tx));
    drop(rt.spawn(async move {
        let _g = guard;
        started_tx.send(()).unwrap();
        // Blocks its worker thread until released.
        let _ = release_rx.recv();
    }));
    started_rx.recv_timeout(WAIT).expect("task never started");
    let pending_drops = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let g = DropCount::new(&pending_drops);
        drop(rt.spawn(async move {
            let _g = g;
            std::future::pending::<()>().await;
        }));
    }
    rt.shutdown_timeout(Duration::from_millis(100));
    // It returned although the task is still stuck. Release it so its thread can end.
    release_tx.send(()).unwrap();
    gone_rx
        .recv_timeout(WAIT)
        .expect("the released task's future is dropped");
    assert_eq!(drops.load(SeqCst), 1);
    // Once the stuck worker is free, nothing is leaked: the other tasks are dropped as well.
    let deadline = std::time::Instant::now() + WAIT;
    while pending_drops.load(SeqCst) < 100 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of 100 pending tasks were dropped",
            pending_drops.load(SeqCst)
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(pending_drops.load(SeqCst), 100);
}

/// A task on another runtime awaits a JoinHandle of this one; dropping this runtime wakes it.
#[test]
fn join_waiter_on_another_runtime_is_woken_by_shutdown() {
    for rt in [current_thread(), multi_thread()] {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut handles = spawn_pending(&rt, 1, &drops);
        let h = handles.pop().unwrap();
        let other = multi_thread();
        let (polled_tx, polled_rx) = mpsc::channel();
        let (result_tx, result_rx) = mpsc::channel();
        drop(other.spawn(async move {
            let mut h = h;
            let mut first = true;
            let r = std::future::poll_fn(move |cx| {
                let r = std::pin::Pin::new(&mut h).poll(cx);
                if first {
                    first = false;
                    polled_tx.send(()).unwrap();
                }
                r
            })
            .await;
            result_tx.send(r.map_err(|e| e.is_cancelled())).unwrap();
        }));
        polled_rx
            .recv_timeout(WAIT)
            .expect("the waiter never polled the handle");
        drop(rt);
        assert_eq!(drops.load(SeqCst), 1);
        let r = result_rx
            .recv_timeout(WAIT)
            .expect("shutdown did not wake the task awaiting the JoinHandle");
        assert_eq!(r, Err(true), "the JoinHandle resolves to cancelled");
    }
}

#[test]
fn shutdown_timeout_with_a_stuck_blocking_task() {
    for rt in [current_thread(), multi_thread()] {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        drop(rt.spawn_blocking(move || {
            let _done = done_tx;
            started_tx.send(()).unwrap();
            let _ = release_rx.recv();
        }));
        started_rx
            .recv_timeout(WAIT)
            .expect("blocking task never started");
        rt.shutdown_timeout(Duration::from_millis(100));
        // It returned although the blocking task is still stuck; release it so its thread ends.
        release_tx.send(()).unwrap();
        assert!(matches!(
            done_rx.recv_timeout(WAIT),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ));
    }
}

#[test]
fn shutdown_timeout_without_stuck_work_drops_everything() {
    for rt in [current_thread(), multi_thread()] {
        let drops = Arc::new(AtomicUsize::new(0));
        drop(spawn_pending(&rt, 1000, &drops));
        rt.shutdown_timeout(Duration::from_secs(10));
        assert_eq!(drops.load(SeqCst), 1000);
    }
}

#[test]
fn shutdown_background_returns() {
    for rt in [current_thread(), multi_thread()] {
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        drop(rt.spawn_blocking(move || {
            started_tx.send(()).unwrap();
            let _ = release_rx.recv();
        }));
        started_rx
            .recv_timeout(WAIT)
            .expect("blocking task never started");

        let drops = Arc::new(AtomicUsize::new(0));
        let (all_tx, all_rx) = mpsc::channel();
        let started = Arc::new(AtomicUsize::new(0));
        for _ in 0..1000 {
            let mut g = DropCount::new(&drops);
            g.signal = Some((1000, all_tx.clone()));
            let started = started.clone();
            drop(rt.spawn(async move {
                let _g = g;
                started.fetch_add(1, SeqCst);
                std::future::pending::<()>().await;
            }));
        }
        drop(all_tx);
        rt.block_on(async {
            while started.load(SeqCst) < 1000 {
                yield_now().await;
            }
        });
        rt.shutdown_background();
        release_tx.send(()).unwrap();
        all_rx
            .recv_timeout(WAIT)
            .expect("tasks are dropped in the background");
        assert_eq!(drops.load(SeqCst), 1000);
    }
}

/// A task is inside block_in_place when the runtime shuts down: shutdown_timeout returns, and
/// once released the task's future is dropped.
#[test]
fn shutdown_timeout_during_block_in_place() {
    let rt = multi_thread();
    let (inside_tx, inside_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (gone_tx, gone_rx) = mpsc::channel();
    let drops = Arc::new(AtomicUsize::new(0));
    let mut guard = DropCount::new(&drops);
    guard.signal = Some((1, gone_tx));
    drop(rt.spawn(async move {
        let _g = guard;
        runtime::task::block_in_place(|| {
            inside_tx.send(()).unwrap();
            let _ = release_rx.recv();
        });
        // Still a task after block_in_place: wait here until shutdown drops us.
        std::future::pending::<()>().await;
    }));
    inside_rx
        .recv_timeout(WAIT)
        .expect("never entered block_in_place");
    // Other tasks still run while it blocks.
    assert_eq!(rt.block_on(rt.spawn(async { 3 })).unwrap(), 3);
    rt.shutdown_timeout(Duration::from_millis(100));
    release_tx.send(()).unwrap();
    gone_rx
        .recv_timeout(WAIT)
        .expect("the task that was in block_in_place is dropped after release");
    assert_eq!(drops.load(SeqCst), 1);
}
