//! `StreamExt`: the combinators of every `Stream`.
//!
//! Most methods hand over to futures-util's `StreamExt` and return its adapter types; `filter`,
//! `filter_map`, `take_while`, `skip_while` and `fold` take plain closures as tokio-stream's do
//! (our adapters in `adapters.rs`), and `timeout` is ours (`timeout.rs`).

use std::future::Future;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::stream::{BoxStream, Stream};
use futures_util::stream::{
    BufferUnordered, Buffered, Chain, Chunks, Collect, Count, Enumerate, FlatMap, Flatten, ForEach,
    ForEachConcurrent, Fuse, Inspect, Map, Next, Peekable, Select, Skip, Take, Then, Zip,
};

use super::adapters::{Filter, FilterMap, Fold, SkipWhile, TakeWhile};
use super::timeout::Timeout;

/// The combinators of streams (`async for`, async comprehensions, concurrency limits):
/// implemented for every [`Stream`], so one `use runtime::stream::StreamExt;` brings them all.
///
/// An async comprehension such as Python's `[x * x async for x in s if x % 2]` is
/// `s.filter(..).map(..).collect::<Vec<_>>().await`, and `async for x in s:` is
/// `while let Some(x) = s.next().await`.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let squares_of_odds: Vec<i32> = stream::iter(1..=6)
///         .filter(|x| x % 2 == 1)
///         .map(|x| x * x)
///         .collect()
///         .await;
///     assert_eq!(squares_of_odds, [1, 9, 25]);
/// }
/// ```
///
/// # Plain and async closures
///
/// `map`, `filter`, `filter_map`, `take_while`, `skip_while`, `fold`, `inspect` and
/// `flat_map` take plain closures, as tokio-stream's do; `then`, `for_each` and
/// `for_each_concurrent` take closures that return futures, as futures-util's do. For an async
/// filter, go through `then` first: `.then(|x| async move { (check(&x).await, x) })
/// .filter_map(|(keep, x)| keep.then_some(x))`.
///
/// # Importing
///
/// Import this trait only, not futures-util's, futures-lite's or tokio-stream's `StreamExt`
/// as well: with two of them in scope, calls such as `s.next()` are ambiguous (error E0034).
/// For a method only another crate has, call it by its path, e.g.
/// `futures_util::StreamExt::scan(s, ..)`, without importing that trait.
///
/// `next` needs an `Unpin` stream. The streams of `runtime::stream!` are `Unpin`; pin any other
/// one first with `std::pin::pin!(s)` (or `Box::pin(s)`).
pub trait StreamExt: Stream {
    /// The next item, or `None` once the stream has ended (the `async for` step).
    ///
    /// Cancel-safe: dropping the future before it completes loses no item.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut items = stream::iter(["a", "b"]);
    ///     let mut seen = Vec::new();
    ///     while let Some(item) = items.next().await {
    ///         seen.push(item);
    ///     }
    ///     assert_eq!(seen, ["a", "b"]);
    /// }
    /// ```
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin,
    {
        futures_util::StreamExt::next(self)
    }

    /// Polls for the next item, for hand-written `poll` functions on `Unpin` streams.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut items = stream::iter([7]);
    ///     assert_eq!(poll_fn(|cx| items.poll_next_unpin(cx)).await, Some(7));
    ///     assert_eq!(poll_fn(|cx| items.poll_next_unpin(cx)).await, None);
    /// }
    /// ```
    fn poll_next_unpin(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::Item>>
    where
        Self: Unpin,
    {
        futures_util::StreamExt::poll_next_unpin(self, cx)
    }

    /// Each item passed through `f`.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let doubled = stream::iter(1..=3).map(|x| x * 2);
    ///     assert_eq!(doubled.collect::<Vec<_>>().await, [2, 4, 6]);
    /// }
    /// ```
    fn map<T, F>(self, f: F) -> Map<Self, F>
    where
        F: FnMut(Self::Item) -> T,
        Self: Sized,
    {
        futures_util::StreamExt::map(self, f)
    }

    /// Each item passed through the async function `f`: the output of the future it returns
    /// (one at a time; see `buffered` to run several).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let fetched = stream::iter(1..=3).then(|id| async move {
    ///         runtime::time::sleep(Duration::from_millis(10)).await;
    ///         format!("page {id}")
    ///     });
    ///     assert_eq!(fetched.collect::<Vec<_>>().await, ["page 1", "page 2", "page 3"]);
    /// }
    /// ```
    fn then<Fut, F>(self, f: F) -> Then<Self, Fut, F>
    where
        F: FnMut(Self::Item) -> Fut,
        Fut: Future,
        Self: Sized,
    {
        futures_util::StreamExt::then(self, f)
    }

    /// The items for which `predicate` returns `true` (a plain closure, as in tokio-stream).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let even = stream::iter(1..=6).filter(|x| x % 2 == 0);
    ///     assert_eq!(even.collect::<Vec<_>>().await, [2, 4, 6]);
    /// }
    /// ```
    fn filter<F>(self, predicate: F) -> Filter<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        Filter::new(self, predicate)
    }

    /// The `Some` values of `f` applied to each item (a plain closure, as in tokio-stream).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let parsed = stream::iter(["4", "x", "2"]).filter_map(|s| s.parse::<u8>().ok());
    ///     assert_eq!(parsed.collect::<Vec<_>>().await, [4, 2]);
    /// }
    /// ```
    fn filter_map<T, F>(self, f: F) -> FilterMap<Self, F>
    where
        F: FnMut(Self::Item) -> Option<T>,
        Self: Sized,
    {
        FilterMap::new(self, f)
    }

    /// The first `n` items, then the end (the inner stream is not polled again).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let first = stream::iter(1..).take(3);
    ///     assert_eq!(first.collect::<Vec<_>>().await, [1, 2, 3]);
    /// }
    /// ```
    fn take(self, n: usize) -> Take<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::take(self, n)
    }

    /// The items after the first `n`.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let rest = stream::iter(1..=5).skip(3);
    ///     assert_eq!(rest.collect::<Vec<_>>().await, [4, 5]);
    /// }
    /// ```
    fn skip(self, n: usize) -> Skip<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::skip(self, n)
    }

    /// The items while `predicate` returns `true`; the end at the first item for which it
    /// returns `false` (that item is dropped). A plain closure, as in tokio-stream.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lines = stream::iter(["a", "b", "", "c"]).take_while(|line| !line.is_empty());
    ///     assert_eq!(lines.collect::<Vec<_>>().await, ["a", "b"]);
    /// }
    /// ```
    fn take_while<F>(self, predicate: F) -> TakeWhile<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        TakeWhile::new(self, predicate)
    }

    /// The items from the first one for which `predicate` returns `false` on. A plain closure,
    /// as in tokio-stream.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let body = stream::iter(["#!", "#", "code", "#"]).skip_while(|line| line.starts_with('#'));
    ///     assert_eq!(body.collect::<Vec<_>>().await, ["code", "#"]);
    /// }
    /// ```
    fn skip_while<F>(self, predicate: F) -> SkipWhile<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        SkipWhile::new(self, predicate)
    }

    /// This stream's items, then `other`'s.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let both = stream::iter([1, 2]).chain(stream::iter([3]));
    ///     assert_eq!(both.collect::<Vec<_>>().await, [1, 2, 3]);
    /// }
    /// ```
    fn chain<S>(self, other: S) -> Chain<Self, S>
    where
        S: Stream<Item = Self::Item>,
        Self: Sized,
    {
        futures_util::StreamExt::chain(self, other)
    }

    /// Pairs of items, one from each stream; ends when either does.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let pairs = stream::iter(["a", "b", "c"]).zip(stream::iter(1..=2));
    ///     assert_eq!(pairs.collect::<Vec<_>>().await, [("a", 1), ("b", 2)]);
    /// }
    /// ```
    fn zip<S>(self, other: S) -> Zip<Self, S>
    where
        S: Stream,
        Self: Sized,
    {
        futures_util::StreamExt::zip(self, other)
    }

    /// The items of both streams as they come (whichever is ready first; when both are, they
    /// take turns); ends when both have. Tokio's `merge`, futures-util's `select`.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut all: Vec<i32> = stream::iter([1, 3]).merge(stream::iter([2, 4])).collect().await;
    ///     all.sort();
    ///     assert_eq!(all, [1, 2, 3, 4]);
    /// }
    /// ```
    fn merge<S>(self, other: S) -> Select<Self, S>
    where
        S: Stream<Item = Self::Item>,
        Self: Sized,
    {
        futures_util::stream::select(self, other)
    }

    /// Each item with its index, from 0.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let numbered = stream::iter(["a", "b"]).enumerate();
    ///     assert_eq!(numbered.collect::<Vec<_>>().await, [(0, "a"), (1, "b")]);
    /// }
    /// ```
    fn enumerate(self) -> Enumerate<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::enumerate(self)
    }

    /// The items unchanged, calling `f` on each by reference first (for logging).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut seen = 0;
    ///     let items: Vec<_> = stream::iter([5, 6]).inspect(|_| seen += 1).collect().await;
    ///     assert_eq!((items, seen), (vec![5, 6], 2));
    /// }
    /// ```
    fn inspect<F>(self, f: F) -> Inspect<Self, F>
    where
        F: FnMut(&Self::Item),
        Self: Sized,
    {
        futures_util::StreamExt::inspect(self, f)
    }

    /// The items of the streams that this stream yields, one stream after the other.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let nested = stream::iter([stream::iter(vec![1, 2]), stream::iter(vec![3])]);
    ///     assert_eq!(nested.flatten().collect::<Vec<_>>().await, [1, 2, 3]);
    /// }
    /// ```
    fn flatten(self) -> Flatten<Self>
    where
        Self::Item: Stream,
        Self: Sized,
    {
        futures_util::StreamExt::flatten(self)
    }

    /// `map` to a stream, then `flatten`.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let repeated = stream::iter(1..=3).flat_map(|n| stream::iter(vec![n; n]));
    ///     assert_eq!(repeated.collect::<Vec<_>>().await, [1, 2, 2, 3, 3, 3]);
    /// }
    /// ```
    fn flat_map<U, F>(self, f: F) -> FlatMap<Self, U, F>
    where
        F: FnMut(Self::Item) -> U,
        U: Stream,
        Self: Sized,
    {
        futures_util::StreamExt::flat_map(self, f)
    }

    /// The items in `Vec`s of `capacity` (the last one may be shorter): it waits for each
    /// batch to fill.
    ///
    /// # Panics
    /// If `capacity` is 0.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let batches = stream::iter(1..=5).chunks(2);
    ///     assert_eq!(batches.collect::<Vec<_>>().await, [vec![1, 2], vec![3, 4], vec![5]]);
    /// }
    /// ```
    fn chunks(self, capacity: usize) -> Chunks<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::chunks(self, capacity)
    }

    /// A stream that returns `None` forever once this one has ended (some streams panic when
    /// polled after their end).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut items = stream::iter([1]).fuse();
    ///     assert_eq!(items.next().await, Some(1));
    ///     assert_eq!(items.next().await, None);
    ///     assert_eq!(items.next().await, None);
    /// }
    /// ```
    fn fuse(self) -> Fuse<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::fuse(self)
    }

    /// A stream with `peek` (look at the next item without taking it).
    ///
    /// ```
    /// use std::pin::pin;
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut items = pin!(stream::iter([1, 2]).peekable());
    ///     assert_eq!(items.as_mut().peek().await, Some(&1));
    ///     assert_eq!(items.next().await, Some(1));
    /// }
    /// ```
    fn peekable(self) -> Peekable<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::peekable(self)
    }

    /// Borrows the stream, so that an adapter can consume part of it and leave the rest.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut items = stream::iter(1..=4);
    ///     let head: Vec<_> = items.by_ref().take(2).collect().await;
    ///     let tail: Vec<_> = items.collect().await;
    ///     assert_eq!((head, tail), (vec![1, 2], vec![3, 4]));
    /// }
    /// ```
    fn by_ref(&mut self) -> &mut Self {
        self
    }

    /// The stream boxed, as a `Pin<Box<dyn Stream + Send>>` (to return one of several stream
    /// types, or to store it).
    ///
    /// ```
    /// use runtime::stream::{self, BoxStream, StreamExt};
    ///
    /// fn numbers(even: bool) -> BoxStream<'static, u32> {
    ///     if even {
    ///         stream::iter([0, 2]).boxed()
    ///     } else {
    ///         stream::iter([1, 3]).map(|x| x).boxed()
    ///     }
    /// }
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     assert_eq!(numbers(false).collect::<Vec<_>>().await, [1, 3]);
    /// }
    /// ```
    fn boxed<'a>(self) -> BoxStream<'a, Self::Item>
    where
        Self: Sized + Send + 'a,
    {
        futures_util::StreamExt::boxed(self)
    }

    /// Folds the items into one value with a plain closure (as tokio-stream's `fold`): the
    /// final value once the stream has ended.
    ///
    /// Not cancel-safe: dropping the future loses the value so far.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let sum = stream::iter(1..=4).fold(0, |acc, x| acc + x).await;
    ///     assert_eq!(sum, 10);
    /// }
    /// ```
    fn fold<B, F>(self, init: B, f: F) -> Fold<Self, B, F>
    where
        F: FnMut(B, Self::Item) -> B,
        Self: Sized,
    {
        Fold::new(self, init, f)
    }

    /// The number of items, once the stream has ended.
    ///
    /// Not cancel-safe: dropping the future loses the count so far.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     assert_eq!(stream::iter(0..7).count().await, 7);
    /// }
    /// ```
    fn count(self) -> Count<Self>
    where
        Self: Sized,
    {
        futures_util::StreamExt::count(self)
    }

    /// Runs the async function `f` on each item, one at a time, until the stream ends.
    ///
    /// Not cancel-safe: dropping the future drops the running call of `f`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let total = AtomicU32::new(0);
    ///     stream::iter(1..=3)
    ///         .for_each(|n| {
    ///             let total = &total;
    ///             async move {
    ///                 total.fetch_add(n, Ordering::Relaxed);
    ///             }
    ///         })
    ///         .await;
    ///     assert_eq!(total.into_inner(), 6);
    /// }
    /// ```
    fn for_each<Fut, F>(self, f: F) -> ForEach<Self, Fut, F>
    where
        F: FnMut(Self::Item) -> Fut,
        Fut: Future<Output = ()>,
        Self: Sized,
    {
        futures_util::StreamExt::for_each(self, f)
    }

    /// Runs the async function `f` on each item, with at most `limit` calls running at once
    /// (no limit for `None`; `Some(0)` counts as no limit too), until the stream has ended and
    /// every call has finished.
    ///
    /// The calls run inside this one future (interleaved, as with `join`), not as spawned
    /// tasks: they share its thread. Not cancel-safe: dropping the future drops the running calls.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    /// use runtime::time::{sleep, Instant};
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let start = Instant::now();
    ///     // Six one-second downloads, three at a time: two seconds.
    ///     stream::iter(0..6)
    ///         .for_each_concurrent(3, |_| sleep(Duration::from_secs(1)))
    ///         .await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(2));
    /// }
    /// ```
    fn for_each_concurrent<Fut, F>(
        self,
        limit: impl Into<Option<usize>>,
        f: F,
    ) -> ForEachConcurrent<Self, Fut, F>
    where
        F: FnMut(Self::Item) -> Fut,
        Fut: Future<Output = ()>,
        Self: Sized,
    {
        futures_util::StreamExt::for_each_concurrent(self, limit, f)
    }

    /// For a stream of futures: runs up to `n` of them at once and yields their outputs in the
    /// stream's order (a finished output waits for those before it, and keeps its place in the
    /// window of `n` until it is yielded).
    ///
    /// The futures run inside this stream (polled when it is polled), not as spawned tasks.
    ///
    /// # Panics
    /// If `n` is 0 (no future would ever start).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    /// use runtime::time::sleep;
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let delays = [3, 1, 2];
    ///     let outputs: Vec<u64> = stream::iter(delays)
    ///         .map(|secs| async move {
    ///             sleep(Duration::from_secs(secs)).await;
    ///             secs
    ///         })
    ///         .buffered(3)
    ///         .collect()
    ///         .await;
    ///     assert_eq!(outputs, [3, 1, 2]);
    /// }
    /// ```
    fn buffered(self, n: usize) -> Buffered<Self>
    where
        Self::Item: Future,
        Self: Sized,
    {
        assert!(n > 0, "`buffered(n)` needs `n >= 1`");
        futures_util::StreamExt::buffered(self, n)
    }

    /// For a stream of futures: runs up to `n` of them at once and yields their outputs as they
    /// finish (asyncio's `as_completed` over a bounded window).
    ///
    /// The futures run inside this stream (polled when it is polled), not as spawned tasks.
    ///
    /// # Panics
    /// If `n` is 0 (no future would ever start).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    /// use runtime::time::sleep;
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let outputs: Vec<u64> = stream::iter([3, 1, 2])
    ///         .map(|secs| async move {
    ///             sleep(Duration::from_secs(secs)).await;
    ///             secs
    ///         })
    ///         .buffer_unordered(3)
    ///         .collect()
    ///         .await;
    ///     assert_eq!(outputs, [1, 2, 3]);
    /// }
    /// ```
    fn buffer_unordered(self, n: usize) -> BufferUnordered<Self>
    where
        Self::Item: Future,
        Self: Sized,
    {
        assert!(n > 0, "`buffer_unordered(n)` needs `n >= 1`");
        futures_util::StreamExt::buffer_unordered(self, n)
    }

    /// All the items, in a collection (`Vec`, `HashMap`, `String`, ...) once the stream has
    /// ended.
    ///
    /// Not cancel-safe: dropping the future loses the items collected so far.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lengths: HashMap<&str, usize> =
    ///         stream::iter(["ab", "c"]).map(|w| (w, w.len())).collect().await;
    ///     assert_eq!(lengths["ab"], 2);
    /// }
    /// ```
    fn collect<C>(self) -> Collect<Self, C>
    where
        C: Default + Extend<Self::Item>,
        Self: Sized,
    {
        futures_util::StreamExt::collect(self)
    }

    /// A time limit on the wait for each item: the items as `Ok`, and `Err(Elapsed)` each time
    /// an item takes longer than `duration` to come (tokio-stream's `Item = Result<T, Elapsed>`).
    ///
    /// The rule: each wait starts at the first poll after the previous result (an item, an
    /// `Elapsed`, or the stream's start), and lasts at most `duration`. So
    /// `s.timeout(d).next().await` behaves as `time::timeout(d, s.next()).await`, except that
    /// an `Elapsed` leaves the stream as it was: it keeps running, and the next poll starts a
    /// new wait of `duration` for the same item. A stream that stalls yields an `Elapsed`
    /// every `duration` (end the loop on the first one to give up, e.g.
    /// `.take_while(Result::is_ok)`). Time spent by the consumer between two polls does not
    /// count. An item that is ready at the deadline wins over the `Elapsed`.
    ///
    /// Built without a runtime; polled, it needs one (for its timer, which reads the
    /// runtime's clock, so the paused clock drives it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::stream::{self, StreamExt};
    /// use runtime::time::sleep;
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let slow = stream::iter([1, 5]).then(|secs| async move {
    ///         sleep(Duration::from_secs(secs)).await;
    ///         secs
    ///     });
    ///     let results: Vec<_> = slow
    ///         .timeout(Duration::from_secs(2))
    ///         .map(|r| r.ok())
    ///         .collect()
    ///         .await;
    ///     // 1 s: item; 3 s and 5 s: two waits of 2 s elapse; 6 s: item.
    ///     assert_eq!(results, [Some(1), None, None, Some(5)]);
    /// }
    /// ```
    fn timeout(self, duration: Duration) -> Timeout<Self>
    where
        Self: Sized,
    {
        Timeout::new(self, duration)
    }
}

impl<S: Stream + ?Sized> StreamExt for S {}
