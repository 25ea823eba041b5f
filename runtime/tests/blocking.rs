//! The blocking pool and thread settings: spawn_blocking, max_blocking_threads, block_in_place,
//! on_thread_start/on_thread_stop, thread_name.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

use runtime::task::{block_in_place, yield_now};
use runtime::{Builder, Runtime};

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

/// A reusable barrier whose `wait` fails the test instead of hanging forever.
struct TimeoutBarrier {
    n: usize,
    state: Mutex<(usize, u64)>, // (arrived in this generation, generation)
    cv: Condvar,
}

impl TimeoutBarrier {
    fn new(n: usize) -> Self {
        TimeoutBarrier {
            n,
            state: Mutex::new((0, 0)),
            cv: Condvar::new(),
        }
    }

    fn wait(&self) {
        let mut st = self.state.lock().unwrap();
        let gen = st.1;
        st.0 += 1;
        if st.0 == self.n {
            st.0 = 0;
            st.1 += 1;
            self.cv.notify_all();
            return;
        }
        let (st, timeout) = self
            .cv
            .wait_timeout_while(st, WAIT, |st| st.1 == gen)
            .unwrap();
        assert!(
            !timeout.timed_out() || st.1 != gen,
            "barrier: no partner arrived; blocking tasks did not run concurrently"
        );
    }
}

#[test]
fn spawn_blocking_returns_its_value() {
    for rt in [current_thread(), multi_thread(2)] {
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 6 * 7)).unwrap(), 42);
        let v = rt.block_on(async {
            let a = runtime::spawn_blocking(|| String::from("from the pool"));
            let b = runtime::task::spawn_blocking(|| 5);
            (a.await.unwrap(), b.await.unwrap())
        });
        assert_eq!(v, (String::from("from the pool"), 5));
    }
}

#[test]
fn spawn_blocking_runs_off_the_calling_thread() {
    let rt = current_thread();
    let here = std::thread::current().id();
    let there = rt
        .block_on(rt.spawn_blocking(|| std::thread::current().id()))
        .unwrap();
    assert_ne!(here, there);
}

#[test]
fn max_blocking_threads_two_runs_two_at_once() {
    let active = Arc::new(AtomicUsize::new(0));
    let max_active = Arc::new(AtomicUsize::new(0));
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let barrier = Arc::new(TimeoutBarrier::new(2));
    let (done_tx, done_rx) = mpsc::channel();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (barrier, active, max_active, threads, done_tx) = (
                barrier.clone(),
                active.clone(),
                max_active.clone(),
                threads.clone(),
                done_tx.clone(),
            );
            rt.spawn_blocking(move || {
                let now = active.fetch_add(1, SeqCst) + 1;
                max_active.fetch_max(now, SeqCst);
                threads.lock().unwrap().insert(std::thread::current().id());
                // Needs a partner running at the same time.
                barrier.wait();
                active.fetch_sub(1, SeqCst);
                let _ = done_tx.send(i);
                i
            })
        })
        .collect();
    // Collect completions with a timeout first, so a pool that never runs them fails, not hangs.
    let mut done: Vec<usize> = (0..8)
        .map(|_| {
            done_rx
                .recv_timeout(WAIT)
                .expect("blocking tasks did not all run (pool stuck?)")
        })
        .collect();
    done.sort_unstable();
    assert_eq!(done, (0..8).collect::<Vec<_>>());
    let results: Vec<usize> = rt.block_on(async move {
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.expect("blocking task failed"));
        }
        out
    });
    assert_eq!(results, (0..8).collect::<Vec<_>>());
    assert_eq!(
        max_active.load(SeqCst),
        2,
        "at most max_blocking_threads at once"
    );
    assert!(
        threads.lock().unwrap().len() <= 2,
        "never more than 2 blocking threads"
    );
}

#[test]
fn max_blocking_threads_one_queues_the_rest() {
    let active = Arc::new(AtomicUsize::new(0));
    let max_active = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (active, max_active) = (active.clone(), max_active.clone());
            rt.spawn_blocking(move || {
                let now = active.fetch_add(1, SeqCst) + 1;
                max_active.fetch_max(now, SeqCst);
                std::thread::yield_now();
                active.fetch_sub(1, SeqCst);
                i * 3
            })
        })
        .collect();
    let sum: usize = rt.block_on(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..16).map(|i| i * 3).sum::<usize>());
    assert_eq!(max_active.load(SeqCst), 1);
}

#[test]
fn block_in_place_hands_off_the_worker() {
    // One worker: if block_in_place kept the worker, the sender task could never run and the
    // receive would time out.
    let rt = multi_thread(1);
    let got = rt.block_on(async {
        runtime::spawn(async {
            let (tx, rx) = mpsc::channel();
            let sender = runtime::spawn(async move {
                yield_now().await;
                tx.send(42).unwrap();
            });
            let got = block_in_place(|| rx.recv_timeout(WAIT));
            sender.await.unwrap();
            got
        })
        .await
        .unwrap()
    });
    assert_eq!(
        got,
        Ok(42),
        "another task kept running during block_in_place"
    );
}

#[test]
fn block_in_place_repeatedly_with_progress() {
    let rt = multi_thread(1);
    let progress = Arc::new(AtomicUsize::new(0));
    let p2 = progress.clone();
    let rounds = rt.block_on(async move {
        runtime::spawn(async move {
            for round in 0..20 {
                let (tx, rx) = mpsc::channel();
                let p = p2.clone();
                // Spawned from the worker: lands in its local queue / LIFO slot, which
                // block_in_place must hand over.
                let other = runtime::spawn(async move {
                    p.fetch_add(1, SeqCst);
                    tx.send(round).unwrap();
                });
                let got = block_in_place(|| rx.recv_timeout(WAIT));
                assert_eq!(got, Ok(round), "round {round}: the other task did not run");
                other.await.unwrap();
            }
            20
        })
        .await
        .unwrap()
    });
    assert_eq!(rounds, 20);
    assert_eq!(progress.load(SeqCst), 20);
    // Still healthy afterwards.
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn block_in_place_while_other_tasks_spin() {
    let rt = multi_thread(2);
    let counter = Arc::new(AtomicUsize::new(0));
    let c2 = counter.clone();
    let (tx, rx) = mpsc::channel::<()>();
    let busy = rt.spawn(async move {
        // Makes progress by yielding; signals once it has counted 100 steps.
        let mut tx = Some(tx);
        loop {
            let n = c2.fetch_add(1, SeqCst) + 1;
            if n == 100 {
                tx.take().unwrap().send(()).unwrap();
            }
            if n >= 100 {
                break;
            }
            yield_now().await;
        }
    });
    let v = rt
        .block_on(rt.spawn(async move {
            block_in_place(|| {
                rx.recv_timeout(WAIT).expect("other tasks stopped");
                7
            })
        }))
        .unwrap();
    assert_eq!(v, 7);
    rt.block_on(busy).unwrap();
    assert_eq!(counter.load(SeqCst), 100);
}

#[test]
fn block_in_place_outside_a_runtime_just_runs() {
    assert_eq!(block_in_place(|| 3), 3);
}

#[test]
fn on_thread_start_and_stop_are_called() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let names = Arc::new(Mutex::new(Vec::new()));
    let (s, t, n) = (started.clone(), stopped.clone(), names.clone());
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hooked")
        .on_thread_start(move || {
            s.fetch_add(1, SeqCst);
            n.lock()
                .unwrap()
                .push(std::thread::current().name().map(str::to_owned));
        })
        .on_thread_stop(move || {
            t.fetch_add(1, SeqCst);
        })
        .build()
        .unwrap();
    // Make sure a blocking thread exists too.
    rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    rt.block_on(rt.spawn(async {})).unwrap();
    drop(rt);
    let started = started.load(SeqCst);
    assert!(
        started >= 2,
        "both workers call on_thread_start, got {started}"
    );
    assert_eq!(
        stopped.load(SeqCst),
        started,
        "every started thread called on_thread_stop by the time drop(rt) returns"
    );
    for name in names.lock().unwrap().iter() {
        assert_eq!(
            name.as_deref(),
            Some("hooked"),
            "hook runs on the named thread"
        );
    }
}

#[test]
fn on_thread_start_current_thread_blocking_pool() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let (s, t) = (started.clone(), stopped.clone());
    let rt = Builder::new_current_thread()
        .on_thread_start(move || {
            s.fetch_add(1, SeqCst);
        })
        .on_thread_stop(move || {
            t.fetch_add(1, SeqCst);
        })
        .build()
        .unwrap();
    rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    drop(rt);
    let started = started.load(SeqCst);
    assert!(started >= 1, "the blocking thread calls on_thread_start");
    assert_eq!(stopped.load(SeqCst), started);
}

#[test]
fn thread_name_is_visible_inside_tasks() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("my-pool")
        .build()
        .unwrap();
    let names: Vec<Option<String>> = rt.block_on(async {
        let hs: Vec<_> = (0..20)
            .map(|_| runtime::spawn(async { std::thread::current().name().map(str::to_owned) }))
            .collect();
        let mut out = Vec::new();
        for h in hs {
            out.push(h.await.unwrap());
        }
        out
    });
    for name in names {
        assert_eq!(name.as_deref(), Some("my-pool"));
    }
    let blocking = rt
        .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned)))
        .unwrap();
    assert_eq!(blocking.as_deref(), Some("my-pool"));
}

#[test]
fn thread_stack_size_is_accepted() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_stack_size(4 * 1024 * 1024)
        .build()
        .unwrap();
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 2)).unwrap(), 2);
}
