//! Runtime metrics: per-worker counters and the `RuntimeMetrics` snapshot `Handle::metrics`
//! returns.
//!
//! Each worker owns one [`WorkerMetrics`] block, padded to its own cache line(s) so that
//! workers counting their polls never contend for a line. Only the thread holding the worker's
//! core writes its block, so a counter moves with a Relaxed load and a Relaxed store (no
//! read-modify-write). `Handle::metrics` reads every block with Relaxed loads and copies the
//! values, together with the runtime-wide gauges (alive tasks, queue depths, blocking
//! threads), into a plain [`RuntimeMetrics`] value.

use std::fmt;

use crossbeam_utils::CachePadded;

use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// The counters of one worker, written only by the thread that holds the worker's core.
#[derive(Debug, Default)]
pub(crate) struct WorkerMetrics {
    /// Task polls started.
    polls: AtomicU64,
    /// Tasks taken from other workers' queues (the one run at once and the batch moved).
    steals: AtomicU64,
    /// Successful steal operations (each takes one or more tasks).
    steal_operations: AtomicU64,
    /// Times the worker thread parked with nothing to do.
    parks: AtomicU64,
    /// Local queue depth as last published by the worker (current-thread flavor, whose queue
    /// other threads cannot read directly).
    local_queue_depth: AtomicUsize,
}

/// A worker's counters on cache line(s) of their own.
pub(crate) type WorkerMetricsBlock = CachePadded<WorkerMetrics>;

/// A block with every counter at zero.
pub(crate) fn worker_block() -> WorkerMetricsBlock {
    CachePadded::new(WorkerMetrics::default())
}

/// Adds `n` to a counter that only the calling thread writes.
#[inline(always)]
fn bump(counter: &AtomicU64, n: u64) {
    // Single writer: a load and a store (no locked read-modify-write) cannot lose an update.
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

impl WorkerMetrics {
    /// Counts one task poll.
    #[inline(always)]
    pub(crate) fn incr_polls(&self) {
        bump(&self.polls, 1);
    }

    /// Counts one successful steal operation that took `tasks` tasks.
    #[inline]
    pub(crate) fn incr_steals(&self, tasks: u64) {
        bump(&self.steal_operations, 1);
        bump(&self.steals, tasks);
    }

    /// Counts one park of the worker thread.
    #[inline]
    pub(crate) fn incr_parks(&self) {
        bump(&self.parks, 1);
    }

    /// Publishes the worker's local queue depth for readers on other threads.
    #[inline]
    pub(crate) fn set_local_queue_depth(&self, depth: usize) {
        self.local_queue_depth.store(depth, Relaxed);
    }

    /// The last published local queue depth.
    pub(crate) fn published_local_queue_depth(&self) -> usize {
        self.local_queue_depth.load(Relaxed)
    }

    /// Copies the counters, with the given local queue depth.
    pub(crate) fn snapshot(&self, local_queue_depth: usize) -> WorkerSnapshot {
        WorkerSnapshot {
            polls: self.polls.load(Relaxed),
            steals: self.steals.load(Relaxed),
            steal_operations: self.steal_operations.load(Relaxed),
            parks: self.parks.load(Relaxed),
            local_queue_depth,
        }
    }
}

/// The values of one worker in a `RuntimeMetrics` snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WorkerSnapshot {
    polls: u64,
    steals: u64,
    steal_operations: u64,
    parks: u64,
    local_queue_depth: usize,
}

/// The runtime-wide values of a snapshot, gathered by the scheduler flavor.
pub(crate) struct Gauges {
    pub(crate) alive_tasks: usize,
    pub(crate) global_queue_depth: usize,
    pub(crate) workers: Vec<WorkerSnapshot>,
}

/// A snapshot of a runtime's metrics, taken by [`Handle::metrics`](crate::Handle::metrics).
///
/// Counters (`worker_poll_count`, `worker_steal_count`, `worker_park_count`, ...) are `u64`s
/// that only grow from the runtime's start; gauges (alive tasks, queue depths, blocking
/// threads) are the values at the time of the snapshot. Each value is read on its own (with no
/// lock across them), so values of a runtime that is busy may be a few events apart.
///
/// Workers are numbered `0..num_workers()`. The current-thread flavor has one worker: the
/// thread driving it (inside `block_on`); it never steals.
///
/// ```
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     for _ in 0..3 {
///         runtime::spawn(async {}).await.unwrap();
///     }
/// });
/// let metrics = rt.handle().metrics();
/// assert_eq!(metrics.num_workers(), 1);
/// assert!(metrics.worker_poll_count(0) >= 3);
/// assert_eq!(metrics.worker_steal_count(0), 0);
/// assert_eq!(metrics.num_alive_tasks(), 0);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RuntimeMetrics {
    alive_tasks: usize,
    global_queue_depth: usize,
    blocking_threads: usize,
    idle_blocking_threads: usize,
    blocking_queue_depth: usize,
    workers: Vec<WorkerSnapshot>,
}

impl RuntimeMetrics {
    pub(crate) fn new(gauges: Gauges, blocking: crate::blocking::PoolMetrics) -> RuntimeMetrics {
        RuntimeMetrics {
            alive_tasks: gauges.alive_tasks,
            global_queue_depth: gauges.global_queue_depth,
            blocking_threads: blocking.threads,
            idle_blocking_threads: blocking.idle_threads,
            blocking_queue_depth: blocking.queue_depth,
            workers: gauges.workers,
        }
    }

    /// Number of workers: the multi-thread flavor's worker threads, or 1 for current-thread.
    pub fn num_workers(&self) -> usize {
        self.workers.len()
    }

    /// Tasks spawned and not yet finished (blocking tasks are not counted).
    pub fn num_alive_tasks(&self) -> usize {
        self.alive_tasks
    }

    /// Tasks waiting in the runtime's shared queue: those spawned or woken from outside a
    /// worker, not yet picked up.
    pub fn global_queue_depth(&self) -> usize {
        self.global_queue_depth
    }

    /// Threads in the blocking pool that are not scheduler workers: those running
    /// `spawn_blocking` work and the idle ones waiting for more.
    pub fn num_blocking_threads(&self) -> usize {
        self.blocking_threads
    }

    /// Blocking-pool threads waiting for work (part of `num_blocking_threads`).
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.idle_blocking_threads
    }

    /// Blocking tasks waiting for a blocking thread (the pool is at `max_blocking_threads`).
    pub fn blocking_queue_depth(&self) -> usize {
        self.blocking_queue_depth
    }

    /// Task polls the worker has started since the runtime started.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.worker(worker).polls
    }

    /// Tasks the worker took from other workers' queues (0 on the current-thread flavor).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.worker(worker).steals
    }

    /// Steal operations that took at least one task (each takes up to half the victim's
    /// queue, so `worker_steal_count >= worker_steal_operations`).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    pub fn worker_steal_operations(&self, worker: usize) -> u64 {
        self.worker(worker).steal_operations
    }

    /// Times the worker thread went to sleep with nothing to run.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.worker(worker).parks
    }

    /// Tasks in the worker's local queue (not counting the one-task LIFO slot of the
    /// multi-thread flavor). On the current-thread flavor, read from another thread while the
    /// runtime is being driven, this is the depth the driving thread last published (it does
    /// so every `event_interval` tasks and before it sleeps).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.worker(worker).local_queue_depth
    }

    /// The sum of `worker_poll_count` over all workers.
    pub fn total_poll_count(&self) -> u64 {
        self.workers.iter().map(|w| w.polls).sum()
    }

    /// The sum of `worker_park_count` over all workers.
    pub fn total_park_count(&self) -> u64 {
        self.workers.iter().map(|w| w.parks).sum()
    }

    #[track_caller]
    fn worker(&self, worker: usize) -> &WorkerSnapshot {
        match self.workers.get(worker) {
            Some(snapshot) => snapshot,
            None => panic!(
                "RuntimeMetrics: worker index {worker} out of range (the runtime has {} workers)",
                self.workers.len()
            ),
        }
    }
}

impl fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("workers", &self.workers.len())
            .field("alive_tasks", &self.alive_tasks)
            .field("global_queue_depth", &self.global_queue_depth)
            .field("blocking_threads", &self.blocking_threads)
            .field("idle_blocking_threads", &self.idle_blocking_threads)
            .field("blocking_queue_depth", &self.blocking_queue_depth)
            .field("per_worker", &self.workers)
            .finish()
    }
}
