//! Async comprehensions: `[await f(i) for i in ...]` is a loop (one after the other), the
//! concurrent version is `join_all`, and an async generator expression is a stream built with
//! `then`, `filter`, `map`, which `buffered(n)` runs n at a time.
//!
//! Run it with `cargo run --release --example comprehensions`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::future::join_all;
use runtime::stream::{self, StreamExt};
use runtime::time::sleep;

pub const TITLE: &str = "Async comprehensions";
pub const ABOUT: &str = "\
asyncio: [await get_value(i) for i in range(5)] / (await get_value(i) for i in ...)
runtime: for loop with .await / join_all(iter.map(f)) / stream::iter(..).then(f) / buffered(n)
Five 0.1 s values: one after the other 0.5 s; concurrently 0.1 s.";

async fn get_value(n: u32) -> u32 {
    sleep(Duration::from_millis(100)).await;
    n * 2
}

pub async fn run() {
    let t = Clock::start();

    // [await get_value(i) for i in range(5)]: each await finishes before the next starts.
    let mut results = Vec::new();
    for i in 0..5 {
        results.push(get_value(i).await);
    }
    println!("{t} one by one:   {results:?}");

    let results = join_all((0..5).map(get_value)).await;
    println!("{t} join_all:     {results:?}");

    // (await get_value(i) for i in range(5) if i % 2 == 0), consumed with `async for`.
    // (`then` holds a future, so the stream is pinned before `next` is called on it.)
    let mut gen = std::pin::pin!(stream::iter(0..5).filter(|i| i % 2 == 0).then(get_value));
    while let Some(value) = gen.next().await {
        println!("{t} generator:    {value}");
    }

    // The same pipeline with up to 5 values in flight, still in order.
    let results: Vec<u32> = stream::iter(0..5)
        .map(get_value)
        .buffered(5)
        .collect()
        .await;
    println!("{t} buffered(5):  {results:?}");
    note("buffer_unordered(n) yields as they finish; for_each_concurrent(n, f) consumes.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
