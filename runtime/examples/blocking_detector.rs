//! The runtime noticing, and surviving, tasks that block their workers.
//!
//! ```text
//! cargo run --release --example blocking_detector
//! ```
//!
//! Two "bad" tasks call `std::thread::sleep` inside `async` code, which blocks both workers of
//! a 2-worker runtime for 600 ms. Each blocking poll is reported once on stderr (task name, id,
//! spawn location, how long so far: the default `on_slow_poll` hook), and because every worker
//! is stuck a stand-in thread runs the other tasks meanwhile: the heartbeat keeps ticking every
//! 100 ms instead of freezing. Halfway through, `Handle::dump()` lists the live tasks.

use std::time::Duration;

use runtime::time::{sleep, Instant};

fn main() {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(Duration::from_millis(100))
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let start = Instant::now();
        let stamp = move || format!("{:>6.3}s", start.elapsed().as_secs_f64());

        let heartbeat = runtime::task::Builder::new()
            .name("heartbeat")
            .spawn(async move {
                for beat in 1..=10 {
                    sleep(Duration::from_millis(100)).await;
                    println!("{} heartbeat {beat}", stamp());
                }
            });

        sleep(Duration::from_millis(150)).await;
        let bad: Vec<_> = (1..=2)
            .map(|i| {
                runtime::task::Builder::new()
                    .name(&format!("bad-{i}"))
                    .spawn(async move {
                        println!("{} bad-{i} blocks its worker for 600 ms", stamp());
                        std::thread::sleep(Duration::from_millis(600)); // the mistake
                        println!("{} bad-{i} returns", stamp());
                    })
            })
            .collect();

        sleep(Duration::from_millis(400)).await;
        println!("{} live tasks while both workers are blocked:", stamp());
        print!("{}", runtime::Handle::current().dump());

        for task in bad {
            task.await.expect("bad task");
        }
        heartbeat.await.expect("heartbeat");
        println!(
            "{} done: the heartbeat never stopped while both workers were blocked",
            stamp()
        );
    });
}
