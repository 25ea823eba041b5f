//! `retry`/`retry_if` with `Backoff` on the paused clock: attempts land exactly where the
//! backoff says, the last error comes back, jitter stays within bounds.

use std::cell::RefCell;
use std::time::Duration;

use runtime::sync::{retry, retry_if, Backoff};
use runtime::time::Instant;

#[runtime::test(start_paused = true)]
async fn attempts_follow_the_backoff_and_the_last_error_is_returned() {
    let start = Instant::now();
    let attempts = RefCell::new(Vec::new());
    let backoff = Backoff::exponential(Duration::from_millis(100))
        .max_retries(4)
        .max_delay(Duration::from_millis(300));
    let result: Result<(), usize> = retry(backoff, || {
        attempts.borrow_mut().push(start.elapsed().as_millis());
        let attempt = attempts.borrow().len();
        async move { Err(attempt) }
    })
    .await;
    // Delays 100, 200, 300 (capped), 300: attempts at 0, 100, 300, 600, 900.
    assert_eq!(*attempts.borrow(), [0, 100, 300, 600, 900]);
    assert_eq!(result, Err(5));
    assert_eq!(start.elapsed(), Duration::from_millis(900));
}

#[runtime::test(start_paused = true)]
async fn succeeds_on_the_third_attempt_after_one_plus_two_seconds() {
    let start = Instant::now();
    let mut attempts = 0;
    let result: Result<u32, &str> = retry(Backoff::exponential(Duration::from_secs(1)), || {
        attempts += 1;
        let attempt = attempts;
        async move {
            if attempt < 3 {
                Err("unavailable")
            } else {
                Ok(attempt)
            }
        }
    })
    .await;
    assert_eq!(result, Ok(3));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[runtime::test(start_paused = true)]
async fn zero_retries_runs_once_without_sleeping() {
    let start = Instant::now();
    let mut attempts = 0;
    let result: Result<(), &str> = retry(
        Backoff::exponential(Duration::from_secs(1)).max_retries(0),
        || {
            attempts += 1;
            async { Err("no") }
        },
    )
    .await;
    assert_eq!((result, attempts), (Err("no"), 1));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[runtime::test(start_paused = true)]
async fn retry_if_returns_a_permanent_error_at_once() {
    let start = Instant::now();
    let mut attempts = 0;
    let result: Result<(), &str> = retry_if(
        Backoff::exponential(Duration::from_secs(1)),
        || {
            attempts += 1;
            let attempt = attempts;
            async move {
                Err(if attempt == 1 {
                    "transient"
                } else {
                    "permanent"
                })
            }
        },
        |error: &&str| *error == "transient",
    )
    .await;
    assert_eq!(result, Err("permanent"));
    assert_eq!(attempts, 2);
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[runtime::test(start_paused = true)]
async fn jittered_attempts_come_no_later_than_the_nominal_delays() {
    let start = Instant::now();
    let attempts = RefCell::new(Vec::new());
    let backoff = Backoff::exponential(Duration::from_secs(1))
        .max_retries(3)
        .jitter(true);
    let _: Result<(), ()> = retry(backoff, || {
        attempts.borrow_mut().push(start.elapsed());
        async { Err(()) }
    })
    .await;
    let attempts = attempts.into_inner();
    assert_eq!(attempts.len(), 4);
    for (retry, pair) in attempts.windows(2).enumerate() {
        let waited = pair[1] - pair[0];
        // Full jitter: within [0, nominal], and the paused clock rounds up to the 1 ms tick.
        assert!(
            waited <= backoff.delay(retry as u32) + Duration::from_millis(1),
            "{waited:?}"
        );
    }
}
