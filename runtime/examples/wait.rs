//! `wait`, `as_completed`, `select!` and `race`: waiting for the first of many, and taking
//! results in the order they finish (asyncio's `wait(..., return_when=FIRST_COMPLETED)` and
//! `as_completed`).
//!
//! Run it with `cargo run --release --example wait`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::Clock;
use runtime::future::{as_completed, race, wait, ReturnWhen};
use runtime::stream::StreamExt;
use runtime::time::sleep;

pub const TITLE: &str = "wait, as_completed, select!, race";
pub const ABOUT: &str = "\
asyncio: asyncio.wait(tasks, return_when=FIRST_COMPLETED) / as_completed(aws) / first of two
runtime: future::wait(handles, ReturnWhen::FirstCompleted) / as_completed / select! / race
Tasks of 0.3, 0.6 and 0.9 s: FIRST_COMPLETED returns at 0.3 s, with the other two running.";

async fn task(tenths: u64) -> String {
    sleep(Duration::from_millis(100 * tenths)).await;
    format!("Task {tenths}")
}

pub async fn run() {
    let t = Clock::start();

    let tasks = [3, 6, 9].map(|tenths| runtime::spawn(task(tenths)));
    let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted).await;
    println!("{t} done: {}, pending: {}", done.len(), pending.len());
    for result in done {
        println!("{t} done: {:?}", result.unwrap());
    }
    for task in &pending {
        task.abort(); // cancel the rest
    }

    // Results in the order they finish, not the order they were given.
    let mut finished = as_completed([task(3), task(1), task(2)]);
    while let Some(result) = finished.next().await {
        println!("{t} as_completed: {result}");
    }

    // The first of two different things, and which one it was.
    runtime::select! {
        result = task(5) => println!("{t} select!: {result} came first"),
        _ = sleep(Duration::from_millis(200)) => println!("{t} select!: 0.2 s passed first"),
    }

    // The first of many of the same kind; the losers are dropped.
    let fastest = race([task(4), task(1), task(2)]).await;
    println!("{t} race: {fastest} won");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
