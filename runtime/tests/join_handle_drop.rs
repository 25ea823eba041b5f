//! Dropping a JoinHandle detaches the task: it still runs to completion, and its output is
//! dropped exactly once, whether the output was produced before or after the handle went away.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use runtime::task::yield_now;
use runtime::Runtime;

mod common;
use common::{current_thread, multi_thread, Gate};

const WAIT: Duration = Duration::from_secs(10);

/// An output value that counts its drops and, optionally, reports them on a channel.
struct Output {
    drops: Arc<AtomicUsize>,
    tx: Option<mpsc::Sender<()>>,
}

impl Drop for Output {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(());
        }
    }
}

fn dropped_while_running(rt: Runtime, is_current_thread: bool) {
    let drops = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let (dropped_tx, dropped_rx) = mpsc::channel();
    let gate = Gate::default();
    let wait = gate.wait();
    let drops2 = drops.clone();
    let h = rt.spawn(async move {
        started_tx.send(()).unwrap();
        wait.await;
        done_tx.send(()).unwrap();
        Output {
            drops: drops2,
            tx: Some(dropped_tx),
        }
    });
    if is_current_thread {
        rt.block_on(async {
            while started_rx.try_recv().is_err() {
                yield_now().await;
            }
        });
    } else {
        started_rx.recv_timeout(WAIT).expect("task never started");
    }
    drop(h);
    gate.open();
    if is_current_thread {
        // Drive the runtime until the detached task has finished.
        rt.block_on(async {
            while done_rx.try_recv().is_err() {
                yield_now().await;
            }
        });
    } else {
        done_rx
            .recv_timeout(WAIT)
            .expect("a detached task still runs to completion");
    }
    // The output nobody can collect is dropped once the task completes.
    dropped_rx
        .recv_timeout(WAIT)
        .expect("the output of a detached task is dropped");
    assert_eq!(drops.load(SeqCst), 1);
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1, "the output is dropped exactly once");
}

#[test]
fn dropped_while_running_multi_thread() {
    dropped_while_running(multi_thread(), false);
}

#[test]
fn dropped_while_running_current_thread() {
    dropped_while_running(current_thread(), true);
}

#[test]
fn dropped_before_the_task_starts_still_runs() {
    let rt = current_thread();
    let ran = Arc::new(AtomicBool::new(false));
    let drops = Arc::new(AtomicUsize::new(0));
    let (ran2, drops2) = (ran.clone(), drops.clone());
    let h = rt.spawn(async move {
        ran2.store(true, SeqCst);
        Output {
            drops: drops2,
            tx: None,
        }
    });
    drop(h);
    assert!(!ran.load(SeqCst));
    rt.block_on(async {
        for _ in 0..100 {
            if ran.load(SeqCst) {
                break;
            }
            yield_now().await;
        }
    });
    assert!(
        ran.load(SeqCst),
        "dropping the JoinHandle detaches, it does not cancel"
    );
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1);
}

fn dropped_after_completion(rt: &Runtime) {
    let drops = Arc::new(AtomicUsize::new(0));
    let drops2 = drops.clone();
    rt.block_on(async move {
        let h = runtime::spawn(async move {
            Output {
                drops: drops2,
                tx: None,
            }
        });
        for _ in 0..100_000 {
            if h.is_finished() {
                break;
            }
            yield_now().await;
        }
        assert!(h.is_finished());
        assert_eq!(
            drops.load(SeqCst),
            0,
            "the stored output is alive until collected"
        );
        drop(h);
        assert_eq!(
            drops.load(SeqCst),
            1,
            "dropping the JoinHandle of a finished task drops its output"
        );
    });
}

#[test]
fn dropped_after_completion_current_thread() {
    dropped_after_completion(&current_thread());
}

#[test]
fn dropped_after_completion_multi_thread() {
    dropped_after_completion(&multi_thread());
}

#[test]
fn awaited_output_is_dropped_once() {
    let rt = multi_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let drops2 = drops.clone();
    let out = rt
        .block_on(rt.spawn(async move {
            Output {
                drops: drops2,
                tx: None,
            }
        }))
        .unwrap();
    assert_eq!(drops.load(SeqCst), 0);
    drop(out);
    drop(rt);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn many_detached_tasks_racing_completion() {
    // Handles dropped while their tasks may be running or completing on another worker.
    const N: usize = 5_000;
    let rt = multi_thread();
    let drops = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (all_done_tx, all_done_rx) = mpsc::channel();
    for i in 0..N {
        let drops = drops.clone();
        let finished = finished.clone();
        let all_done_tx = all_done_tx.clone();
        let h = rt.spawn(async move {
            if i % 3 == 0 {
                yield_now().await;
            }
            if finished.fetch_add(1, SeqCst) + 1 == N {
                all_done_tx.send(()).unwrap();
            }
            Output { drops, tx: None }
        });
        if i % 2 == 0 {
            std::thread::yield_now();
        }
        drop(h);
    }
    all_done_rx
        .recv_timeout(WAIT)
        .expect("every detached task completes");
    drop(rt);
    assert_eq!(finished.load(SeqCst), N);
    assert_eq!(drops.load(SeqCst), N, "each output dropped exactly once");
}
