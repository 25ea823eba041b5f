//! The cheatsheet's "Common Patterns" on the paused clock: producer-consumer over a `Queue`,
//! concurrent requests bounded by a `Semaphore`, retry with exponential backoff, and rate
//! limiting; each checked at exact instants.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runtime::sync::{retry, Backoff, Queue, RateLimiter, Semaphore};
use runtime::time::{sleep, Instant};

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[runtime::test(start_paused = true)]
async fn producer_consumer_moves_every_item_exactly_once() {
    let start = Instant::now();
    let queue = Arc::new(Queue::bounded(3));
    let producer = runtime::spawn({
        let queue = queue.clone();
        async move {
            for i in 0..10 {
                sleep(ms(100)).await;
                queue.put(i).await.unwrap();
            }
            queue.join().await; // every item taken and marked done
            let joined_at = start.elapsed();
            queue.shutdown(); // wakes the consumers blocked in `get`
            joined_at
        }
    });
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let queue = queue.clone();
            runtime::spawn(async move {
                let mut taken = Vec::new();
                while let Ok(item) = queue.get().await {
                    sleep(ms(250)).await;
                    taken.push((item, start.elapsed()));
                    queue.task_done().unwrap();
                }
                taken
            })
        })
        .collect();
    let joined_at = producer.await.unwrap();
    let mut all = Vec::new();
    for consumer in consumers {
        let taken = consumer.await.unwrap();
        assert!(!taken.is_empty(), "both consumers take a share");
        all.extend(taken);
    }
    let items: BTreeSet<i32> = all.iter().map(|&(item, _)| item).collect();
    assert_eq!(all.len(), 10, "no item is taken twice: {all:?}");
    assert_eq!(items, (0..10).collect());
    // Two consumers at 250 ms an item (8 items/s) are slower than the producer (10/s): the
    // last item, put at 1 s, is taken at 1.2 s and done at 1.45 s, when `join` returns.
    let last_done = all.iter().map(|&(_, at)| at).max().unwrap();
    assert_eq!(last_done, ms(1450));
    assert_eq!(joined_at, last_done);
    assert!(queue.is_empty());
}

#[runtime::test(start_paused = true)]
async fn ten_requests_behind_a_semaphore_of_four_run_in_three_waves() {
    let start = Instant::now();
    let limit = Arc::new(Semaphore::new(4));
    let (in_flight, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let requests: Vec<_> = (0..10)
        .map(|id| {
            let (limit, in_flight, most) = (limit.clone(), in_flight.clone(), most.clone());
            runtime::spawn(async move {
                let _permit = limit.acquire().await.unwrap();
                most.fetch_max(in_flight.fetch_add(1, SeqCst) + 1, SeqCst);
                sleep(Duration::from_secs(1)).await; // the request
                in_flight.fetch_sub(1, SeqCst);
                (id, start.elapsed().as_secs())
            })
        })
        .collect();
    let mut finished = Vec::new();
    for request in requests {
        finished.push(request.await.unwrap());
    }
    // Permits go out in the order the requests asked: ids 0-3, then 4-7, then 8-9.
    let waves: Vec<u64> = finished.iter().map(|&(_, secs)| secs).collect();
    assert_eq!(waves, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    assert_eq!(most.load(SeqCst), 4);
}

#[runtime::test(start_paused = true)]
async fn retry_succeeds_on_the_third_attempt_after_1s_and_2s() {
    // The cheatsheet's retry_with_backoff(max_retries=3, base_delay=1) makes 3 attempts: the
    // first and two retries.
    let start = Instant::now();
    let attempts = Mutex::new(Vec::new());
    let backoff = Backoff::exponential(Duration::from_secs(1)).max_retries(2);
    let unstable_api_call = || {
        let mut attempts = attempts.lock().unwrap();
        attempts.push(start.elapsed());
        let attempt = attempts.len();
        async move {
            if attempt < 3 {
                Err(format!("API Error {attempt}"))
            } else {
                Ok("Success")
            }
        }
    };
    assert_eq!(retry(backoff, unstable_api_call).await, Ok("Success"));
    let secs = Duration::from_secs;
    assert_eq!(*attempts.lock().unwrap(), [secs(0), secs(1), secs(3)]);
    assert_eq!(start.elapsed(), secs(3));
}

#[runtime::test(start_paused = true)]
async fn retry_gives_up_after_its_last_attempt_with_the_last_error() {
    let start = Instant::now();
    let mut attempt = 0;
    let backoff = Backoff::exponential(Duration::from_secs(1)).max_retries(2);
    let result: Result<(), String> = retry(backoff, || {
        attempt += 1;
        let error = format!("API Error {attempt}");
        async move { Err(error) }
    })
    .await;
    assert_eq!(result, Err("API Error 3".to_owned()));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[runtime::test(start_paused = true)]
async fn ten_gathered_calls_at_two_per_second_are_spaced_half_a_second_apart() {
    let start = Instant::now();
    let limiter = Arc::new(RateLimiter::new(2, Duration::from_secs(1)));
    let calls: Vec<_> = (0..10)
        .map(|n| {
            let limiter = limiter.clone();
            runtime::spawn(async move {
                limiter.acquire().await;
                (n, start.elapsed())
            })
        })
        .collect();
    let mut at = Vec::new();
    for call in calls {
        at.push(call.await.unwrap());
    }
    // A burst of two (the bucket starts full), then one call every 0.5 s, in the order asked.
    let expected: Vec<(u32, Duration)> = (0..10u32)
        .map(|n| (n, ms(500 * u64::from(n.saturating_sub(1)))))
        .collect();
    assert_eq!(at, expected);
}
