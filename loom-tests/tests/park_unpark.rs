#![cfg(loom)]
//! Models the workers' park/unpark protocol with 2 workers: no wake-up may be lost.
//!
//! A producer (a spawn from outside, or a task spawning a child onto its worker's queue)
//! publishes work and then looks for a sleeping worker to wake, skipping the wake if another
//! worker is searching; the last searcher to park re-checks every queue. If both sides miss
//! each other, the work sits in a queue while every worker sleeps and the main thread waits
//! forever in `block_on`, which loom reports as a deadlock.

use loom_tests::support::{model, multi_thread};

/// Two tasks spawned from outside, each spawning a child and awaiting it.
#[test]
fn park_unpark_no_lost_wakeup() {
    model(|| {
        let rt = multi_thread(2);
        let a = rt.spawn(async { runtime_core::spawn(async { 1 }).await.unwrap() + 10 });
        let b = rt.spawn(async { runtime_core::spawn(async { 2 }).await.unwrap() + 20 });
        let sum = rt.block_on(async move { a.await.unwrap() + b.await.unwrap() });
        assert_eq!(sum, 33);
        drop(rt);
    });
}

/// A task spawned from outside right after the previous one was joined, while the workers
/// are going back to sleep.
#[test]
fn park_unpark_spawn_after_join() {
    model(|| {
        let rt = multi_thread(2);
        assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
        assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
        drop(rt);
    });
}
