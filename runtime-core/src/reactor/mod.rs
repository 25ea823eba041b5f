//! The reactor: readiness of sockets and other file descriptors, reported by one poller
//! (epoll on Linux, the `polling` crate elsewhere: `sys`) that the runtime's driver thread
//! waits on.
//!
//! A source registers once (edge-triggered where the platform allows, so readiness needs no
//! re-arm syscall) and gets a slot in the registration table: its readiness bits, an event tick
//! and one waker per direction (`slot`). The poller hands back the slot's key, an index plus a
//! generation, so an event for a source that has since deregistered is dropped (`table`).
//! `Registration` is the handle I/O types hold; `runtime-io` builds sockets on it.

mod ready;
mod registration;
mod slot;
mod sys;
mod table;

use std::io;
use std::os::fd::BorrowedFd;
use std::task::Waker;
use std::time::Duration;

pub use ready::{Interest, Ready, ReadyEvent};
pub use registration::{Readiness, Registration};
#[doc(hidden)]
pub use slot::ScheduledIo;
pub(crate) use sys::Events;
use sys::Poller;
pub use sys::SHORT_READ_DRAINS;
#[doc(hidden)]
pub use table::RegistrationTable;

use crate::loom::sync::Arc;

/// The poller and the table of registered sources.
pub(crate) struct IoDriver {
    poller: Poller,
    table: RegistrationTable,
}

impl IoDriver {
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn new() -> io::Result<IoDriver> {
        Ok(IoDriver {
            poller: Poller::new()?,
            table: RegistrationTable::new(),
        })
    }

    /// Adds `fd` to the poller under a fresh key.
    ///
    /// # Safety
    /// `fd` must stay open until `deregister` is called for it.
    pub(crate) unsafe fn register(
        &self,
        fd: BorrowedFd<'_>,
        interest: Interest,
    ) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let (key, slot) = self.table.insert()?;
        // SAFETY: the caller keeps `fd` open until it deregisters it.
        let added = unsafe { self.poller.add(fd, key, interest) };
        if let Err(error) = added {
            self.table.remove(key);
            return Err(error);
        }
        Ok((key, slot))
    }

    /// Removes `fd` from the poller (it must still be open) and frees its key.
    pub(crate) fn deregister(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
        let deleted = self.poller.delete(fd);
        self.table.remove(key);
        deleted
    }

    /// Re-arms `fd` after an operation would block (a no-op for edge-triggered pollers).
    pub(crate) fn rearm(&self, fd: BorrowedFd<'_>, key: usize, interest: Interest) {
        self.poller.rearm(fd, key, interest);
    }

    /// Waits for events (at most `timeout`) and collects the wakers of the sources that
    /// became ready. Only one thread at a time calls this (the driver's poll lock).
    pub(crate) fn turn(
        &self,
        events: &mut Events,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) {
        if let Err(error) = self.poller.wait(events, timeout) {
            // Not recoverable by retrying at once; report and carry on with the timers.
            eprintln!("runtime: the I/O poller failed: {error}");
            return;
        }
        if events.is_empty() {
            return;
        }
        self.table.dispatch(events.iter(), wakers);
    }

    /// Interrupts a `turn` in progress (or makes the next one return at once).
    pub(crate) fn unpark(&self) {
        // Fails only if the eventfd is gone, which happens only once the driver is dropped.
        let _ = self.poller.notify();
    }

    /// Fails every registration: the runtime is shutting down.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.table.shutdown(wakers);
    }

    pub(crate) fn num_registrations(&self) -> usize {
        self.table.len()
    }
}

impl std::fmt::Debug for IoDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IoDriver")
            .field("poller", &self.poller)
            .field("registrations", &self.table.len())
            .finish()
    }
}
