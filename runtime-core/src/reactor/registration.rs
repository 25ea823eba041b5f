//! `Registration`: an I/O object's link to the reactor. It waits for readiness, runs
//! non-blocking operations until they would block, and deregisters the descriptor on drop.

use std::future::Future;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::ready::{Interest, ReadyEvent};
use super::slot::ScheduledIo;
use crate::coop;
use crate::driver;
use crate::loom::sync::Arc;

/// A file descriptor registered with the current runtime's reactor.
///
/// I/O types own one beside their descriptor. Readiness is edge-triggered: an operation that
/// returns `WouldBlock` clears it (`poll_io` and `try_io` do this), and the reactor sets it
/// again when the kernel reports new readiness.
///
/// The registration must be dropped (or `deregister`ed) while the descriptor is still open:
/// declare it before the descriptor's owner in a struct, since fields drop in order.
///
/// ```no_run
/// use std::os::fd::AsFd;
/// use runtime_core::reactor::{Interest, Registration};
///
/// # async fn demo() -> std::io::Result<()> {
/// let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_nonblocking(true)?;
/// // SAFETY: `socket` outlives the registration (dropped first below).
/// let registration = unsafe { Registration::new(socket.as_fd(), Interest::READABLE)? };
/// let mut buf = [0u8; 64];
/// let n = std::future::poll_fn(|cx| {
///     registration.poll_io(cx, Interest::READABLE, || socket.recv(&mut buf))
/// })
/// .await?;
/// drop(registration);
/// # let _ = n; Ok(()) }
/// ```
#[derive(Debug)]
pub struct Registration {
    driver: driver::Handle,
    slot: Arc<ScheduledIo>,
    key: usize,
    fd: RawFd,
    interest: Interest,
    registered: bool,
}

impl Registration {
    /// Registers `fd` with the reactor of the runtime this thread is in.
    ///
    /// # Errors
    /// Outside a runtime, after the runtime shut down, or if the poller refuses the descriptor.
    ///
    /// # Safety
    /// `fd` must stay open until this registration is dropped or deregistered.
    pub unsafe fn new(fd: BorrowedFd<'_>, interest: Interest) -> io::Result<Registration> {
        let Some(handle) = crate::context::try_current_handle() else {
            return Err(io::Error::other(crate::context::no_runtime_message()));
        };
        // SAFETY: forwarded from the caller.
        unsafe { Registration::new_with_handle(fd, interest, &crate::Handle { inner: handle }) }
    }

    /// Registers `fd` with `handle`'s reactor.
    ///
    /// # Errors
    /// After the runtime shut down, or if the poller refuses the descriptor.
    ///
    /// # Safety
    /// `fd` must stay open until this registration is dropped or deregistered.
    pub unsafe fn new_with_handle(
        fd: BorrowedFd<'_>,
        interest: Interest,
        handle: &crate::Handle,
    ) -> io::Result<Registration> {
        let driver = handle.inner.driver().clone();
        // SAFETY: forwarded from the caller.
        let (key, slot) = unsafe { driver.io()?.register(fd, interest)? };
        Ok(Registration {
            driver,
            slot,
            key,
            fd: std::os::fd::AsRawFd::as_raw_fd(&fd),
            interest,
            registered: true,
        })
    }

    /// The directions this registration watches.
    pub fn interest(&self) -> Interest {
        self.interest
    }

    /// Ready when the source is ready for `interest` (one unit of the task's cooperative
    /// budget). Returns an error once the runtime has shut down.
    pub fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        let restore = ready!(coop::poll_proceed(cx));
        let event = ready!(self.slot.poll_ready(cx, interest));
        restore.made_progress();
        Poll::Ready(event)
    }

    /// Waits until the source is ready for `interest`. Unlike `poll_ready`, every task waiting
    /// this way is woken, so several tasks can wait on one source.
    ///
    /// Cancel-safe: dropping the future loses no readiness.
    pub fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness {
            registration: self,
            interest,
            waiter: None,
        }
    }

    /// Runs the non-blocking operation `op` each time the source is ready for `interest` until
    /// it does not block (the async form of `poll_io`; every waiting task is woken).
    ///
    /// Cancel-safe if `op` is: a dropped call has either run `op` to completion or not at all.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            if let Some(result) = self.attempt(event, &mut op) {
                return result;
            }
        }
    }

    /// Forgets `event`'s readiness (after an operation returned `WouldBlock`), unless a newer
    /// event arrived since it was read.
    pub fn clear_readiness(&self, event: ReadyEvent) {
        self.slot.clear_readiness(event);
        // SAFETY: the fd is open while we are registered (the type's contract).
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        if let Ok(io) = self.driver.io() {
            io.rearm(fd, self.key, self.interest);
        }
    }

    /// Runs the non-blocking operation `op` once the source is ready for `interest`, clearing
    /// readiness and waiting again each time it would block.
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, interest))?;
            if let Some(result) = self.attempt(event, &mut op) {
                return Poll::Ready(result);
            }
        }
    }

    /// Runs `op` under the readiness `event`: its result, or `None` (with the readiness
    /// cleared) if it would block.
    fn attempt<R>(
        &self,
        event: ReadyEvent,
        op: impl FnOnce() -> io::Result<R>,
    ) -> Option<io::Result<R>> {
        match op() {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                self.clear_readiness(event);
                None
            }
            result => Some(result),
        }
    }

    /// Runs `op` now if the source looks ready for `interest`; `WouldBlock` if it does not (or
    /// if `op` would block, which also clears the readiness).
    pub fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(event) = self.slot.ready_now(interest)? else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        self.attempt(event, op)
            .unwrap_or_else(|| Err(io::ErrorKind::WouldBlock.into()))
    }

    /// Removes the descriptor from the reactor now (it must still be open). Later polls fail.
    ///
    /// # Errors
    /// If the poller reports an error removing it; the registration is gone either way.
    pub fn deregister(&mut self) -> io::Result<()> {
        if !std::mem::replace(&mut self.registered, false) {
            return Ok(());
        }
        // SAFETY: the fd is open until the registration is dropped (the type's contract).
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        let result = self.driver.io()?.deregister(fd, self.key);
        // Only the owner polls a registration, and it is tearing it down: the stored wakers
        // (if any) are dropped, not woken.
        let mut wakers = Vec::new();
        self.slot.shutdown(&mut wakers);
        drop(wakers);
        result
    }
}

/// The future of `Registration::readiness`.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Readiness<'a> {
    registration: &'a Registration,
    interest: Interest,
    waiter: Option<u64>,
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        let restore = ready!(coop::poll_proceed(cx));
        let this = &mut *self;
        let event =
            ready!(this
                .registration
                .slot
                .poll_ready_waiter(cx, this.interest, &mut this.waiter));
        restore.made_progress();
        Poll::Ready(event)
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.waiter {
            self.registration.slot.remove_waiter(id);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = self.deregister();
    }
}
