//! Multi-thread scheduling: work queued on a worker that then blocks is run by the other worker
//! (stealing, or the slow-poll hand-off), both workers take part, and several threads may
//! block_on the same runtime at once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use runtime::task::yield_now;
use runtime::{Builder, Runtime};

const WAIT: Duration = Duration::from_secs(10);

fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// A task spawns children onto its own worker's queue and then blocks that worker (a bad
/// task, but a real one). The other worker must steal and run the queued children.
///
/// The child spawned last may sit in the blocked worker's LIFO slot, which peers do not steal
/// (as in Tokio); moving it off a stuck worker is the job of the slow-poll hand-off
/// (`slow_poll_threshold`), not of stealing, so this test does not wait for that one until
/// the worker is free again.
#[test]
fn queued_children_of_a_blocked_worker_are_stolen() {
    const CHILDREN: usize = 16;
    let rt = multi_thread(2);
    let (while_blocked, rx) = rt.block_on(async {
        runtime::spawn(async {
            let (tx, rx) = mpsc::channel();
            for i in 0..CHILDREN {
                let tx = tx.clone();
                drop(runtime::spawn(async move {
                    let _ = tx.send(i);
                }));
            }
            // Block this worker without block_in_place.
            let got: Result<Vec<usize>, _> =
                (0..CHILDREN - 1).map(|_| rx.recv_timeout(WAIT)).collect();
            (got, rx)
        })
        .await
        .unwrap()
    });
    let mut got = while_blocked.expect("queued children of the blocked worker were not stolen");
    got.push(
        rx.recv_timeout(WAIT)
            .expect("the last child never ran after the worker was free"),
    );
    got.sort_unstable();
    assert_eq!(got, (0..CHILDREN).collect::<Vec<_>>());
}

/// Many short tasks spawned from one worker spread over both workers.
#[test]
fn both_workers_take_part() {
    let rt = multi_thread(2);
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let running = Arc::new(AtomicUsize::new(0));
    let gave_up = Arc::new(AtomicBool::new(false));
    let (t2, r2, g2) = (threads.clone(), running.clone(), gave_up.clone());
    rt.block_on(async move {
        runtime::spawn(async move {
            let hs: Vec<_> = (0..64)
                .map(|_| {
                    let (threads, running, gave_up) = (t2.clone(), r2.clone(), g2.clone());
                    runtime::spawn(async move {
                        threads.lock().unwrap().insert(std::thread::current().id());
                        running.fetch_add(1, SeqCst);
                        // Hold the worker until another task has started: the other worker
                        // must steal it (bounded, so a scheduler that never wakes the idle
                        // worker fails instead of hanging).
                        let deadline = std::time::Instant::now() + Duration::from_secs(2);
                        while running.load(SeqCst) < 2 && !gave_up.load(SeqCst) {
                            if std::time::Instant::now() > deadline {
                                gave_up.store(true, SeqCst);
                            }
                            std::thread::yield_now();
                        }
                    })
                })
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        })
        .await
        .unwrap();
    });
    assert!(
        !gave_up.load(SeqCst),
        "the idle worker never picked up queued work"
    );
    assert_eq!(
        threads.lock().unwrap().len(),
        2,
        "tasks ran on both worker threads"
    );
}

#[test]
fn block_on_from_several_threads_multi_thread() {
    let rt = Arc::new(multi_thread(2));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let rt = rt.clone();
            std::thread::spawn(move || {
                rt.block_on(async move {
                    let mut sum = 0;
                    for i in 0..500 {
                        sum += runtime::spawn(async move {
                            yield_now().await;
                            t * 1000 + i
                        })
                        .await
                        .unwrap();
                    }
                    sum
                })
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let expected: usize = (0..4)
        .map(|t| (0..500).map(|i| t * 1000 + i).sum::<usize>())
        .sum();
    assert_eq!(total, expected);
}

#[test]
fn block_on_from_several_threads_current_thread() {
    // Only one thread at a time can drive a current-thread runtime; the others must still make
    // progress (their futures depend on spawned tasks).
    let rt = Arc::new(Builder::new_current_thread().build().unwrap());
    let threads: Vec<_> = (0..3)
        .map(|t| {
            let rt = rt.clone();
            std::thread::spawn(move || {
                rt.block_on(async move {
                    let mut sum = 0;
                    for i in 0..200 {
                        sum += runtime::spawn(async move {
                            yield_now().await;
                            t * 1000 + i
                        })
                        .await
                        .unwrap();
                    }
                    sum
                })
            })
        })
        .collect();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        tx.send(total).unwrap();
    });
    let total = rx
        .recv_timeout(WAIT)
        .expect("concurrent block_on calls on a current-thread runtime stalled");
    let expected: usize = (0..3)
        .map(|t| (0..200).map(|i| t * 1000 + i).sum::<usize>())
        .sum();
    assert_eq!(total, expected);
}
