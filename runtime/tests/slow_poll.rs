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

/// A 2-worker runtime whose slow-poll reports (task name, elapsed) go to the returned list and
/// to `reported`.
fn runtime_with_reports(
    threshold: Duration,
) -> (
    Runtime,
    Arc<Mutex<Vec<(Option<String>, Duration)>>>,
    mpsc::UnboundedReceiver<String>,
) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::unbounded_channel();
    let list = reports.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(threshold)
        .on_slow_poll(move |report: &SlowPoll| {
            let name = report.task().name().map(str::to_string);
            list.lock()
                .unwrap()
                .push((name.clone(), report.elapsed()));
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
