//! Timer benchmarks: the same two workloads on ours, Tokio and smol, 2 worker threads each.
//!
//! One criterion group per workload, with the ids `ours`, `tokio` and `smol`; each runtime is built
//! inside its own bench closure (outside the timed loop) with [`BenchRuntime::with_drivers`]
//! (Tokio with `enable_all()`; smol's workers run `smol::block_on`, so an idle one polls async-io's
//! reactor, which also keeps smol's timers). `cargo run -p benches --release --bin ratios` prints
//! the ratios.
//!
//! The workloads are written once, generic over [`BenchRuntime`] and the [`Timers`] trait below,
//! which gives each runtime's own sleep: `runtime::time::sleep`, `tokio::time::sleep`,
//! `smol::Timer::after`. "Done" is a [`Countdown`] the bench thread waits on
//! ([`benches::wait_done`] fails the run instead of hanging if it never comes).
//!
//! - `timers`: a task spawns 20 000 tasks; each sleeps a pseudo-random 1..=10 ms (a fixed-seed
//!   splitmix64, so every runtime and every iteration gets the same 20 000 durations) and counts
//!   down. One iteration lasts at least the longest sleep (10 ms) plus each runtime's timer
//!   granularity, so this measures how much a runtime adds on top of that: filing 20 000 timers,
//!   firing them and waking and running their tasks.
//! - `timer_churn`: 100 tasks, spawned from the bench thread so they spread over both workers,
//!   each create 1 000 `sleep(1 s)`s, poll each exactly once (`futures_lite::future::poll_once`,
//!   which must return `Pending`) and drop it: 100 000 timers filed and cancelled, none firing.
//!   The single poll is the point: all three runtimes touch their timer structures only when a
//!   sleep is first polled (ours files the entry in its wheel at the first poll, Tokio registers
//!   its entry at the first poll, async-io queues the insertion at the first poll), so creating
//!   and dropping unpolled sleeps would measure a constructor and nothing else, least of all ours,
//!   whose unpolled `Sleep` never sees the wheel. Polling once files the timer; dropping it then
//!   cancels it. A pending sleep gives back the unit of coop budget it took (ours and Tokio), so
//!   the loop never runs out of budget and every sleep really is filed.
//!
//! Sizes are fixed; shorten a run with `--quick` or by picking groups, never by shrinking them.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use benches::ours::OursSpawner;
use benches::smol_rt::SmolSpawner;
use benches::tokio_rt::TokioSpawner;
use benches::{wait_done, BenchRuntime, Countdown, Spawner};
use criterion::{criterion_group, criterion_main, Criterion};
use futures_lite::future::poll_once;

/// Tasks in `timers`, one sleep each.
const TIMER_TASKS: usize = 20_000;
/// The shortest and longest sleep of `timers`, in milliseconds.
const TIMER_MIN_MS: u64 = 1;
const TIMER_MAX_MS: u64 = 10;
/// The seed of the `timers` durations.
const TIMER_SEED: u64 = 0x5eed_0f71_e5e5;
/// Tasks in `timer_churn`.
const CHURN_TASKS: usize = 100;
/// Sleeps each `timer_churn` task creates, polls once and drops.
const CHURN_SLEEPS_PER_TASK: usize = 1_000;
/// How long a `timer_churn` sleep would sleep (it is dropped long before).
const CHURN_SLEEP: Duration = Duration::from_secs(1);

/// A runtime's own sleep, called from a task running on it.
trait Timers: Spawner {
    /// Completes after `duration`; created where it is called, filed when first polled.
    fn sleep(duration: Duration) -> impl Future + Send + 'static;
}

impl Timers for OursSpawner {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        runtime::time::sleep(duration)
    }
}

impl Timers for TokioSpawner {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        tokio::time::sleep(duration)
    }
}

impl Timers for SmolSpawner {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        smol::Timer::after(duration)
    }
}

/// splitmix64: a tiny, fixed-seed generator, so all runtimes sleep the same durations.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `TIMER_TASKS` sleep durations of `timers`, each in `TIMER_MIN_MS..=TIMER_MAX_MS` ms.
fn timer_durations() -> &'static [Duration] {
    static DURATIONS: OnceLock<Vec<Duration>> = OnceLock::new();
    DURATIONS.get_or_init(|| {
        let mut state = TIMER_SEED;
        let span = TIMER_MAX_MS - TIMER_MIN_MS + 1;
        (0..TIMER_TASKS)
            .map(|_| Duration::from_millis(TIMER_MIN_MS + splitmix64(&mut state) % span))
            .collect()
    })
}

/// A task spawns `TIMER_TASKS` tasks that each sleep their duration and count down.
fn timers<R>(rt: &R)
where
    R: BenchRuntime,
    R::Spawner: Timers,
{
    let durations = timer_durations();
    let (done, rx) = Countdown::new(TIMER_TASKS);
    let spawner = rt.spawner();
    rt.spawn_detached(async move {
        for &duration in durations {
            let done = done.clone();
            spawner.spawn_detached(async move {
                <R::Spawner as Timers>::sleep(duration).await;
                done.count_down();
            });
        }
    });
    wait_done(&rx, "timers");
}

/// `CHURN_TASKS` tasks each create `CHURN_SLEEPS_PER_TASK` one-second sleeps, poll each once
/// (filing it) and drop it (cancelling it).
fn timer_churn<R>(rt: &R)
where
    R: BenchRuntime,
    R::Spawner: Timers,
{
    let (done, rx) = Countdown::new(CHURN_TASKS);
    for _ in 0..CHURN_TASKS {
        let done = done.clone();
        rt.spawn_detached(async move {
            for _ in 0..CHURN_SLEEPS_PER_TASK {
                let polled = poll_once(<R::Spawner as Timers>::sleep(CHURN_SLEEP)).await;
                assert!(
                    polled.is_none(),
                    "timer_churn: a 1 s sleep completed at its first poll"
                );
            }
            done.count_down();
        });
    }
    wait_done(&rx, "timer_churn");
}

fn timer_benches(c: &mut Criterion) {
    benches::workload_group!(c, timers, with_drivers);
    benches::workload_group!(c, timer_churn, with_drivers);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = timer_benches
}
criterion_main!(benches);
