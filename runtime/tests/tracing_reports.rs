//! The `tracing` feature: with no hook set, a slow poll is one WARN event (target
//! `runtime::slow_poll`) and an unobserved panic one ERROR event (target
//! `runtime::unhandled_panic`), each with the task's id and name as fields; a hook set on the
//! Builder replaces the event.
//!
//! How: a hand-written `tracing::Subscriber` records every event (target, level, fields through a
//! `tracing::field::Visit`). The slow-poll event is emitted on the driver thread, which no
//! `with_default` on the test thread would reach, so the recorder is the global default, installed
//! once for this test binary. Tests run in parallel and share it, so each test looks only at the
//! events naming its own tasks (names and panic messages are unique per test). A blocked task waits
//! for a release that the test sends after the event arrived; "exactly one" is checked after the
//! runtime was dropped (its threads joined), so no event can still be on its way.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{mpsc, Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use runtime::task::Builder as TaskBuilder;
use runtime::{Builder, Runtime};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id as SpanId, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Only a guard against a broken test hanging forever; nothing waits on it in a passing run.
const HANG: Duration = Duration::from_secs(30);

/// One field value, as the subscriber was given it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    U64(u64),
    Str(String),
    /// Anything recorded through `Debug` (`%` fields and the message among them).
    Debug(String),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::U64(n) => n.to_string(),
            Value::Str(s) | Value::Debug(s) => s.clone(),
        }
    }
}

/// One recorded event.
#[derive(Debug, Clone)]
struct Recorded {
    target: String,
    level: Level,
    fields: BTreeMap<String, Value>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }
}

/// Collects an event's fields.
struct Fields<'a>(&'a mut BTreeMap<String, Value>);

impl Visit for Fields<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), Value::U64(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().to_string(), Value::Str(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_string(), Value::Debug(format!("{value:?}")));
    }
}

/// The events seen so far, and a condvar signalled at each new one.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<Recorded>>,
    arrived: Condvar,
    next_span: AtomicU64,
}

/// The `Subscriber` installed as the global default: records every event, ignores spans.
#[derive(Clone)]
struct Recording(Arc<Recorder>);

impl Subscriber for Recording {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> SpanId {
        SpanId::from_u64(self.0.next_span.fetch_add(1, Relaxed) + 1)
    }

    fn record(&self, _: &SpanId, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &SpanId, _: &SpanId) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let recorded = Recorded {
            target: event.metadata().target().to_string(),
            level: *event.metadata().level(),
            fields,
        };
        self.0.events.lock().unwrap().push(recorded);
        self.0.arrived.notify_all();
    }

    fn enter(&self, _: &SpanId) {}

    fn exit(&self, _: &SpanId) {}
}

/// The binary's recorder, installed as the global default on first use.
fn recorder() -> &'static Recorder {
    static RECORDER: OnceLock<Arc<Recorder>> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder = Arc::new(Recorder::default());
        tracing::subscriber::set_global_default(Recording(recorder.clone()))
            .expect("no other global subscriber in this test binary");
        recorder
    })
}

impl Recorder {
    /// Every event so far whose field `name` has the text `value`.
    fn events_with(&self, name: &str, value: &str) -> Vec<Recorded> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|event| event.field(name).is_some_and(|v| v.text() == value))
            .cloned()
            .collect()
    }

    /// Waits until an event whose field `name` has the text `value` arrived.
    fn wait_for(&self, name: &str, value: &str) {
        let events = self.events.lock().unwrap();
        let (_events, timeout) = self
            .arrived
            .wait_timeout_while(events, HANG, |events| {
                !events
                    .iter()
                    .any(|event| event.field(name).is_some_and(|v| v.text() == value))
            })
            .unwrap();
        assert!(!timeout.timed_out(), "no event with {name} = {value:?}");
    }
}

/// Blocks the thread (the mistake under test) until `release` gets a message.
fn block_until(release: mpsc::Receiver<()>) {
    while release.try_recv().is_err() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A 2-worker runtime with a 20 ms slow-poll threshold and the default hooks.
fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(Duration::from_millis(20))
        .build()
        .unwrap()
}

#[test]
fn a_slow_poll_is_one_warn_event_naming_the_task() {
    let recorder = recorder();
    let rt = multi_thread();
    let (release, released) = mpsc::channel();
    let blocker = TaskBuilder::new()
        .name("traced-blocker")
        .spawn_on(async move { block_until(released) }, rt.handle());
    let id = blocker.id();
    recorder.wait_for("task.name", "traced-blocker");
    release.send(()).unwrap();
    rt.block_on(blocker).unwrap();
    drop(rt);

    let events = recorder.events_with("task.name", "traced-blocker");
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.target, "runtime::slow_poll");
    assert_eq!(event.level, Level::WARN);
    assert_eq!(event.field("task.id"), Some(&Value::U64(id.as_u64())));
    assert_eq!(
        event.field("task.name"),
        Some(&Value::Str("traced-blocker".into()))
    );
    match event.field("elapsed_ms") {
        Some(Value::U64(ms)) => assert!(*ms >= 20, "elapsed_ms = {ms}"),
        other => panic!("elapsed_ms: {other:?}"),
    }
    match event.field("worker") {
        Some(Value::U64(worker)) => assert!(*worker < 2, "worker = {worker}"),
        other => panic!("worker: {other:?}"),
    }
    let spawned_at = event.field("spawned_at").map(Value::text).unwrap();
    assert!(spawned_at.contains("tracing_reports.rs"), "{spawned_at}");
    let message = event.field("message").map(Value::text).unwrap();
    let head = format!("runtime: task 'traced-blocker' (id {id}), spawned at {spawned_at}, ");
    assert!(message.starts_with(&head), "{message}");
}

#[test]
fn an_unobserved_panic_is_one_error_event_with_the_message() {
    let recorder = recorder();
    let rt = Builder::new_current_thread().build().unwrap();
    let id = rt.block_on(async {
        let handle = TaskBuilder::new()
            .name("traced-doomed")
            .spawn(async { panic!("traced boom") });
        let id = handle.id();
        drop(handle); // nobody will await it
        runtime::task::yield_now().await;
        id
    });
    drop(rt);

    let events = recorder.events_with("task.name", "traced-doomed");
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.target, "runtime::unhandled_panic");
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("task.id"), Some(&Value::U64(id.as_u64())));
    assert_eq!(
        event.field("panic"),
        Some(&Value::Str("traced boom".into()))
    );
    assert_eq!(
        event.field("message").map(Value::text).unwrap(),
        format!(
            "task 'traced-doomed' (id {id}) panicked with message \"traced boom\", \
             and nobody awaited its JoinHandle"
        )
    );
}

#[test]
fn an_unnamed_task_has_an_empty_name_field() {
    let recorder = recorder();
    let rt = Builder::new_current_thread().build().unwrap();
    let id = rt.block_on(async {
        let handle = runtime::spawn(async { panic!("traced unnamed boom") });
        let id = handle.id();
        drop(handle);
        runtime::task::yield_now().await;
        id
    });
    drop(rt);

    let events = recorder.events_with("panic", "traced unnamed boom");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].field("task.id"), Some(&Value::U64(id.as_u64())));
    assert_eq!(
        events[0].field("task.name"),
        Some(&Value::Str(String::new()))
    );
}

#[test]
fn a_user_hook_replaces_the_tracing_event() {
    let recorder = recorder();
    let (slow_tx, slow_rx) = mpsc::channel();
    let slow_tx = Mutex::new(slow_tx);
    let (panic_tx, panic_rx) = mpsc::channel();
    let panic_tx = Mutex::new(panic_tx);
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .slow_poll_threshold(Duration::from_millis(20))
        .on_slow_poll(move |report| {
            let name = report.task().name().map(str::to_string);
            let _ = slow_tx.lock().unwrap().send(name);
        })
        .on_unhandled_panic(move |report| {
            let _ = panic_tx.lock().unwrap().send(report.message().to_string());
        })
        .build()
        .unwrap();

    let (release, released) = mpsc::channel();
    let blocker = TaskBuilder::new()
        .name("hooked-blocker")
        .spawn_on(async move { block_until(released) }, rt.handle());
    let name = slow_rx.recv_timeout(HANG).expect("no slow-poll report");
    assert_eq!(name.as_deref(), Some("hooked-blocker"));
    release.send(()).unwrap();
    rt.block_on(blocker).unwrap();

    let doomed = TaskBuilder::new()
        .name("hooked-doomed")
        .spawn_on(async { panic!("hooked boom") }, rt.handle());
    drop(doomed);
    let message = panic_rx.recv_timeout(HANG).expect("no panic report");
    assert_eq!(message, "hooked boom");
    drop(rt);

    // The blocker was reported once. (The panicking task may be reported too: the standard
    // panic hook, printing a backtrace, can keep its poll past 20 ms.)
    let again: Vec<_> = slow_rx.try_iter().flatten().collect();
    assert!(
        !again.iter().any(|name| name == "hooked-blocker"),
        "{again:?}"
    );
    assert_eq!(panic_rx.try_iter().count(), 0);
    let slow = recorder.events_with("task.name", "hooked-blocker");
    assert!(slow.is_empty(), "{slow:?}");
    let panics = recorder.events_with("task.name", "hooked-doomed");
    assert!(panics.is_empty(), "{panics:?}");
}
