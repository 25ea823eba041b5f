//! Fairness on a single worker: a task that keeps making itself runnable (yield_now loops,
//! always-ready leaf futures, ping-pong wake-ups through the LIFO slot) does not starve a
//! task that the busy one is waiting for.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use runtime::task::{yield_now, JoinHandle};
use runtime::{Builder, Runtime};

const WAIT: Duration = Duration::from_secs(10);
const LIMIT: usize = 100_000;

fn one_worker() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap()
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

#[test]
fn yield_loop_does_not_starve_a_task_spawned_from_outside() {
    let rt = one_worker();
    let flag = Arc::new(AtomicBool::new(false));
    let f1 = flag.clone();
    let (spinning_tx, spinning_rx) = mpsc::channel();
    let spinner = rt.spawn(async move {
        let mut n = 0usize;
        let mut spinning_tx = Some(spinning_tx);
        while !f1.load(SeqCst) {
            n += 1;
            if n == 10 {
                spinning_tx.take().unwrap().send(()).unwrap();
            }
            if n >= LIMIT {
                return Err(n);
            }
            yield_now().await;
        }
        Ok(n)
    });
    // Spawn the setter only once the spinner is already looping on the only worker.
    spinning_rx.recv_timeout(WAIT).expect("spinner never ran");
    let f2 = flag.clone();
    drop(rt.spawn(async move {
        f2.store(true, SeqCst);
    }));
    let r = rt.block_on(spinner).unwrap();
    assert!(r.is_ok(), "the setter was starved for {LIMIT} yields");
}

#[test]
fn yield_loop_does_not_starve_a_task_it_spawned() {
    for rt in [one_worker(), current_thread()] {
        let r = rt.block_on(async {
            runtime::spawn(async {
                let flag = Arc::new(AtomicBool::new(false));
                let f2 = flag.clone();
                drop(runtime::spawn(async move {
                    f2.store(true, SeqCst);
                }));
                let mut n = 0usize;
                while !flag.load(SeqCst) {
                    n += 1;
                    if n >= LIMIT {
                        return Err(n);
                    }
                    yield_now().await;
                }
                Ok(n)
            })
            .await
            .unwrap()
        });
        assert!(r.is_ok(), "the spawned setter was starved");
    }
}

/// A counter that can be awaited: `wait_past(seen)` is ready once the count exceeds `seen`.
#[derive(Default)]
struct Signal {
    count: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    fn notify(&self) {
        self.count.fetch_add(1, SeqCst);
        let w = self.waker.lock().unwrap().take();
        if let Some(w) = w {
            w.wake();
        }
    }

    fn wait_past(self: &Arc<Self>, seen: usize) -> impl Future<Output = usize> + Send + 'static {
        let this = self.clone();
        std::future::poll_fn(move |cx| {
            let c = this.count.load(SeqCst);
            if c > seen {
                return Poll::Ready(c);
            }
            *this.waker.lock().unwrap() = Some(cx.waker().clone());
            let c = this.count.load(SeqCst);
            if c > seen {
                Poll::Ready(c)
            } else {
                Poll::Pending
            }
        })
    }
}

/// Two tasks wake each other back and forth (each wake-up from a running task is a candidate
/// for the LIFO slot). A third task, spawned while they play, must still get to run.
fn ping_pong_does_not_starve(rt: &Runtime, third_from_inside: bool) {
    let stop = Arc::new(AtomicBool::new(false));
    let to_ping = Arc::new(Signal::default());
    let to_pong = Arc::new(Signal::default());
    let (playing_tx, playing_rx) = mpsc::channel::<()>();

    let pong = {
        let (stop, to_ping, to_pong) = (stop.clone(), to_ping.clone(), to_pong.clone());
        rt.spawn(async move {
            let mut seen = 0;
            loop {
                seen = to_pong.wait_past(seen).await;
                to_ping.notify();
                if stop.load(SeqCst) {
                    return;
                }
            }
        })
    };

    let third_stop_inside = stop.clone();
    let ping = {
        let (stop, to_ping, to_pong) = (stop.clone(), to_ping.clone(), to_pong.clone());
        rt.spawn(async move {
            let mut seen = 0;
            let mut playing_tx = Some(playing_tx);
            let mut third_stop = Some(third_stop_inside);
            for i in 0..LIMIT {
                if stop.load(SeqCst) {
                    to_pong.notify(); // let pong see the stop flag and finish
                    return Ok(i);
                }
                if i == 10 {
                    if third_from_inside {
                        let s = third_stop.take().unwrap();
                        drop(runtime::spawn(async move {
                            s.store(true, SeqCst);
                        }));
                    } else {
                        playing_tx.take().unwrap().send(()).unwrap();
                    }
                }
                to_pong.notify();
                seen = to_ping.wait_past(seen).await;
            }
            stop.store(true, SeqCst);
            to_pong.notify();
            Err(LIMIT)
        })
    };

    if !third_from_inside {
        playing_rx.recv_timeout(WAIT).expect("ping never started");
        let third_stop = stop.clone();
        drop(rt.spawn(async move {
            third_stop.store(true, SeqCst);
        }));
    }
    let r = rt.block_on(ping).unwrap();
    rt.block_on(pong).unwrap();
    assert!(
        r.is_ok(),
        "the third task was starved by {LIMIT} ping-pong rounds"
    );
}

#[test]
fn ping_pong_does_not_starve_a_task_from_outside() {
    ping_pong_does_not_starve(&one_worker(), false);
}

#[test]
fn ping_pong_does_not_starve_a_task_spawned_inside() {
    ping_pong_does_not_starve(&one_worker(), true);
}

#[test]
fn ping_pong_does_not_starve_on_current_thread() {
    ping_pong_does_not_starve(&current_thread(), true);
}

/// A task awaits many JoinHandles that are all already finished: each is ready at once, so
/// without a budget the task would never yield. A task it spawned just before must run
/// before it gets through all of them.
fn ready_join_handles_consume_budget(rt: &Runtime) {
    const M: usize = 5_000;
    let (seen_at, total) = rt.block_on(async {
        runtime::spawn(async {
            let children: Vec<JoinHandle<usize>> =
                (0..M).map(|i| runtime::spawn(async move { i })).collect();
            for c in &children {
                let mut spins = 0;
                while !c.is_finished() {
                    spins += 1;
                    assert!(spins < LIMIT);
                    yield_now().await;
                }
            }
            let flag = Arc::new(AtomicBool::new(false));
            let f2 = flag.clone();
            drop(runtime::spawn(async move {
                f2.store(true, SeqCst);
            }));
            let mut seen_at = None;
            let mut total = 0;
            for (i, c) in children.into_iter().enumerate() {
                total += c.await.unwrap();
                if seen_at.is_none() && flag.load(SeqCst) {
                    seen_at = Some(i);
                }
            }
            (seen_at, total)
        })
        .await
        .unwrap()
    });
    assert_eq!(total, (0..M).sum::<usize>());
    assert!(
        seen_at.is_some(),
        "awaiting {M} ready JoinHandles never gave another task a turn (no coop budget)"
    );
}

#[test]
fn ready_join_handles_consume_budget_multi_thread() {
    ready_join_handles_consume_budget(&one_worker());
}

#[test]
fn ready_join_handles_consume_budget_current_thread() {
    ready_join_handles_consume_budget(&current_thread());
}
