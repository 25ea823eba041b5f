//! Slow-poll detection: a poll that runs past `slow_poll_threshold` (a task blocking its
//! worker) is reported once, naming the task, while it is still running.
//!
//! Each worker owns a `PollSlot`: before polling a task it writes the coarse clock and the
//! task's pointer (two stores to its own cache line); the next poll overwrites them, and the
//! worker clears the pointer when it stops polling (parks, or gives its core away). The
//! monitor is the driver thread, which wakes at least every millisecond while any worker is
//! awake (its standby look) and sleeps in the poller when all are parked, so watching costs no
//! CPU on an idle runtime. It reads each slot; a poll older than the threshold that it has not
//! reported yet is looked up in the owned-task list (under that list's locks the task is alive,
//! so its name and spawn location can be read) and handed to the report hook.
//!
//! The slot's pointer is never dereferenced outside those locks: the poll may end, and the task
//! be freed, at any moment while the monitor looks.
//!
//! The default hook (`print_report`) prints the report's `Display` as one line on stderr; with
//! the `tracing` feature and a subscriber installed it emits one `tracing` WARN event instead,
//! target `runtime::slow_poll`, with the fields `task.id` (u64), `task.name` (`""` when the
//! task has no name), `spawned_at`, `elapsed_ms` (u64), `worker` (usize) and the same line as
//! its message.

use std::fmt;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering::*};
use std::sync::Arc;
use std::time::Duration;

use crate::task::list::OwnedTasks;
use crate::task::raw::Header;
use crate::task::stats;
use crate::task::TaskInfo;

/// The hook that receives slow-poll reports (`Builder::on_slow_poll`).
pub(crate) type SlowPollHook = Arc<dyn Fn(&SlowPoll) + Send + Sync>;

/// The runtime's slow-poll settings.
#[derive(Clone)]
pub(crate) struct SlowPollConfig {
    pub(crate) threshold: Duration,
    pub(crate) hook: SlowPollHook,
}

impl fmt::Debug for SlowPollConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlowPollConfig")
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// A poll that has been running longer than the runtime's `slow_poll_threshold`: the task kept
/// its worker busy without yielding, usually because it called blocking code.
#[derive(Debug, Clone)]
pub struct SlowPoll {
    task: TaskInfo,
    elapsed: Duration,
    worker: usize,
}

impl SlowPoll {
    /// The task being polled: id, name, spawn location.
    pub fn task(&self) -> &TaskInfo {
        &self.task
    }

    /// How long the poll had been running when it was seen (to about a millisecond).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The index of the worker it blocks (0 on the current-thread flavor).
    pub fn worker(&self) -> usize {
        self.worker
    }
}

impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "runtime: task ")?;
        match self.task.name() {
            Some(name) => write!(f, "'{name}' (id {})", self.task.id())?,
            None => write!(f, "{}", self.task.id())?,
        }
        write!(
            f,
            ", spawned at {}, has been polled for {:?} on worker {} without yielding; \
             move blocking work to spawn_blocking or block_in_place",
            self.task.spawned_at(),
            self.elapsed,
            self.worker
        )
    }
}

/// The default hook: one line on stderr, or with the `tracing` feature one WARN event (target
/// `runtime::slow_poll`; an unnamed task's `task.name` field is `""`).
pub(crate) fn print_report(report: &SlowPoll) {
    if crate::report::to_stderr() {
        eprintln!("{report}");
    } else {
        emit_event(report);
    }
}

/// The `tracing` event of a report (see `print_report`).
#[cfg(feature = "tracing")]
fn emit_event(report: &SlowPoll) {
    tracing::warn!(
        target: "runtime::slow_poll",
        {
            task.id = report.task.id().as_u64(),
            task.name = report.task.name().unwrap_or(""),
            spawned_at = %report.task.spawned_at(),
            elapsed_ms = u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            worker = report.worker,
        },
        "{}",
        report
    );
}

/// Without the `tracing` feature every report goes to stderr (`report::to_stderr`).
#[cfg(not(feature = "tracing"))]
fn emit_event(_: &SlowPoll) {}

/// What one worker is polling, published for the monitor.
#[derive(Debug, Default)]
pub(crate) struct PollSlot {
    task: AtomicPtr<Header>,
    started: AtomicU32,
    /// The monitor's own memory (only the driver thread writes these): the poll last reported.
    reported_task: AtomicPtr<Header>,
    reported_started: AtomicU32,
}

impl PollSlot {
    /// The worker is about to poll the task at `task`. (Release: whoever reads this pointer
    /// reads this poll's start, not an older one.)
    pub(crate) fn begin(&self, task: *mut Header) {
        self.started.store(stats::coarse_now(), Relaxed);
        self.task.store(task, Release);
    }

    /// The worker stopped polling (it parks, or gave its core away).
    pub(crate) fn end(&self) {
        self.task.store(std::ptr::null_mut(), Relaxed);
    }

    /// The poll in this slot, if one runs: its task, start stamp and time so far.
    fn current(&self) -> Option<(*mut Header, u32, Duration)> {
        let task = self.task.load(Acquire);
        if task.is_null() {
            return None;
        }
        let started = self.started.load(Relaxed);
        stats::elapsed(started, stats::coarse_now()).map(|elapsed| (task, started, elapsed))
    }

    /// Whether the poll in this slot has run for `threshold` or more.
    pub(crate) fn is_stuck(&self, threshold: Duration) -> bool {
        self.current()
            .is_some_and(|(_, _, elapsed)| elapsed >= threshold)
    }

    /// Monitor side: reports the poll in this slot if it has run past `threshold` and was not
    /// reported yet. Returns whether the slot is stuck (as `is_stuck` would).
    pub(crate) fn check(&self, worker: usize, config: &SlowPollConfig, owned: &OwnedTasks) -> bool {
        let (threshold, hook) = (config.threshold, &config.hook);
        let Some((task, started, elapsed)) = self.current() else {
            return false;
        };
        if elapsed < threshold {
            return false;
        }
        if self.reported_task.load(Relaxed) == task
            && self.reported_started.load(Relaxed) == started
        {
            return true;
        }
        // The same poll still? (A new poll of another task may have begun in between; then
        // its own start time applies next turn.)
        if self.task.load(Acquire) != task || self.started.load(Relaxed) != started {
            return false;
        }
        self.reported_task.store(task, Relaxed);
        self.reported_started.store(started, Relaxed);
        if let Some(info) = owned.info_of(task) {
            hook(&SlowPoll {
                task: info,
                elapsed,
                worker,
            });
        }
        true
    }
}
