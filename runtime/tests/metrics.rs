//! `Handle::metrics`: worker count, alive tasks, queue depths, per-worker polls, steals and
//! parks, and blocking threads, on the current-thread flavor and on 2 workers.
//!
//! Every assertion is on a state the test pins down: workers held on `std::sync::Barrier`s,
//! a current-thread runtime not yet driven, or a condition that must come true (a worker going
//! to sleep), waited for by polling the metrics (never by sleeping).

use std::sync::mpsc;
use std::sync::Barrier;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use runtime::{Builder, Handle, Runtime, RuntimeMetrics};

mod common;
use common::{current_thread, multi_thread, Gate};

/// How long a test waits for something that must happen before calling it a hang.
const WAIT: Duration = Duration::from_secs(30);

/// Polls the runtime's metrics until `done` holds (a condition that must come true).
fn wait_for_metrics(handle: &Handle, what: &str, done: impl Fn(&RuntimeMetrics) -> bool) {
    let start = Instant::now();
    loop {
        let metrics = handle.metrics();
        if done(&metrics) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "hang waiting for {what}: {metrics:?}"
        );
        std::thread::yield_now();
    }
}

fn total_steals(metrics: &RuntimeMetrics) -> u64 {
    (0..metrics.num_workers())
        .map(|w| metrics.worker_steal_count(w))
        .sum()
}

fn total_local_depth(metrics: &RuntimeMetrics) -> usize {
    (0..metrics.num_workers())
        .map(|w| metrics.worker_local_queue_depth(w))
        .sum()
}

#[test]
fn num_workers_per_flavor() {
    assert_eq!(current_thread().handle().metrics().num_workers(), 1);
    assert_eq!(multi_thread().handle().metrics().num_workers(), 2);
    let three = Builder::new_multi_thread()
        .worker_threads(3)
        .build()
        .unwrap();
    let metrics = three.handle().metrics();
    assert_eq!(metrics.num_workers(), 3);
    for worker in 0..3 {
        assert_eq!(metrics.worker_local_queue_depth(worker), 0);
    }
}

#[test]
#[should_panic(expected = "out of range")]
fn worker_index_out_of_range_panics() {
    let rt = current_thread();
    let _ = rt.handle().metrics().worker_poll_count(1);
}

#[test]
fn fresh_runtime_counts_nothing() {
    let rt = current_thread();
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.num_alive_tasks(), 0);
    assert_eq!(metrics.global_queue_depth(), 0);
    assert_eq!(metrics.worker_poll_count(0), 0);
    assert_eq!(metrics.worker_steal_count(0), 0);
    assert_eq!(metrics.worker_park_count(0), 0);
    assert_eq!(metrics.num_blocking_threads(), 0);
}

/// Spawns `n` tasks that wait for `gate`, checks they are counted alive, opens the gate and
/// joins them.
fn alive_tasks_round_trip(rt: &Runtime, n: usize) {
    // One gate per task: a `Gate` keeps one waker.
    let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
    let before = rt.handle().metrics().num_alive_tasks();
    assert_eq!(before, 0);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let wait = gates[i].wait();
            rt.spawn(async move {
                wait.await;
                i
            })
        })
        .collect();
    assert_eq!(rt.handle().metrics().num_alive_tasks(), n);
    // Let them all run up to the gate: still alive.
    rt.block_on(async {
        for _ in 0..4 {
            runtime::task::yield_now().await;
        }
    });
    assert_eq!(rt.handle().metrics().num_alive_tasks(), n);
    gates.iter().for_each(Gate::open);
    rt.block_on(async move {
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i);
        }
    });
}

#[test]
fn alive_tasks_current_thread() {
    let rt = current_thread();
    alive_tasks_round_trip(&rt, 5);
    // A task leaves the owned list on the thread that completes it, before the next poll of
    // `block_on`'s future: on this flavor the count is back at once.
    assert_eq!(rt.handle().metrics().num_alive_tasks(), 0);
}

#[test]
fn alive_tasks_multi_thread() {
    let rt = multi_thread();
    alive_tasks_round_trip(&rt, 5);
    // A worker removes a finished task from the owned list just after waking its JoinHandle.
    wait_for_metrics(rt.handle(), "alive tasks back to 0", |m| {
        m.num_alive_tasks() == 0
    });
}

const TASKS: usize = 10;
const YIELDS: usize = 7;

/// Spawns `TASKS` tasks that each yield `YIELDS` times, and joins them.
fn spawn_yielders(rt: &Runtime) {
    rt.block_on(async {
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                runtime::spawn(async {
                    for _ in 0..YIELDS {
                        runtime::task::yield_now().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

#[test]
fn polls_counted_current_thread() {
    let rt = current_thread();
    spawn_yielders(&rt);
    let metrics = rt.handle().metrics();
    // Each task is polled once, then once per yield; `block_on`'s own future is not a task.
    assert_eq!(metrics.worker_poll_count(0), (TASKS * (YIELDS + 1)) as u64);
    assert_eq!(metrics.total_poll_count(), (TASKS * (YIELDS + 1)) as u64);
    assert_eq!(metrics.worker_steal_count(0), 0);
    assert_eq!(metrics.worker_steal_operations(0), 0);
}

#[test]
fn polls_counted_multi_thread() {
    let rt = multi_thread();
    spawn_yielders(&rt);
    // Every poll was counted (by the worker, before it ran the task) before the task finished.
    let metrics = rt.handle().metrics();
    let polls: u64 = (0..2).map(|w| metrics.worker_poll_count(w)).sum();
    assert!(polls >= (TASKS * (YIELDS + 1)) as u64, "{metrics:?}");
    assert_eq!(polls, metrics.total_poll_count());
}

#[test]
fn queue_depths_current_thread() {
    // Not driven yet: tasks spawned from outside wait in the shared queue.
    let rt = current_thread();
    let outside: Vec<_> = (0..3).map(|_| rt.spawn(async {})).collect();
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.global_queue_depth(), 3);
    assert_eq!(metrics.worker_local_queue_depth(0), 0);
    assert_eq!(metrics.num_alive_tasks(), 3);
    assert_eq!(metrics.worker_poll_count(0), 0);

    rt.block_on(async {
        // `block_on`'s future is polled before any task: the queues are as we left them, and
        // tasks spawned here (on the driving thread) go to the local queue.
        let inside: Vec<_> = (0..4).map(|_| runtime::spawn(async {})).collect();
        let metrics = Handle::current().metrics();
        assert_eq!(metrics.global_queue_depth(), 3);
        assert_eq!(metrics.worker_local_queue_depth(0), 4);
        for handle in outside.into_iter().chain(inside) {
            handle.await.unwrap();
        }
        let metrics = Handle::current().metrics();
        assert_eq!(metrics.global_queue_depth(), 0);
        assert_eq!(metrics.worker_local_queue_depth(0), 0);
    });
    assert_eq!(rt.handle().metrics().worker_poll_count(0), 7);
}

#[test]
fn queue_depths_multi_thread() {
    // Two tasks hold the two workers on barriers with this thread; meanwhile tasks spawned from
    // here wait in the shared queue, and tasks spawned by a held task wait in its worker's
    // LIFO slot (one) and local queue (the rest).
    const OUTSIDE: usize = 6;
    const INSIDE: usize = 5;
    let rt = multi_thread();
    let started = Arc::new(Barrier::new(3));
    let spawned = Arc::new(Barrier::new(3));
    let release = Arc::new(Barrier::new(3));
    let spawner = {
        let (started, spawned, release) = (started.clone(), spawned.clone(), release.clone());
        rt.spawn(async move {
            started.wait();
            let handles: Vec<_> = (0..INSIDE).map(|_| runtime::spawn(async {})).collect();
            spawned.wait();
            release.wait();
            handles
        })
    };
    let holder = {
        let (started, spawned, release) = (started.clone(), spawned.clone(), release.clone());
        rt.spawn(async move {
            started.wait();
            spawned.wait();
            release.wait();
        })
    };
    started.wait();
    // Both workers are inside the tasks above, so nobody takes from the shared queue.
    let outside: Vec<_> = (0..OUTSIDE).map(|_| rt.spawn(async {})).collect();
    spawned.wait();
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.global_queue_depth(), OUTSIDE, "{metrics:?}");
    assert_eq!(total_local_depth(&metrics), INSIDE - 1, "{metrics:?}");
    assert_eq!(metrics.num_alive_tasks(), 2 + OUTSIDE + INSIDE);
    release.wait();
    rt.block_on(async move {
        holder.await.unwrap();
        for handle in spawner.await.unwrap().into_iter().chain(outside) {
            handle.await.unwrap();
        }
    });
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.global_queue_depth(), 0);
    assert_eq!(total_local_depth(&metrics), 0);
}

#[test]
fn steals_counted_multi_thread() {
    // A task fills its worker's queue and then holds that worker on a barrier: the other worker
    // can only run the queued tasks by stealing them (the one in the LIFO slot stays put).
    const SPAWNED: usize = 8;
    let rt = multi_thread();
    assert_eq!(total_steals(&rt.handle().metrics()), 0);
    let (ran_tx, ran_rx) = mpsc::channel();
    let hold = Arc::new(Barrier::new(2));
    let spawner = {
        let hold = hold.clone();
        rt.spawn(async move {
            let handles: Vec<_> = (0..SPAWNED)
                .map(|i| {
                    let ran_tx = ran_tx.clone();
                    runtime::spawn(async move { ran_tx.send(i).unwrap() })
                })
                .collect();
            hold.wait();
            handles
        })
    };
    let mut ran: Vec<usize> = (0..SPAWNED - 1)
        .map(|_| {
            ran_rx
                .recv_timeout(WAIT)
                .expect("queued tasks stolen and run")
        })
        .collect();
    ran.sort_unstable();
    // The last one spawned sits in the held worker's LIFO slot.
    assert_eq!(ran, (0..SPAWNED - 1).collect::<Vec<_>>());
    let metrics = rt.handle().metrics();
    assert_eq!(total_steals(&metrics), (SPAWNED - 1) as u64, "{metrics:?}");
    let operations: u64 = (0..2).map(|w| metrics.worker_steal_operations(w)).sum();
    assert!(
        (1..=(SPAWNED - 1) as u64).contains(&operations),
        "{metrics:?}"
    );
    hold.wait();
    assert_eq!(ran_rx.recv_timeout(WAIT).unwrap(), SPAWNED - 1);
    rt.block_on(async move {
        for handle in spawner.await.unwrap() {
            handle.await.unwrap();
        }
    });
}

#[test]
fn parks_counted_current_thread() {
    // `block_on` waits for a gate that another thread opens only once it has seen the driving
    // thread go to sleep, so the park count must have moved.
    let rt = current_thread();
    assert_eq!(rt.handle().metrics().worker_park_count(0), 0);
    let gate = Gate::default();
    let opener = {
        let (handle, gate) = (rt.handle().clone(), gate.clone());
        std::thread::spawn(move || {
            wait_for_metrics(&handle, "the driving thread to park", |m| {
                m.worker_park_count(0) >= 1
            });
            gate.open();
        })
    };
    rt.block_on(gate.wait());
    opener.join().unwrap();
    let metrics = rt.handle().metrics();
    assert!(metrics.worker_park_count(0) >= 1);
    assert_eq!(metrics.total_park_count(), metrics.worker_park_count(0));
}

#[test]
fn parks_counted_multi_thread() {
    // A task waits for a gate that this thread opens only after the park count has moved past
    // what it was before the task was spawned: the worker that ran the task up to the gate had
    // nothing left to do and parked.
    let rt = multi_thread();
    let before = rt.handle().metrics().total_park_count();
    let gate = Gate::default();
    let task = rt.spawn(gate.wait());
    wait_for_metrics(rt.handle(), "a worker to park", |m| {
        m.total_park_count() > before
    });
    gate.open();
    rt.block_on(task).unwrap();
    // Once idle again, every worker sleeps.
    wait_for_metrics(rt.handle(), "every worker to park", |m| {
        (0..2).all(|w| m.worker_park_count(w) >= 1)
    });
}

/// `BLOCKING` `spawn_blocking` tasks held on a barrier each occupy a blocking thread; worker
/// threads are not counted; finished ones go idle (and stay: keep-alive is long).
fn blocking_threads_counted(mut builder: Builder, workers: usize) {
    const BLOCKING: usize = 3;
    let rt = builder
        .thread_keep_alive(Duration::from_secs(3600))
        .build()
        .unwrap();
    let started = Arc::new(Barrier::new(BLOCKING + 1));
    let release = Arc::new(Barrier::new(BLOCKING + 1));
    let handles: Vec<_> = (0..BLOCKING)
        .map(|i| {
            let (started, release) = (started.clone(), release.clone());
            rt.spawn_blocking(move || {
                started.wait();
                release.wait();
                i
            })
        })
        .collect();
    started.wait();
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.num_blocking_threads(), BLOCKING, "{metrics:?}");
    assert_eq!(metrics.num_idle_blocking_threads(), 0, "{metrics:?}");
    assert_eq!(metrics.blocking_queue_depth(), 0, "{metrics:?}");
    // The older gauge counts worker threads too.
    assert_eq!(rt.handle().num_blocking_threads(), BLOCKING + workers);
    release.wait();
    rt.block_on(async move {
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i);
        }
    });
    wait_for_metrics(rt.handle(), "blocking threads to go idle", |m| {
        m.num_idle_blocking_threads() == BLOCKING
    });
    assert_eq!(rt.handle().metrics().num_blocking_threads(), BLOCKING);
}

#[test]
fn blocking_threads_current_thread() {
    blocking_threads_counted(Builder::new_current_thread(), 0);
}

#[test]
fn blocking_threads_multi_thread() {
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(2);
    blocking_threads_counted(builder, 2);
}

#[test]
fn blocking_queue_depth_at_the_cap() {
    // One blocking thread allowed: while it is held, the next blocking task waits in the queue.
    let rt = Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let held = Arc::new(Barrier::new(2));
    let first = {
        let held = held.clone();
        rt.spawn_blocking(move || {
            held.wait();
            held.wait();
        })
    };
    let second = rt.spawn_blocking(|| 2);
    held.wait();
    let metrics = rt.handle().metrics();
    assert_eq!(metrics.num_blocking_threads(), 1);
    assert_eq!(metrics.blocking_queue_depth(), 1);
    held.wait();
    rt.block_on(async move {
        first.await.unwrap();
        assert_eq!(second.await.unwrap(), 2);
    });
    assert_eq!(rt.handle().metrics().blocking_queue_depth(), 0);
}

#[test]
fn metrics_from_inside_a_task_and_debug() {
    let rt = multi_thread();
    let seen = Arc::new(Mutex::new(None));
    let slot = seen.clone();
    rt.block_on(async move {
        runtime::spawn(async move {
            let metrics = Handle::current().metrics();
            *slot.lock().unwrap() = Some(metrics);
        })
        .await
        .unwrap();
    });
    let metrics = seen.lock().unwrap().take().unwrap();
    assert_eq!(metrics.num_workers(), 2);
    // The task was alive (it was running) and its poll had been counted.
    assert!(metrics.num_alive_tasks() >= 1);
    assert!(metrics.total_poll_count() >= 1);
    let text = format!("{metrics:?}");
    assert!(text.contains("RuntimeMetrics"), "{text}");
    assert_eq!(metrics.clone(), metrics);
}
