//! Task names and ids: Builder names, JoinHandle::name, task::name/id/try_id inside a task,
//! uniqueness of ids, and how JoinError displays them.

use std::collections::HashSet;
use std::sync::Arc;

use runtime::task::{self, Builder as TaskBuilder, Id};
use runtime::{Builder, Runtime};

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn builder_names_the_task() {
    let rt = current_thread();
    rt.block_on(async {
        let h = TaskBuilder::new()
            .name("fetch_task_1")
            .spawn(async { task::name() });
        assert_eq!(h.name(), Some("fetch_task_1"));
        let inside: Option<Arc<str>> = h.await.unwrap();
        assert_eq!(inside.as_deref(), Some("fetch_task_1"));
    });
}

#[test]
fn builder_names_the_task_multi_thread() {
    let rt = multi_thread();
    let h = TaskBuilder::new()
        .name("worker_side")
        .spawn_on(async { task::name().map(|n| n.to_string()) }, rt.handle());
    assert_eq!(h.name(), Some("worker_side"));
    assert_eq!(rt.block_on(h).unwrap().as_deref(), Some("worker_side"));
}

#[test]
fn unnamed_tasks_have_no_name() {
    let rt = current_thread();
    rt.block_on(async {
        let h = runtime::spawn(async { task::name() });
        assert_eq!(h.name(), None);
        assert_eq!(h.await.unwrap(), None);

        let h = TaskBuilder::new().spawn(async { task::name() });
        assert_eq!(h.name(), None);
        assert_eq!(h.await.unwrap(), None);
    });
    let h = rt.spawn(async { task::name() });
    assert_eq!(h.name(), None);
    assert!(rt.block_on(h).unwrap().is_none());
}

#[test]
fn name_is_none_outside_a_task() {
    assert!(task::name().is_none());
    let rt = current_thread();
    rt.block_on(async {
        assert!(task::name().is_none(), "block_on's future is not a task");
    });
}

#[test]
fn named_blocking_task() {
    let rt = current_thread();
    rt.block_on(async {
        let h = TaskBuilder::new()
            .name("blocking_one")
            .spawn_blocking(|| 11);
        assert_eq!(h.name(), Some("blocking_one"));
        assert_eq!(h.await.unwrap(), 11);
    });
}

#[test]
fn names_survive_across_awaits_and_nesting() {
    let rt = multi_thread();
    rt.block_on(async {
        let outer = TaskBuilder::new().name("outer").spawn(async {
            let before = task::name();
            let inner = TaskBuilder::new()
                .name("inner")
                .spawn(async { task::name() })
                .await
                .unwrap();
            task::yield_now().await;
            let after = task::name();
            (before, inner, after)
        });
        let (before, inner, after) = outer.await.unwrap();
        assert_eq!(before.as_deref(), Some("outer"));
        assert_eq!(inner.as_deref(), Some("inner"));
        assert_eq!(after.as_deref(), Some("outer"));
    });
}

#[test]
fn ids_are_unique_and_match_inside() {
    const N: usize = 1000;
    let rt = multi_thread();
    rt.block_on(async {
        let handles: Vec<_> = (0..N)
            .map(|_| runtime::spawn(async { task::id() }))
            .collect();
        let outer_ids: Vec<Id> = handles.iter().map(|h| h.id()).collect();
        let unique: HashSet<Id> = outer_ids.iter().copied().collect();
        assert_eq!(unique.len(), N, "JoinHandle ids are unique");
        for (h, outer) in handles.into_iter().zip(outer_ids) {
            let inner = h.await.unwrap();
            assert_eq!(inner, outer, "task::id() inside equals JoinHandle::id()");
        }
    });
}

#[test]
fn ids_are_unique_across_runtimes() {
    let a = current_thread();
    let b = current_thread();
    let ids: HashSet<Id> = (0..100)
        .flat_map(|_| [a.spawn(async {}).id(), b.spawn(async {}).id()])
        .collect();
    assert_eq!(ids.len(), 200);
}

#[test]
fn id_display_is_a_number() {
    let rt = current_thread();
    let h = rt.spawn(async {});
    let shown = h.id().to_string();
    assert!(
        shown.parse::<u64>().is_ok(),
        "Id displays as a number, got {shown:?}"
    );
    assert_eq!(h.abort_handle().id(), h.id());
    rt.block_on(h).unwrap();
}

#[test]
fn try_id_outside_a_task_is_none() {
    assert!(task::try_id().is_none());
    let rt = current_thread();
    rt.block_on(async {
        assert!(task::try_id().is_none(), "block_on's future is not a task");
        let (inside, via_id) = runtime::spawn(async { (task::try_id(), task::id()) })
            .await
            .unwrap();
        assert_eq!(inside, Some(via_id));
        assert!(task::try_id().is_none(), "and not after a task ran either");
    });
    assert!(task::try_id().is_none());
}

#[test]
fn try_id_inside_a_task_is_some() {
    let rt = multi_thread();
    let h = rt.spawn(async { task::try_id() });
    let id = h.id();
    assert_eq!(rt.block_on(h).unwrap(), Some(id));
}

#[test]
#[should_panic]
fn id_outside_a_task_panics() {
    let _ = task::id();
}

#[test]
fn join_error_display_names_a_cancelled_named_task() {
    let rt = current_thread();
    rt.block_on(async {
        let h = TaskBuilder::new()
            .name("fetch_task_1")
            .spawn(std::future::pending::<()>());
        let id = h.id();
        h.abort();
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), id);
        let shown = err.to_string();
        assert!(shown.contains("fetch_task_1"), "Display was {shown:?}");
    });
}

#[test]
fn join_error_display_uses_the_id_of_an_unnamed_task() {
    let rt = current_thread();
    rt.block_on(async {
        let h = runtime::spawn(std::future::pending::<()>());
        let id = h.id();
        h.abort();
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), id);
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("task {id}")),
            "Display was {shown:?}"
        );
    });
}
