//! The Linux poller: one epoll instance, edge-triggered registrations (no re-arm after an event)
//! that also ask for `EPOLLRDHUP`, and an eventfd to interrupt a wait.
//!
//! A notification sets a flag and writes the eventfd only if the flag was clear; the flag is
//! cleared when a wait returns, so a burst of notifications costs one write. The eventfd is
//! edge-triggered too and never read: every write is a new edge, and its counter cannot
//! overflow in practice (one write per wait at most).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::time::Duration;

use crate::reactor::{Interest, Ready};

/// The key of the eventfd's registration; table keys never reach it.
const NOTIFY_KEY: u64 = u64::MAX;

/// How many events one wait takes at most.
const EVENTS_CAPACITY: usize = 1024;

/// Turns a `-1` return into the thread's `errno`.
fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// An epoll instance with its wake-up eventfd.
#[derive(Debug)]
pub(crate) struct Poller {
    epoll: OwnedFd,
    notify_fd: OwnedFd,
    notified: AtomicBool,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        // SAFETY: plain system calls; each returned descriptor is owned right away.
        let epoll =
            unsafe { OwnedFd::from_raw_fd(check(libc::epoll_create1(libc::EPOLL_CLOEXEC))?) };
        // SAFETY: as above.
        let notify_fd = unsafe {
            OwnedFd::from_raw_fd(check(libc::eventfd(
                0,
                libc::EFD_CLOEXEC | libc::EFD_NONBLOCK,
            ))?)
        };
        let poller = Poller {
            epoll,
            notify_fd,
            notified: AtomicBool::new(false),
        };
        poller.ctl(
            libc::EPOLL_CTL_ADD,
            poller.notify_fd.as_raw_fd(),
            (libc::EPOLLIN | libc::EPOLLET) as u32,
            NOTIFY_KEY,
        )?;
        Ok(poller)
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, key: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: key };
        // SAFETY: `event` is a valid epoll_event for the call's duration; epoll checks `fd`.
        check(unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &mut event) })?;
        Ok(())
    }

    /// Registers `fd` under `key`, edge-triggered.
    ///
    /// # Safety
    /// `fd` must stay open until `delete` is called for it.
    pub(crate) unsafe fn add(
        &self,
        fd: BorrowedFd<'_>,
        key: usize,
        interest: Interest,
    ) -> io::Result<()> {
        let mut events = libc::EPOLLET | libc::EPOLLRDHUP;
        if interest.is_readable() {
            events |= libc::EPOLLIN | libc::EPOLLPRI;
        }
        if interest.is_writable() {
            events |= libc::EPOLLOUT;
        }
        self.ctl(
            libc::EPOLL_CTL_ADD,
            fd.as_raw_fd(),
            events as u32,
            key as u64,
        )
    }

    /// Re-arms `fd` after an operation would block: nothing to do for edge-triggered epoll.
    pub(crate) fn rearm(&self, _fd: BorrowedFd<'_>, _key: usize, _interest: Interest) {}

    /// Removes `fd` (still open) from the epoll set.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd.as_raw_fd(), 0, 0)
    }

    /// Waits up to `timeout` (forever if `None`) and fills `events` with what is ready.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        let timeout_ms = match timeout {
            None => -1,
            // Rounded up, so a timer is never woken for early.
            Some(timeout) => timeout
                .as_nanos()
                .div_ceil(1_000_000)
                .try_into()
                .unwrap_or(libc::c_int::MAX),
        };
        events.list.clear();
        // SAFETY: the buffer has room for `capacity` events; the kernel writes at most that
        // many and returns how many it wrote, which becomes the length.
        let ready = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.list.as_mut_ptr(),
                events.list.capacity() as libc::c_int,
                timeout_ms,
            )
        };
        // Let the next notification write again; whoever notifies changed its state before
        // setting the flag, and our caller reads that state after we return.
        self.notified.store(false, SeqCst);
        match check(ready) {
            Ok(ready) => {
                // SAFETY: the kernel initialized the first `ready` entries (`ready <= capacity`).
                unsafe { events.list.set_len(ready as usize) };
                Ok(())
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Interrupts a wait in progress (or makes the next one return at once).
    pub(crate) fn notify(&self) -> io::Result<()> {
        if self.notified.swap(true, SeqCst) {
            return Ok(());
        }
        let one: u64 = 1;
        // SAFETY: writes the 8 bytes of `one` to our eventfd.
        let written = unsafe {
            libc::write(
                self.notify_fd.as_raw_fd(),
                (&one as *const u64).cast(),
                std::mem::size_of::<u64>(),
            )
        };
        match written {
            -1 => Err(io::Error::last_os_error()),
            _ => Ok(()),
        }
    }
}

/// The events one wait reported.
pub(crate) struct Events {
    list: Vec<libc::epoll_event>,
}

impl Events {
    pub(crate) fn new() -> Events {
        Events {
            list: Vec::with_capacity(EVENTS_CAPACITY),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Each source's key and what it is ready for (the eventfd's wake-up left out).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Ready)> + '_ {
        self.list
            .iter()
            .filter(|event| event.u64 != NOTIFY_KEY)
            .map(|event| (event.u64 as usize, ready_of(event.events)))
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("len", &self.list.len())
            .finish()
    }
}

/// Translates epoll's bits. A hang-up closes both directions; `EPOLLRDHUP` (the peer shut its
/// writing side) closes ours for reading.
fn ready_of(bits: u32) -> Ready {
    let has = |flag: libc::c_int| bits & flag as u32 != 0;
    let mut ready = Ready::EMPTY;
    if has(libc::EPOLLIN) || has(libc::EPOLLPRI) {
        ready = ready | Ready::READABLE;
    }
    if has(libc::EPOLLOUT) {
        ready = ready | Ready::WRITABLE;
    }
    if has(libc::EPOLLRDHUP) || has(libc::EPOLLHUP) {
        ready = ready | Ready::READ_CLOSED;
    }
    if has(libc::EPOLLHUP) {
        ready = ready | Ready::WRITE_CLOSED;
    }
    if has(libc::EPOLLERR) {
        ready = ready | Ready::ERROR;
    }
    ready
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoll_bits_map_to_readiness() {
        let rdhup = (libc::EPOLLIN | libc::EPOLLRDHUP) as u32;
        assert_eq!(ready_of(rdhup), Ready::READABLE | Ready::READ_CLOSED);
        let hup = (libc::EPOLLOUT | libc::EPOLLHUP) as u32;
        assert_eq!(
            ready_of(hup),
            Ready::WRITABLE | Ready::READ_CLOSED | Ready::WRITE_CLOSED
        );
        assert_eq!(ready_of(libc::EPOLLERR as u32), Ready::ERROR);
    }
}
