//! The cheatsheet's do and don't list, on `runtime`: the dos with where they are shown, and
//! three of the don'ts run to show why: an unawaited future does nothing, a blocking call
//! stalls every task on its thread, and unbounded work is bounded with a `Semaphore`.
//!
//! Run it with `cargo run --release --example best_practices`.

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{note, Clock};
use runtime::sync::Semaphore;
use runtime::time::sleep;

pub const TITLE: &str = "Best practices: do and don't";
pub const ABOUT: &str = "\
asyncio: asyncio.run / create_task / gather / await / wait_for / async with / CancelledError
runtime: #[runtime::main] / spawn / join_all / .await / timeout / Drop / abort + drop guards
Three don'ts, run: a future never awaited, a blocking sleep, a flood of unbounded work.";

/// The dos, and the example that shows each.
const DOS: [(&str, &str); 7] = [
    (
        "start with #[runtime::main] or runtime::run(fut)",
        "every example",
    ),
    (
        "runtime::spawn background work, await the handle when needed",
        "tasks",
    ),
    ("join_all / join! for several operations", "gather"),
    (
        ".await every future (the compiler warns when you do not)",
        "below",
    ),
    ("time::timeout around anything external", "timeouts"),
    (
        "let values close resources: RAII guards, Drop",
        "context_managers",
    ),
    (
        "clean up on cancellation with guards or a CancellationToken",
        "timeouts",
    ),
];

async fn work(runs: &AtomicUsize) {
    runs.fetch_add(1, Ordering::SeqCst);
}

/// Four ticks 0.1 s apart next to a task that takes 0.3 s, on a one-thread runtime: the
/// other task either waits asynchronously or blocks the thread.
fn tick_times(block: bool) -> Vec<String> {
    let runtime = runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    runtime.block_on(async {
        let t = Clock::start();
        let other = runtime::spawn(async move {
            sleep(Duration::from_millis(150)).await;
            if block {
                std::thread::sleep(Duration::from_millis(300)); // ✗ blocks the thread
            } else {
                sleep(Duration::from_millis(300)).await; // ✓ lets others run
            }
        });
        let mut ticks = Vec::new();
        for _ in 0..4 {
            sleep(Duration::from_millis(100)).await;
            ticks.push(format!("{:.2}", t.elapsed().as_secs_f64()));
        }
        other.await.unwrap();
        ticks
    })
}

pub async fn run() {
    let t = Clock::start();
    for (n, (advice, example)) in DOS.iter().enumerate() {
        note(&format!("DO {}  {advice:<62} {example}", n + 1));
    }

    // DON'T 1: forget to await. A future that is never awaited never runs.
    let runs = AtomicUsize::new(0);
    #[allow(unused_must_use)] // what the compiler says: "futures do nothing unless you `.await`"
    {
        work(&runs);
    }
    println!(
        "{t} DON'T 1 work() without .await ran {} times",
        runs.load(Ordering::SeqCst)
    );
    work(&runs).await;
    println!(
        "{t}         work().await ran {} time",
        runs.load(Ordering::SeqCst)
    );

    // DON'T 2: time.sleep in async code. On a one-thread runtime, the ticker stalls.
    let ticks = runtime::spawn_blocking(|| (tick_times(true), tick_times(false)));
    let (blocked, awaited) = ticks.await.unwrap();
    println!(
        "{t} DON'T 2 ticks beside std::thread::sleep: {}",
        blocked.join(" ")
    );
    println!(
        "{t}         ticks beside time::sleep().await: {}",
        awaited.join(" ")
    );
    note("        Blocking work goes to runtime::spawn_blocking (see basics).");
    note("DON'T 3 .await outside an async fn is a compile error, as in Python.");

    // DON'T 4: unbounded concurrency. 1000 tasks, at most 100 doing their 10 ms of work.
    let limit = Arc::new(Semaphore::new(100));
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (limit, now, most) = (limit.clone(), now.clone(), most.clone());
            runtime::spawn(async move {
                let _permit = limit.acquire().await.expect("the semaphore is open");
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                sleep(Duration::from_millis(10)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "{t} DON'T 4 1000 tasks behind Semaphore(100): at most {} at once",
        most.load(Ordering::SeqCst)
    );
    note("DON'T 5 (ignored task errors) and 6 (blocking libraries): see error_handling, basics.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
