//! One worker: its core (deque, tick, rng) and the run loop that finds, runs, steals and
//! parks. Its LIFO slot lives in the shared `Remote` (see `LifoSlot`), so that other workers
//! can take the task in it while this one is stuck in a slow poll.
//!
//! The core is a `Box` that moves: the loop holds it while looking for work and puts it in
//! the thread's `WorkerContext` while a task runs (so the task's wakes and spawns can reach the
//! local queue). `block_in_place` takes it from there and gives it to a new thread; the old
//! thread then finishes its poll without a core and returns to the blocking pool.

use std::cell::RefCell;
use std::ptr::NonNull;

use super::Handle;
use crate::context;
use crate::loom::deque::{Steal, Stealer, Worker};
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::WorkerMetricsBlock;
use crate::scheduler::slow_poll::PollSlot;
use crate::scheduler::{self, SchedulerContext};
use crate::task::Notified;

pub(crate) struct Core {
    index: usize,
    local: Worker<Notified>,
    tick: u32,
    rng: FastRand,
    /// Counted as searching in `Idle`.
    searching: bool,
    /// This worker's counters (also in `Shared::worker_metrics`, where `metrics` reads them).
    metrics: Arc<WorkerMetricsBlock>,
}

impl Core {
    pub(super) fn new(index: usize, metrics: Arc<WorkerMetricsBlock>) -> Core {
        Core {
            index,
            local: Worker::new_fifo(),
            tick: 0,
            rng: FastRand::new(index as u64 + 1),
            searching: false,
            metrics,
        }
    }

    pub(super) fn stealer(&self) -> Stealer<Notified> {
        self.local.stealer()
    }

    fn next_task(&mut self, handle: &Handle) -> Option<Notified> {
        if let Some(task) = handle.lifo(self.index).take() {
            return Some(task);
        }
        if self.tick % handle.config.global_queue_interval == 0 {
            if let Some(task) = steal_one(|| handle.shared.injector.steal()) {
                return Some(task);
            }
        }
        if let Some(task) = self.local.pop() {
            return Some(task);
        }
        steal_one(|| handle.shared.injector.steal_batch_and_pop(&self.local))
    }

    fn steal_work(&mut self, handle: &Handle) -> Option<Notified> {
        if !self.searching {
            if !handle.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.searching = true;
        }
        let remotes = &handle.shared.remotes;
        let n = remotes.len();
        let start = self.rng.below(n);
        for i in 0..n {
            let index = (start + i) % n;
            if index == self.index {
                continue;
            }
            let stealer = &remotes[index].stealer;
            if let Some(task) = steal_one(|| stealer.steal_batch_and_pop(&self.local)) {
                // Our queue was empty (`next_task` found nothing and only we push to it), so
                // what it holds now is the batch we took, besides the task we run.
                let batch = self.local.len() as u64;
                self.metrics.incr_steals(batch + 1);
                return Some(task);
            }
            if let Some(task) = handle.take_lifo_if_stuck(index) {
                self.metrics.incr_steals(1);
                return Some(task);
            }
        }
        steal_one(|| handle.shared.injector.steal_batch_and_pop(&self.local))
    }

    /// Drops the queued references (their tasks are cancelled through the owned list).
    fn drain(&mut self, handle: &Handle) {
        drop(handle.lifo(self.index).take());
        while let Some(task) = self.local.pop() {
            drop(task);
        }
    }
}

fn steal_one(mut attempt: impl FnMut() -> Steal<Notified>) -> Option<Notified> {
    loop {
        match attempt() {
            Steal::Success(task) => return Some(task),
            Steal::Empty => return None,
            Steal::Retry => {}
        }
    }
}

/// The worker's state visible to tasks polled on its thread.
pub(crate) struct WorkerContext {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

impl WorkerContext {
    pub(super) fn handle(&self) -> &Handle {
        &self.handle
    }

    pub(crate) fn handle_arc(&self) -> &Arc<Handle> {
        &self.handle
    }

    /// Queues a task on this worker, or gives it back if the core is gone (handed off).
    pub(super) fn schedule_local(&self, task: Notified, is_yield: bool) -> Result<(), Notified> {
        let Ok(mut core) = self.core.try_borrow_mut() else {
            return Err(task);
        };
        let Some(core) = core.as_mut() else {
            return Err(task);
        };
        if is_yield {
            core.local.push(task);
        } else {
            match self.handle.lifo(core.index).replace(task) {
                None => return Ok(()),
                Some(previous) => core.local.push(previous),
            }
        }
        self.handle.notify_parked();
        Ok(())
    }

    /// Runs `task` and then the LIFO chain it starts; gives the core back, or `None` if it was
    /// handed to another thread meanwhile.
    fn run_task(&self, task: Notified, mut core: Box<Core>) -> Option<Box<Core>> {
        if core.searching {
            core.searching = false;
            if self.handle.shared.idle.transition_worker_from_searching() {
                // We were the last searcher: somebody else should look for the rest.
                self.handle.notify_parked();
            }
        }
        let slot = self.handle.poll_slot(core.index);
        core.metrics.incr_polls();
        *self.core.borrow_mut() = Some(core);
        run_watched(slot, task);
        let mut lifo_polls = 0;
        loop {
            let core = self.core.borrow_mut().take()?;
            let Some(task) = self.handle.lifo(core.index).take() else {
                return Some(core);
            };
            if lifo_polls >= self.handle.config.max_lifo_polls {
                core.local.push(task);
                self.handle.notify_parked();
                return Some(core);
            }
            lifo_polls += 1;
            core.metrics.incr_polls();
            *self.core.borrow_mut() = Some(core);
            run_watched(slot, task);
        }
    }

    /// Polls the driver without blocking, with the core installed so that the tasks it wakes
    /// go to this worker's queue.
    fn poll_driver(&self, core: Box<Core>) -> Box<Core> {
        *self.core.borrow_mut() = Some(core);
        self.handle.driver.poll_ready_events();
        self.core
            .borrow_mut()
            .take()
            .expect("waking tasks does not hand the core away")
    }

    fn park(&self, core: Box<Core>) -> Box<Core> {
        self.handle.poll_slot(core.index).end();
        let mut core = self.poll_driver(core);
        if self.handle.lifo(core.index).is_some() || !core.local.is_empty() {
            return core;
        }
        let idle = &self.handle.shared.idle;
        let was_searching = std::mem::replace(&mut core.searching, false);
        if idle.transition_worker_to_parked(core.index, was_searching) {
            self.handle.notify_if_work_pending();
        }
        if idle.num_unparked() == 0 {
            // Nobody is left to poll: the driver thread takes the poller back.
            self.handle.driver.end_standby();
        }
        let parker = &self.handle.shared.remotes[core.index].parker;
        loop {
            core.metrics.incr_parks();
            parker.park();
            if self.handle.is_shutdown() {
                return core;
            }
            if !idle.is_sleeping(core.index) {
                // Woken by a notification, which counted us as searching. The driver may be in
                // its watch-period wait, not refreshing the coarse clock our polls stamp.
                crate::task::stats::refresh_coarse_clock();
                core.searching = true;
                return core;
            }
        }
    }

    fn run(&self, mut core: Box<Core>) {
        while !self.handle.is_shutdown() {
            core.tick = core.tick.wrapping_add(1);
            if core.tick % self.handle.config.event_interval == 0 {
                core = self.poll_driver(core);
            }
            let task = match core.next_task(&self.handle) {
                Some(task) => Some(task),
                None => core.steal_work(&self.handle),
            };
            core = match task {
                Some(task) => match self.run_task(task, core) {
                    Some(core) => core,
                    None => return,
                },
                None => self.park(core),
            };
        }
        self.handle.poll_slot(core.index).end();
        if core.searching {
            core.searching = false;
            self.handle.shared.idle.transition_worker_from_searching();
        }
        core.drain(&self.handle);
        self.handle.return_core(core);
    }
}

/// The body of a worker thread: runs `core` until shutdown or until the core is handed off.
pub(super) fn run(handle: Arc<Handle>, core: Box<Core>) {
    let rt = scheduler::Handle::Multi(handle.clone());
    let _driving = context::enter_driving(rt);
    let cx = WorkerContext {
        handle,
        core: RefCell::new(None),
    };
    context::set_scheduler(SchedulerContext::Multi(NonNull::from(&cx)), || cx.run(core));
}

/// See `crate::task::block_in_place`.
pub(crate) fn block_in_place<F, R>(cx: NonNull<WorkerContext>, f: F) -> R
where
    F: FnOnce() -> R,
{
    // SAFETY: the context lives on this worker's stack while installed, and we are on it.
    let cx = unsafe { cx.as_ref() };
    let core = cx.core.borrow_mut().take();
    if let Some(core) = core {
        // This poll blocks on purpose: not a slow poll to report (the core's next thread
        // publishes its own polls in the slot).
        cx.handle.poll_slot(core.index).end();
        // Hand the core (and its queued tasks) to a fresh worker thread.
        let slot = Arc::new(Mutex::new(Some(core)));
        let handle = cx.handle.clone();
        let rt = scheduler::Handle::Multi(handle.clone());
        let theirs = slot.clone();
        let launched = cx.handle.blocking.spawn_worker(
            Box::new(move || {
                if let Some(core) = theirs.lock().take() {
                    run(handle, core);
                }
            }),
            &rt,
        );
        if launched.is_err() {
            // No thread to hand over to: keep the core and block this worker.
            *cx.core.borrow_mut() = slot.lock().take();
        }
    }
    context::exit_driving(f)
}

/// Runs `task`, published in its worker's poll slot for the slow-poll monitor. The slot is
/// not cleared after the poll (one store less per poll): the next poll overwrites it, and the
/// worker clears it when it stops polling (`park`, `block_in_place`, shutdown). Between polls
/// the worker only looks for work, which takes microseconds, never a slow-poll threshold.
fn run_watched(slot: &PollSlot, task: Notified) {
    slot.begin(task.0.as_ptr().as_ptr());
    task.run();
}

/// Compensation for blocked workers: while every worker is stuck in a poll past the slow-poll
/// threshold, this thread (started by the monitor) runs queued tasks so the rest of the runtime
/// keeps moving: it takes from the shared queue, the stuck workers' local queues and their LIFO
/// slots. It has no core, so the tasks it runs
/// wake into the shared queue, which it looks at again at least every millisecond. It retires
/// as soon as one stuck poll has returned (that worker runs its queue again).
pub(super) fn stand_in(handle: Arc<Handle>) {
    let rt = scheduler::Handle::Multi(handle.clone());
    let _driving = context::enter_driving(rt);
    let cx = WorkerContext {
        handle: handle.clone(),
        core: RefCell::new(None),
    };
    context::set_scheduler(SchedulerContext::Multi(NonNull::from(&cx)), || {
        while handle.all_workers_stuck() {
            match stand_in_task(&handle) {
                Some(task) => task.run(),
                None => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
    });
    handle
        .shared
        .stand_in
        .store(false, crate::loom::sync::atomic::Ordering::Release);
}

/// The next task for the stand-in: the shared queue first, then any worker's local queue, then
/// a stuck worker's LIFO slot.
fn stand_in_task(handle: &Handle) -> Option<Notified> {
    if let Some(task) = steal_one(|| handle.shared.injector.steal()) {
        return Some(task);
    }
    let remotes = &handle.shared.remotes;
    remotes
        .iter()
        .find_map(|remote| steal_one(|| remote.stealer.steal()))
        .or_else(|| (0..remotes.len()).find_map(|index| handle.take_lifo_if_stuck(index)))
}

/// A small xorshift generator for picking steal victims.
struct FastRand(u64);

impl FastRand {
    fn new(seed: u64) -> FastRand {
        FastRand(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        ((x >> 32) as usize * n) >> 32
    }
}
