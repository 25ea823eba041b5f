//! Timeouts and cancellation: `runtime::time::timeout` (asyncio's `wait_for`), aborting a task
//! (`task.cancel()`), cleanup that runs when a future is dropped (the `except CancelledError`
//! block), and cooperative cancellation with a `CancellationToken`.
//!
//! Run it with `cargo run --release --example timeouts`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::sync::CancellationToken;
use runtime::time::{sleep, timeout};

pub const TITLE: &str = "Timeouts and cancellation";
pub const ABOUT: &str = "\
asyncio: wait_for(coro, timeout) / task.cancel() / except CancelledError: cleanup; raise
runtime: time::timeout(d, fut) / handle.abort() / a guard's Drop / CancellationToken
A 5 s operation under a 0.5 s timeout gives up at 0.5 s, and the operation is dropped there.";

/// Runs its cleanup when dropped, unless `disarm`ed first: Rust's `except CancelledError:`.
/// A future that is not polled to the end (a timeout fired, the task was aborted) is dropped,
/// and so are the guards it holds.
struct OnCancel<'a> {
    what: &'a str,
    t: Clock,
    armed: bool,
}

impl<'a> OnCancel<'a> {
    fn new(what: &'a str, t: Clock) -> Self {
        OnCancel {
            what,
            t,
            armed: true,
        }
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for OnCancel<'_> {
    fn drop(&mut self) {
        if self.armed {
            println!("{} {}: cancelled, cleanup ran", self.t, self.what);
        }
    }
}

async fn slow_operation(t: Clock) -> &'static str {
    let guard = OnCancel::new("slow_operation", t);
    sleep(Duration::from_secs(5)).await;
    guard.disarm();
    "Done"
}

async fn cancellable_task(t: Clock) {
    let guard = OnCancel::new("cancellable_task", t);
    println!("{t} cancellable_task: started");
    sleep(Duration::from_secs(10)).await;
    println!("{t} cancellable_task: completed");
    guard.disarm();
}

pub async fn run() {
    let t = Clock::start();

    match timeout(Duration::from_millis(500), slow_operation(t)).await {
        Ok(result) => println!("{t} finished: {result}"),
        Err(elapsed) => println!("{t} operation timed out ({elapsed})"),
    }

    let task = runtime::spawn(cancellable_task(t));
    sleep(Duration::from_millis(300)).await;
    task.abort(); // task.cancel()
    match task.await {
        Err(error) if error.is_cancelled() => println!("{t} confirmed: task cancelled"),
        other => println!("{t} unexpected: {other:?}"),
    }
    note("Drop cleanup is synchronous. For async cleanup, cancel cooperatively:");

    let token = CancellationToken::new();
    let worker = runtime::spawn({
        let token = token.clone();
        async move {
            let mut ticks = 0;
            let work = async {
                loop {
                    sleep(Duration::from_millis(100)).await;
                    ticks += 1;
                }
            };
            // Runs `work` until the token is cancelled, then carries on here.
            token.run_until_cancelled(work).await;
            sleep(Duration::from_millis(50)).await; // e.g. flush a buffer, say goodbye
            println!("{t} worker: stopped after {ticks} ticks, flushed, exiting");
        }
    });
    sleep(Duration::from_millis(250)).await;
    token.cancel();
    worker.await.unwrap();
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
