//! Streams: asynchronous iterators (Python's async iterators, `async for`, async generators and
//! async comprehensions).
//!
//! The trait is the ecosystem's [`Stream`] (`futures_core::Stream`), so streams from other
//! crates work here and ours work there. [`StreamExt`] adds the combinators; the functions
//! below make streams from values ([`iter`], [`once`], [`empty`], [`repeat`], [`pending`]) and
//! from async steps ([`unfold`], [`poll_fn`]); the macros `runtime::stream!` and
//! `runtime::try_stream!` write a stream as an async generator.
//!
//! | Python                                   | `runtime`                                               |
//! |------------------------------------------|---------------------------------------------------------|
//! | `async for x in s: ...`                  | `while let Some(x) = s.next().await { ... }`            |
//! | `async def gen(): ... yield x`           | `runtime::stream! { ... yield x; ... }`                 |
//! | `[f(x) async for x in s if p(x)]`        | `s.filter(p).map(f).collect::<Vec<_>>().await`          |
//! | `asyncio.wait_for(anext(s), d)`          | `s.timeout(d).next().await`                             |
//!
//! ```
//! use runtime::stream::{self, StreamExt};
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() {
//!     let mut evens = stream::iter(1..=10).filter(|n| n % 2 == 0).map(|n| n * 10);
//!     let mut seen = Vec::new();
//!     while let Some(n) = evens.next().await {
//!         seen.push(n);
//!     }
//!     assert_eq!(seen, [20, 40, 60, 80, 100]);
//! }
//! ```
//!
//! # Async generators
//!
//! `runtime::stream! { ... }` is a stream whose items are the values of the `yield` expressions
//! in the block. The block is an `async move` block (it takes ownership of what it uses and can
//! `.await`); it runs only while the stream is polled, from one `yield` to the next, so a
//! consumer that stops asking stops the generator there, and dropping the stream drops the
//! block with everything it holds. `return;` ends the stream early. Inside the block,
//! `for await pattern in stream { ... }` loops over another stream (`async for`).
//!
//! ```
//! use std::time::Duration;
//! use runtime::stream::{Stream, StreamExt};
//! use runtime::time::{sleep, Instant};
//!
//! fn countdown(from: u32) -> impl Stream<Item = u32> {
//!     runtime::stream! {
//!         for n in (1..=from).rev() {
//!             yield n;
//!             sleep(Duration::from_secs(1)).await;
//!         }
//!     }
//! }
//!
//! #[runtime::main(flavor = "current_thread", start_paused = true)]
//! async fn main() {
//!     let start = Instant::now();
//!     let doubled = runtime::stream! {
//!         for await n in countdown(3) {
//!             yield n * 2;
//!         }
//!     };
//!     assert_eq!(doubled.collect::<Vec<_>>().await, [6, 4, 2]);
//!     assert_eq!(start.elapsed(), Duration::from_secs(3));
//! }
//! ```
//!
//! `runtime::try_stream! { ... }` is the same for fallible work: `yield x` yields `Ok(x)`, and
//! `?` on an error yields `Err(e)` (converted with `From`, as `?` does) as the stream's last
//! item; `return;` ends the stream without an error. The error type comes from the use (a
//! return type such as `impl Stream<Item = io::Result<T>>`, or an annotation).
//!
//! ```
//! use std::num::ParseIntError;
//! use runtime::stream::{Stream, StreamExt};
//!
//! fn parse_all(words: Vec<&'static str>) -> impl Stream<Item = Result<i64, ParseIntError>> {
//!     runtime::try_stream! {
//!         for word in words {
//!             let n: i64 = word.parse()?;
//!             yield n;
//!         }
//!     }
//! }
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() {
//!     let results: Vec<_> = parse_all(vec!["1", "2", "x", "4"]).collect().await;
//!     assert_eq!(results.len(), 3);
//!     assert_eq!(results[..2], [Ok(1), Ok(2)]);
//!     assert!(results[2].is_err());
//! }
//! ```
//!
//! The generator's stream is `Unpin` (its state lives in one allocation), so `next()` works on
//! it directly, and it is `Send` when what the block holds across its `.await`s and `yield`s
//! is, so it can move to a spawned task. `yield` counts in the block itself, not inside the
//! closures, `async` blocks or functions nested in it (a compile error says so), except in the
//! arguments of macros called in the block: the generator cannot parse those, so it rewrites
//! every `yield` there.
//!
//! # Adapter types
//!
//! The types returned by [`StreamExt`]'s methods are futures-util's (re-exported here), except
//! [`Filter`], [`FilterMap`], [`TakeWhile`], [`SkipWhile`], [`Fold`] (which take plain
//! closures, as tokio-stream's do) and [`Timeout`].

mod adapters;
mod ext;
mod timeout;

// Support for the `stream!` and `try_stream!` macros (not public API).
#[doc(hidden)]
pub mod generator;

use std::future::Future;
use std::task::{Context, Poll};

pub use futures_core::stream::{BoxStream, FusedStream, Stream};

#[doc(no_inline)]
pub use futures_util::stream::{
    BufferUnordered, Buffered, Chain, Chunks, Collect, Count, Empty, Enumerate, FlatMap, Flatten,
    ForEach, ForEachConcurrent, Fuse, Inspect, Iter, Map, Next, Once, Peekable, Pending, PollFn,
    Repeat, Select as Merge, Skip, Take, Then, Unfold, Zip,
};

pub use adapters::{Filter, FilterMap, Fold, SkipWhile, TakeWhile};
pub use ext::StreamExt;
pub use timeout::Timeout;

/// A stream of the items of an iterator (or anything `IntoIterator`), each ready at once.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let words = stream::iter(vec!["to", "be"]);
///     assert_eq!(words.collect::<Vec<_>>().await, ["to", "be"]);
/// }
/// ```
pub fn iter<I: IntoIterator>(items: I) -> Iter<I::IntoIter> {
    futures_util::stream::iter(items)
}

/// A stream of one item: the output of `future`.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let one = stream::once(async { 6 * 7 });
///     assert_eq!(one.collect::<Vec<_>>().await, [42]);
/// }
/// ```
pub fn once<F: Future>(future: F) -> Once<F> {
    futures_util::stream::once(future)
}

/// A stream with no items: it ends at once.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut nothing = stream::empty::<u8>();
///     assert_eq!(nothing.next().await, None);
/// }
/// ```
pub fn empty<T>() -> Empty<T> {
    futures_util::stream::empty()
}

/// A stream that repeats `item` (a clone each time) forever; limit it with `take`.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let ticks = stream::repeat("tick").take(2);
///     assert_eq!(ticks.collect::<Vec<_>>().await, ["tick", "tick"]);
/// }
/// ```
pub fn repeat<T: Clone>(item: T) -> Repeat<T> {
    futures_util::stream::repeat(item)
}

/// A stream that never yields and never ends.
///
/// ```
/// use std::time::Duration;
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let mut never = stream::pending::<u8>().timeout(Duration::from_secs(1));
///     assert!(never.next().await.unwrap().is_err());
/// }
/// ```
pub fn pending<T>() -> Pending<T> {
    futures_util::stream::pending()
}

/// A stream built from an async step: `f(state)` returns a future of `Some((item, next_state))`
/// to yield `item` and go on, or `None` to end.
///
/// ```
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     // Pages 1, 2, 3 of a paginated API.
///     let pages = stream::unfold(1, |page| async move {
///         (page <= 3).then(|| (format!("page {page}"), page + 1))
///     });
///     assert_eq!(pages.collect::<Vec<_>>().await, ["page 1", "page 2", "page 3"]);
/// }
/// ```
pub fn unfold<T, F, Fut, Item>(init: T, f: F) -> Unfold<T, F, Fut>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Option<(Item, T)>>,
{
    futures_util::stream::unfold(init, f)
}

/// A stream whose `poll_next` is the closure `f`.
///
/// ```
/// use std::task::Poll;
/// use runtime::stream::{self, StreamExt};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut left = 3;
///     let countdown = stream::poll_fn(move |_cx| {
///         left -= 1;
///         Poll::Ready((left > 0).then_some(left))
///     });
///     assert_eq!(countdown.collect::<Vec<_>>().await, [2, 1]);
/// }
/// ```
pub fn poll_fn<T, F>(f: F) -> PollFn<F>
where
    F: FnMut(&mut Context<'_>) -> Poll<Option<T>>,
{
    futures_util::stream::poll_fn(f)
}
