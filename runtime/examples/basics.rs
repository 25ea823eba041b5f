//! Basic concepts: blocking vs async waiting, futures are lazy, what can be awaited, and how
//! async code is started (the cheatsheet's "Basic Concepts", "Async Functions", "Await
//! Expression" and "Running Async Code").
//!
//! Run it with `cargo run --release --example basics`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::sync::oneshot;
use runtime::time::sleep;

pub const TITLE: &str = "Basic concepts: blocking vs async, lazy futures";
pub const ABOUT: &str = "\
asyncio: async def / await / asyncio.run / create_task / loop.create_future
runtime: async fn / .await / #[runtime::main] / runtime::spawn / oneshot::channel
Two 0.5 s waits: blocking one after the other takes 1 s; as two tasks, 0.5 s.";

const WAIT: Duration = Duration::from_millis(500);

/// `def fetch_data(): time.sleep(...)`: blocks the thread it runs on.
fn fetch_data_blocking() -> &'static str {
    std::thread::sleep(WAIT);
    "Data"
}

/// `async def fetch_data_async(): await asyncio.sleep(...)`: other tasks run while it waits.
async fn fetch_data_async() -> &'static str {
    sleep(WAIT).await;
    "Data"
}

/// `async def my_coroutine()`: calling it builds a future; nothing runs until it is awaited.
async fn my_coroutine(t: Clock) -> &'static str {
    println!("{t} my_coroutine: Starting");
    sleep(Duration::from_millis(100)).await;
    println!("{t} my_coroutine: Finished");
    "Result"
}

pub async fn run() {
    let t = Clock::start();

    // Blocking code belongs on the blocking pool, never on the async workers.
    let blocking = runtime::spawn_blocking(|| (fetch_data_blocking(), fetch_data_blocking()));
    let (first, second) = blocking.await.expect("the blocking calls finished");
    println!("{t} blocking: {first}, {second} (one after the other: 1 s)");

    let result1 = runtime::spawn(fetch_data_async());
    let result2 = runtime::spawn(fetch_data_async());
    let (first, second) = (result1.await.unwrap(), result2.await.unwrap());
    println!("{t} async:    {first}, {second} (two tasks: 0.5 s more)");
    note("Awaiting two futures one after the other, without spawning, would take 1 s too.");

    let coro = my_coroutine(t);
    println!("{t} my_coroutine() called: a future, nothing printed yet");
    let result = coro.await;
    println!("{t} awaited: {result:?}");

    // What can be awaited: async fns (above), tasks, and futures completed by someone else.
    let task = runtime::spawn(async { "from a task" });
    println!("{t} awaited a JoinHandle: {:?}", task.await.unwrap());
    let (setter, future) = oneshot::channel(); // loop.create_future()
    setter.send("Result").unwrap(); // future.set_result("Result")
    println!(
        "{t} awaited a oneshot receiver: {:?}",
        future.await.unwrap()
    );

    // asyncio.get_running_loop()
    let handle = runtime::Handle::current();
    println!(
        "{t} Handle::current(): {} worker threads",
        handle.num_workers()
    );
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
