//! `time::timeout`, `timeout_at` and `FutureExt::timeout` on the paused clock.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use runtime::time::{self, error::Elapsed, sleep, timeout, timeout_at, FutureExt, Instant};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

#[runtime::test(start_paused = true)]
async fn expiry_returns_elapsed_at_the_deadline_and_drops_the_inner_future() {
    let start = Instant::now();
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let operation = async move {
        let _guard = guard;
        sleep(Duration::from_secs(5)).await;
        "finished"
    };
    let result = timeout(Duration::from_secs(2), operation).await;
    assert!(matches!(result, Err(Elapsed { .. })), "got {result:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert!(
        dropped.load(SeqCst),
        "the inner future must be dropped on expiry"
    );
    assert_eq!(runtime::Handle::current().num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn a_future_that_finishes_first_wins() {
    let start = Instant::now();
    let result = timeout(Duration::from_secs(2), async {
        sleep(Duration::from_secs(1)).await;
        7
    })
    .await;
    assert_eq!(result, Ok(7));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    // The timeout's own timer is gone with it.
    assert_eq!(runtime::Handle::current().num_timers(), 0);
}

#[runtime::test(start_paused = true)]
async fn a_ready_future_wins_over_a_zero_or_past_deadline() {
    assert_eq!(timeout(Duration::ZERO, async { 1 }).await, Ok(1));
    let past = Instant::now();
    time::advance(Duration::from_secs(1)).await;
    assert_eq!(timeout_at(past, std::future::ready(2)).await, Ok(2));
    assert!(timeout(Duration::ZERO, std::future::pending::<()>())
        .await
        .is_err());
}

#[runtime::test(start_paused = true)]
async fn duration_max_never_expires_first() {
    let result = timeout(Duration::MAX, async {
        sleep(Duration::from_secs(3600)).await;
        "done"
    })
    .await;
    assert_eq!(result, Ok("done"));
}

#[runtime::test(start_paused = true)]
async fn future_ext_and_the_io_error_conversion() {
    let start = Instant::now();
    let elapsed = std::future::pending::<()>()
        .timeout(Duration::from_millis(250))
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_millis(250));
    assert_eq!(elapsed.to_string(), "deadline has elapsed");
    let io: std::io::Error = elapsed.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);

    let deadline = Instant::now() + Duration::from_millis(100);
    let pending = std::future::pending::<()>().timeout_at(deadline);
    assert_eq!(pending.deadline(), deadline);
    assert!(pending.await.is_err());
    assert_eq!(Instant::now(), deadline);
}

/// A future that keeps itself busy (always woken, never ready) cannot starve the timer.
#[runtime::test(start_paused = true)]
async fn a_busy_future_cannot_starve_its_timeout() {
    let busy = std::future::poll_fn(|cx| {
        cx.waker().wake_by_ref();
        std::task::Poll::<()>::Pending
    });
    let start = Instant::now();
    // Created here, so the deadline is start + 5 ms (not whenever the task first runs).
    let handle = runtime::spawn(timeout(Duration::from_millis(5), busy));
    // The busy task never lets the runtime go idle, so the paused clock cannot jump: move it.
    time::advance(Duration::from_millis(5)).await;
    assert!(handle.await.unwrap().is_err());
    assert!(start.elapsed() >= Duration::from_millis(5));
}
