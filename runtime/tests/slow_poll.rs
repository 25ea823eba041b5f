//! Slow-poll detection: a poll that blocks its worker past `slow_poll_threshold` is reported
//! once, while it runs, naming the task; quick polls and `block_in_place` are never reported.
//!
//! The blocking tasks here wait (with short thread sleeps, which is the point) for an event that
//! only happens after the report arrived, so each test is ordered by channels, not by timing.

use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runtime::sync::mpsc;
use runtime::{Builder, Runtime, SlowPoll};

/// The reports a test's hook saw: task name and elapsed time.
type Reports = Arc<Mutex<Vec<(Option<String>, Duration)>>>;

/// A 2-worker runtime whose slow-poll reports go to the returned list and, by name, to the
/// returned channel.
fn runtime_with_reports(
    threshold: Duration,
) -> (Runtime, Reports, mpsc::UnboundedReceiver<String>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::unbounded_channel();
    let list = reports.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(threshold)
        .on_slow_poll(move |report: &SlowPoll| {
            let name = report.task().name().map(str::to_string);
            list.lock().unwrap().push((name.clone(), report.elapsed()));
            let _ = tx.send(name.unwrap_or_default());
        })
        .build()
        .unwrap();
    (rt, reports, rx)
}

/// Blocks the thread (the mistake under test) until `release` gets a message.
fn block_until(release: std_mpsc::Receiver<()>) {
    while release.try_recv().is_err() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_blocking_poll_is_reported_once_naming_the_task() {
    let threshold = Duration::from_millis(30);
    let (rt, reports, mut reported) = runtime_with_reports(threshold);
    rt.block_on(async move {
        let (release, released) = std_mpsc::channel();
        let blocker = runtime::task::Builder::new()
            .name("blocker")
            .spawn(async move { block_until(released) });
        // The other worker is free: it waits for the report, then releases the blocker.
        let name = reported.recv().await.unwrap();
        assert_eq!(name, "blocker");
        release.send(()).unwrap();
        blocker.await.unwrap();
    });
    drop(rt);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let (name, elapsed) = &reports[0];
    assert_eq!(name.as_deref(), Some("blocker"));
    assert!(*elapsed >= threshold, "reported after {elapsed:?}");
}

#[test]
fn quick_polls_are_not_reported() {
    let (rt, reports, _reported) = runtime_with_reports(Duration::from_secs(1));
    rt.block_on(async {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                runtime::spawn(async {
                    for _ in 0..100 {
                        runtime::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    drop(rt);
    assert!(reports.lock().unwrap().is_empty());
}

#[test]
fn block_in_place_is_not_a_slow_poll() {
    let (rt, reports, mut reported) = runtime_with_reports(Duration::from_millis(30));
    rt.block_on(async move {
        let (entered_tx, entered_rx) = std_mpsc::channel();
        let (release_in_place, in_place_released) = std_mpsc::channel();
        let in_place = runtime::task::Builder::new()
            .name("in_place")
            .spawn(async move {
                runtime::task::block_in_place(|| {
                    entered_tx.send(()).unwrap();
                    block_until(in_place_released);
                });
            });
        runtime::spawn_blocking(move || entered_rx.recv().unwrap())
            .await
            .unwrap();
        // A real slow poll, started after the block_in_place one: once it is reported, the
        // other has been blocking longer, and was not reported.
        let (release, released) = std_mpsc::channel();
        let blocker = runtime::task::Builder::new()
            .name("blocker")
            .spawn(async move { block_until(released) });
        assert_eq!(reported.recv().await.unwrap(), "blocker");
        release.send(()).unwrap();
        release_in_place.send(()).unwrap();
        blocker.await.unwrap();
        in_place.await.unwrap();
    });
    drop(rt);
    let names: Vec<_> = reports
        .lock()
        .unwrap()
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(names, [Some("blocker".to_string())]);
}

#[test]
fn a_zero_threshold_is_invalid_input() {
    let error = Builder::new_multi_thread()
        .slow_poll_threshold(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}

/// A runtime with `workers` workers, a 20 ms threshold and reports sent to the returned channel.
fn small_runtime(workers: usize) -> (Runtime, std_mpsc::Receiver<Option<String>>) {
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(workers);
    with_named_reports(builder)
}

/// Builds `builder` with a 20 ms threshold and the reported task names sent to the returned
/// channel.
fn with_named_reports(mut builder: Builder) -> (Runtime, std_mpsc::Receiver<Option<String>>) {
    let (tx, rx) = std_mpsc::channel();
    let tx = Mutex::new(tx);
    let rt = builder
        .slow_poll_threshold(Duration::from_millis(20))
        .on_slow_poll(move |report: &SlowPoll| {
            let _ = tx
                .lock()
                .unwrap()
                .send(report.task().name().map(str::to_string));
        })
        .build()
        .unwrap();
    (rt, rx)
}

#[test]
fn a_blocked_single_worker_is_compensated() {
    let (rt, reports) = small_runtime(1);
    rt.block_on(async {
        let (tick_tx, tick_rx) = std_mpsc::channel::<u32>();
        // Blocks its worker (the only one) until the ticker has ticked 5 times: without a
        // stand-in thread the ticker could never run.
        let blocker = runtime::task::Builder::new()
            .name("blocker")
            .spawn(async move {
                let mut ticks = 0;
                while ticks < 5 {
                    match tick_rx.try_recv() {
                        Ok(_) => ticks += 1,
                        Err(_) => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
                ticks
            });
        let ticker = runtime::task::Builder::new()
            .name("ticker")
            .spawn(async move {
                for i in 0..5 {
                    tick_tx.send(i).unwrap();
                    runtime::task::yield_now().await;
                }
            });
        ticker.await.unwrap();
        assert_eq!(blocker.await.unwrap(), 5);
    });
    drop(rt);
    let names: Vec<_> = reports.try_iter().collect();
    assert!(
        names.contains(&Some("blocker".to_string())),
        "no report named the blocker: {names:?}"
    );
}

#[test]
fn two_blocked_workers_do_not_stop_fifty_other_tasks() {
    const OTHERS: usize = 50;
    let (rt, reports) = small_runtime(2);
    rt.block_on(async {
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (started_tx, started_rx) = std_mpsc::channel::<()>();
        let blockers: Vec<_> = (0..2)
            .map(|i| {
                let done = done.clone();
                let started_tx = started_tx.clone();
                runtime::task::Builder::new()
                    .name(&format!("blocker-{i}"))
                    .spawn(async move {
                        started_tx.send(()).unwrap();
                        while done.load(std::sync::atomic::Ordering::SeqCst) < OTHERS {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    })
            })
            .collect();
        // Both workers are in a blocker before the others are spawned.
        runtime::spawn_blocking(move || {
            started_rx.recv().unwrap();
            started_rx.recv().unwrap();
        })
        .await
        .unwrap();
        let others: Vec<_> = (0..OTHERS)
            .map(|_| {
                let done = done.clone();
                runtime::spawn(async move {
                    runtime::task::yield_now().await;
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                })
            })
            .collect();
        for other in others {
            other.await.unwrap();
        }
        for blocker in blockers {
            blocker.await.unwrap();
        }
    });
    drop(rt);
    let names: Vec<_> = reports.try_iter().flatten().collect();
    for i in 0..2 {
        assert!(names.contains(&format!("blocker-{i}")), "{names:?}");
    }
}

/// A task spawns a child (which lands in its worker's LIFO slot) and then blocks until the
/// child has run: only a LIFO slot that others can take while the worker is stuck lets the
/// child run. Returns whether it ran (the parent gives up after 10 s instead of hanging).
fn child_in_lifo_slot_runs(workers: usize) -> bool {
    let (rt, reports) = small_runtime(workers);
    let ran = rt.block_on(async {
        runtime::task::Builder::new()
            .name("parent")
            .spawn(async {
                let (ran_tx, ran_rx) = std_mpsc::channel::<()>();
                drop(runtime::spawn(async move {
                    let _ = ran_tx.send(());
                }));
                // Blocks the worker; the child sits in this worker's LIFO slot.
                ran_rx.recv_timeout(Duration::from_secs(10)).is_ok()
            })
            .await
            .unwrap()
    });
    drop(rt);
    let names: Vec<_> = reports.try_iter().flatten().collect();
    assert!(names.contains(&"parent".to_string()), "{names:?}");
    ran
}

#[test]
fn another_worker_takes_the_lifo_task_of_a_stuck_worker() {
    assert!(
        child_in_lifo_slot_runs(2),
        "the child never left the LIFO slot"
    );
}

#[test]
fn the_stand_in_takes_the_lifo_task_of_the_only_worker() {
    assert!(
        child_in_lifo_slot_runs(1),
        "the child never left the LIFO slot"
    );
}

#[test]
fn a_blocking_poll_on_the_current_thread_flavor_is_reported() {
    let (rt, rx) = with_named_reports(Builder::new_current_thread());
    let reported = rt.block_on(async move {
        runtime::task::Builder::new()
            .name("blocker")
            .spawn(async move {
                // Blocks the only thread until the report arrives (or gives up after 10 s).
                rx.recv_timeout(Duration::from_secs(10)).ok().flatten()
            })
            .await
            .unwrap()
    });
    assert_eq!(reported.as_deref(), Some("blocker"));
}
