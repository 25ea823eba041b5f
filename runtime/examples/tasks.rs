//! Creating tasks: `runtime::spawn` and named tasks (asyncio's `create_task(coro, name=...)`),
//! and a task's state (`done()`, `cancelled()`, `result()`).
//!
//! Run it with `cargo run --release --example tasks`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::time::sleep;

pub const TITLE: &str = "Creating tasks: spawn, names, state";
pub const ABOUT: &str = "\
asyncio: asyncio.create_task(coro, name=...) / task.get_name() / task.done() / task.result()
runtime: task::Builder::new().name(..).spawn(f) / name() / is_finished() / handle.await
Three 1 s tasks started together finish together, after 1 s.";

async fn fetch_data(id: u32) -> String {
    sleep(Duration::from_secs(1)).await;
    // Inside a task: asyncio.current_task().get_name()
    let name = runtime::task::name().unwrap_or_else(|| "unnamed".into());
    format!("Data {id} (from {name})")
}

async fn long_operation() -> &'static str {
    sleep(Duration::from_millis(500)).await;
    "Done"
}

pub async fn run() {
    let t = Clock::start();

    // A task starts running as soon as a worker picks it up; `spawn` does not wait for it.
    let tasks: Vec<_> = (1..=3)
        .map(|id| {
            runtime::task::Builder::new()
                .name(&format!("fetch_task_{id}"))
                .spawn(fetch_data(id))
        })
        .collect();
    let names: Vec<_> = tasks.iter().map(|task| task.name().unwrap()).collect();
    println!("{t} tasks {names:?} are running in the background");
    for task in tasks {
        println!("{t} {}", task.await.expect("the task finished"));
    }

    let mut task = runtime::spawn(long_operation());
    println!("{t} done? {}", task.is_finished()); // task.done()
    sleep(Duration::from_millis(200)).await;
    println!("{t} done? {} (0.2 s later)", task.is_finished());
    // Awaiting `&mut task` keeps the handle, so it can still be asked questions afterwards.
    let result = (&mut task).await;
    println!("{t} done? {}, result: {result:?}", task.is_finished());
    note("A task's result is Err(JoinError) if it panicked or was aborted: see error_handling.");
    note("JoinError::is_cancelled() is task.cancelled(); see timeouts.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
