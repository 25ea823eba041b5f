//! Spawning many tasks: from inside a task, from outside the runtime, from a blocking thread,
//! on both flavors. Every task runs exactly once and its output reaches its JoinHandle.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use runtime::Runtime;

mod common;
use common::{current_thread, multi_thread};

const N: usize = 100_000;

fn expected_sum(n: usize) -> usize {
    (0..n).map(|i| i * 2).sum()
}

fn spawn_from_inside_a_task(rt: &Runtime) {
    let runs = Arc::new(AtomicUsize::new(0));
    let runs2 = runs.clone();
    let sum = rt.block_on(async move {
        let outer = runtime::spawn(async move {
            let handles: Vec<_> = (0..N)
                .map(|i| {
                    let runs = runs2.clone();
                    runtime::spawn(async move {
                        runs.fetch_add(1, SeqCst);
                        i * 2
                    })
                })
                .collect();
            let mut sum = 0;
            for (i, h) in handles.into_iter().enumerate() {
                let v = h.await.expect("task failed");
                assert_eq!(v, i * 2, "task {i} returned the wrong value");
                sum += v;
            }
            sum
        });
        outer.await.expect("outer task failed")
    });
    assert_eq!(sum, expected_sum(N));
    assert_eq!(runs.load(SeqCst), N, "every task runs exactly once");
}

fn spawn_from_outside(rt: &Runtime) {
    let runs = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..N)
        .map(|i| {
            let runs = runs.clone();
            rt.spawn(async move {
                runs.fetch_add(1, SeqCst);
                i * 2
            })
        })
        .collect();
    let sum = rt.block_on(async move {
        let mut sum = 0;
        for (i, h) in handles.into_iter().enumerate() {
            let v = h.await.expect("task failed");
            assert_eq!(v, i * 2, "task {i} returned the wrong value");
            sum += v;
        }
        sum
    });
    assert_eq!(sum, expected_sum(N));
    assert_eq!(runs.load(SeqCst), N, "every task runs exactly once");
}

fn spawn_from_blocking_thread(rt: &Runtime) {
    const M: usize = 10_000;
    let handle = rt.handle().clone();
    let blocking = rt.spawn_blocking(move || {
        (0..M)
            .map(|i| handle.spawn(async move { i * 2 }))
            .collect::<Vec<_>>()
    });
    let sum = rt.block_on(async move {
        let handles = blocking.await.expect("blocking task failed");
        assert_eq!(handles.len(), M);
        let mut sum = 0;
        for (i, h) in handles.into_iter().enumerate() {
            let v = h.await.expect("task failed");
            assert_eq!(v, i * 2);
            sum += v;
        }
        sum
    });
    assert_eq!(sum, expected_sum(M));
}

#[test]
fn many_from_inside_a_task_multi_thread() {
    spawn_from_inside_a_task(&multi_thread());
}

#[test]
fn many_from_inside_a_task_current_thread() {
    spawn_from_inside_a_task(&current_thread());
}

#[test]
fn many_from_outside_multi_thread() {
    spawn_from_outside(&multi_thread());
}

#[test]
fn many_from_outside_current_thread() {
    spawn_from_outside(&current_thread());
}

#[test]
fn many_from_blocking_thread_multi_thread() {
    spawn_from_blocking_thread(&multi_thread());
}

#[test]
fn many_from_blocking_thread_current_thread() {
    spawn_from_blocking_thread(&current_thread());
}

#[test]
fn many_from_several_std_threads_at_once() {
    const THREADS: usize = 4;
    const PER: usize = 10_000;
    let rt = multi_thread();
    let runs = Arc::new(AtomicUsize::new(0));
    let spawners: Vec<_> = (0..THREADS)
        .map(|t| {
            let handle = rt.handle().clone();
            let runs = runs.clone();
            std::thread::spawn(move || {
                (0..PER)
                    .map(|i| {
                        let runs = runs.clone();
                        handle.spawn(async move {
                            runs.fetch_add(1, SeqCst);
                            t * PER + i
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let handles: Vec<_> = spawners
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    let sum = rt.block_on(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..THREADS * PER).sum::<usize>());
    assert_eq!(runs.load(SeqCst), THREADS * PER);
}

thread_local! {
    static INSIDE_SPAWN: Cell<bool> = const { Cell::new(false) };
}

/// A task never runs inside `spawn`: on the current-thread flavor it has not run when `spawn`
/// returns; on the multi-thread flavor it does not run on the spawning thread during the call.
fn spawn_does_not_run_inline(rt: &Runtime, check_not_yet_run: bool) {
    rt.block_on(async {
        for _ in 0..100 {
            let ran = Arc::new(AtomicBool::new(false));
            let inline = Arc::new(AtomicBool::new(false));
            let (ran2, inline2) = (ran.clone(), inline.clone());
            INSIDE_SPAWN.with(|f| f.set(true));
            let h = runtime::spawn(async move {
                if INSIDE_SPAWN.with(|f| f.get()) {
                    inline2.store(true, SeqCst);
                }
                ran2.store(true, SeqCst);
            });
            INSIDE_SPAWN.with(|f| f.set(false));
            if check_not_yet_run {
                assert!(!ran.load(SeqCst), "the task ran inside spawn");
            }
            h.await.unwrap();
            assert!(ran.load(SeqCst));
            assert!(!inline.load(SeqCst), "the task ran inside spawn");
        }
    });
}

#[test]
fn spawn_does_not_run_inline_current_thread() {
    spawn_does_not_run_inline(&current_thread(), true);
}

#[test]
fn spawn_does_not_run_inline_multi_thread() {
    spawn_does_not_run_inline(&multi_thread(), false);
}

#[test]
fn spawn_from_a_worker_does_not_run_inline() {
    let rt = multi_thread();
    rt.block_on(async {
        runtime::spawn(async {
            for _ in 0..100 {
                let inline = Arc::new(AtomicBool::new(false));
                let inline2 = inline.clone();
                INSIDE_SPAWN.with(|f| f.set(true));
                let h = runtime::spawn(async move {
                    if INSIDE_SPAWN.with(|f| f.get()) {
                        inline2.store(true, SeqCst);
                    }
                });
                INSIDE_SPAWN.with(|f| f.set(false));
                h.await.unwrap();
                assert!(!inline.load(SeqCst), "the task ran inside spawn");
            }
        })
        .await
        .unwrap();
    });
}
