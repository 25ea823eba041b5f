//! Gathering many futures: `join_all` (asyncio's `gather`), `join!` for a fixed set of
//! different types, `try_join_all` (gather's default: the first error), `join_all` over
//! `Result`s (`return_exceptions=True`), and `TaskGroup` (asyncio's `TaskGroup`).
//!
//! Run it with `cargo run --release --example gather`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::future::{join_all, try_join_all};
use runtime::task::{GroupError, TaskGroup};
use runtime::time::sleep;

pub const TITLE: &str = "Gathering: join_all, join!, try_join_all, TaskGroup";
pub const ABOUT: &str = "\
asyncio: await asyncio.gather(*coros, return_exceptions=...) / async with TaskGroup() as tg:
runtime: future::join_all(futs) / join!(a, b) / try_join_all(futs) / task::TaskGroup
Three 1 s fetches gathered take ~1 s, not 3.";

async fn fetch_user(user_id: u32) -> String {
    sleep(Duration::from_secs(1)).await;
    format!("User {user_id}")
}

async fn task(n: u32) -> u32 {
    sleep(Duration::from_millis(200)).await;
    n * 2
}

async fn might_fail(n: u32) -> Result<u32, String> {
    if n == 2 {
        return Err(format!("Error with {n}"));
    }
    Ok(n * 2)
}

pub async fn run() {
    let t = Clock::start();

    let results = join_all([fetch_user(1), fetch_user(2), fetch_user(3)]).await;
    println!("{t} join_all: {results:?}");

    // A fixed number of futures, each of its own type: join!.
    let (user, doubled) = runtime::join!(fetch_user(4), task(21));
    println!("{t} join!: ({user:?}, {doubled})");

    // gather() vs create_task(): tasks run even before they are awaited, can be aborted, and
    // their handles are futures too.
    let handles: Vec<_> = (1..=3).map(|n| runtime::spawn(task(n))).collect();
    let results: Vec<u32> = join_all(handles)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    println!("{t} tasks joined: {results:?}");

    // gather() default: the first error; the other futures are dropped.
    match try_join_all([might_fail(1), might_fail(2), might_fail(3)]).await {
        Ok(results) => println!("{t} try_join_all: {results:?}"),
        Err(error) => println!("{t} try_join_all: Error: {error}"),
    }
    // gather(return_exceptions=True): every outcome, in argument order.
    let results = join_all([might_fail(1), might_fail(2), might_fail(3)]).await;
    println!("{t} join_all of Results: {results:?}");

    // asyncio.TaskGroup: children run as tasks; the first failure aborts the rest.
    let group = TaskGroup::new();
    for n in 1..=3 {
        group.spawn(async move {
            if n == 2 {
                return Err(format!("child {n} failed"));
            }
            sleep(Duration::from_secs(10)).await; // aborted when child 2 fails
            Ok(n)
        });
    }
    match group.join().await {
        Ok(results) => println!("{t} TaskGroup: {results:?}"),
        Err(GroupError::Failed(error)) => println!("{t} TaskGroup: {error}, siblings aborted"),
        Err(GroupError::Panicked(error)) => println!("{t} TaskGroup: {error}"),
    }
    note("join_all keeps argument order; to take results as they finish, see wait.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
