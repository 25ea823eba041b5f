//! `PollEvented`: an I/O object paired with its reactor registration, the one place where
//! sockets read, write and wait.
//!
//! Every socket type of `net` is a thin wrapper around a `PollEvented<std socket>`. An operation
//! runs the non-blocking system call straight away while the reactor says the socket is ready;
//! when the call would block, the readiness the call was made under is cleared and the task
//! waits for the next edge. A stream transfer that moves fewer bytes than asked also clears its
//! readiness where that proves the kernel buffer drained (a short read, `SHORT_READ_DRAINS`)
//! or full (a short write, `SHORT_WRITE_FILLS`), which saves the extra system call that would
//! only return `WouldBlock`: one `recv` per request instead of two on a keep-alive connection.
//! A newer edge is never erased (`ReadyEvent` ticks), and an end of file queued behind a short
//! read is not lost: the reactor keeps the peer's half-close as a lasting `READ_CLOSED`.

//! The registration is declared before the I/O object, so it is dropped (and the descriptor
//! removed from the poller) while the descriptor is still open.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::AsFd;
use std::task::{ready, Context, Poll};

use runtime_core::reactor::{Interest, Ready, Registration, SHORT_READ_DRAINS};

/// On Linux a stream write that moves fewer bytes than asked has filled the send buffer, so the
/// next call would only return `WouldBlock`. Elsewhere we do not rely on it.
const SHORT_WRITE_FILLS: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Vectored transfers with more slices than this may be cut short by the platform's `IOV_MAX`,
/// so their short transfers do not clear readiness.
const MAX_TRUSTED_SLICES: usize = 64;

/// The bytes a vectored transfer asks for, if a short one means a drained or full buffer.
fn vectored_len(lens: impl ExactSizeIterator<Item = usize>) -> Option<usize> {
    (lens.len() <= MAX_TRUSTED_SLICES).then(|| lens.sum())
}

/// An I/O object registered with the current runtime's reactor.
pub(crate) struct PollEvented<E: AsFd> {
    // Declared first: dropped (deregistered) while `io` still holds the descriptor open.
    registration: Registration,
    io: E,
}

impl<E: AsFd> PollEvented<E> {
    /// Registers `io` (already non-blocking) for reading and writing.
    pub(crate) fn new(io: E) -> io::Result<Self> {
        Self::with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` (already non-blocking) for `interest`.
    pub(crate) fn with_interest(io: E, interest: Interest) -> io::Result<Self> {
        // SAFETY: `io` owns the descriptor and lives in the same struct as the registration,
        // declared after it, so the registration is dropped (or deregistered, in
        // `into_inner`) before the descriptor can be closed.
        let registration = unsafe { Registration::new(io.as_fd(), interest)? };
        Ok(PollEvented { registration, io })
    }

    /// The I/O object.
    pub(crate) fn get_ref(&self) -> &E {
        &self.io
    }

    /// The reactor registration.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    /// Removes the descriptor from the reactor and hands the I/O object back (still
    /// non-blocking).
    pub(crate) fn into_inner(self) -> io::Result<E> {
        let PollEvented {
            mut registration,
            io,
        } = self;
        registration.deregister()?;
        Ok(io)
    }

    /// Ready once the source is ready for `interest`.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<Ready>> {
        self.registration
            .poll_ready(cx, interest)
            .map_ok(|event| event.ready())
    }

    /// Waits until the source is ready for `interest`.
    pub(crate) async fn readiness(&self, interest: Interest) -> io::Result<Ready> {
        self.registration
            .readiness(interest)
            .await
            .map(|event| event.ready())
    }

    /// Runs `op` on the I/O object once ready for `interest`, waiting again each time it
    /// would block.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration.poll_io(cx, interest, || op(&self.io))
    }

    /// `poll_io` as a future.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.async_io(interest, || op(&self.io)).await
    }

    /// Runs `op` now if the source looks ready for `interest`, else `WouldBlock`.
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.try_io(interest, || op(&self.io))
    }

    /// Runs a byte-stream transfer `op` that offers `wanted` bytes: like `poll_io`, and when
    /// `short_clears` a transfer of fewer bytes also clears the readiness it ran under (the
    /// buffer is drained or full). `wanted` is `None` when a short transfer proves nothing (too
    /// many slices for one call).
    fn poll_transfer(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        short_clears: bool,
        wanted: Option<usize>,
        mut op: impl FnMut(&E) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.registration.poll_ready(cx, interest))?;
            match op(&self.io) {
                Ok(n) => {
                    if short_clears && n > 0 && wanted.is_some_and(|wanted| n < wanted) {
                        self.registration.clear_readiness(event);
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                }
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl<E: AsFd> PollEvented<E>
where
    for<'a> &'a E: Read,
{
    /// Reads into `buf` (a byte stream).
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let wanted = Some(buf.len());
        self.poll_transfer(
            cx,
            Interest::READABLE,
            SHORT_READ_DRAINS,
            wanted,
            |mut io| io.read(buf),
        )
    }

    /// Reads into `bufs` (a byte stream).
    pub(crate) fn poll_read_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let wanted = vectored_len(bufs.iter().map(|buf| buf.len()));
        self.poll_transfer(
            cx,
            Interest::READABLE,
            SHORT_READ_DRAINS,
            wanted,
            |mut io| io.read_vectored(bufs),
        )
    }

    /// Reads into `buf` now, or `WouldBlock`.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.try_io(Interest::READABLE, |mut io| io.read(buf))
    }

    /// Reads into `bufs` now, or `WouldBlock`.
    pub(crate) fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.try_io(Interest::READABLE, |mut io| io.read_vectored(bufs))
    }
}

impl<E: AsFd> PollEvented<E>
where
    for<'a> &'a E: Write,
{
    /// Writes from `buf` (a byte stream).
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let wanted = Some(buf.len());
        self.poll_transfer(
            cx,
            Interest::WRITABLE,
            SHORT_WRITE_FILLS,
            wanted,
            |mut io| io.write(buf),
        )
    }

    /// Writes from `bufs` (a byte stream).
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let wanted = vectored_len(bufs.iter().map(|buf| buf.len()));
        self.poll_transfer(
            cx,
            Interest::WRITABLE,
            SHORT_WRITE_FILLS,
            wanted,
            |mut io| io.write_vectored(bufs),
        )
    }

    /// Writes from `buf` now, or `WouldBlock`.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.try_io(Interest::WRITABLE, |mut io| io.write(buf))
    }

    /// Writes from `bufs` now, or `WouldBlock`.
    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.try_io(Interest::WRITABLE, |mut io| io.write_vectored(bufs))
    }
}

impl<E: AsFd + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented").field("io", &self.io).finish()
    }
}
