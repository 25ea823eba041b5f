//! The async generators `runtime::stream!` and `runtime::try_stream!`.

use std::io;
use std::num::ParseIntError;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use runtime::stream::{self, Stream, StreamExt};
use runtime::time::{sleep, Instant};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

fn counter(to: u32) -> impl Stream<Item = u32> {
    runtime::stream! {
        for i in 1..=to {
            if i > 1 {
                sleep(Duration::from_secs(1)).await;
            }
            yield i;
        }
    }
}

#[runtime::test(start_paused = true)]
async fn an_async_counter_yields_one_to_five_a_second_apart() {
    let start = Instant::now();
    let mut counter = counter(5);
    let mut seen = Vec::new();
    while let Some(i) = counter.next().await {
        seen.push((i, start.elapsed()));
    }
    let expected: Vec<_> = (1..=5)
        .map(|i| (i, Duration::from_secs(u64::from(i) - 1)))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(start.elapsed(), Duration::from_secs(4));
}

#[runtime::test]
async fn the_generator_runs_only_when_polled() {
    let steps = Arc::new(AtomicUsize::new(0));
    let counted = steps.clone();
    let mut s = runtime::stream! {
        for i in 0..3 {
            counted.fetch_add(1, SeqCst);
            yield i;
        }
    };
    assert_eq!(steps.load(SeqCst), 0, "nothing runs before the first poll");
    assert_eq!(s.next().await, Some(0));
    assert_eq!(steps.load(SeqCst), 1, "it stops at the yield");
    assert_eq!(s.next().await, Some(1));
    assert_eq!(steps.load(SeqCst), 2);
    assert_eq!(s.next().await, Some(2));
    assert_eq!(s.next().await, None);
    assert_eq!(s.next().await, None, "fused after the end");
    assert_eq!(steps.load(SeqCst), 3);
}

#[runtime::test]
async fn return_ends_the_stream_and_an_empty_block_yields_nothing() {
    let s = runtime::stream! {
        yield 1;
        if true {
            return;
        }
        yield 2;
    };
    assert_eq!(s.collect::<Vec<i32>>().await, [1]);

    let mut nothing = runtime::stream! {};
    let item: Option<()> = nothing.next().await;
    assert_eq!(item, None);
}

#[runtime::test]
async fn for_await_loops_over_another_stream() {
    let inner = stream::iter(1..=4);
    let s = runtime::stream! {
        'outer: for await n in inner {
            if n == 2 {
                continue 'outer;
            }
            for await m in stream::iter([n * 10, n * 100]) {
                yield m;
            }
        }
    };
    assert_eq!(s.collect::<Vec<_>>().await, [10, 100, 30, 300, 40, 400]);
}

#[runtime::test]
async fn for_await_works_in_a_nested_async_block_too() {
    let s = runtime::stream! {
        let sum = async {
            let mut sum = 0;
            for await n in stream::iter(1..=3) {
                sum += n;
            }
            sum
        }
        .await;
        yield sum;
    };
    assert_eq!(s.collect::<Vec<_>>().await, [6]);
}

#[runtime::test]
async fn yields_inside_macro_arguments_count() {
    let s = runtime::stream! {
        let v = vec![yield 1, yield 2];
        assert_eq!(v, [(), ()]);
        if let Some(x) = Some(3) {
            yield x;
        }
    };
    assert_eq!(s.collect::<Vec<_>>().await, [1, 2, 3]);
}

/// Awaits both futures concurrently (for the test below: yields in macro arguments are
/// rewritten even inside `async` blocks there, since the macro's input is not parsed).
macro_rules! both {
    ($a:expr, $b:expr) => {
        futures_util::future::join($a, $b).await
    };
}

#[runtime::test]
async fn two_yields_pending_in_the_same_poll_are_both_delivered_in_turn() {
    let s = runtime::stream! {
        both!(
            async {
                yield 1;
                yield 2;
            },
            async {
                yield 10;
            }
        );
    };
    // The first branch hands 1 over; the second finds the slot full and keeps 10 for later.
    assert_eq!(s.collect::<Vec<_>>().await, [1, 2, 10]);
}

#[runtime::test]
async fn generators_nest() {
    let outer = runtime::stream! {
        for i in 0..2 {
            let inner = runtime::stream! {
                yield i;
                yield i + 10;
            };
            for await x in inner {
                yield x;
            }
        }
    };
    assert_eq!(outer.collect::<Vec<_>>().await, [0, 10, 1, 11]);
}

#[runtime::test]
async fn the_expansion_does_not_see_the_users_names() {
    // Locals named like the expansion's do not interfere.
    let __yielder = 5;
    let __receiver = 6;
    let __stream = stream::iter([7]);
    let s = runtime::stream! {
        yield __yielder;
        yield __receiver;
        for await x in __stream {
            yield x;
        }
    };
    assert_eq!(s.collect::<Vec<_>>().await, [5, 6, 7]);
}

fn parse_all(words: Vec<&'static str>) -> impl Stream<Item = Result<i64, ParseIntError>> {
    runtime::try_stream! {
        for word in words {
            let n: i64 = word.parse()?;
            yield n;
        }
    }
}

#[runtime::test]
async fn try_stream_ends_after_the_first_error() {
    let results: Vec<_> = parse_all(vec!["1", "2", "x", "4"]).collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[..2], [Ok(1), Ok(2)]);
    assert_eq!(
        results[2].as_ref().unwrap_err().to_string(),
        "invalid digit found in string"
    );

    let all_good: Vec<_> = parse_all(vec!["7", "8"]).collect().await;
    assert_eq!(all_good, [Ok(7), Ok(8)]);
}

#[derive(Debug, PartialEq)]
enum AppError {
    Io(io::ErrorKind),
}

impl From<io::Error> for AppError {
    fn from(error: io::Error) -> AppError {
        AppError::Io(error.kind())
    }
}

#[runtime::test]
async fn try_stream_converts_errors_with_from_and_return_ends_without_error() {
    let failing = runtime::try_stream! {
        yield 1;
        Err(io::Error::from(io::ErrorKind::TimedOut))?;
        yield 2;
    };
    let results: Vec<Result<i32, AppError>> = failing.collect().await;
    assert_eq!(results, [Ok(1), Err(AppError::Io(io::ErrorKind::TimedOut))]);

    let returning = runtime::try_stream! {
        yield 1;
        return;
    };
    let results: Vec<Result<i32, AppError>> = returning.collect().await;
    assert_eq!(results, [Ok(1)]);
}

#[runtime::test]
async fn try_stream_question_mark_works_inside_macro_arguments() {
    let s = runtime::try_stream! {
        let parsed = vec!["1".parse::<u8>()?, "300".parse::<u8>()?];
        yield parsed;
    };
    let results: Vec<Result<Vec<u8>, ParseIntError>> = s.collect().await;
    assert_eq!(results.len(), 1);
    assert!(results[0].is_err());
}

#[runtime::test]
async fn try_stream_with_an_endless_loop() {
    // Checked by clippy with `-D warnings` too: the expansion adds no unreachable code warning.
    let mut n = 0;
    let s = runtime::try_stream! {
        loop {
            n += 1;
            if n > 3 {
                Err(io::Error::other("enough"))?;
            }
            yield n;
        }
    };
    let results: Vec<io::Result<i32>> = s.collect().await;
    assert_eq!(results.len(), 4);
    assert_eq!(
        results[..3]
            .iter()
            .map(|r| *r.as_ref().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(results[3].as_ref().unwrap_err().to_string(), "enough");
}

#[runtime::test]
async fn try_stream_does_not_see_the_users_names_either() {
    let __result = 1;
    let __error = 2;
    let s = runtime::try_stream! {
        yield __result;
        yield __error;
        Err("stop")?;
    };
    let results: Vec<Result<i32, &str>> = s.collect().await;
    assert_eq!(results, [Ok(1), Ok(2), Err("stop")]);
}

#[runtime::test]
async fn dropping_a_generator_mid_way_drops_its_state() {
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let mut s = runtime::stream! {
        let _guard = guard;
        for i in 0.. {
            yield i;
        }
    };
    assert_eq!(s.next().await, Some(0));
    assert_eq!(s.next().await, Some(1));
    assert!(!dropped.load(SeqCst));
    drop(s);
    assert!(dropped.load(SeqCst), "the captured guard must be dropped");

    // Also when never polled.
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let s = runtime::stream! {
        let _guard = guard;
        yield 1;
    };
    drop(s);
    assert!(dropped.load(SeqCst));
}

#[runtime::test]
async fn a_finished_generator_has_dropped_its_state() {
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let mut s = runtime::stream! {
        let _guard = guard;
        yield 1;
    };
    assert_eq!(s.next().await, Some(1));
    assert!(!dropped.load(SeqCst), "held across the yield");
    assert_eq!(s.next().await, None);
    assert!(
        dropped.load(SeqCst),
        "dropped at the end, before the stream is"
    );
}

fn assert_send<T: Send>(_: &T) {}
fn assert_unpin<T: Unpin>(_: &T) {}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generator_is_send_when_its_state_is_and_runs_in_a_spawned_task() {
    let s = runtime::stream! {
        let label = String::from("n");
        for i in 0..3 {
            runtime::task::yield_now().await;
            yield format!("{label}{i}");
        }
    };
    assert_send(&s);
    assert_unpin(&s);
    let collected = runtime::spawn(s.collect::<Vec<_>>()).await.unwrap();
    assert_eq!(collected, ["n0", "n1", "n2"]);

    let t = runtime::try_stream! {
        let n: u8 = "5".parse()?;
        yield n;
    };
    assert_send(&t);
    let collected: Vec<Result<u8, ParseIntError>> = runtime::spawn(t.collect()).await.unwrap();
    assert_eq!(collected, [Ok(5)]);
}

#[runtime::test(start_paused = true)]
async fn a_generator_composes_with_the_combinators() {
    // [x * x async for x in counter() if x % 2 == 1]
    let odd_squares: Vec<u32> = counter(5)
        .filter(|x| x % 2 == 1)
        .map(|x| x * x)
        .collect()
        .await;
    assert_eq!(odd_squares, [1, 9, 25]);
}

mod imported_by_name {
    // One import brings both the module and the macro (they live in different namespaces).
    use runtime::stream;
    use runtime::stream::StreamExt;

    #[runtime::test]
    async fn the_macro_and_the_module_share_a_name() {
        let doubled = stream! {
            for await x in stream::iter([1, 2]) {
                yield x * 2;
            }
        };
        assert_eq!(doubled.collect::<Vec<_>>().await, [2, 4]);
    }
}
