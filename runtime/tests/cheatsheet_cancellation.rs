//! The cheatsheet's "Timeouts and Cancellation" and "Async Context Managers" on the paused
//! clock: `wait_for` is `time::timeout` and drops the operation at the deadline, a cancelled
//! task's cleanup (its `except CancelledError`) runs in `Drop`, cooperative cancellation lets
//! a task clean up asynchronously, and a guard releases its resource however its scope ends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use runtime::sync::{CancellationToken, Semaphore};
use runtime::time::{interval, sleep, timeout, Instant};

/// What the cleanups recorded: how each operation ended, and when.
type Log = Arc<Mutex<Vec<(&'static str, Duration)>>>;

fn entries(log: &Log) -> Vec<(&'static str, Duration)> {
    log.lock().unwrap().clone()
}

/// Adds `what` happened, now (since `start`), to `log`.
fn record(log: &Log, what: &'static str, start: Instant) {
    // No unwrap: this runs in `Drop`, possibly while a failed assertion unwinds.
    if let Ok(mut log) = log.lock() {
        log.push((what, start.elapsed()));
    }
}

/// Records, when dropped, the instant and whether it was disarmed first (the operation ran to
/// its end) or not (it was cancelled).
struct Cleanup {
    log: Log,
    start: Instant,
    armed: bool,
}

impl Cleanup {
    fn new(log: &Log, start: Instant) -> Cleanup {
        Cleanup {
            log: log.clone(),
            start,
            armed: true,
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let what = if self.armed { "cancelled" } else { "completed" };
        record(&self.log, what, self.start);
    }
}

/// An operation that takes `secs` and cleans up if it is cancelled before (the cheatsheet's
/// `slow_operation` and `cancellable_task`).
async fn operation(log: Log, start: Instant, secs: u64) {
    let mut guard = Cleanup::new(&log, start);
    sleep(Duration::from_secs(secs)).await;
    guard.armed = false;
}

#[runtime::test(start_paused = true)]
async fn a_5s_operation_under_a_2s_timeout_fails_at_2s_and_is_dropped_there() {
    let start = Instant::now();
    let log = Log::default();
    let result = timeout(Duration::from_secs(2), operation(log.clone(), start, 5)).await;
    assert!(result.is_err(), "got {result:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(entries(&log), [("cancelled", Duration::from_secs(2))]);
}

#[runtime::test(start_paused = true)]
async fn an_operation_within_its_timeout_completes() {
    let start = Instant::now();
    let log = Log::default();
    let quick = operation(log.clone(), start, 1);
    assert_eq!(timeout(Duration::from_secs(2), quick).await, Ok(()));
    assert_eq!(entries(&log), [("completed", Duration::from_secs(1))]);
}

#[runtime::test(start_paused = true)]
async fn an_aborted_task_runs_its_cleanup_and_reports_cancelled() {
    let start = Instant::now();
    let log = Log::default();
    let task = runtime::spawn(operation(log.clone(), start, 10));
    sleep(Duration::from_secs(1)).await;
    task.abort();
    let error = task.await.unwrap_err();
    assert!(error.is_cancelled(), "got {error}");
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(entries(&log), [("cancelled", Duration::from_secs(1))]);
}

#[runtime::test(start_paused = true)]
async fn a_cancellation_token_lets_the_task_clean_up_asynchronously() {
    let start = Instant::now();
    let token = CancellationToken::new();
    let worker = runtime::spawn({
        let token = token.clone();
        async move {
            let mut ticks = 0;
            let mut every_100ms = interval(Duration::from_millis(100));
            let work = async {
                loop {
                    every_100ms.tick().await; // at 0, 100, 200 ms, ...
                    ticks += 1;
                }
            };
            assert_eq!(token.run_until_cancelled(work).await, None);
            sleep(Duration::from_millis(50)).await; // async cleanup, after the cancel
            (ticks, start.elapsed())
        }
    });
    sleep(Duration::from_millis(250)).await;
    token.cancel();
    let (ticks, finished) = worker.await.unwrap();
    assert_eq!(ticks, 3);
    assert_eq!(finished, Duration::from_millis(300));
}

/// `async with AsyncResource()`: acquired asynchronously, released by `close().await` or,
/// when the scope is left early (a timeout dropped it), by `Drop`.
struct Resource {
    log: Log,
    start: Instant,
    open: bool,
}

impl Resource {
    async fn acquire(log: &Log, start: Instant) -> Resource {
        sleep(Duration::from_secs(1)).await;
        record(log, "acquired", start);
        Resource {
            log: log.clone(),
            start,
            open: true,
        }
    }

    async fn close(mut self) {
        sleep(Duration::from_secs(1)).await;
        self.open = false;
        record(&self.log, "closed", self.start);
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        if self.open {
            record(&self.log, "dropped open", self.start);
        }
    }
}

async fn use_resource(log: &Log, start: Instant) {
    let resource = Resource::acquire(log, start).await;
    sleep(Duration::from_secs(1)).await;
    resource.close().await;
}

#[runtime::test(start_paused = true)]
async fn a_resource_guard_is_closed_at_the_end_or_dropped_when_cancelled() {
    let start = Instant::now();
    let log = Log::default();
    use_resource(&log, start).await;
    let secs = Duration::from_secs;
    assert_eq!(entries(&log), [("acquired", secs(1)), ("closed", secs(3))]);

    log.lock().unwrap().clear();
    let start = Instant::now();
    let cancelled = timeout(Duration::from_millis(1500), use_resource(&log, start)).await;
    assert!(cancelled.is_err());
    assert_eq!(
        entries(&log),
        [
            ("acquired", secs(1)),
            ("dropped open", Duration::from_millis(1500))
        ]
    );
}

#[runtime::test(start_paused = true)]
async fn a_semaphore_permit_is_async_with_sem() {
    let sem = Semaphore::new(1);
    {
        let _permit = sem.acquire().await.unwrap();
        assert_eq!(sem.available_permits(), 0);
        assert!(sem.try_acquire().is_err());
    }
    assert_eq!(sem.available_permits(), 1);
    // A permit held by a future that a timeout drops goes back too.
    let holder = async {
        let _permit = sem.acquire().await.unwrap();
        sleep(Duration::from_secs(5)).await;
    };
    assert!(timeout(Duration::from_secs(1), holder).await.is_err());
    assert_eq!(sem.available_permits(), 1);
}
