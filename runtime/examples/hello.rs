//! The smallest program on `runtime`: `#[runtime::main]`, a few named tasks, and their results.
//!
//! Run it with `cargo run --example hello`.

use std::time::Instant;

#[runtime::main]
async fn main() {
    let started = Instant::now();
    let tasks: Vec<_> = (1..=3)
        .map(|i| {
            runtime::task::Builder::new()
                .name(&format!("greeter-{i}"))
                .spawn(async move {
                    let name = runtime::task::name().expect("named task");
                    format!("hello from {name} (task {})", runtime::task::id())
                })
        })
        .collect();
    for task in tasks {
        println!("{}", task.await.expect("the greeter finished"));
    }

    let sum = runtime::spawn_blocking(|| (1..=1_000_000u64).sum::<u64>())
        .await
        .expect("the blocking sum finished");
    println!("sum of 1..=1_000_000 on the blocking pool: {sum}");

    let failed = runtime::task::Builder::new()
        .name("oops")
        .spawn(async { panic!("a task may panic; the runtime survives") })
        .await
        .unwrap_err();
    println!("caught: {failed}");
    println!("done in {:?}", started.elapsed());
}
