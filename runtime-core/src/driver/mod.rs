//! The driver: one thread per runtime that owns the poller and the timer wheel.
//!
//! Its loop fires due timers, then waits in the poller until the next deadline, an I/O event,
//! or a notification (a timer due earlier than planned, `resume`, shutdown), then wakes the
//! tasks the events are for. Wakes are batched: while the driver wakes a batch, our own
//! scheduler queues the tasks without waking workers and is told once at the end, so a burst
//! of events costs one worker wake-up, not one per task. The thread never polls a future.

use std::io;
use std::task::Waker;

use crate::context;
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::reactor::IoDriver;
use crate::scheduler;
use crate::time::driver::TimeDriver;
use crate::time::Clock;

/// A reference to a runtime's driver.
pub(crate) type Handle = Arc<Shared>;

/// What the driver thread shares with the runtime.
#[derive(Debug)]
pub(crate) struct Shared {
    io: Option<IoDriver>,
    pub(crate) time: TimeDriver,
    shutdown: AtomicBool,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
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

    /// Interrupts the driver thread's wait.
    pub(crate) fn unpark(&self) {
        if let Some(io) = &self.io {
            io.unpark();
        }
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
    let mut events = polling::Events::new();
    let mut wakers = Vec::with_capacity(64);
    while !shared.shutdown.load(Acquire) {
        let timeout = shared.time.process(&mut wakers);
        wake_batch(rt, &mut wakers);
        io.turn(&mut events, timeout, &mut wakers);
        wake_batch(rt, &mut wakers);
    }
}

/// Wakes `wakers`, telling our scheduler once at the end instead of once per task.
fn wake_batch(rt: &scheduler::Handle, wakers: &mut Vec<Waker>) {
    if wakers.is_empty() {
        return;
    }
    context::defer_notify(rt, || wakers.drain(..).for_each(Waker::wake));
}
