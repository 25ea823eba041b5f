//! The stream constructors and `StreamExt`'s combinators.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use runtime::stream::{self, FusedStream, Stream, StreamExt};
use runtime::time::{sleep, Instant};

/// Polls `future` once, with a waker that does nothing.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    future.poll(&mut cx)
}

#[runtime::test]
async fn iter_once_empty_and_unfold() {
    assert_eq!(
        stream::iter(vec![1, 2, 3]).collect::<Vec<_>>().await,
        [1, 2, 3]
    );
    assert_eq!(stream::iter(1..=3).size_hint(), (3, Some(3)));

    let mut once = pin!(stream::once(async { "only" }));
    assert_eq!(once.next().await, Some("only"));
    assert_eq!(once.next().await, None);

    let mut empty = stream::empty::<u8>();
    assert_eq!(empty.next().await, None);
    assert_eq!(empty.size_hint(), (0, Some(0)));

    // Fibonacci numbers below 50, each step async.
    let fib = stream::unfold((0u32, 1u32), |(a, b)| async move {
        runtime::task::yield_now().await;
        (a < 50).then_some((a, (b, a + b)))
    });
    assert_eq!(
        fib.collect::<Vec<_>>().await,
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    );
}

#[runtime::test]
async fn repeat_pending_and_poll_fn() {
    assert_eq!(stream::repeat('x').take(3).collect::<String>().await, "xxx");

    let mut pending = stream::pending::<u8>();
    assert_eq!(poll_once(pin!(pending.next())), Poll::Pending);

    let mut n = 0;
    let counted = stream::poll_fn(move |_| {
        n += 1;
        Poll::Ready((n <= 2).then_some(n))
    });
    assert_eq!(counted.collect::<Vec<_>>().await, [1, 2]);
}

#[runtime::test]
async fn next_yields_each_item_then_none() {
    let mut s = stream::iter(["a", "b"]);
    assert_eq!(s.next().await, Some("a"));
    assert_eq!(s.next().await, Some("b"));
    assert_eq!(s.next().await, None);
}

#[runtime::test]
async fn map_then_filter_filter_map() {
    let mapped: Vec<_> = stream::iter(1..=3).map(|x| x * 10).collect().await;
    assert_eq!(mapped, [10, 20, 30]);

    let awaited: Vec<_> = stream::iter(1..=3)
        .then(|x| async move {
            runtime::task::yield_now().await;
            x + 100
        })
        .collect()
        .await;
    assert_eq!(awaited, [101, 102, 103]);

    let filtered: Vec<_> = stream::iter(1..=10).filter(|x| x % 3 == 0).collect().await;
    assert_eq!(filtered, [3, 6, 9]);

    let parsed: Vec<_> = stream::iter(["1", "a", "-3", ""])
        .filter_map(|s| s.parse::<i32>().ok())
        .collect()
        .await;
    assert_eq!(parsed, [1, -3]);
}

#[runtime::test]
async fn async_comprehension() {
    // [x * x async for x in numbers() if x % 2 == 0]
    let numbers = runtime::stream! {
        for x in 1..=8 {
            runtime::task::yield_now().await;
            yield x;
        }
    };
    let squares: Vec<i32> = numbers
        .filter(|x| x % 2 == 0)
        .map(|x| x * x)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(squares, [4, 16, 36, 64]);
}

#[runtime::test]
async fn take_skip_take_while_skip_while() {
    let polled = Rc::new(Cell::new(0));
    let counting = {
        let polled = polled.clone();
        stream::iter(1..).inspect(move |_| polled.set(polled.get() + 1))
    };
    let first: Vec<_> = counting.take(3).collect().await;
    assert_eq!(first, [1, 2, 3]);
    assert_eq!(polled.get(), 3, "take stops polling after n items");

    assert_eq!(
        stream::iter(1..=5).skip(2).collect::<Vec<_>>().await,
        [3, 4, 5]
    );
    assert_eq!(
        stream::iter(1..=5).skip(9).collect::<Vec<_>>().await,
        Vec::<i32>::new()
    );

    let mut head = stream::iter([1, 2, 9, 3]).fuse().take_while(|x| *x < 5);
    assert_eq!(head.next().await, Some(1));
    assert_eq!(head.next().await, Some(2));
    assert_eq!(head.next().await, None);
    assert!(head.is_terminated());
    assert_eq!(head.next().await, None);

    assert_eq!(
        stream::iter([1, 2, 9, 3])
            .skip_while(|x| *x < 5)
            .collect::<Vec<_>>()
            .await,
        [9, 3]
    );
}

#[runtime::test]
async fn chain_zip_merge() {
    assert_eq!(
        stream::iter([1, 2])
            .chain(stream::iter([3, 4]))
            .collect::<Vec<_>>()
            .await,
        [1, 2, 3, 4]
    );
    assert_eq!(
        stream::iter(['a', 'b', 'c'])
            .zip(stream::iter(1..=2))
            .collect::<Vec<_>>()
            .await,
        [('a', 1), ('b', 2)]
    );
    // Both ready: they take turns.
    assert_eq!(
        stream::iter([1, 3, 5])
            .merge(stream::iter([2, 4]))
            .collect::<Vec<_>>()
            .await,
        [1, 2, 3, 4, 5]
    );
}

#[runtime::test(start_paused = true)]
async fn merge_yields_items_as_they_come() {
    let slow = stream::iter([3u64]).then(|s| async move {
        sleep(Duration::from_secs(s)).await;
        s
    });
    let fast = stream::iter([1u64, 1]).then(|s| async move {
        sleep(Duration::from_secs(s)).await;
        s * 10
    });
    let start = Instant::now();
    let mut merged = pin!(slow.merge(fast));
    let mut seen = Vec::new();
    while let Some(x) = merged.next().await {
        seen.push((x, start.elapsed().as_secs()));
    }
    assert_eq!(seen, [(10, 1), (10, 2), (3, 3)]);
}

#[runtime::test]
async fn fold_count_enumerate_flatten_flat_map_chunks() {
    assert_eq!(stream::iter(1..=5).fold(0, |acc, x| acc + x).await, 15);
    assert_eq!(
        stream::iter(["a", "b"])
            .fold(String::new(), |acc, s| acc + s)
            .await,
        "ab"
    );
    assert_eq!(stream::iter(0..42).count().await, 42);
    assert_eq!(
        stream::iter(['x', 'y'])
            .enumerate()
            .collect::<Vec<_>>()
            .await,
        [(0, 'x'), (1, 'y')]
    );
    assert_eq!(
        stream::iter([stream::iter(vec![1]), stream::iter(vec![2, 3])])
            .flatten()
            .collect::<Vec<_>>()
            .await,
        [1, 2, 3]
    );
    assert_eq!(
        stream::iter(1..=3)
            .flat_map(|n| stream::iter(0..n))
            .collect::<Vec<_>>()
            .await,
        [0, 0, 1, 0, 1, 2]
    );
    assert_eq!(
        stream::iter(1..=7).chunks(3).collect::<Vec<_>>().await,
        [vec![1, 2, 3], vec![4, 5, 6], vec![7]]
    );
}

#[runtime::test]
async fn fuse_peekable_by_ref_boxed_poll_next_unpin() {
    let mut fused = stream::iter([1]).fuse();
    assert_eq!(fused.next().await, Some(1));
    assert_eq!(fused.next().await, None);
    assert!(fused.is_terminated());
    assert_eq!(fused.next().await, None);

    let mut peekable = pin!(stream::iter([1, 2]).peekable());
    assert_eq!(peekable.as_mut().peek().await, Some(&1));
    assert_eq!(peekable.next().await, Some(1));
    assert_eq!(peekable.as_mut().peek().await, Some(&2));

    let mut s = stream::iter(1..=5);
    let head: Vec<_> = s.by_ref().take(2).collect().await;
    assert_eq!(head, [1, 2]);
    assert_eq!(s.collect::<Vec<_>>().await, [3, 4, 5]);

    let boxed: stream::BoxStream<'static, i32> = stream::iter([4, 5]).map(|x| x + 1).boxed();
    assert_eq!(boxed.collect::<Vec<_>>().await, [5, 6]);

    let mut s = stream::iter([9]);
    assert_eq!(
        std::future::poll_fn(|cx| s.poll_next_unpin(cx)).await,
        Some(9)
    );
}

#[runtime::test]
async fn for_each_runs_in_order() {
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    stream::iter(1..=3)
        .for_each(|x| {
            let seen = seen.clone();
            async move {
                runtime::task::yield_now().await;
                seen.borrow_mut().push(x);
            }
        })
        .await;
    assert_eq!(*seen.borrow(), [1, 2, 3]);
}

#[runtime::test(start_paused = true)]
async fn for_each_concurrent_runs_at_most_n_at_once() {
    let running = Rc::new(Cell::new(0));
    let peak = Rc::new(Cell::new(0));
    let finished = Rc::new(Cell::new(0));
    let start = Instant::now();
    stream::iter(0..10u64)
        .for_each_concurrent(3, |i| {
            let (running, peak, finished) = (running.clone(), peak.clone(), finished.clone());
            async move {
                running.set(running.get() + 1);
                peak.set(peak.get().max(running.get()));
                sleep(Duration::from_millis(100 + i)).await;
                running.set(running.get() - 1);
                finished.set(finished.get() + 1);
            }
        })
        .await;
    assert_eq!(finished.get(), 10);
    assert_eq!(peak.get(), 3, "at most 3 at once, and the limit is used");
    assert_eq!(running.get(), 0);
    // Job i takes 100 + i ms, three at a time, each free slot taken at once: 0, 1, 2 at 0 ms;
    // 3, 4, 5 at 100, 101, 102; 6, 7, 8 at 203, 205, 207; 9 at 309, done at 418.
    assert_eq!(start.elapsed(), Duration::from_millis(418));

    // No limit: all at once.
    let running = Rc::new(Cell::new(0));
    let peak = Rc::new(Cell::new(0));
    stream::iter(0..10)
        .for_each_concurrent(None, |_| {
            let (running, peak) = (running.clone(), peak.clone());
            async move {
                running.set(running.get() + 1);
                peak.set(peak.get().max(running.get()));
                sleep(Duration::from_millis(100)).await;
                running.set(running.get() - 1);
            }
        })
        .await;
    assert_eq!(peak.get(), 10);
}

/// A future that sleeps `secs` seconds, then returns `(secs, when it finished)`.
async fn job(start: Instant, secs: u64) -> (u64, u64) {
    sleep(Duration::from_secs(secs)).await;
    (secs, start.elapsed().as_secs())
}

#[runtime::test(start_paused = true)]
async fn buffered_keeps_the_order_and_runs_n_at_once() {
    let start = Instant::now();
    let outputs: Vec<_> = stream::iter([3, 1, 2, 1])
        .map(|secs| job(start, secs))
        .buffered(2)
        .map(|(secs, finished)| (secs, finished, start.elapsed().as_secs()))
        .collect()
        .await;
    // (job, when it finished, when it was yielded). A finished output keeps its place in the
    // window until it is yielded. 3 and 1 start at 0; 1 ends at 1 but waits for 3, which
    // ends at 3: both are yielded then, and 2 (ends at 5) and the last 1 (ends at 4) start;
    // the 1 waits for the 2.
    assert_eq!(outputs, [(3, 3, 3), (1, 1, 3), (2, 5, 5), (1, 4, 5)]);
}

#[runtime::test(start_paused = true)]
async fn buffer_unordered_yields_in_completion_order() {
    let start = Instant::now();
    let outputs: Vec<_> = stream::iter([3, 1, 2, 5])
        .map(|secs| job(start, secs))
        .buffer_unordered(3)
        .collect()
        .await;
    // 3, 1 and 2 start at 0; 1 ends at 1 and 5 starts (ends at 6); 2 at 2; 3 at 3.
    assert_eq!(outputs, [(1, 1), (2, 2), (3, 3), (5, 6)]);
}

#[runtime::test]
async fn collect_into_other_collections() {
    let set: BTreeSet<_> = stream::iter([3, 1, 3, 2]).collect().await;
    assert_eq!(set.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    let text: String = stream::iter(["ab", "cd"]).collect().await;
    assert_eq!(text, "abcd");
}

#[runtime::test]
async fn streams_from_other_crates_get_the_methods() {
    // futures-util's own stream type, through our trait only.
    let theirs = futures_util::stream::iter([1, 2, 3]);
    assert_eq!(theirs.filter(|x| *x != 2).collect::<Vec<_>>().await, [1, 3]);

    // And a hand-written one.
    struct Countdown(u32);
    impl Stream for Countdown {
        type Item = u32;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> Poll<Option<u32>> {
            if self.0 == 0 {
                return Poll::Ready(None);
            }
            self.0 -= 1;
            Poll::Ready(Some(self.0))
        }
    }
    assert_eq!(Countdown(3).collect::<Vec<_>>().await, [2, 1, 0]);
}

#[test]
#[should_panic(expected = "`buffered(n)` needs `n >= 1`")]
fn buffered_zero_panics() {
    let _ = stream::iter([std::future::ready(1)]).buffered(0);
}

#[test]
#[should_panic(expected = "`buffer_unordered(n)` needs `n >= 1`")]
fn buffer_unordered_zero_panics() {
    let _ = stream::iter([std::future::ready(1)]).buffer_unordered(0);
}
