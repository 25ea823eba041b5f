//! `UnixListener`: a listening Unix-domain stream socket.
//!
//! `bind` is synchronous, as in Tokio (there is no name to resolve): socket2 makes the socket
//! non-blocking and close-on-exec, binds it to the path and listens with a backlog of 1024.
//! `accept` uses std's `accept` (close-on-exec, and it yields std's `SocketAddr`) and makes the
//! new socket non-blocking; as for TCP, only `WouldBlock` clears the listener's readiness, so
//! after an error such as "too many open files" the next `accept` tries again at once.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::task::{ready, Context, Poll};

use runtime_core::reactor::Interest;
use socket2::{Domain, SockAddr, Type};

use super::UnixStream;
use crate::net::socket;
use crate::poll_evented::PollEvented;

/// A Unix-domain socket listening for stream connections.
///
/// Dropping it closes the socket but does not remove the socket file (as with std).
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{UnixListener, UnixStream};
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-listener-{}.sock", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let listener = UnixListener::bind(&path)?;
/// let mut client = UnixStream::connect(&path).await?;
/// let (mut server, _) = listener.accept().await?;
/// client.write_all(b"hi").await?;
/// let mut buf = [0u8; 2];
/// server.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"hi");
/// std::fs::remove_file(&path)?;
/// # Ok(())
/// # }
/// ```
pub struct UnixListener {
    io: PollEvented<net::UnixListener>,
}

impl UnixListener {
    /// Binds a listener to `path` (which must not exist yet).
    ///
    /// # Errors
    /// `InvalidInput` if the path is too long, the bind's error (e.g. `AddrInUse`), or an
    /// error outside a runtime.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let addr = SockAddr::unix(path)?;
        let socket = socket::new_socket(Domain::UNIX, Type::STREAM, None)?;
        socket.bind(&addr)?;
        socket.listen(socket::LISTEN_BACKLOG)?;
        UnixListener::new(socket.into())
    }

    fn new(listener: net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::with_interest(listener, Interest::READABLE)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address (usually unnamed).
    ///
    /// Cancel-safe: if the future is dropped before it completes, no connection was taken off
    /// the queue.
    ///
    /// # Errors
    /// The error of `accept(2)`: the listener stays usable and the next call tries again at
    /// once.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self
            .io
            .async_io(Interest::READABLE, net::UnixListener::accept)
            .await?;
        stream.set_nonblocking(true)?;
        Ok((UnixStream::new(stream)?, addr))
    }

    /// Polls for a connection (only the last task to poll is woken).
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, addr) =
            ready!(self
                .io
                .poll_io(cx, Interest::READABLE, net::UnixListener::accept))?;
        stream.set_nonblocking(true)?;
        Poll::Ready(Ok((UnixStream::new(stream)?, addr)))
    }

    /// Takes over a listening `std::os::unix::net::UnixListener`: sets it non-blocking and
    /// registers it with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(listener)
    }

    /// Deregisters the listener and returns it as a `std::os::unix::net::UnixListener`, still
    /// in non-blocking mode.
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the listener is closed then).
    pub fn into_std(self) -> io::Result<net::UnixListener> {
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
}

impl TryFrom<net::UnixListener> for UnixListener {
    type Error = io::Error;

    /// [`UnixListener::from_std`].
    fn try_from(listener: net::UnixListener) -> io::Result<UnixListener> {
        UnixListener::from_std(listener)
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
