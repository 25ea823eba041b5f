//! Scheduler benchmarks: the same five workloads on ours, Tokio and smol, 2 worker threads each.
//!
//! One criterion group per workload, with the ids `ours`, `tokio` and `smol`; each runtime is built
//! inside its own bench closure (outside the timed loop), so one `cargo bench -p benches --bench
//! scheduler` run gives the ratios (`cargo run -p benches --release --bin ratios` prints them).
//!
//! The workloads are written once, generic over [`BenchRuntime`]/[`Spawner`] (see `benches/src/lib.rs`),
//! so every runtime runs the same code. Unless a workload joins handles, "done" is a
//! [`Countdown`]: an `AtomicUsize` the tasks count down, the last sending on a std `sync_channel`
//! that the bench thread blocks on.
//!
//! - `spawn_many_local`: a task spawns 10 000 tasks that each count down.
//! - `spawn_many_remote`: the bench thread spawns 10 000 tasks, then awaits every handle in one
//!   `block_on`.
//! - `yield_many`: 200 tasks each `yield_now().await` 1 000 times.
//! - `ping_pong`: a task spawns 1 000 pair tasks; each spawns a peer and they exchange one message
//!   each way over oneshot channels.
//! - `chained_spawn`: a task spawns a task that spawns ... 1 000 deep; the last one signals.

use std::time::Duration;

use benches::{BenchRuntime, Countdown, Spawner};
use criterion::{criterion_group, criterion_main, Criterion};

/// Tasks spawned by `spawn_many_local` and `spawn_many_remote`.
const SPAWN_TASKS: usize = 10_000;
/// Tasks in `yield_many`.
const YIELD_TASKS: usize = 200;
/// `yield_now` calls per task in `yield_many`.
const YIELDS_PER_TASK: usize = 1_000;
/// Pairs in `ping_pong`.
const PING_PAIRS: usize = 1_000;
/// Depth of `chained_spawn`.
const CHAIN_DEPTH: usize = 1_000;

/// A task spawns `SPAWN_TASKS` tasks that each count down; the last one signals.
fn spawn_many_local<R: BenchRuntime>(rt: &R) {
    let (done, rx) = Countdown::new(SPAWN_TASKS);
    let spawner = rt.spawner();
    rt.spawn_detached(async move {
        for _ in 0..SPAWN_TASKS {
            let done = done.clone();
            spawner.spawn_detached(async move { done.count_down() });
        }
    });
    rx.recv().expect("spawn_many_local: no done signal");
}

/// The bench thread spawns `SPAWN_TASKS` tasks, then awaits all their handles in one `block_on`.
fn spawn_many_remote<R: BenchRuntime>(rt: &R) {
    let handles: Vec<R::Join<()>> = (0..SPAWN_TASKS).map(|_| rt.spawn(async {})).collect();
    rt.block_on(async move {
        for handle in handles {
            handle.await;
        }
    });
}

/// `YIELD_TASKS` tasks each yield `YIELDS_PER_TASK` times; the last to finish signals.
fn yield_many<R: BenchRuntime>(rt: &R) {
    let (done, rx) = Countdown::new(YIELD_TASKS);
    for _ in 0..YIELD_TASKS {
        let done = done.clone();
        rt.spawn_detached(async move {
            for _ in 0..YIELDS_PER_TASK {
                R::Spawner::yield_now().await;
            }
            done.count_down();
        });
    }
    rx.recv().expect("yield_many: no done signal");
}

/// A task spawns `PING_PAIRS` tasks; each spawns a peer, sends it a ping and awaits its pong.
///
/// All three runtimes use `tokio::sync::oneshot`: it needs nothing from Tokio's runtime (only
/// wakers), so the channel costs the same everywhere and the executor is what is measured.
fn ping_pong<R: BenchRuntime>(rt: &R) {
    use tokio::sync::oneshot;

    let (done, rx) = Countdown::new(PING_PAIRS);
    let spawner = rt.spawner();
    rt.spawn_detached(async move {
        for _ in 0..PING_PAIRS {
            let done = done.clone();
            spawner.spawn_detached(async move {
                let (ping_tx, ping_rx) = oneshot::channel::<()>();
                let (pong_tx, pong_rx) = oneshot::channel::<()>();
                spawner.spawn_detached(async move {
                    ping_rx.await.expect("ping_pong: ping lost");
                    pong_tx.send(()).expect("ping_pong: pong receiver gone");
                });
                ping_tx.send(()).expect("ping_pong: ping receiver gone");
                pong_rx.await.expect("ping_pong: pong lost");
                done.count_down();
            });
        }
    });
    rx.recv().expect("ping_pong: no done signal");
}

/// Spawns the next link of `chained_spawn`, or signals at the end of the chain.
fn chain<S: Spawner>(spawner: S, done: std::sync::Arc<Countdown>, left: usize) {
    if left == 0 {
        done.count_down();
    } else {
        spawner.spawn_detached(async move { chain(spawner, done, left - 1) });
    }
}

/// A task spawns a task that spawns ... `CHAIN_DEPTH` deep; the last one signals.
fn chained_spawn<R: BenchRuntime>(rt: &R) {
    let (done, rx) = Countdown::new(1);
    let spawner = rt.spawner();
    rt.spawn_detached(async move { chain(spawner, done, CHAIN_DEPTH - 1) });
    rx.recv().expect("chained_spawn: no done signal");
}

fn scheduler(c: &mut Criterion) {
    benches::workload_group!(c, spawn_many_local, new);
    benches::workload_group!(c, spawn_many_remote, new);
    benches::workload_group!(c, yield_many, new);
    benches::workload_group!(c, ping_pong, new);
    benches::workload_group!(c, chained_spawn, new);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = scheduler
}
criterion_main!(benches);
