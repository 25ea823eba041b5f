//! `Handle::tasks()` and `Handle::dump()`: every live task with its name, state, polls, spawn
//! location and time since its last poll; finished tasks leave the list.

use std::time::Duration;

use runtime::sync::{mpsc, oneshot, Notify};
use runtime::task::{Builder, TaskInfo, TaskState};
use runtime::Handle;
use std::sync::Arc;

fn find<'a>(tasks: &'a [TaskInfo], name: &str) -> Option<&'a TaskInfo> {
    tasks.iter().find(|t| t.name() == Some(name))
}

#[runtime::test]
async fn idle_scheduled_running_and_finished_tasks() {
    let (release, released) = oneshot::channel::<()>();
    let idle_line = line!() + 1;
    let idle = Builder::new().name("idle").spawn(async move {
        released.await.ok();
    });
    let done = Builder::new().name("done").spawn(async {});
    let yields = Builder::new().name("yields").spawn(async {
        for _ in 0..3 {
            runtime::task::yield_now().await;
        }
        std::future::pending::<()>().await;
    });
    // Nothing has run yet: all three are queued, never polled.
    let tasks = Handle::current().tasks();
    for name in ["idle", "done", "yields"] {
        let task = find(&tasks, name).unwrap_or_else(|| panic!("{name} is not listed"));
        assert_eq!(task.state(), TaskState::Scheduled, "{name}");
        assert_eq!(task.polls(), 0, "{name}");
    }

    done.await.unwrap();
    for _ in 0..5 {
        runtime::task::yield_now().await;
    }
    let tasks = Handle::current().tasks();
    assert!(
        find(&tasks, "done").is_none(),
        "a finished task is still listed"
    );
    let idle_info = find(&tasks, "idle").unwrap();
    assert_eq!(idle_info.state(), TaskState::Idle);
    assert_eq!(idle_info.polls(), 1);
    assert_eq!(idle_info.id(), idle.id());
    assert!(idle_info.spawned_at().file().ends_with("task_listing.rs"));
    assert_eq!(idle_info.spawned_at().line(), idle_line);
    assert!(idle_info.since_last_poll() < Duration::from_secs(60));
    let yields_info = find(&tasks, "yields").unwrap();
    assert_eq!(yields_info.state(), TaskState::Idle);
    assert_eq!(yields_info.polls(), 4, "three yields, then pending");

    // A task looking at the list sees itself running.
    let me = Builder::new()
        .name("looker")
        .spawn(async { find(&Handle::current().tasks(), "looker").map(TaskInfo::state) });
    assert_eq!(me.await.unwrap(), Some(TaskState::Running));

    release.send(()).unwrap();
    idle.await.unwrap();
    yields.abort();
    let _ = yields.await;
    let tasks = Handle::current().tasks();
    assert!(find(&tasks, "idle").is_none());
    assert!(find(&tasks, "yields").is_none());
}

#[runtime::test]
async fn dump_renders_a_line_per_task() {
    let (release, released) = oneshot::channel::<()>();
    let task = Builder::new().name("dumped").spawn(async move {
        released.await.ok();
    });
    runtime::task::yield_now().await;
    let dump = Handle::current().dump();
    let mut lines = dump.lines();
    assert_eq!(lines.next(), Some("1 live tasks"), "{dump}");
    assert!(lines.next().unwrap().contains("spawned at"), "{dump}");
    let line = lines.next().unwrap();
    assert!(line.contains("dumped"), "{dump}");
    assert!(line.contains("idle"), "{dump}");
    assert!(line.contains("task_listing.rs"), "{dump}");
    release.send(()).unwrap();
    task.await.unwrap();
}

#[test]
fn many_tasks_on_a_multi_thread_runtime() {
    const TASKS: usize = 100;
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let gate = Arc::new(Notify::new());
        let (started, mut starts) = mpsc::unbounded_channel();
        let handles: Vec<_> = (0..TASKS)
            .map(|i| {
                let gate = gate.clone();
                let started = started.clone();
                Builder::new()
                    .name(&format!("worker-{i}"))
                    .spawn(async move {
                        let notified = gate.notified();
                        started.send(()).unwrap();
                        notified.await;
                    })
            })
            .collect();
        for _ in 0..TASKS {
            starts.recv().await.unwrap();
        }
        // Every task has been polled once; each is idle or, if a worker is still finishing
        // its poll, running.
        let tasks = Handle::current().tasks();
        let workers: Vec<_> = tasks
            .iter()
            .filter(|t| t.name().is_some_and(|n| n.starts_with("worker-")))
            .collect();
        assert_eq!(workers.len(), TASKS);
        for task in &workers {
            assert_ne!(task.state(), TaskState::Scheduled, "{task:?}");
            assert_eq!(task.polls(), 1, "{task:?}");
        }
        gate.notify_waiters();
        for handle in handles {
            handle.await.unwrap();
        }
        let left = Handle::current()
            .tasks()
            .iter()
            .filter(|t| t.name().is_some_and(|n| n.starts_with("worker-")))
            .count();
        assert_eq!(left, 0);
    });
}
