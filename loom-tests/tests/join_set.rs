#![cfg(loom)]
//! Models `JoinSet::join_next` waiting while a worker completes the set's tasks.
//!
//! Each task of a `JoinSet` has its own waker; a finished task pushes its slot onto the set's
//! ready list and wakes the waiting `join_next`, which only looks at slots on that list. The
//! main thread blocks in `block_on(join_next)` while the one worker runs and completes the
//! tasks: a completion whose slot never reaches the ready list, or whose wake is lost, leaves
//! the main thread parked forever (loom reports the deadlock); an output taken twice or never
//! shows in the drop counts.

use loom_tests::support::{model, multi_thread, DropCount};
use runtime_core::task::JoinSet;

#[test]
fn join_next_waits_for_a_task_completing_on_a_worker() {
    model(|| {
        let rt = multi_thread(1);
        let outputs = DropCount::new();
        let mut set = JoinSet::new();
        {
            let outputs = outputs.clone();
            set.spawn_on(async move { outputs.guard() }, rt.handle());
        }
        let joined = rt.block_on(async { set.join_next().await });
        assert!(joined.expect("one task").is_ok());
        assert!(set.is_empty());
        drop(rt);
        assert_eq!((outputs.created(), outputs.dropped()), (1, 1));
    });
}

#[test]
fn join_next_collects_two_completions_in_any_order() {
    model(|| {
        let rt = multi_thread(1);
        let mut set = JoinSet::new();
        set.spawn_on(async { 1 }, rt.handle());
        set.spawn_on(async { 2 }, rt.handle());
        let mut got = rt.block_on(async {
            let first = set.join_next().await.unwrap().unwrap();
            let second = set.join_next().await.unwrap().unwrap();
            assert!(set.join_next().await.is_none());
            vec![first, second]
        });
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        drop(rt);
    });
}
