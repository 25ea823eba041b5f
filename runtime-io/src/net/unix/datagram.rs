//! `UnixDatagram`: Unix-domain datagram sockets through the reactor.
//!
//! A non-blocking `std::os::unix::net::UnixDatagram` inside a `PollEvented`, shaped like
//! `UdpSocket`: async methods wait for readiness, `try_` methods never wait, `poll_` methods
//! serve hand-written futures. Sockets are made by socket2 (non-blocking and close-on-exec in
//! one call where the platform allows); a too-long path is `InvalidInput`.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::task::{Context, Poll};

use runtime_core::reactor::{Interest, Ready};
use socket2::{Domain, SockAddr, Type};

use crate::net::socket;
use crate::poll_evented::PollEvented;

/// A Unix-domain datagram socket.
///
/// ```
/// use runtime::net::UnixDatagram;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"one").await?;
/// a.send(b"two").await?;
/// let mut buf = [0u8; 8];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"one");
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"two");
/// # Ok(())
/// # }
/// ```
pub struct UnixDatagram {
    io: PollEvented<net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to `path` (which must not exist yet).
    ///
    /// # Errors
    /// `InvalidInput` if the path is too long, the bind's error, or an error outside a runtime.
    ///
    /// ```
    /// use runtime::net::UnixDatagram;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-dgram-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = UnixDatagram::bind(&path)?;
    /// let client = UnixDatagram::unbound()?;
    /// client.send_to(b"hello", &path).await?;
    /// let mut buf = [0u8; 8];
    /// let (n, _from) = server.recv_from(&mut buf).await?;
    /// assert_eq!(&buf[..n], b"hello");
    /// std::fs::remove_file(&path)?;
    ///
    /// let too_long = "x".repeat(4096);
    /// let error = UnixDatagram::bind(&too_long).unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok(())
    /// # }
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let addr = SockAddr::unix(path)?;
        let socket = socket::new_socket(Domain::UNIX, Type::DGRAM, None)?;
        socket.bind(&addr)?;
        UnixDatagram::new(socket.into())
    }

    /// A socket bound to no address (it can still send, and receive replies if connected).
    ///
    /// # Errors
    /// As `socket(2)`, or outside a runtime.
    pub fn unbound() -> io::Result<UnixDatagram> {
        let socket = socket::new_socket(Domain::UNIX, Type::DGRAM, None)?;
        UnixDatagram::new(socket.into())
    }

    /// A pair of connected, unnamed sockets (`socketpair(2)`).
    ///
    /// # Errors
    /// As `socketpair(2)`, or outside a runtime.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = socket::socket_pair(Domain::UNIX, Type::DGRAM)?;
        Ok((UnixDatagram::new(a.into())?, UnixDatagram::new(b.into())?))
    }

    fn new(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Takes over a `std::os::unix::net::UnixDatagram`: sets it non-blocking and registers it
    /// with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    pub fn from_std(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(socket)
    }

    /// Deregisters the socket and returns it as a `std::os::unix::net::UnixDatagram`, still
    /// non-blocking.
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the socket is closed then).
    pub fn into_std(self) -> io::Result<net::UnixDatagram> {
        self.io.into_inner()
    }

    /// Connects the socket to `path`: `send` and `recv` then talk to that peer only.
    ///
    /// # Errors
    /// `InvalidInput` if the path is too long, or the connect's error.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let addr = SockAddr::unix(path)?;
        socket2::SockRef::from(self.io.get_ref()).connect(&addr)
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address the socket is connected to.
    ///
    /// # Errors
    /// `NotConnected` if it is not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    /// If the option cannot be read.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down the reading side, the writing side, or both.
    ///
    /// # Errors
    /// As `shutdown(2)`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the socket is ready for `interest`; returns the readiness seen (it may be a
    /// false positive).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.readiness(interest).await
    }

    /// Waits until a datagram may be waiting (use with [`try_recv`](Self::try_recv)).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the socket may be writable (use with [`try_send`](Self::try_send)).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Polls for read readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::READABLE).map_ok(drop)
    }

    /// Polls for write readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::WRITABLE).map_ok(drop)
    }

    /// Sends `buf` as one datagram to the connected peer.
    ///
    /// Cancel-safe: a cancelled send sent nothing.
    ///
    /// # Errors
    /// The send's error.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::WRITABLE, |socket| socket.send(buf))
            .await
    }

    /// Polls a [`send`](Self::send).
    ///
    /// # Errors
    /// The send's error.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::WRITABLE, |socket| socket.send(buf))
    }

    /// Sends to the connected peer now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the send's error.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |socket| socket.send(buf))
    }

    /// Receives one datagram from the connected peer (the excess of a longer one is dropped).
    ///
    /// Cancel-safe: a cancelled receive took no datagram.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::READABLE, |socket| socket.recv(buf))
            .await
    }

    /// Polls a [`recv`](Self::recv).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::READABLE, |socket| socket.recv(buf))
    }

    /// Receives one datagram now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the receive's error.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |socket| socket.recv(buf))
    }

    /// Sends `buf` as one datagram to the socket bound at `target`.
    ///
    /// Cancel-safe: a cancelled send sent nothing.
    ///
    /// # Errors
    /// `InvalidInput` if the path is too long, or the send's error.
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .async_io(Interest::WRITABLE, |socket| socket.send_to(buf, target))
            .await
    }

    /// Polls a [`send_to`](Self::send_to).
    ///
    /// # Errors
    /// The send's error.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let target = target.as_ref();
        self.io
            .poll_io(cx, Interest::WRITABLE, |socket| socket.send_to(buf, target))
    }

    /// Sends to `target` now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the send's error.
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .try_io(Interest::WRITABLE, |socket| socket.send_to(buf, target))
    }

    /// Receives one datagram and its sender's address.
    ///
    /// Cancel-safe: a cancelled receive took no datagram.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |socket| socket.recv_from(buf))
            .await
    }

    /// Polls a [`recv_from`](Self::recv_from).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Interest::READABLE, |socket| socket.recv_from(buf))
    }

    /// Receives one datagram and its sender now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the receive's error.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Interest::READABLE, |socket| socket.recv_from(buf))
    }

    /// Runs a custom non-blocking operation `f` if the socket looks ready for `interest`; if
    /// `f` returns `WouldBlock` the readiness is cleared.
    ///
    /// # Errors
    /// `WouldBlock` when not ready, or `f`'s error.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.try_io(interest, |_| f())
    }

    /// Runs the non-blocking operation `f` whenever the socket is ready for `interest`, until
    /// it returns something other than `WouldBlock`.
    ///
    /// # Errors
    /// `f`'s error, or once the runtime has shut down.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.async_io(interest, |_| f()).await
    }
}

impl TryFrom<net::UnixDatagram> for UnixDatagram {
    type Error = io::Error;

    /// [`UnixDatagram::from_std`].
    fn try_from(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(socket)
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
