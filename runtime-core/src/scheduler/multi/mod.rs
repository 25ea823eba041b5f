//! The multi-thread, work-stealing scheduler.
//!
//! Each worker owns a FIFO deque and a one-task LIFO slot; tasks woken or spawned from outside a
//! worker go to a shared injector. A worker runs its LIFO slot (bounded), its deque, the
//! injector every `global_queue_interval` ticks, then steals half a random peer's deque; with
//! nothing found it parks (see `idle`). Shutdown stops the workers, takes their cores back,
//! then cancels every owned task on the shutting-down thread.

mod idle;
mod worker;

use std::future::Future;
use std::time::{Duration, Instant};

pub(crate) use worker::{block_in_place, WorkerContext};

use crossbeam_utils::CachePadded;

use super::lifo_slot::LifoSlot;
use super::slow_poll::PollSlot;
use super::Config;
use crate::blocking::Spawner;
use crate::context;
use crate::loom::deque::{Injector, Steal, Stealer};
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::metrics::{self, WorkerMetricsBlock};
use crate::park::Parker;
use crate::task::list::OwnedTasks;
use crate::task::raw::Header;
use crate::task::{self, JoinHandle, Notified, Schedule, SpawnMeta, Task};
use crate::unhandled::UnhandledPanics;
use idle::Idle;
use worker::Core;

pub(crate) struct Handle {
    shared: Shared,
    pub(crate) blocking: Spawner,
    pub(crate) driver: crate::driver::Handle,
    config: Config,
    /// `UnhandledPanic` handling, and whether `ShutdownRuntime` fired.
    panics: UnhandledPanics,
}

struct Shared {
    injector: Injector<Notified>,
    /// Set once shutdown has drained the injector: late pushes drain it themselves.
    injector_closed: AtomicBool,
    remotes: Box<[Remote]>,
    /// A stand-in thread runs tasks while every worker is stuck in a slow poll.
    stand_in: AtomicBool,
    idle: Idle,
    owned: OwnedTasks,
    shutdown: AtomicBool,
    /// Cores handed back by workers that saw the shutdown flag.
    #[allow(clippy::vec_box)] // cores move between threads as boxes; no need to re-box
    returned: Mutex<Vec<Box<Core>>>,
    returned_cv: Condvar,
    /// Each worker's counters, indexed like `remotes` (the core holds its own reference and
    /// its holder is the only writer).
    worker_metrics: Box<[Arc<WorkerMetricsBlock>]>,
}

/// What other threads can reach of a worker.
struct Remote {
    stealer: Stealer<Notified>,
    parker: Parker,
    /// Set by the slow-poll monitor while this worker is stuck in a poll past the threshold:
    /// searching workers then take its LIFO slot too. (Read by thieves instead of `slots`, so
    /// that they leave the owner's cache line alone unless it is stuck.)
    stuck: AtomicBool,
    /// What this worker writes on every poll, on its own cache line.
    slots: CachePadded<WorkerSlots>,
}

/// A worker's published per-poll state.
#[derive(Default)]
struct WorkerSlots {
    /// What this worker polls now, for the slow-poll monitor.
    poll: PollSlot,
    /// The task to run next: one woken or spawned by the running task (so message passing
    /// stays hot in cache). Only this worker fills it; others take it only while it is `stuck`.
    lifo: LifoSlot<Notified>,
}

impl Handle {
    /// Creates the scheduler and the worker cores to run on `workers` threads.
    #[allow(clippy::vec_box)]
    pub(crate) fn new(
        workers: usize,
        config: Config,
        blocking: Spawner,
        driver: crate::driver::Handle,
    ) -> (Arc<Handle>, Vec<Box<Core>>) {
        let worker_metrics: Box<[Arc<WorkerMetricsBlock>]> = (0..workers)
            .map(|_| Arc::new(metrics::worker_block()))
            .collect();
        let cores: Vec<Box<Core>> = (0..workers)
            .map(|index| Box::new(Core::new(index, worker_metrics[index].clone())))
            .collect();
        let remotes = cores
            .iter()
            .map(|core| Remote {
                stealer: core.stealer(),
                parker: Parker::new(),
                stuck: AtomicBool::new(false),
                slots: CachePadded::default(),
            })
            .collect();
        let handle = Arc::new(Handle {
            shared: Shared {
                injector: Injector::new(),
                injector_closed: AtomicBool::new(false),
                stand_in: AtomicBool::new(false),
                remotes,
                idle: Idle::new(workers),
                owned: OwnedTasks::new(workers),
                shutdown: AtomicBool::new(false),
                returned: Mutex::new(Vec::with_capacity(workers)),
                returned_cv: Condvar::new(),
                worker_metrics,
            },
            blocking,
            driver,
            panics: UnhandledPanics::new(
                config.unhandled_panic,
                config.unhandled_panic_hook.clone(),
            ),
            config,
        });
        (handle, cores)
    }

    /// Starts one worker thread per core on the blocking pool.
    #[allow(clippy::vec_box)]
    pub(crate) fn launch(me: &Arc<Handle>, cores: Vec<Box<Core>>) -> std::io::Result<()> {
        let rt = super::Handle::Multi(me.clone());
        for core in cores {
            let handle = me.clone();
            me.blocking
                .spawn_worker(Box::new(move || worker::run(handle, core)), &rt)?;
        }
        Ok(())
    }

    #[track_caller]
    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_owned(future, me.clone(), meta);
        match me.shared.owned.insert(task) {
            Ok(()) => {
                if let Err(task) = me.schedule_local(notified, false) {
                    // `me` is the caller's: it outlives the push.
                    me.schedule_remote(task);
                }
            }
            Err(task) => {
                // Shutting down: the task is cancelled before it ever runs.
                drop(notified);
                task.shutdown();
            }
        }
        join
    }

    pub(crate) fn block_on<F: Future>(&self, rt: &super::Handle, future: F) -> F::Output {
        let _driving = context::enter_driving(rt.clone());
        // `park::block_on`, also woken (to panic) when `ShutdownRuntime` fires.
        self.panics.block_on(future)
    }

    /// Queues the task on this thread's worker if it is one of ours (if that worker's core was
    /// handed away, through the worker's own handle), or gives the task back for the injector.
    fn schedule_local(&self, task: Notified, is_yield: bool) -> Result<(), Notified> {
        if let Some(super::SchedulerContext::Multi(cx)) = context::current_scheduler() {
            // SAFETY: the context lives on the worker's stack while it is installed.
            let cx = unsafe { cx.as_ref() };
            if std::ptr::eq(cx.handle(), self) {
                if let Err(task) = cx.schedule_local(task, is_yield) {
                    cx.handle_arc().schedule_remote(task);
                }
                return Ok(());
            }
        }
        Err(task)
    }

    /// A waker reaches the scheduler through the task's own cell: once the task is queued it
    /// may run, finish and be freed, taking that handle with it, so the remote path pushes
    /// through a reference of its own.
    fn schedule_woken(me: &Arc<Handle>, task: Notified, is_yield: bool) {
        if let Err(task) = me.schedule_local(task, is_yield) {
            me.clone().schedule_remote(task);
        }
    }

    fn schedule_remote(&self, task: Notified) {
        self.shared.injector.push(task);
        // `notify_parked` starts with a SeqCst fence, which also orders the push before the
        // `injector_closed` load: either shutdown's drain sees our task, or we see the flag.
        // The driver thread defers it to the end of its batch of wakes (which then notifies).
        if context::defer_wakeup((self as *const Handle).cast()) {
            crate::loom::sync::atomic::fence(SeqCst);
        } else {
            self.notify_parked();
        }
        if self.shared.injector_closed.load(SeqCst) {
            self.drain_injector();
        }
    }

    /// Wakes one sleeping worker if work may be waiting and nobody is searching.
    pub(crate) fn notify_parked(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[index].parker.unpark();
            // The worker counts as awake now: the slow-poll monitor must watch it.
            self.driver.worker_notified();
        }
    }

    /// Called by the last searcher before it sleeps: wake somebody if any queue has work.
    fn notify_if_work_pending(&self) {
        // Orders our `Idle` update before the queue reads (the producer's side of the fence
        // is in `worker_to_notify`).
        crate::loom::sync::atomic::fence(SeqCst);
        let pending = self.shared.remotes.iter().any(|r| !r.stealer.is_empty())
            || !self.shared.injector.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    pub(crate) fn any_worker_awake(&self) -> bool {
        self.shared.idle.num_unparked() > 0
    }

    fn is_shutdown(&self) -> bool {
        self.shared.shutdown.load(Acquire)
    }

    fn drain_injector(&self) {
        loop {
            match self.shared.injector.steal() {
                Steal::Success(task) => drop(task),
                Steal::Empty => break,
                Steal::Retry => {}
            }
        }
    }

    /// A worker that saw the shutdown flag hands its core back.
    fn return_core(&self, core: Box<Core>) {
        let mut returned = self.shared.returned.lock();
        returned.push(core);
        self.shared.returned_cv.notify_all();
    }

    /// Stops the workers (waiting at most `timeout` for them to finish their current poll) and
    /// cancels every task. Returns true if every worker stopped in time.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        if self.shared.shutdown.swap(true, SeqCst) {
            return true;
        }
        for remote in self.shared.remotes.iter() {
            remote.parker.unpark();
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut returned = self.shared.returned.lock();
        let mut all_stopped = true;
        while returned.len() < self.shared.remotes.len() {
            match deadline {
                None => returned = self.shared.returned_cv.wait(returned),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        all_stopped = false;
                        break;
                    }
                    returned = self
                        .shared
                        .returned_cv
                        .wait_timeout(returned, deadline - now)
                        .0;
                }
            }
        }
        let cores = std::mem::take(&mut *returned);
        drop(returned);
        drop(cores);
        self.shared.owned.close_and_shutdown_all();
        self.shared.injector_closed.store(true, SeqCst);
        self.drain_injector();
        all_stopped
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.shared.owned.len()
    }

    /// The scheduler's side of `Handle::metrics`.
    pub(crate) fn metrics(&self) -> metrics::Gauges {
        let workers = self
            .shared
            .worker_metrics
            .iter()
            .zip(self.shared.remotes.iter())
            .map(|(counters, remote)| counters.snapshot(remote.stealer.len()))
            .collect();
        metrics::Gauges {
            alive_tasks: self.shared.owned.len(),
            global_queue_depth: self.shared.injector.len(),
            workers,
        }
    }

    pub(crate) fn tasks(&self) -> Vec<crate::task::TaskInfo> {
        self.shared.owned.snapshot()
    }

    /// Monitor side (the driver thread): reports polls past the threshold, and when every
    /// worker is stuck in one, starts a stand-in thread (see `worker::stand_in`).
    pub(crate) fn check_slow_polls(me: &Arc<Self>) {
        for (worker, remote) in me.shared.remotes.iter().enumerate() {
            let stuck = remote
                .slots
                .poll
                .check(worker, &me.config.slow_poll, &me.shared.owned);
            if remote.stuck.load(Relaxed) != stuck {
                remote.stuck.store(stuck, Release);
                if stuck && remote.slots.lifo.is_some() {
                    // Its LIFO task is stealable now: wake a searcher for it.
                    me.notify_parked();
                }
            }
        }
        if me.all_workers_stuck() && !me.shared.stand_in.swap(true, AcqRel) {
            let handle = me.clone();
            let rt = super::Handle::Multi(me.clone());
            let started = me
                .blocking
                .spawn_worker(Box::new(move || worker::stand_in(handle)), &rt);
            if started.is_err() {
                // No thread to be had now: try again at the next look.
                me.shared.stand_in.store(false, Release);
            }
        }
    }

    pub(super) fn slow_poll_threshold(&self) -> Duration {
        self.config.slow_poll.threshold
    }

    /// Every worker is in a poll older than the slow-poll threshold.
    pub(super) fn all_workers_stuck(&self) -> bool {
        let threshold = self.config.slow_poll.threshold;
        !self.is_shutdown()
            && self
                .shared
                .remotes
                .iter()
                .all(|remote| remote.slots.poll.is_stuck(threshold))
    }

    /// The slot where worker `index` publishes its poll.
    pub(super) fn poll_slot(&self, index: usize) -> &PollSlot {
        &self.shared.remotes[index].slots.poll
    }

    /// Worker `index`'s LIFO slot.
    pub(super) fn lifo(&self, index: usize) -> &LifoSlot<Notified> {
        &self.shared.remotes[index].slots.lifo
    }

    /// Takes worker `index`'s LIFO task if the monitor saw it stuck in a slow poll.
    pub(super) fn take_lifo_if_stuck(&self, index: usize) -> Option<Notified> {
        let remote = &self.shared.remotes[index];
        if remote.stuck.load(Acquire) {
            remote.slots.lifo.take()
        } else {
            None
        }
    }

    /// `UnhandledPanic::ShutdownRuntime` fired: cancel every task (on this thread, inside the
    /// runtime so that their drops find it; tasks running on other workers are cancelled when
    /// their poll returns) and wake the threads in `block_on`, which panic. The workers keep
    /// running (with nothing to do) until the runtime is dropped.
    fn shutdown_on_unhandled_panic(me: &Arc<Self>) {
        let _enter = context::try_current_handle()
            .is_none()
            .then(|| context::set_handle(super::Handle::Multi(me.clone())));
        me.shared.owned.close_and_shutdown_all();
        me.panics.wake_block_on();
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        Handle::schedule_woken(self, task, false);
    }

    fn yield_now(&self, task: Notified) {
        Handle::schedule_woken(self, task, true);
    }

    fn release(&self, task: &Header) -> Option<Task> {
        self.shared.owned.remove(task)
    }

    fn unhandled_panic(&self, error: &crate::task::JoinError) {
        if self.panics.unhandled(error) {
            Handle::shutdown_on_unhandled_panic(self);
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("multi::Handle")
            .field("workers", &self.shared.remotes.len())
            .field("idle", &self.shared.idle)
            .field("owned", &self.shared.owned)
            .finish()
    }
}
