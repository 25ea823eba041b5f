//! The poller on platforms other than Linux: the `polling` crate, edge-triggered where it
//! supports that and one-shot (re-armed after each "would block") elsewhere.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

use crate::reactor::{Interest, Ready};

fn poll_event(key: usize, interest: Interest) -> polling::Event {
    polling::Event::new(key, interest.is_readable(), interest.is_writable())
}

/// A `polling::Poller` and the mode its registrations use.
#[derive(Debug)]
pub(crate) struct Poller {
    poller: polling::Poller,
    edge: bool,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        let poller = polling::Poller::new()?;
        Ok(Poller {
            edge: poller.supports_edge(),
            poller,
        })
    }

    fn mode(&self) -> polling::PollMode {
        if self.edge {
            polling::PollMode::Edge
        } else {
            polling::PollMode::Oneshot
        }
    }

    /// Registers `fd` under `key`.
    ///
    /// # Safety
    /// `fd` must stay open until `delete` is called for it.
    pub(crate) unsafe fn add(
        &self,
        fd: BorrowedFd<'_>,
        key: usize,
        interest: Interest,
    ) -> io::Result<()> {
        // SAFETY: the caller keeps `fd` open until it deletes it.
        unsafe {
            self.poller
                .add_with_mode(fd.as_raw_fd(), poll_event(key, interest), self.mode())
        }
    }

    /// One-shot mode only: re-arms `fd` after an operation would block.
    pub(crate) fn rearm(&self, fd: BorrowedFd<'_>, key: usize, interest: Interest) {
        if !self.edge {
            // An error here means the fd is being torn down; its owner will see it on the
            // next operation.
            let _ = self.poller.modify(fd, poll_event(key, interest));
        }
    }

    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.poller.delete(fd)
    }

    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.events.clear();
        self.poller.wait(&mut events.events, timeout).map(drop)
    }

    pub(crate) fn notify(&self) -> io::Result<()> {
        self.poller.notify()
    }
}

/// The events one wait reported.
#[derive(Debug)]
pub(crate) struct Events {
    events: polling::Events,
}

impl Events {
    pub(crate) fn new() -> Events {
        Events {
            events: polling::Events::new(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Each source's key and what it is ready for.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Ready)> + '_ {
        self.events.iter().map(|event| {
            let mut ready = Ready::EMPTY;
            if event.readable {
                ready = ready | Ready::READABLE;
            }
            if event.writable {
                ready = ready | Ready::WRITABLE;
            }
            if event.is_interrupt() {
                ready = ready | Ready::READ_CLOSED;
            }
            if event.is_err() == Some(true) {
                ready = ready | Ready::ERROR;
            }
            (event.key, ready)
        })
    }
}
