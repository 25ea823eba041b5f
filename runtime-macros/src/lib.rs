//! Procedural macros of `runtime`: the `#[main]` and `#[test]` entry-point attributes, and the
//! `join!`, `try_join!` and `select!` combinators (modules `join` and `select`, whose docs
//! show their expansions), and the `stream!` and `try_stream!` async generators (`stream.rs`).
//!
//! Users reach these through the facade crate as `#[runtime::main]`, `#[runtime::test]`,
//! `runtime::join!`, `runtime::select!`, `runtime::stream!` and so on; nothing here is meant to
//! be named directly. The rest of this page is about the attributes.
//!
//! Both attributes turn an `async fn` into an ordinary `fn` that builds a runtime with
//! `::runtime::Builder`, then blocks on the function's body with `Runtime::block_on`:
//!
//! ```text
//! #[runtime::main(worker_threads = 4)]
//! async fn main() {
//!     work().await
//! }
//! ```
//!
//! becomes
//!
//! ```text
//! fn main() {
//!     let body = async move { work().await };
//!     let runtime = ::runtime::Builder::new_multi_thread()
//!         .worker_threads(4)
//!         .build()
//!         .expect("failed to build the runtime");
//!     runtime.block_on(body)
//! }
//! ```
//!
//! `#[runtime::test]` does the same, adds `#[test]`, and uses the current-thread flavor unless
//! told otherwise. The expansion names only `::runtime::Builder` and the `Runtime` it builds.
//!
//! The work is split in two steps, each in its own module:
//!
//! - `args` parses the attribute's arguments (`flavor`, `worker_threads`, `start_paused`) into
//!   a checked `Config`, with an error spanned on the offending token for each mistake;
//! - `expand` checks the function's shape (it must be `async`; `main` takes no parameters)
//!   and writes the new function.
//!
//! On an error the macros still emit a function (the best one they can), next to the
//! `compile_error!`, so that one mistake does not cascade into unrelated errors.

mod args;
mod expand;
mod join;
mod select;
mod stream;

use proc_macro::TokenStream;

use crate::args::Kind;

/// Marks the `async fn main` of a program: it runs on a fresh runtime.
///
/// The function becomes a plain `fn main` that builds a runtime, runs the body to completion
/// on it with `block_on`, and shuts the runtime down. The declared return type is kept, so
/// `async fn main() -> Result<(), E>` works as it does without the attribute.
///
/// # Arguments
///
/// Comma separated, each `key = literal`, all optional:
///
/// - `flavor = "multi_thread"` (the default) or `flavor = "current_thread"`;
/// - `worker_threads = N` with `N >= 1`: the number of worker threads (multi-thread flavor
///   only; the default is the number of CPUs);
/// - `start_paused = true | false`: start with the clock paused. A paused clock needs the
///   current-thread flavor, as in Tokio.
///
/// # Examples
///
/// ```text
/// #[runtime::main]
/// async fn main() {
///     let answer = runtime::spawn(async { 6 * 7 }).await.unwrap();
///     println!("{answer}");
/// }
/// ```
///
/// With arguments, and a fallible body:
///
/// ```text
/// #[runtime::main(flavor = "multi_thread", worker_threads = 4)]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let text = runtime::fs::read_to_string("Cargo.toml").await?;
///     println!("{} bytes", text.len());
///     Ok(())
/// }
/// ```
///
/// expands to (roughly):
///
/// ```text
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let body = async move { /* the body */ };
///     let runtime = ::runtime::Builder::new_multi_thread()
///         .worker_threads(4)
///         .build()
///         .expect("failed to build the runtime");
///     runtime.block_on(body)
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::entry(Kind::Main, args.into(), item.into()).into()
}

/// Marks an `async fn` test: it runs on a fresh runtime of its own.
///
/// The function becomes a `#[test]` function that builds a runtime and blocks on the body.
/// Other attributes stay on the function, so `#[should_panic]` and `#[ignore]` work as usual,
/// and so does a test that returns a `Result`.
///
/// # Arguments
///
/// The same as [`macro@main`], but the default flavor is `"current_thread"`, which keeps tests
/// deterministic:
///
/// - `flavor = "current_thread"` (the default) or `flavor = "multi_thread"`;
/// - `worker_threads = N` with `N >= 1` (multi-thread flavor only);
/// - `start_paused = true | false`: start with the clock paused (current-thread flavor only),
///   so that timers fire as soon as the runtime is idle.
///
/// # Examples
///
/// ```text
/// #[runtime::test]
/// async fn spawn_works() {
///     assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// #[runtime::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() {
///     assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// #[runtime::test(start_paused = true)]
/// async fn with_a_paused_clock() {
///     runtime::time::sleep(std::time::Duration::from_secs(3600)).await; // returns at once
/// }
///
/// #[runtime::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::entry(Kind::Test, args.into(), item.into()).into()
}

/// Awaits several futures concurrently and returns a tuple of their outputs, in argument order.
///
/// Used inside an async context, without `.await` (the macro awaits): `join!(a, b)` is
/// `(a.await, b.await)` except that the futures run concurrently, in the caller's task (they
/// are not spawned). The futures may be of different types, and anything `IntoFuture`; they
/// are evaluated once, in order, and pinned on the stack (no allocation). Each poll starts one
/// future further on, so none is always polled last; write `biased;` first to always poll in
/// argument order.
///
/// Cancel-safe exactly when every future is: dropping the enclosing future drops them all.
///
/// ```text
/// let (user, posts) = runtime::join!(fetch_user(id), fetch_posts(id));
/// let (a, b, c) = runtime::join!(biased; first(), second(), third());
/// ```
#[proc_macro]
pub fn join(input: TokenStream) -> TokenStream {
    join::expand(join::Kind::Join, input.into()).into()
}

/// Awaits several futures of `Result`s concurrently: `Ok` of a tuple of their `Ok` values, or
/// the first `Err`, at which point the other futures are dropped (cancelled).
///
/// Like [`join!`](macro@join), but every future's output must be a `Result<_, E>` with the
/// same `E`, and the first future to complete with an `Err` (in completion order) ends the
/// macro with that `Err`.
///
/// ```text
/// let (user, posts) = runtime::try_join!(fetch_user(id), fetch_posts(id))?;
/// ```
#[proc_macro]
pub fn try_join(input: TokenStream) -> TokenStream {
    join::expand(join::Kind::TryJoin, input.into()).into()
}

/// Waits on several futures at once and runs the handler of the first to complete (Tokio's
/// `select!`); the other futures are dropped.
///
/// ```text
/// runtime::select! {
///     [biased;]
///     pattern = future [, if precondition] => handler,
///     ...
///     [else => handler]
/// }
/// ```
///
/// - The preconditions are evaluated first, then every future (once, in order, pinned on the
///   stack); a branch whose precondition is false is disabled: its future is created but never
///   polled.
/// - Each poll, the enabled futures are polled starting at a random branch, or in written
///   order with `biased;`. When one completes, its branch is disabled; if its output matches
///   the pattern, every future is dropped and the branch's handler runs with the pattern's
///   bindings; otherwise the others keep going.
/// - When every branch is disabled, the `else` handler runs; without `else`, that panics.
/// - The handlers run outside the polling, after the futures are dropped: `break`,
///   `continue`, `return`, `?` and `.await` in a handler act on the enclosing code.
///
/// Cancel-safe exactly when every future is: dropping the enclosing future drops them all.
/// A loop over `select!` re-creates the futures each time round, so it loses nothing only if
/// the futures of the losing branches are cancel-safe.
///
/// ```text
/// loop {
///     runtime::select! {
///         _ = token.cancelled() => break,
///         accepted = listener.accept() => serve(accepted?),
///     }
/// }
/// ```
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}

/// An async generator: a stream of the values of the `yield` expressions in the block.
///
/// The block is an `async move` block: it owns what it uses and can `.await`. It runs while the
/// stream is polled, from one `yield` to the next; `return;` ends the stream, and dropping the
/// stream drops the block with everything it holds. `for await pattern in stream { .. }`
/// loops over another stream (Python's `async for`). The stream is `Unpin`, and `Send` when
/// what the block holds is.
///
/// `yield` counts in the block itself and in the arguments of the macros called there, not
/// inside closures, `async` blocks or functions nested in it (a compile error says so).
///
/// # Examples
///
/// ```text
/// use std::time::Duration;
/// use runtime::stream::{Stream, StreamExt};
///
/// fn ticks(n: u32) -> impl Stream<Item = u32> {
///     runtime::stream! {
///         for i in 0..n {
///             runtime::time::sleep(Duration::from_secs(1)).await;
///             yield i;
///         }
///     }
/// }
///
/// # async fn demo() {
/// let mut ticks = ticks(3);
/// while let Some(i) = ticks.next().await {
///     println!("tick {i}");
/// }
/// # }
/// ```
///
/// (Runnable versions of the examples are in the `runtime::stream` module's documentation.)
#[proc_macro]
pub fn stream(input: TokenStream) -> TokenStream {
    stream::expand(stream::Mode::Stream, input.into()).into()
}

/// A fallible async generator: `yield x` yields `Ok(x)`; `?` on an error yields `Err(e)`
/// (converted with `From`, as `?` does) as the last item and ends the stream.
///
/// The rest is as in [`macro@stream`]: `return;` ends the stream (without an error), and
/// `for await` loops over another stream. The error type comes from the use site (the
/// declared item type of a return type, or an annotation).
///
/// # Examples
///
/// ```text
/// use std::io;
/// use runtime::net::{TcpListener, TcpStream};
/// use runtime::stream::Stream;
///
/// fn incoming(listener: TcpListener) -> impl Stream<Item = io::Result<TcpStream>> {
///     runtime::try_stream! {
///         loop {
///             let (socket, _peer) = listener.accept().await?;
///             yield socket;
///         }
///     }
/// }
/// ```
#[proc_macro]
pub fn try_stream(input: TokenStream) -> TokenStream {
    stream::expand(stream::Mode::TryStream, input.into()).into()
}
