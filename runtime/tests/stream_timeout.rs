//! `StreamExt::timeout` on the paused clock: each wait for an item is limited, starting at the
//! first poll after the previous result.

use std::time::Duration;

use runtime::stream::{self, Stream, StreamExt};
use runtime::time::{error::Elapsed, sleep, Instant};

/// A stream that yields each `secs` after sleeping that many seconds (lazily: the sleep starts
/// when the item is asked for).
fn delayed(delays: Vec<u64>) -> impl Stream<Item = u64> + Unpin {
    Box::pin(stream::iter(delays).then(|secs| async move {
        sleep(Duration::from_secs(secs)).await;
        secs
    }))
}

#[runtime::test(start_paused = true)]
async fn a_slow_item_yields_elapsed_at_each_deadline_then_the_stream_goes_on() {
    let start = Instant::now();
    let mut s = delayed(vec![1, 5, 1]).timeout(Duration::from_secs(2));
    let mut seen = Vec::new();
    while let Some(result) = s.next().await {
        let result = result.map_err(|_: Elapsed| "elapsed");
        seen.push((result, start.elapsed().as_secs()));
    }
    assert_eq!(
        seen,
        [
            (Ok(1), 1),
            // The wait for the second item starts at 1 s; it comes at 6 s.
            (Err("elapsed"), 3),
            (Err("elapsed"), 5),
            (Ok(5), 6),
            (Ok(1), 7),
        ]
    );
    assert_eq!(start.elapsed(), Duration::from_secs(7));
}

#[runtime::test(start_paused = true)]
async fn the_consumers_own_time_between_polls_does_not_count() {
    let start = Instant::now();
    let mut s = delayed(vec![1, 1, 1]).timeout(Duration::from_millis(1500));
    let mut results = Vec::new();
    while let Some(result) = s.next().await {
        results.push(result);
        // Longer than the limit, but the stream is not being waited on meanwhile.
        sleep(Duration::from_secs(10)).await;
    }
    assert_eq!(results, [Ok(1), Ok(1), Ok(1)]);
    assert_eq!(start.elapsed(), Duration::from_secs(33));
}

#[runtime::test(start_paused = true)]
async fn an_item_ready_at_the_deadline_wins() {
    let start = Instant::now();
    let mut s = delayed(vec![2]).timeout(Duration::from_secs(2));
    assert_eq!(s.next().await, Some(Ok(2)));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(s.next().await, None);
}

#[runtime::test(start_paused = true)]
async fn ready_items_and_the_end_pass_through_without_waiting() {
    let start = Instant::now();
    let results: Vec<_> = stream::iter(["a", "b"])
        .timeout(Duration::ZERO)
        .collect()
        .await;
    assert_eq!(results, [Ok("a"), Ok("b")]);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[runtime::test(start_paused = true)]
async fn a_stalled_stream_can_be_abandoned_after_the_first_elapsed() {
    let start = Instant::now();
    let before_stall: Vec<_> = stream::iter([1, 2])
        .chain(stream::pending())
        .timeout(Duration::from_secs(3))
        .take_while(Result::is_ok)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(before_stall, [1, 2]);
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    assert_eq!(
        runtime::Handle::current().num_timers(),
        0,
        "dropping the adapter drops its timer"
    );
}

#[runtime::test(start_paused = true)]
async fn the_inner_stream_is_reachable() {
    let mut s = stream::iter([1, 2, 3]).timeout(Duration::from_secs(1));
    assert_eq!(s.next().await, Some(Ok(1)));
    assert_eq!(s.get_ref().size_hint(), (2, Some(2)));
    assert_eq!(s.size_hint(), (2, None), "any number of `Elapsed` may come");
    let rest: Vec<_> = s.into_inner().collect().await;
    assert_eq!(rest, [2, 3]);
}

#[test]
fn the_adapter_is_built_without_a_runtime() {
    let s = stream::pending::<()>().timeout(Duration::from_secs(1));
    let runtime = runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    let mut s = s;
    let first = runtime.block_on(async move { s.next().await });
    assert!(matches!(first, Some(Err(_))), "{first:?}");
}
