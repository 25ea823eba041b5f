//! The driver: one thread per runtime that owns the poller and the timer wheel.
//!
//! Its loop fires due timers, then waits in the poller until the next deadline, an I/O event,
//! or a notification (a timer due earlier than planned, `resume`, shutdown), then wakes the
//! tasks the events are for. Wakes are batched: while the driver wakes a batch, our own
//! scheduler queues the tasks without waking workers and is told once at the end, so a burst
//! of events costs one worker wake-up, not one per task. The thread never polls a future.
//!
//! Handing every event from this thread to a worker costs two context switches per event on
//! a loaded machine. So while any worker of a multi-thread runtime is awake, the thread stands
//! by (a condvar wait) and the workers poll the poller themselves without blocking, every
//! `event_interval` tasks and before they sleep, waking tasks straight into their own queues.
//! The last worker to go to sleep calls the thread back to the poller; and if none does within
//! 1 ms (or by the next timer), the thread looks at the poller itself without blocking, so a
//! worker stuck in a long poll delays I/O by at most that much. The thread holds the workers'
//! poll lock while it waits in the poller, so the two never contend for it.
//!
//! The thread is also the slow-poll monitor: each time round its loop it refreshes the coarse
//! clock and looks at the workers' poll slots. Once every worker sleeps, its first wait in the
//! poller is bounded by half the slow-poll threshold; only after that does it wait unbounded,
//! and then (see `Watch`) whoever wakes a worker nudges it back, so an idle runtime costs no CPU
//! and a busy one no wake-up per worker wake.

use std::io;
use std::task::Waker;
use std::time::Duration;

mod standby;
mod watch;

use crate::context;
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::reactor::{Events, IoDriver};
use crate::scheduler;
use crate::time::driver::TimeDriver;
use crate::time::Clock;
#[doc(hidden)]
pub use standby::Standby;
#[doc(hidden)]
pub use watch::Watch;

/// A reference to a runtime's driver.
pub(crate) type Handle = Arc<Shared>;

/// What the driver thread shares with the runtime.
#[derive(Debug)]
pub(crate) struct Shared {
    io: Option<IoDriver>,
    pub(crate) time: TimeDriver,
    shutdown: AtomicBool,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The driver thread is standing by (not in the poller) while workers poll.
    standby: Standby,
    /// Whether the driver thread watches for slow polls while it waits in the poller.
    watch: Watch,
    /// Workers' non-blocking polls: one at a time (try-lock), with reused buffers.
    worker_poll: parking_lot::Mutex<(Events, Vec<Waker>)>,
}

impl Shared {
    /// A driver with a poller (and later a thread: `launch`). Under loom there is no poller:
    /// the thread stays out of the models and timers are driven by hand.
    pub(crate) fn new(clock: Clock) -> io::Result<Handle> {
        #[cfg(not(loom))]
        let io = Some(IoDriver::new()?);
        #[cfg(loom)]
        let io = None;
        Ok(Shared::with_io(clock, io))
    }

    /// A driver whose timers are fired by hand (`time::testing`), with no poller or thread.
    pub(crate) fn manual(clock: Clock) -> Handle {
        Shared::with_io(clock, None)
    }

    fn with_io(clock: Clock, io: Option<IoDriver>) -> Handle {
        Arc::new(Shared {
            io,
            time: TimeDriver::new(clock),
            shutdown: AtomicBool::new(false),
            thread: Mutex::new(None),
            standby: Standby::new(),
            watch: Watch::new(),
            worker_poll: parking_lot::Mutex::new((Events::new(), Vec::new())),
        })
    }

    /// The reactor.
    ///
    /// # Errors
    /// If this driver has none (loom builds).
    pub(crate) fn io(&self) -> io::Result<&IoDriver> {
        self.io
            .as_ref()
            .ok_or_else(|| io::Error::other("this runtime has no I/O reactor"))
    }

    /// Interrupts the driver thread's wait (in the poller or standing by).
    pub(crate) fn unpark(&self) {
        if let Some(io) = &self.io {
            io.unpark();
        }
        self.end_standby();
    }

    /// The caller just marked a parked worker awake: if the driver thread waits in the poller
    /// unwatched, interrupt that wait so it stands by instead, looking every millisecond, which
    /// is what watches for slow polls (see `Watch`). Usually one fence and one load.
    pub(crate) fn worker_notified(&self) {
        if self.watch.take_unwatched() {
            if let Some(io) = &self.io {
                io.unpark();
            }
        }
    }

    /// Calls the driver thread back to the poller if it stands by (a worker is going to sleep,
    /// so polling must not depend on the workers any more).
    pub(crate) fn end_standby(&self) {
        self.standby.call_back();
    }

    /// A worker's non-blocking poll: takes whatever I/O events are ready and fires due timers,
    /// waking their tasks on this thread (so a worker's wakes land in its own queue). Returns
    /// false if another thread is polling.
    pub(crate) fn poll_ready_events(&self) -> bool {
        let Some(io) = &self.io else {
            return false;
        };
        // Only while the driver thread stands by: otherwise it waits in the poller, and a
        // poll of ours would cut its wait short.
        if !self.standby.is_standing_by() {
            return false;
        }
        let Some(mut guard) = self.worker_poll.try_lock() else {
            return false;
        };
        let (events, wakers) = &mut *guard;
        io.turn(events, Some(Duration::ZERO), wakers);
        if self.time.is_due() {
            self.time.process(wakers);
        }
        wakers.drain(..).for_each(Waker::wake);
        true
    }

    /// Starts the driver thread for the runtime `rt`.
    pub(crate) fn launch(
        me: &Handle,
        rt: scheduler::Handle,
        name: String,
        stack_size: Option<usize>,
    ) -> io::Result<()> {
        if me.io.is_none() {
            return Ok(());
        }
        let shared = me.clone();
        let mut builder = std::thread::Builder::new().name(name);
        if let Some(size) = stack_size {
            builder = builder.stack_size(size);
        }
        let thread = builder.spawn(move || run(&shared, &rt))?;
        *me.thread.lock() = Some(thread);
        Ok(())
    }

    /// Stops the driver thread and fails every registration still alive.
    pub(crate) fn shutdown(&self) {
        if self.shutdown.swap(true, AcqRel) {
            return;
        }
        self.unpark();
        let thread = self.thread.lock().take();
        if let Some(thread) = thread {
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
        if let Some(io) = &self.io {
            let mut wakers = Vec::new();
            io.shutdown(&mut wakers);
            wakers.into_iter().for_each(Waker::wake);
        }
    }

    pub(crate) fn num_io_sources(&self) -> usize {
        self.io.as_ref().map_or(0, IoDriver::num_registrations)
    }
}

/// The driver thread's loop.
fn run(shared: &Shared, rt: &scheduler::Handle) {
    let io = shared.io.as_ref().expect("launched only with a poller");
    let mut events = Events::new();
    let mut wakers = Vec::with_capacity(64);
    // The next wait in the poller is the watch period after the workers went to sleep.
    let mut watch_next_wait = true;
    while !shared.shutdown.load(Acquire) {
        crate::task::stats::refresh_coarse_clock();
        rt.check_slow_polls();
        let timeout = shared.time.process(&mut wakers);
        wake_batch(rt, &mut wakers);
        if rt.any_worker_awake() {
            watch_next_wait = true;
            let limit = timeout.map_or(STANDBY_LOOK, |t| t.min(STANDBY_LOOK));
            if shared.standby.wait(limit, || rt.any_worker_awake()) {
                // No call back within the limit: a worker may be stuck in a long poll, so
                // look at the poller ourselves (without blocking) before standing by again.
                let exclusive = shared.worker_poll.lock();
                io.turn(&mut events, Some(Duration::ZERO), &mut wakers);
                drop(exclusive);
                wake_batch(rt, &mut wakers);
            }
            continue;
        }
        let watching = rt.needs_watching();
        let timeout = if std::mem::replace(&mut watch_next_wait, watching) || watching {
            let period = rt.watch_period();
            Some(timeout.map_or(period, |t| t.min(period)))
        } else if shared
            .watch
            .begin_unwatched(|| rt.any_worker_awake() || rt.needs_watching())
        {
            timeout
        } else {
            continue;
        };
        // Held while we wait in the poller, so no worker's poll cuts our wait short.
        let exclusive = shared.worker_poll.lock();
        io.turn(&mut events, timeout, &mut wakers);
        drop(exclusive);
        shared.watch.end_unwatched();
        wake_batch(rt, &mut wakers);
    }
}

/// How long the driver thread stands by before it looks at the poller itself.
const STANDBY_LOOK: Duration = Duration::from_millis(1);

/// Wakes `wakers`, telling our scheduler once at the end instead of once per task.
fn wake_batch(rt: &scheduler::Handle, wakers: &mut Vec<Waker>) {
    if wakers.is_empty() {
        return;
    }
    context::defer_notify(rt, || wakers.drain(..).for_each(Waker::wake));
}
