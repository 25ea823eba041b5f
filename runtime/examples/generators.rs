//! Async iterators and generators: a `Stream` is Rust's async iterator (`__aiter__` /
//! `__anext__`), `while let Some(x) = stream.next().await` is `async for`, and `stream!` is an
//! async generator (`async def` with `yield`).
//!
//! Run it with `cargo run --release --example generators`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::stream::{self, Stream, StreamExt};
use runtime::time::sleep;

pub const TITLE: &str = "Async iterators and generators";
pub const ABOUT: &str = "\
asyncio: class with __aiter__/__anext__ / async for x in it: / async def gen(): ... yield x
runtime: impl Stream (stream::unfold) / while let Some(x) = s.next().await / stream!
Each item waits 0.1 s: the consumer sees them one by one, as they are made.";

const DELAY: Duration = Duration::from_millis(100);

/// `class AsyncCounter`: the state (the count) is carried from one item to the next.
fn async_counter(limit: u32) -> impl Stream<Item = u32> {
    stream::unfold(0, move |count| async move {
        if count >= limit {
            return None; // StopAsyncIteration
        }
        sleep(DELAY).await;
        Some((count + 1, count + 1)) // (the item, the next state)
    })
}

/// `async def async_range(count)`: a generator; it runs only when the next item is asked for.
fn async_range(count: u32) -> impl Stream<Item = u32> {
    runtime::stream! {
        for i in 0..count {
            sleep(DELAY).await;
            yield i;
        }
    }
}

/// A generator that can fail: `?` ends the stream with the error as its last item.
fn parse_all(
    lines: &'static [&'static str],
) -> impl Stream<Item = Result<u32, std::num::ParseIntError>> {
    runtime::try_stream! {
        for line in lines {
            yield line.parse::<u32>()?;
        }
    }
}

pub async fn run() {
    let t = Clock::start();

    let mut counter = std::pin::pin!(async_counter(5));
    while let Some(number) = counter.next().await {
        println!("{t} AsyncCounter: {number}");
    }

    let mut values = std::pin::pin!(async_range(5));
    while let Some(value) = values.next().await {
        println!("{t} async_range: {value}");
    }

    let parsed: Vec<_> = parse_all(&["1", "2", "x", "4"]).collect().await;
    println!("{t} try_stream!: {parsed:?}");
    note("A stream is lazy too: nothing runs until someone calls next().");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
