//! Unobserved task panics (`UnhandledPanic`): with `Report` a panicked task whose result nobody
//! reads is reported exactly once through the `on_unhandled_panic` hook, naming the task and the
//! panic message, on every path its output can be dropped (handle dropped before or after the
//! panic, `abort()` of a finished task, a dropped `JoinSet`, runtime shutdown, a handle that
//! outlives its runtime); never when the panic was observed (awaited, `JoinSet::join_next`,
//! `JoinSet::shutdown`, `TaskGroup`). `Ignore` says nothing. `ShutdownRuntime` cancels every task
//! and makes `block_on` panic with a message naming the task, on both flavors.
//!
//! Each test runs on the current-thread flavor and on a 2-worker runtime. The hook sends each
//! report into a channel; "exactly once" is checked after the runtime was dropped (its threads
//! joined), so no report can still be on its way.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use runtime::sync::oneshot;
use runtime::task::{
    yield_now, Builder as TaskBuilder, GroupError, Id, JoinHandle, JoinSet, TaskGroup,
};
use runtime::{Builder, Runtime, UnhandledPanic, UnhandledPanicReport};

/// What the hook saw of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    id: Id,
    name: Option<String>,
    message: String,
    line: String,
}

/// Only a guard against a broken test hanging forever; nothing waits on it in a passing run.
const HANG: Duration = Duration::from_secs(30);

struct Reports(mpsc::Receiver<Seen>);

impl Reports {
    /// Waits for the next report (it may come from a worker thread).
    fn next(&self) -> Seen {
        self.0
            .recv_timeout(HANG)
            .expect("no unhandled-panic report arrived")
    }

    /// Every report so far, without waiting.
    fn drain(&self) -> Vec<Seen> {
        self.0.try_iter().collect()
    }
}

fn builder(multi: bool) -> Builder {
    if multi {
        let mut b = Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        Builder::new_current_thread()
    }
}

fn runtime_with(multi: bool, behavior: UnhandledPanic) -> (Runtime, Reports) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let rt = builder(multi)
        .unhandled_panic(behavior)
        .on_unhandled_panic(move |report: &UnhandledPanicReport| {
            let seen = Seen {
                id: report.task_id(),
                name: report.task_name().map(str::to_owned),
                message: report.message().to_owned(),
                line: report.to_string(),
            };
            let _ = tx.lock().unwrap().send(seen);
        })
        .build()
        .unwrap();
    (rt, Reports(rx))
}

fn report_runtime(multi: bool) -> (Runtime, Reports) {
    runtime_with(multi, UnhandledPanic::Report)
}

const FLAVORS: [bool; 2] = [false, true];

/// Drives the runtime until the task has finished (the handle stays unread).
fn wait_finished<T>(rt: &Runtime, handle: &JoinHandle<T>) {
    rt.block_on(async {
        while !handle.is_finished() {
            yield_now().await;
        }
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        panic!("the block_on panic has a non-string payload")
    }
}

/// Counts how many times it was dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Panics when dropped (unless already unwinding).
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("PanicOnDrop dropped");
        }
    }
}

#[test]
fn handle_dropped_before_the_panic_is_reported_once_with_name_and_message() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let (go_tx, go_rx) = oneshot::channel::<()>();
        let handle = TaskBuilder::new().name("doomed").spawn_on(
            async move {
                let _ = go_rx.await;
                panic!("boom");
            },
            rt.handle(),
        );
        let id = handle.id();
        drop(handle);
        assert!(reports.drain().is_empty(), "reported before it panicked");
        go_tx.send(()).unwrap();
        if !multi {
            rt.block_on(async {
                for _ in 0..10 {
                    yield_now().await;
                }
            });
        }
        let seen = reports.next();
        assert_eq!(seen.id, id);
        assert_eq!(seen.name.as_deref(), Some("doomed"));
        assert_eq!(seen.message, "boom");
        assert_eq!(
            seen.line,
            format!(
                "task 'doomed' (id {id}) panicked with message \"boom\", and nobody awaited its \
                 JoinHandle"
            )
        );
        drop(rt);
        assert!(
            reports.drain().is_empty(),
            "reported twice (multi: {multi})"
        );
    }
}

#[test]
fn handle_dropped_after_the_panic_unpolled_is_reported_once_on_the_dropping_thread() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let handle = rt.spawn(async { panic!("unread {}", 7) });
        let id = handle.id();
        wait_finished(&rt, &handle);
        assert!(
            reports.drain().is_empty(),
            "reported while the handle could still read it"
        );
        drop(handle);
        // The report is made by the drop itself, on this thread.
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].id, id);
        assert_eq!(seen[0].name, None);
        assert_eq!(seen[0].message, "unread 7");
        assert!(
            seen[0]
                .line
                .starts_with(&format!("task {id} panicked with message \"unread 7\"")),
            "{}",
            seen[0].line
        );
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn an_awaited_panic_is_never_reported() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        // Awaited before and after it finished, and from another task.
        let early = rt.spawn(async { panic!("awaited early") });
        assert!(rt.block_on(early).unwrap_err().is_panic());
        let late = rt.spawn(async { panic!("awaited late") });
        wait_finished(&rt, &late);
        assert!(rt.block_on(late).unwrap_err().is_panic());
        let inner = rt.block_on(async {
            runtime::spawn(async { runtime::spawn(async { panic!("inner") }).await })
                .await
                .unwrap()
        });
        assert!(inner.unwrap_err().is_panic());
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn abort_of_a_task_that_already_panicked_keeps_the_panic() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        // Aborted, then awaited: the panic is observed, not reported.
        let awaited = rt.spawn(async { panic!("aborted too late") });
        wait_finished(&rt, &awaited);
        awaited.abort();
        let error = rt.block_on(awaited).unwrap_err();
        assert!(error.is_panic(), "{error}");
        assert!(reports.drain().is_empty());
        // Aborted (also through an AbortHandle), then dropped: reported once.
        let dropped = rt.spawn(async { panic!("aborted then dropped") });
        let id = dropped.id();
        wait_finished(&rt, &dropped);
        dropped.abort();
        dropped.abort_handle().abort();
        drop(dropped);
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (seen[0].id, seen[0].message.as_str()),
            (id, "aborted then dropped")
        );
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn a_dropped_join_set_reports_its_unread_panics_once() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let ids = rt.block_on(async {
            let mut set = JoinSet::new();
            let abort = set
                .build_task()
                .name("in_set")
                .spawn(async { panic!("set boom") });
            // A task that is still running when the set is dropped is cancelled, not reported.
            set.spawn(std::future::pending::<()>());
            // Wait until the panicked task finished, without reading it from the set.
            while !abort.is_finished() {
                yield_now().await;
            }
            drop(set);
            abort.id()
        });
        let seen = reports.next();
        assert_eq!(seen.id, ids);
        assert_eq!(seen.name.as_deref(), Some("in_set"));
        assert_eq!(seen.message, "set boom");
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn join_set_join_next_and_shutdown_observe_panics() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { panic!("read by join_next") });
            let error = set.join_next().await.unwrap().unwrap_err();
            assert!(error.is_panic());

            let mut set = JoinSet::new();
            let (done_tx, done_rx) = oneshot::channel();
            set.spawn(async move {
                let _ = done_tx.send(());
                panic!("read and discarded by shutdown")
            });
            done_rx.await.unwrap();
            set.shutdown().await;
            assert!(set.is_empty());
        });
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn a_task_group_observes_its_childrens_panics() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let result = rt.block_on(async {
            let group: TaskGroup<(), String> = TaskGroup::new();
            group.spawn(async { panic!("child boom") });
            group.spawn(async {
                std::future::pending::<()>().await;
                Ok(())
            });
            group.join().await
        });
        assert!(
            matches!(&result, Err(GroupError::Panicked(e)) if e.is_panic()),
            "{result:?}"
        );
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn runtime_shutdown_reports_a_panic_whose_handle_a_cancelled_task_held() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let panicked = rt.spawn(async { panic!("held by a cancelled task") });
        let id = panicked.id();
        wait_finished(&rt, &panicked);
        // The only handle sits in a task that never finishes: shutdown drops it.
        drop(rt.spawn(async move {
            let _keep = panicked;
            std::future::pending::<()>().await;
        }));
        assert!(reports.drain().is_empty());
        drop(rt);
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].id, id);
        assert_eq!(seen[0].message, "held by a cancelled task");
    }
}

#[test]
fn a_detached_task_whose_cancellation_panics_at_shutdown_is_reported_once() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let (started_tx, started_rx) = oneshot::channel();
        let handle = TaskBuilder::new().name("bad_drop").spawn_on(
            async move {
                let _p = PanicOnDrop;
                let _ = started_tx.send(());
                std::future::pending::<()>().await;
            },
            rt.handle(),
        );
        let id = handle.id();
        drop(handle);
        rt.block_on(started_rx).unwrap();
        assert!(reports.drain().is_empty());
        drop(rt);
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].id, id);
        assert_eq!(seen[0].name.as_deref(), Some("bad_drop"));
        assert_eq!(seen[0].message, "PanicOnDrop dropped");
    }
}

#[test]
fn a_handle_that_outlives_its_runtime_reports_when_dropped() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let handle = rt.spawn(async { panic!("outlived") });
        wait_finished(&rt, &handle);
        drop(rt);
        assert!(reports.drain().is_empty());
        drop(handle);
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].message, "outlived");
    }
}

#[test]
fn a_non_string_payload_is_reported_as_box_dyn_any() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let handle = rt.spawn(async { std::panic::panic_any(42_u32) });
        let id = handle.id();
        wait_finished(&rt, &handle);
        drop(handle);
        let seen = reports.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].message, "Box<dyn Any>");
        assert_eq!(
            seen[0].line,
            format!(
                "task {id} panicked with a non-string payload (Box<dyn Any>), and nobody \
                 awaited its JoinHandle"
            )
        );
    }
}

#[test]
fn a_spawn_blocking_panic_goes_through_the_same_hook() {
    for multi in FLAVORS {
        let (rt, reports) = report_runtime(multi);
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let handle = rt.spawn_blocking(move || {
            let _ = go_rx.recv();
            panic!("blocking boom");
        });
        let id = handle.id();
        drop(handle);
        go_tx.send(()).unwrap();
        // Reported on the blocking thread.
        let seen = reports.next();
        assert_eq!((seen.id, seen.message.as_str()), (id, "blocking boom"));
        // An awaited one is not.
        let error = rt
            .block_on(rt.spawn_blocking(|| panic!("awaited blocking")))
            .unwrap_err();
        assert!(error.is_panic());
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn ignore_reports_nothing() {
    for multi in FLAVORS {
        let (rt, reports) = runtime_with(multi, UnhandledPanic::Ignore);
        drop(rt.spawn(async { panic!("ignored before") }));
        drop(rt.spawn_blocking(|| panic!("ignored blocking")));
        let after = rt.spawn(async { panic!("ignored after") });
        wait_finished(&rt, &after);
        drop(after);
        // The runtime keeps going.
        assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5);
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

#[test]
fn shutdown_runtime_on_current_thread_cancels_everything_and_block_on_panics() {
    let (rt, reports) = runtime_with(false, UnhandledPanic::ShutdownRuntime);
    const N: usize = 5;
    let drops = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    let mut bystanders = Vec::new();
    for _ in 0..N {
        let guard = DropCount(drops.clone());
        let started = started.clone();
        bystanders.push(rt.spawn(async move {
            let _guard = guard;
            // Its cancellation panics too: a second unobserved panic, not reported.
            let _p = PanicOnDrop;
            started.fetch_add(1, SeqCst);
            std::future::pending::<()>().await;
        }));
    }
    // A panic that already happened and is still held: dropping it later is not reported.
    let held = rt.spawn(async { panic!("held") });
    wait_finished(&rt, &held);
    assert_eq!(started.load(SeqCst), N);
    for handle in bystanders {
        drop(handle);
    }

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            let doomed = TaskBuilder::new()
                .name("fatal")
                .spawn(async { panic!("fatal boom") });
            drop(doomed);
            std::future::pending::<()>().await;
        })
    }));
    let message = payload_text(&*outcome.expect_err("block_on returned"));
    assert!(message.contains("task 'fatal'"), "{message}");
    assert!(
        message.contains("panicked with message \"fatal boom\""),
        "{message}"
    );
    assert!(message.contains("ShutdownRuntime"), "{message}");
    // Every other task was cancelled (its future dropped) by the time block_on panicked.
    assert_eq!(drops.load(SeqCst), N);
    let seen = reports.drain();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].name.as_deref(), Some("fatal"));
    assert_eq!(seen[0].message, "fatal boom");

    // Later panics are not reported again; new tasks are cancelled without running.
    drop(held);
    let late = rt.spawn(async { 1 });
    assert!(late.is_finished());
    // Every later block_on panics with the same message.
    let again = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { 2 })));
    assert_eq!(payload_text(&*again.expect_err("block_on ran")), message);
    drop(rt);
    drop(late);
    assert!(reports.drain().is_empty());
}

#[test]
fn shutdown_runtime_on_two_workers_wakes_block_on_which_panics() {
    let (rt, reports) = runtime_with(true, UnhandledPanic::ShutdownRuntime);
    const N: usize = 20;
    let drops = Arc::new(AtomicUsize::new(0));
    for _ in 0..N {
        let guard = DropCount(drops.clone());
        drop(rt.spawn(async move {
            let _guard = guard;
            let _p = PanicOnDrop;
            std::future::pending::<()>().await;
        }));
    }
    let (go_tx, go_rx) = oneshot::channel::<()>();
    // The panic happens on a worker thread, while the main thread is in (or about to enter)
    // `block_on`.
    drop(TaskBuilder::new().name("worker_fatal").spawn_on(
        async move {
            let _ = go_rx.await;
            panic!("on a worker");
        },
        rt.handle(),
    ));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async move {
            go_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        })
    }));
    let message = payload_text(&*outcome.expect_err("block_on returned"));
    assert!(message.contains("task 'worker_fatal'"), "{message}");
    assert!(
        message.contains("panicked with message \"on a worker\""),
        "{message}"
    );
    // A second block_on panics too, and a new task does not run.
    let again = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(std::future::pending::<()>())
    }));
    assert_eq!(payload_text(&*again.expect_err("block_on ran")), message);
    let late = rt.spawn(async { 1 });
    // Dropping the runtime joins its threads cleanly.
    drop(rt);
    assert!(late.is_finished());
    assert_eq!(drops.load(SeqCst), N, "every other task was cancelled");
    let seen = reports.drain();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].name.as_deref(), Some("worker_fatal"));
    assert_eq!(seen[0].message, "on a worker");
}

#[test]
fn shutdown_runtime_ignores_observed_panics() {
    for multi in FLAVORS {
        let (rt, reports) = runtime_with(multi, UnhandledPanic::ShutdownRuntime);
        let error = rt.block_on(rt.spawn(async { panic!("seen") })).unwrap_err();
        assert!(error.is_panic());
        assert_eq!(rt.block_on(rt.spawn(async { 3 })).unwrap(), 3);
        drop(rt);
        assert!(reports.drain().is_empty());
    }
}

/// Set in the child process of `the_default_hook_prints_one_line_on_stderr`.
const CHILD_ENV: &str = "TASK_UNHANDLED_PANIC_CHILD";

#[test]
fn the_default_hook_prints_one_line_on_stderr() {
    if std::env::var_os(CHILD_ENV).is_some() {
        // The child: std's own panic message would be on stderr too; silence it.
        std::panic::set_hook(Box::new(|_| {}));
        for multi in FLAVORS {
            let rt = builder(multi).build().unwrap();
            let handle = TaskBuilder::new()
                .name(if multi {
                    "default_multi"
                } else {
                    "default_current"
                })
                .spawn_on(async { panic!("to stderr\nsecond line") }, rt.handle());
            wait_finished(&rt, &handle);
            drop(handle);
        }
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_default_hook_prints_one_line_on_stderr",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("runtime: "))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    for (line, name) in lines.iter().zip(["default_current", "default_multi"]) {
        assert!(
            line.starts_with(&format!("runtime: task '{name}' (id ")),
            "{line}"
        );
        assert!(
            line.ends_with(
                ") panicked with message \"to stderr\\nsecond line\", and nobody awaited its \
                 JoinHandle"
            ),
            "{line}"
        );
    }
}
