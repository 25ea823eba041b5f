//! The cheatsheet's "Async Iterators" and async comprehensions on the paused clock: the
//! counter and the generator yield their items at their instants, one awaited item after
//! another; the concurrent comprehension takes the time of one item.

use std::pin::pin;
use std::time::Duration;

use runtime::future::join_all;
use runtime::stream::{self, Stream, StreamExt};
use runtime::time::{sleep, Instant};

const HALF: Duration = Duration::from_millis(500);

/// `class AsyncCounter(limit)`.
fn async_counter(limit: u32) -> impl Stream<Item = u32> {
    stream::unfold(0, move |count| async move {
        if count >= limit {
            return None;
        }
        sleep(HALF).await;
        Some((count + 1, count + 1))
    })
}

/// `async def async_range(count)`.
fn async_range(count: u32) -> impl Stream<Item = u32> {
    runtime::stream! {
        for i in 0..count {
            sleep(HALF).await;
            yield i;
        }
    }
}

async fn get_value(n: u32) -> u32 {
    sleep(Duration::from_millis(100)).await;
    n * 2
}

#[runtime::test(start_paused = true)]
async fn the_async_counter_yields_1_to_5_every_half_second() {
    let start = Instant::now();
    let mut counter = pin!(async_counter(5));
    let mut seen = Vec::new();
    while let Some(number) = counter.next().await {
        seen.push((number, start.elapsed()));
    }
    let expected: Vec<_> = (1..=5).map(|n| (n, HALF * n)).collect();
    assert_eq!(seen, expected);
}

#[runtime::test(start_paused = true)]
async fn the_async_generator_yields_0_to_4_and_runs_only_when_asked() {
    let start = Instant::now();
    let mut values = pin!(async_range(5));
    assert_eq!(values.next().await, Some(0));
    assert_eq!(start.elapsed(), HALF);
    // Nothing runs between two `next` calls: the generator waits for the consumer.
    sleep(Duration::from_secs(10)).await;
    let rest: Vec<u32> = values.collect().await;
    assert_eq!(rest, [1, 2, 3, 4]);
    assert_eq!(start.elapsed(), HALF + Duration::from_secs(10) + HALF * 4);
}

#[runtime::test(start_paused = true)]
async fn a_generator_with_question_marks_ends_at_its_first_error() {
    let parsed: Vec<Result<u32, std::num::ParseIntError>> = runtime::try_stream! {
        for text in ["1", "2", "x", "4"] {
            yield text.parse::<u32>()?;
        }
    }
    .collect()
    .await;
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed[..2], [Ok(1), Ok(2)]);
    assert!(parsed[2].is_err());
}

#[runtime::test(start_paused = true)]
async fn an_awaiting_comprehension_is_sequential_and_join_all_is_concurrent() {
    let start = Instant::now();
    let mut results = Vec::new();
    for i in 0..5 {
        results.push(get_value(i).await);
    }
    assert_eq!(results, [0, 2, 4, 6, 8]);
    assert_eq!(start.elapsed(), Duration::from_millis(500));

    let start = Instant::now();
    assert_eq!(join_all((0..5).map(get_value)).await, [0, 2, 4, 6, 8]);
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[runtime::test(start_paused = true)]
async fn a_generator_expression_is_a_lazy_stream() {
    let start = Instant::now();
    let evens: Vec<u32> = stream::iter(0..5)
        .filter(|i| i % 2 == 0)
        .then(get_value)
        .collect()
        .await;
    assert_eq!(evens, [0, 4, 8]);
    assert_eq!(start.elapsed(), Duration::from_millis(300));

    let start = Instant::now();
    let buffered: Vec<u32> = stream::iter(0..5)
        .map(get_value)
        .buffered(5)
        .collect()
        .await;
    assert_eq!(buffered, [0, 2, 4, 6, 8]);
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}
