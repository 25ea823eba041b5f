//! Producer-consumer: `runtime::sync::Queue` is asyncio's `Queue` (bounded or not,
//! `put`/`get`, `task_done`/`join`, `shutdown`); one producer and two consumers run
//! concurrently with `join!` (the cheatsheet's `gather`).
//!
//! Run it with `cargo run --release --example producer_consumer`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::sync::Queue;
use runtime::time::sleep;

pub const TITLE: &str = "Producer-consumer with a Queue";
pub const ABOUT: &str = "\
asyncio: asyncio.Queue() / await queue.put(x) / await queue.get() / task_done / shutdown
runtime: sync::Queue::bounded(n) / put(x).await / get().await / task_done() / shutdown()
One producer, two consumers, a queue of 3: every item is consumed exactly once.";

/// `random.random()` without a dependency: a fixed, well-mixed sequence of delays below `max_ms`.
fn random_delay(seed: u64, max_ms: u64) -> Duration {
    Duration::from_millis((seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % max_ms)
}

async fn producer(t: Clock, queue: &Queue<String>, n: u64) {
    for i in 0..n {
        sleep(random_delay(i, 100)).await;
        let item = format!("item-{i}");
        queue.put(item.clone()).await.expect("the queue is open");
        println!("{t} producer   put {item} (queue: {} of 3)", queue.len());
    }
}

async fn consumer(t: Clock, queue: &Queue<String>, name: &str, seed: u64) -> Vec<String> {
    let mut consumed = Vec::new();
    while let Ok(item) = queue.get().await {
        sleep(random_delay(seed + consumed.len() as u64, 200)).await;
        println!("{t} {name} processed {item}");
        consumed.push(item);
        queue.task_done().expect("one task_done per item");
    }
    consumed
}

pub async fn run() {
    let t = Clock::start();
    let queue = Queue::bounded(3);

    let produce = async {
        producer(t, &queue, 10).await;
        queue.join().await; // until every item put has been marked done
        println!("{t} queue.join() returned: all items processed");
        // Stop the consumers: their `get` fails once the queue is shut down and empty.
        // (The cheatsheet's single `None` sentinel would stop only one of its two consumers.)
        queue.shutdown();
    };
    let ((), first, second) = runtime::join!(
        produce,
        consumer(t, &queue, "consumer-1", 100),
        consumer(t, &queue, "consumer-2", 200),
    );
    let mut all: Vec<String> = first.iter().chain(&second).cloned().collect();
    all.sort_by_key(|item| item["item-".len()..].parse::<u32>().unwrap());
    let expected: Vec<String> = (0..10).map(|i| format!("item-{i}")).collect();
    println!(
        "{t} consumer-1 took {}, consumer-2 took {}; each item exactly once: {}",
        first.len(),
        second.len(),
        all == expected
    );
    note("LifoQueue and PriorityQueue have the same methods; mpsc channels suit one consumer.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
