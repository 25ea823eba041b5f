//! `TaskInfo`: a snapshot of one live task for `Handle::tasks()` (asyncio's `all_tasks`), and
//! the text table `Handle::dump()` renders from a list of them.
//!
//! A snapshot is taken under the owned-task list's shard locks, one shard at a time, reading
//! only what the header and the poll statistics keep (no future is touched), so listing every
//! task costs a few dozen nanoseconds per task and never stops the workers.

use std::fmt::{self, Write as _};
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use super::raw::Header;
use super::Id;

/// What a live task is doing at the moment of the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting for a wake-up (pending, nobody has woken it since).
    Idle,
    /// Woken and queued: it runs when a worker gets to it.
    Scheduled,
    /// Being polled by a worker right now.
    Running,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
        })
    }
}

/// One live task, as [`Handle::tasks`](crate::Handle::tasks) saw it.
#[derive(Debug, Clone)]
pub struct TaskInfo {
    id: Id,
    name: Option<Arc<str>>,
    state: TaskState,
    polls: u32,
    spawned_at: &'static Location<'static>,
    since_last_poll: Duration,
}

impl TaskInfo {
    pub(crate) fn new(header: &Header, now: u32) -> TaskInfo {
        let stats = &header.stats;
        let snapshot = header.state.load();
        let state = if snapshot.is_running() {
            TaskState::Running
        } else if snapshot.is_notified() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        TaskInfo {
            id: header.id,
            name: header.name_shared(),
            state,
            polls: stats.polls(),
            spawned_at: header.spawned_at,
            since_last_poll: stats.since_last_poll(now),
        }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The name given at spawn (`task::Builder::name`), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Idle, scheduled or running.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times the task has been polled (wraps at 2^32).
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Where the task was spawned.
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }

    /// Wall-clock time since its last poll started (since the spawn if never polled), to about a
    /// millisecond.
    pub fn since_last_poll(&self) -> Duration {
        self.since_last_poll
    }
}

/// Renders `tasks` as a table, one line per task, the longest-waiting first.
pub(crate) fn render(mut tasks: Vec<TaskInfo>) -> String {
    tasks.sort_by_key(|task| std::cmp::Reverse(task.since_last_poll));
    let mut out = String::new();
    let _ = writeln!(out, "{} live tasks", tasks.len());
    let _ = writeln!(
        out,
        "{:>8}  {:<24}  {:<9}  {:>8}  {:>12}  spawned at",
        "id", "name", "state", "polls", "since poll"
    );
    for task in &tasks {
        let _ = writeln!(
            out,
            "{:>8}  {:<24}  {:<9}  {:>8}  {:>12}  {}",
            task.id.to_string(),
            task.name().unwrap_or("-"),
            task.state.to_string(),
            task.polls,
            format!("{:.3}s", task.since_last_poll.as_secs_f64()),
            task.spawned_at
        );
    }
    out
}
