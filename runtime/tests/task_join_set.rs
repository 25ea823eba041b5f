//! `JoinSet`: completion order, try_join_next, abort_all, shutdown, drop aborts, join_all,
//! cancel safety of join_next, spawn variants, slot reuse, and a 1 000-task multi-thread stress.

use std::collections::HashSet;
use std::future::{pending, poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use runtime::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use runtime::sync::oneshot;
use runtime::task::{yield_now, JoinSet};
use runtime::time::{sleep, Instant};

mod common;

/// Sends its label when dropped: proves a task's future was dropped (a drop guard ran).
struct DropGuard(u32, UnboundedSender<u32>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.1.send(self.0);
    }
}

/// Collects what the guards sent until every sender is gone, sorted.
async fn dropped(mut rx: UnboundedReceiver<u32>) -> Vec<u32> {
    let mut labels = Vec::new();
    while let Some(label) = rx.recv().await {
        labels.push(label);
    }
    labels.sort_unstable();
    labels
}

/// Polls `future` once with the test task's context and reports whether it was ready.
async fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

#[runtime::test(start_paused = true)]
async fn join_next_returns_outputs_in_completion_order_at_their_instants() {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for secs in [3u64, 1, 2] {
        set.spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            secs
        });
    }
    assert_eq!(set.len(), 3);
    let mut order = Vec::new();
    while let Some(result) = set.join_next().await {
        let secs = result.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(secs));
        order.push(secs);
        assert_eq!(set.len(), 3 - order.len());
    }
    assert_eq!(order, [1, 2, 3]);
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
}

#[runtime::test(start_paused = true)]
async fn join_next_with_id_names_the_task_that_finished() {
    let mut set = JoinSet::new();
    let slow = set.spawn(async {
        sleep(Duration::from_secs(2)).await;
        "slow"
    });
    let fast = set.spawn(async {
        sleep(Duration::from_secs(1)).await;
        "fast"
    });
    assert_eq!(
        set.join_next_with_id().await.unwrap().unwrap(),
        (fast.id(), "fast")
    );
    assert_eq!(
        set.join_next_with_id().await.unwrap().unwrap(),
        (slow.id(), "slow")
    );
    assert!(set.join_next_with_id().await.is_none());
}

#[runtime::test]
async fn try_join_next_returns_only_finished_tasks() {
    let mut set = JoinSet::new();
    assert!(set.try_join_next().is_none(), "empty set");
    let (tx, rx) = oneshot::channel::<u32>();
    set.spawn(async move { rx.await.unwrap() });
    set.spawn(async { 1 });
    // Nothing has run yet.
    assert!(set.try_join_next().is_none());
    yield_now().await;
    assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
    assert!(set.try_join_next().is_none(), "the other task waits");
    assert_eq!(set.len(), 1);
    tx.send(2).unwrap();
    yield_now().await;
    assert_eq!(set.try_join_next().unwrap().unwrap(), 2);
    assert!(set.is_empty());
    assert!(set.try_join_next().is_none());
}

#[runtime::test]
async fn abort_all_gives_cancelled_errors_and_keeps_finished_outputs() {
    let (guard_tx, guard_rx) = unbounded_channel();
    let mut set = JoinSet::new();
    set.spawn(async { Some(7) });
    yield_now().await; // the first task finishes
    for label in 0..3 {
        let guard = DropGuard(label, guard_tx.clone());
        set.spawn(async move {
            let _guard = guard;
            pending::<Option<u32>>().await
        });
    }
    drop(guard_tx);
    set.abort_all();
    assert_eq!(set.len(), 4, "aborted tasks stay in the set until joined");
    let (mut outputs, mut cancelled) = (Vec::new(), 0);
    while let Some(result) = set.join_next().await {
        match result {
            Ok(output) => outputs.push(output),
            Err(error) => {
                assert!(error.is_cancelled(), "{error}");
                cancelled += 1;
            }
        }
    }
    assert_eq!(outputs, [Some(7)]);
    assert_eq!(cancelled, 3);
    assert_eq!(dropped(guard_rx).await, [0, 1, 2]);
}

#[runtime::test]
async fn an_abort_handle_from_spawn_aborts_one_task() {
    let mut set = JoinSet::new();
    let abort = set.spawn(pending::<u32>());
    set.spawn(async { 5 });
    abort.abort();
    let mut results: Vec<_> = Vec::new();
    while let Some(result) = set.join_next().await {
        results.push(result.map_err(|e| (e.is_cancelled(), e.id())));
    }
    results.sort_by_key(|r| r.is_err());
    assert_eq!(results, [Ok(5), Err((true, abort.id()))]);
}

#[runtime::test]
async fn a_panicking_task_gives_a_panic_error() {
    let mut set = JoinSet::<()>::new();
    set.build_task()
        .name("doomed")
        .spawn(async { panic!("kaboom") });
    let error = set.join_next().await.unwrap().unwrap_err();
    assert!(error.is_panic());
    assert!(error.to_string().contains("doomed"), "{error}");
    assert_eq!(
        *error.into_panic().downcast::<&'static str>().unwrap(),
        "kaboom"
    );
}

#[runtime::test]
async fn shutdown_aborts_and_waits_for_every_task() {
    let (guard_tx, guard_rx) = unbounded_channel();
    let mut set = JoinSet::new();
    for label in 0..5 {
        let guard = DropGuard(label, guard_tx.clone());
        set.spawn(async move {
            let _guard = guard;
            pending::<()>().await
        });
    }
    drop(guard_tx);
    yield_now().await; // they all run and wait
    set.shutdown().await;
    assert!(set.is_empty());
    // Every guard ran before `shutdown` returned: the channel is already complete.
    let mut rx = guard_rx;
    let mut labels = Vec::new();
    while let Ok(label) = rx.try_recv() {
        labels.push(label);
    }
    labels.sort_unstable();
    assert_eq!(labels, [0, 1, 2, 3, 4]);
    assert!(rx.recv().await.is_none(), "no guard left alive");
}

#[runtime::test]
async fn dropping_the_set_aborts_its_tasks() {
    let (guard_tx, guard_rx) = unbounded_channel();
    let (started_tx, mut started_rx) = unbounded_channel();
    let mut set = JoinSet::new();
    for label in 0..4 {
        let guard = DropGuard(label, guard_tx.clone());
        let started = started_tx.clone();
        set.spawn(async move {
            let _guard = guard;
            started.send(()).unwrap();
            pending::<()>().await
        });
    }
    drop((guard_tx, started_tx));
    for _ in 0..4 {
        started_rx.recv().await.unwrap();
    }
    drop(set);
    // The tasks never finish by themselves: only the abort drops their guards.
    assert_eq!(dropped(guard_rx).await, [0, 1, 2, 3]);
}

#[runtime::test]
async fn detach_all_lets_tasks_run_on() {
    let (tx, mut rx) = unbounded_channel();
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let mut set = JoinSet::new();
    set.spawn(async move {
        go_rx.await.unwrap();
        tx.send("ran to completion").unwrap();
    });
    set.detach_all();
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
    drop(set);
    go_tx.send(()).unwrap();
    assert_eq!(rx.recv().await, Some("ran to completion"));
}

#[runtime::test(start_paused = true)]
async fn join_all_collects_in_completion_order() {
    let set: JoinSet<u64> = [30u64, 10, 20]
        .into_iter()
        .map(|ms| async move {
            sleep(Duration::from_millis(ms)).await;
            ms
        })
        .collect();
    assert_eq!(set.len(), 3);
    assert_eq!(set.join_all().await, [10, 20, 30]);
}

#[runtime::test]
async fn join_all_resumes_a_panic_and_aborts_the_rest() {
    let (guard_tx, guard_rx) = unbounded_channel();
    let mut set = JoinSet::new();
    for label in 0..3 {
        let guard = DropGuard(label, guard_tx.clone());
        set.spawn(async move {
            let _guard = guard;
            pending::<()>().await
        });
    }
    drop(guard_tx);
    set.spawn(async { std::panic::panic_any(42u32) });
    // Run join_all in its own task, so its panic comes back as a JoinError.
    let error = runtime::spawn(set.join_all()).await.unwrap_err();
    assert!(error.is_panic());
    assert_eq!(*error.into_panic().downcast::<u32>().unwrap(), 42);
    assert_eq!(dropped(guard_rx).await, [0, 1, 2]);
}

#[runtime::test]
async fn join_all_panics_on_a_cancelled_task() {
    let mut set = JoinSet::new();
    set.spawn(pending::<()>()).abort();
    let result = runtime::spawn(set.join_all()).await;
    let message = result.unwrap_err().into_panic();
    let message = message.downcast::<String>().unwrap();
    assert!(message.contains("cancelled"), "{message}");
}

#[runtime::test]
async fn join_next_is_cancel_safe() {
    let mut set = JoinSet::new();
    let (tx, rx) = oneshot::channel::<&str>();
    set.spawn(async move { rx.await.unwrap() });

    // Poll `join_next` once (the task has not finished), then drop it.
    assert!(poll_once(set.join_next()).await.is_none());
    tx.send("kept").unwrap();
    // Let the task finish while no join_next is alive.
    yield_now().await;
    // A join_next created and dropped without being polled changes nothing either.
    drop(set.join_next());
    assert_eq!(set.join_next().await.unwrap().unwrap(), "kept");
    assert!(set.is_empty());
}

#[runtime::test(start_paused = true)]
async fn join_next_under_an_expired_timeout_loses_nothing() {
    let mut set = JoinSet::new();
    set.spawn(async {
        sleep(Duration::from_secs(5)).await;
        "late"
    });
    for _ in 0..4 {
        let timed = runtime::time::timeout(Duration::from_secs(1), set.join_next()).await;
        assert!(timed.is_err(), "nothing finishes within the first 4 s");
    }
    let output = runtime::time::timeout(Duration::from_secs(2), set.join_next()).await;
    assert_eq!(output.unwrap().unwrap().unwrap(), "late");
}

#[runtime::test]
async fn spawn_blocking_and_spawn_on_join_like_tasks() {
    let handle = runtime::Handle::current();
    let mut set = JoinSet::new();
    set.spawn_blocking(|| 1);
    set.spawn_on(async { 2 }, &handle);
    set.spawn_blocking_on(|| 3, &handle);
    set.build_task().name("four").spawn(async { 4 });
    set.build_task().name("five").spawn_on(async { 5 }, &handle);
    set.build_task().name("six").spawn_blocking(|| 6);
    set.extend([async { 7 }]);
    let mut outputs = set.join_all().await;
    outputs.sort_unstable();
    assert_eq!(outputs, [1, 2, 3, 4, 5, 6, 7]);
}

#[runtime::test]
async fn slots_are_reused_and_late_wakes_of_old_occupants_are_ignored() {
    let mut set = JoinSet::new();
    let mut expected = 0u64;
    let mut got = 0u64;
    for round in 0..50u64 {
        for i in 0..4 {
            let value = round * 4 + i;
            expected += value;
            set.spawn(async move {
                yield_now().await;
                value
            });
        }
        // Take two of the four now; the rest stay and share slots with the next round.
        for _ in 0..2 {
            got += set.join_next().await.unwrap().unwrap();
        }
    }
    assert_eq!(set.len(), 100);
    while let Some(result) = set.join_next().await {
        got += result.unwrap();
    }
    assert_eq!(got, expected);
}

#[test]
fn thousand_tasks_on_the_multi_thread_runtime() {
    let rt = common::multi_thread();
    rt.block_on(async {
        let mut set = JoinSet::new();
        let mut ids = HashSet::new();
        for i in 0..1000u64 {
            let id = set
                .spawn(async move {
                    for _ in 0..(i % 5) {
                        yield_now().await;
                    }
                    i
                })
                .id();
            ids.insert(id);
        }
        assert_eq!(set.len(), 1000);
        let mut seen = vec![false; 1000];
        let mut seen_late = vec![false; 1000];
        let mut joined = 0u64;
        while let Some(result) = set.join_next_with_id().await {
            let (id, value) = result.unwrap();
            assert!(ids.remove(&id), "each task is returned once");
            // Values 0..1000 come from the first tasks, 1000.. from the ones spawned below.
            let index = (value % 1000) as usize;
            let seen = if value < 1000 {
                &mut seen
            } else {
                &mut seen_late
            };
            assert!(!std::mem::replace(&mut seen[index], true), "{value} twice");
            joined += 1;
            // Keep spawning into freed slots for a while, from the joining task.
            if joined <= 200 {
                let late = 1000 + joined;
                let id = set.spawn(async move { late }).id();
                ids.insert(id);
            }
        }
        assert_eq!(joined, 1200);
        assert!(ids.is_empty());
        assert!(seen.iter().all(|&s| s));
        assert_eq!(seen_late.iter().filter(|&&s| s).count(), 200);
    });
}

#[test]
fn dropping_a_set_on_the_multi_thread_runtime_aborts_running_tasks() {
    let rt = common::multi_thread();
    rt.block_on(async {
        let (guard_tx, guard_rx) = unbounded_channel();
        let mut set = JoinSet::new();
        for label in 0..100 {
            let guard = DropGuard(label, guard_tx.clone());
            set.spawn(async move {
                let _guard = guard;
                loop {
                    yield_now().await;
                }
            });
        }
        drop(guard_tx);
        yield_now().await;
        drop(set);
        assert_eq!(dropped(guard_rx).await, (0..100).collect::<Vec<_>>());
    });
}

#[runtime::test]
async fn debug_default_and_len() {
    let mut set: JoinSet<()> = JoinSet::default();
    assert_eq!(format!("{set:?}"), "JoinSet { len: 0 }");
    set.spawn(async {});
    assert_eq!(format!("{set:?}"), "JoinSet { len: 1 }");
    set.join_next().await.unwrap().unwrap();
    assert!(set.is_empty());
}

#[test]
fn join_sets_and_their_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut set = JoinSet::<u32>::new();
    assert_send(&set);
    assert_send(&set.join_next());
    assert_send(&set.shutdown());
    assert_send(&set.join_all());
}
