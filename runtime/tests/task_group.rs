//! `TaskGroup`: outputs in spawn order, the first failure aborting the siblings at once,
//! panics, children spawning children, nested groups, dropping an unjoined group or its join,
//! spawning into a closed group, and a multi-thread run.

use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use runtime::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use runtime::task::{yield_now, GroupError, TaskGroup};
use runtime::time::{sleep, timeout, Instant};

mod common;

/// Sends its label when dropped: proves a child's future was dropped (its drop guard ran).
struct DropGuard(u32, UnboundedSender<u32>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.1.send(self.0);
    }
}

/// What the guards have sent so far, sorted, without waiting.
fn dropped_now(rx: &mut UnboundedReceiver<u32>) -> Vec<u32> {
    let mut labels = Vec::new();
    while let Ok(label) = rx.try_recv() {
        labels.push(label);
    }
    labels.sort_unstable();
    labels
}

/// A child that sleeps `secs`, holding a guard, then returns `Ok(secs)`.
async fn sleeper(secs: u64, guard: DropGuard) -> Result<u64, String> {
    let _guard = guard;
    sleep(Duration::from_secs(secs)).await;
    Ok(secs)
}

#[runtime::test(start_paused = true)]
async fn all_succeed_outputs_in_spawn_order() {
    let start = Instant::now();
    let group = TaskGroup::new();
    for secs in [3u64, 1, 4, 1, 5] {
        group.spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            Ok::<_, ()>(secs)
        });
    }
    assert_eq!(group.join().await.unwrap(), [3, 1, 4, 1, 5]);
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[runtime::test]
async fn an_empty_group_joins_at_once() {
    let group = TaskGroup::<(), ()>::new();
    assert_eq!(group.join().await.unwrap(), Vec::<()>::new());
}

#[runtime::test(start_paused = true)]
async fn the_first_failure_aborts_the_siblings_at_once_and_is_returned() {
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let start = Instant::now();
    let group = TaskGroup::new();
    for label in 0..3 {
        group.spawn(sleeper(100, DropGuard(label, guard_tx.clone())));
    }
    // Finishes before the failure: its output is dropped with the group's results.
    group.spawn(sleeper(1, DropGuard(10, guard_tx.clone())));
    group.spawn(async {
        sleep(Duration::from_secs(2)).await;
        Err::<u64, _>("connection reset".to_string())
    });
    // A later failure is dropped.
    group.spawn(async {
        sleep(Duration::from_secs(3)).await;
        Err::<u64, _>("too late".to_string())
    });
    drop(guard_tx);
    match group.join().await {
        Err(GroupError::Failed(e)) => assert_eq!(e, "connection reset"),
        other => panic!("expected the first failure, got {other:?}"),
    }
    // At the failure's instant, and every sibling's guard already ran.
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(dropped_now(&mut guard_rx), [0, 1, 2, 10]);
    assert!(guard_rx.recv().await.is_none(), "no guard is left alive");
}

#[runtime::test(start_paused = true)]
async fn siblings_are_aborted_even_before_join_is_awaited() {
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let start = Instant::now();
    let group = TaskGroup::new();
    group.spawn(sleeper(100, DropGuard(0, guard_tx.clone())));
    group.spawn(async {
        sleep(Duration::from_secs(1)).await;
        Err("failed".to_string())
    });
    drop(guard_tx);
    // Nobody is in `join` yet; the sibling is cancelled at the failure all the same.
    assert_eq!(guard_rx.recv().await, Some(0));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert!(matches!(group.join().await, Err(GroupError::Failed(_))));
}

#[runtime::test(start_paused = true)]
async fn a_panicking_child_gives_panicked_and_aborts_the_siblings() {
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let start = Instant::now();
    let group = TaskGroup::new();
    group.spawn(sleeper(100, DropGuard(0, guard_tx.clone())));
    group.spawn(async {
        sleep(Duration::from_secs(1)).await;
        panic!("index out of bounds");
    });
    drop(guard_tx);
    match group.join().await {
        Err(GroupError::Panicked(error)) => {
            assert!(error.is_panic());
            assert!(error.to_string().contains("index out of bounds"), "{error}");
            let payload = error.into_panic();
            assert_eq!(
                *payload.downcast::<&'static str>().unwrap(),
                "index out of bounds"
            );
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(dropped_now(&mut guard_rx), [0]);
}

#[runtime::test(start_paused = true)]
async fn children_spawned_by_children_are_waited_for_in_spawn_order() {
    let start = Instant::now();
    let group = TaskGroup::new();
    let spawner = group.clone();
    group.spawn(async move {
        sleep(Duration::from_secs(1)).await;
        // Spawned while `join` already waits.
        let grandchild_spawner = spawner.clone();
        spawner.spawn(async move {
            sleep(Duration::from_secs(2)).await;
            grandchild_spawner.spawn(async {
                sleep(Duration::from_secs(3)).await;
                Ok::<_, ()>("great-grandchild")
            });
            Ok("grandchild")
        });
        Ok("child")
    });
    group.spawn(async { Ok("sibling") });
    assert_eq!(
        group.join().await.unwrap(),
        ["child", "sibling", "grandchild", "great-grandchild"]
    );
    assert_eq!(start.elapsed(), Duration::from_secs(6));
}

#[runtime::test(start_paused = true)]
async fn nested_group_failure_is_the_childs_error() {
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let start = Instant::now();
    let outer = TaskGroup::new();
    let inner_guards = guard_tx.clone();
    outer.spawn(async move {
        let inner = TaskGroup::new();
        inner.spawn(sleeper(100, DropGuard(0, inner_guards.clone())));
        inner.spawn(async {
            sleep(Duration::from_secs(1)).await;
            Err("inner failure".to_string())
        });
        let outputs = inner.join().await.map_err(|e| match e {
            GroupError::Failed(e) => format!("inner group: {e}"),
            GroupError::Panicked(e) => format!("inner group: {e}"),
        })?;
        Ok(outputs.len() as u64)
    });
    outer.spawn(sleeper(100, DropGuard(1, guard_tx.clone())));
    drop(guard_tx);
    match outer.join().await {
        Err(GroupError::Failed(e)) => assert_eq!(e, "inner group: inner failure"),
        other => panic!("expected the inner failure, got {other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    // The inner sibling and the outer sibling were both cancelled.
    assert_eq!(dropped_now(&mut guard_rx), [0, 1]);
}

#[runtime::test]
async fn nested_groups_succeed() {
    let outer = TaskGroup::new();
    for base in [10u32, 20] {
        outer.spawn(async move {
            let inner = TaskGroup::new();
            for i in 0..3 {
                inner.spawn(async move { Ok::<_, ()>(base + i) });
            }
            inner.join().await.map_err(|_| ())
        });
    }
    assert_eq!(
        outer.join().await.unwrap(),
        [vec![10, 11, 12], vec![20, 21, 22]]
    );
}

#[runtime::test]
async fn dropping_an_unjoined_group_aborts_its_children() {
    let (guard_tx, guard_rx) = unbounded_channel();
    let (started_tx, mut started_rx) = unbounded_channel();
    let group = TaskGroup::<(), ()>::new();
    let clone = group.clone();
    for label in 0..3 {
        let guard = DropGuard(label, guard_tx.clone());
        let started = started_tx.clone();
        group.spawn(async move {
            let _guard = guard;
            started.send(()).unwrap();
            pending().await
        });
    }
    drop((guard_tx, started_tx));
    for _ in 0..3 {
        started_rx.recv().await.unwrap();
    }
    drop(group);
    // A clone is still alive: nothing is aborted yet.
    yield_now().await;
    let mut guard_rx = guard_rx;
    assert!(dropped_now(&mut guard_rx).is_empty());
    drop(clone);
    let mut labels = Vec::new();
    while let Some(label) = guard_rx.recv().await {
        labels.push(label);
    }
    labels.sort_unstable();
    assert_eq!(labels, [0, 1, 2]);
}

#[runtime::test(start_paused = true)]
async fn dropping_the_join_future_aborts_the_children() {
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let group = TaskGroup::new();
    let spawner = group.clone();
    for label in 0..2 {
        group.spawn(sleeper(100, DropGuard(label, guard_tx.clone())));
    }
    drop(guard_tx);
    assert!(timeout(Duration::from_secs(1), group.join()).await.is_err());
    let mut labels = Vec::new();
    while let Some(label) = guard_rx.recv().await {
        labels.push(label);
    }
    labels.sort_unstable();
    assert_eq!(labels, [0, 1]);
    // The group is closed: a later child is refused.
    assert!(spawner.try_spawn(async { Ok(1) }).is_err());
}

#[runtime::test(start_paused = true)]
async fn spawn_after_failure_never_runs_the_child() {
    let group = TaskGroup::<u32, &str>::new();
    let late = group.clone();
    group.spawn(async { Err("first") });
    let err = group.join().await.unwrap_err();
    assert!(matches!(err, GroupError::Failed("first")));

    let polled = Arc::new(AtomicBool::new(false));
    let (guard_tx, mut guard_rx) = unbounded_channel();
    let guard = DropGuard(7, guard_tx);
    let flag = polled.clone();
    let abort = late.spawn(async move {
        let _guard = guard;
        flag.store(true, SeqCst);
        Ok(1)
    });
    // The future is dropped without being polled.
    assert_eq!(guard_rx.recv().await, Some(7));
    assert!(!polled.load(SeqCst));
    while !abort.is_finished() {
        yield_now().await;
    }
    // `try_spawn` says so and hands the future back.
    let future = late.try_spawn(async { Ok(2) }).unwrap_err().into_inner();
    assert_eq!(future.await, Ok(2));
}

#[runtime::test]
async fn a_child_spawning_into_its_failed_group_is_refused() {
    let group = TaskGroup::<(), String>::new();
    let (refused_tx, mut refused_rx) = unbounded_channel();
    let spawner = group.clone();
    group.spawn(async { Err("boom".to_string()) });
    yield_now().await; // the failing child runs and fails the group
                       // A task outside the group trying to add to it afterwards.
    runtime::spawn(async move {
        let refused = spawner.try_spawn(async { Ok(()) }).is_err();
        refused_tx.send(refused).unwrap();
    });
    assert_eq!(refused_rx.recv().await, Some(true));
    assert!(matches!(group.join().await, Err(GroupError::Failed(e)) if e == "boom"));
}

#[runtime::test]
async fn spawn_after_join_is_refused() {
    let group = TaskGroup::<u32, ()>::new();
    let late = group.clone();
    group.spawn(async { Ok(1) });
    assert_eq!(group.join().await.unwrap(), [1]);
    assert!(late.try_spawn(async { Ok(2) }).is_err());
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let abort = late.spawn(async move {
        flag.store(true, SeqCst);
        Ok(2)
    });
    while !abort.is_finished() {
        yield_now().await;
    }
    assert!(!ran.load(SeqCst));
}

#[runtime::test]
async fn aborting_a_child_from_outside_fails_the_group() {
    let group = TaskGroup::<(), ()>::new();
    let abort = group.spawn(pending());
    group.spawn(pending());
    abort.abort();
    match group.join().await {
        Err(GroupError::Panicked(e)) => {
            assert!(e.is_cancelled());
            assert_eq!(e.id(), abort.id());
        }
        other => panic!("expected a cancelled child, got {other:?}"),
    }
}

#[runtime::test]
#[should_panic(expected = "another handle of the same group is joining it")]
async fn joining_twice_panics() {
    let group = TaskGroup::<(), ()>::new();
    let other = group.clone();
    group.spawn(pending());
    let first = runtime::spawn(group.join());
    yield_now().await; // the first join claims the group
    let _ = other.join().await;
    drop(first);
}

#[test]
fn a_failure_on_the_multi_thread_runtime_stops_every_sibling_before_join_returns() {
    let rt = common::multi_thread();
    rt.block_on(async {
        let alive = Arc::new(AtomicUsize::new(0));
        struct Alive(Arc<AtomicUsize>);
        impl Drop for Alive {
            fn drop(&mut self) {
                self.0.fetch_sub(1, SeqCst);
            }
        }
        let group = TaskGroup::new();
        for i in 0..500u32 {
            alive.fetch_add(1, SeqCst);
            let token = Alive(alive.clone());
            let spawner = group.clone();
            group.spawn(async move {
                let _token = token;
                if i == 250 {
                    return Err(i);
                }
                if i % 50 == 0 {
                    // Some children spawn siblings while the failure may be under way.
                    spawner.spawn(async {
                        yield_now().await;
                        Ok(0)
                    });
                }
                loop {
                    yield_now().await;
                }
            });
        }
        assert!(matches!(group.join().await, Err(GroupError::Failed(250))));
        assert_eq!(alive.load(SeqCst), 0, "a child outlived join");
    });
}

#[test]
fn many_children_on_the_multi_thread_runtime_keep_spawn_order() {
    let rt = common::multi_thread();
    let outputs = rt.block_on(async {
        let group = TaskGroup::new();
        for i in 0..1000u32 {
            group.spawn(async move {
                for _ in 0..(i % 3) {
                    yield_now().await;
                }
                Ok::<_, ()>(i)
            });
        }
        group.join().await.unwrap()
    });
    assert_eq!(outputs, (0..1000).collect::<Vec<_>>());
}

#[test]
fn group_error_display_and_source() {
    use std::error::Error;
    let error: GroupError<std::io::Error> = GroupError::Failed(std::io::Error::other("disk full"));
    assert_eq!(error.to_string(), "a task of the group failed: disk full");
    assert_eq!(error.source().unwrap().to_string(), "disk full");
}

#[runtime::test]
async fn debug_shows_the_phase() {
    let group = TaskGroup::<(), ()>::new();
    assert!(format!("{group:?}").contains("Open"));
    let clone = group.clone();
    group.spawn(async { Err(()) });
    while !format!("{clone:?}").contains("Failed") {
        yield_now().await;
    }
    assert!(group.join().await.is_err());
}

#[test]
fn groups_and_their_join_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let group = TaskGroup::<u32, String>::new();
    assert_send_sync(&group);
    assert_send(&group.join());
}
