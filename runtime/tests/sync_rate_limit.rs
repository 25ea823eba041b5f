//! `RateLimiter` on the paused clock: burst, spacing, FIFO order, cancellation, refill cap.

use std::sync::Arc;
use std::time::Duration;

use runtime::sync::RateLimiter;
use runtime::time::{self, Instant};

fn millis_since(start: Instant) -> u128 {
    start.elapsed().as_millis()
}

#[runtime::test(start_paused = true)]
async fn ten_acquisitions_at_two_per_second_land_on_their_instants() {
    let limiter = RateLimiter::new(2, Duration::from_secs(1));
    let start = Instant::now();
    let mut at = Vec::new();
    for _ in 0..10 {
        limiter.acquire().await;
        at.push(millis_since(start));
    }
    // The initial burst of two, then one every 500 ms.
    assert_eq!(at, [0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
}

#[runtime::test(start_paused = true)]
async fn waiting_tasks_are_served_in_the_order_they_asked() {
    let limiter = Arc::new(RateLimiter::new(1, Duration::from_millis(100)));
    let start = Instant::now();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let mut tasks = Vec::new();
    for id in 0..5 {
        let limiter = limiter.clone();
        let done = done_tx.clone();
        tasks.push(runtime::spawn(async move {
            limiter.acquire().await;
            done.send((id, millis_since(start))).unwrap();
        }));
        // Each task queues before the next one is spawned.
        runtime::task::yield_now().await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    let order: Vec<(i32, u128)> = done_rx.try_iter().collect();
    assert_eq!(order, [(0, 0), (1, 100), (2, 200), (3, 300), (4, 400)]);
}

#[runtime::test(start_paused = true)]
async fn a_cancelled_waiter_hands_its_place_to_the_next() {
    let limiter = Arc::new(RateLimiter::new(1, Duration::from_secs(1)));
    limiter.acquire().await; // empties the bucket
    let start = Instant::now();
    let first = runtime::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire().await }
    });
    runtime::task::yield_now().await;
    let second = runtime::spawn({
        let limiter = limiter.clone();
        async move {
            limiter.acquire().await;
            millis_since(start)
        }
    });
    runtime::task::yield_now().await;
    time::sleep(Duration::from_millis(300)).await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    // The second waiter gets the token the first one was waiting for, at t = 1 s.
    assert_eq!(second.await.unwrap(), 1000);
    assert!(!limiter.try_acquire());
}

#[runtime::test(start_paused = true)]
async fn try_acquire_does_not_overtake_a_waiter() {
    let limiter = Arc::new(RateLimiter::new(1, Duration::from_secs(1)));
    assert!(limiter.try_acquire());
    let waiter = runtime::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire().await }
    });
    runtime::task::yield_now().await;
    time::advance(Duration::from_millis(1000)).await;
    // The token that just came due belongs to the waiter, even before it runs again.
    assert!(!limiter.try_acquire());
    waiter.await.unwrap();
    assert!(!limiter.try_acquire());
}

#[runtime::test(start_paused = true)]
async fn an_idle_bucket_refills_only_up_to_its_burst() {
    let limiter = RateLimiter::new(3, Duration::from_secs(1));
    for _ in 0..3 {
        assert!(limiter.try_acquire());
    }
    assert!(!limiter.try_acquire());
    time::sleep(Duration::from_secs(60)).await;
    for _ in 0..3 {
        assert!(limiter.try_acquire());
    }
    assert!(!limiter.try_acquire());
    let start = Instant::now();
    limiter.acquire().await;
    // A third of a second, rounded up to the timer's 1 ms tick (a timer never fires early).
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(1) / 3, "{waited:?}");
    assert!(waited <= Duration::from_millis(334), "{waited:?}");
}

#[test]
fn zero_rate_or_period_is_invalid_input() {
    for (rate, per) in [(0, Duration::from_secs(1)), (5, Duration::ZERO)] {
        let error = RateLimiter::try_new(rate, per).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
#[should_panic(expected = "rate and a period above zero")]
fn new_panics_on_a_zero_rate() {
    let _ = RateLimiter::new(0, Duration::from_secs(1));
}
