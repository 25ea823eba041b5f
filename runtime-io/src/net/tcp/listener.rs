//! `TcpListener`: a listening TCP socket that accepts connections through the reactor.
//!
//! `bind` makes the socket with socket2 (non-blocking, close-on-exec, `SO_REUSEADDR` as std and
//! Tokio do on Unix, backlog 1024). `accept` calls `accept4` (the new socket is non-blocking and
//! close-on-exec from the start) while the listener is readable. Only `WouldBlock` clears the
//! readiness: any other error (`EMFILE`, `ECONNABORTED`, ...) goes back to the caller with the
//! readiness kept, so the next `accept` retries the system call at once and an accept loop
//! carries on as soon as descriptors free up.

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{ready, Context, Poll};

use runtime_core::reactor::Interest;
use socket2::{Domain, Protocol, SockRef, Type};

use super::TcpStream;
use crate::net::addr::{self, ToSocketAddrs};
use crate::net::socket;
use crate::poll_evented::PollEvented;

/// A TCP socket listening for connections.
///
/// Accept from one task at a time: the reactor wakes only the last task that waited on the
/// listener.
///
/// ```
/// use runtime::io::AsyncWriteExt;
/// use runtime::net::{TcpListener, TcpStream};
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let client = runtime::spawn(async move { TcpStream::connect(addr).await });
/// let (mut socket, peer) = listener.accept().await?;
/// let client = client.await.unwrap()?;
/// assert_eq!(peer, client.local_addr()?);
/// socket.write_all(b"welcome").await?;
/// # Ok(())
/// # }
/// ```
pub struct TcpListener {
    io: PollEvented<net::TcpListener>,
}

impl TcpListener {
    /// Binds a listener to `addr`, trying each address it resolves to in turn; returns the
    /// first that binds, or the last error (`InvalidInput` if `addr` resolves to nothing). Port
    /// 0 picks a free port ([`local_addr`](Self::local_addr) tells which).
    ///
    /// # Errors
    /// Resolution or bind errors (e.g. `AddrInUse`), or an error outside a runtime.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = addr::resolve(&addr).await?;
        addr::try_each(addrs, |addr| async move { TcpListener::bind_addr(addr) }).await
    }

    fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket =
            socket::new_socket(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(socket::LISTEN_BACKLOG)?;
        TcpListener::new(socket.into())
    }

    fn new(listener: net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::with_interest(listener, Interest::READABLE)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Cancel-safe: if the future is dropped before it completes, no connection was taken off
    /// the queue.
    ///
    /// # Errors
    /// The error of `accept(2)`, e.g. "too many open files": the listener stays usable and
    /// the next call tries again at once.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (socket, addr) = self
            .io
            .async_io(Interest::READABLE, |listener| {
                socket::accept(&SockRef::from(listener))
            })
            .await?;
        TcpListener::wrap(socket, addr)
    }

    /// Polls for a connection. On `Pending` the task is woken when one may be waiting; only the
    /// last task to poll is woken.
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (socket, addr) = ready!(self.io.poll_io(cx, Interest::READABLE, |listener| {
            socket::accept(&SockRef::from(listener))
        }))?;
        Poll::Ready(TcpListener::wrap(socket, addr))
    }

    fn wrap(
        socket: socket2::Socket,
        addr: socket2::SockAddr,
    ) -> io::Result<(TcpStream, SocketAddr)> {
        let addr = addr.as_socket().ok_or_else(|| {
            io::Error::other("accepted a connection whose address is not an IP address")
        })?;
        Ok((TcpStream::new(socket.into())?, addr))
    }

    /// Takes over a listening `std::net::TcpListener`: sets it non-blocking and registers it
    /// with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let listener = runtime::net::TcpListener::from_std(std_listener)?;
    /// # let _ = listener;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(listener)
    }

    /// Deregisters the listener and returns it as a `std::net::TcpListener`, still in
    /// non-blocking mode.
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the listener is closed then).
    pub fn into_std(self) -> io::Result<net::TcpListener> {
        self.io.into_inner()
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`).
    ///
    /// # Errors
    /// If the option cannot be read.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Sets the IP time-to-live of packets sent from accepted sockets.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live setting.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}

impl TryFrom<net::TcpListener> for TcpListener {
    type Error = io::Error;

    /// [`TcpListener::from_std`].
    fn try_from(listener: net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::from_std(listener)
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
