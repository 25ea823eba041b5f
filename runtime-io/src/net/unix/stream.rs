//! `UnixStream`: one Unix-domain stream connection, read and written through the reactor.
//!
//! A non-blocking `std::os::unix::net::UnixStream` inside a `PollEvented`, exactly as
//! `TcpStream` does it. `connect` starts a non-blocking connect through socket2 (a too-long path
//! is `InvalidInput` before any system call), waits until the socket is writable and reads
//! `SO_ERROR`.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use runtime_core::reactor::{Interest, Ready};
use socket2::{Domain, SockAddr, Type};

use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::{socket, split};
use crate::poll_evented::PollEvented;

/// A Unix-domain stream connection.
///
/// Implements `futures_io::AsyncRead` and `AsyncWrite` (also through `&UnixStream`); closing
/// it shuts down the writing side. One task should read and one task write at a time: the
/// reactor wakes the last task that waited for each direction.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::UnixStream;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"hello").await?;
/// a.close().await?;
/// let mut got = String::new();
/// b.read_to_string(&mut got).await?;
/// assert_eq!(got, "hello");
/// # Ok(())
/// # }
/// ```
pub struct UnixStream {
    io: PollEvented<net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket listening at `path`.
    ///
    /// Dropping the future abandons the attempt and closes the socket.
    ///
    /// # Errors
    /// `InvalidInput` if the path is too long, the connect's error (`NotFound`,
    /// `ConnectionRefused`, `WouldBlock` when the listener's backlog is full), or an error
    /// outside a runtime.
    ///
    /// ```
    /// use runtime::net::{UnixListener, UnixStream};
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-connect-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = UnixListener::bind(&path)?;
    /// let client = UnixStream::connect(&path).await?;
    /// let (server, _) = listener.accept().await?;
    /// assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
    /// # drop((client, server));
    /// std::fs::remove_file(&path)?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = SockAddr::unix(path)?;
        let socket = socket::new_socket(Domain::UNIX, Type::STREAM, None)?;
        socket::start_connect(&socket, &addr)?;
        let stream = UnixStream::new(socket.into())?;
        socket::wait_connected(&stream.io).await?;
        Ok(stream)
    }

    /// Wraps a non-blocking std stream.
    pub(crate) fn new(stream: net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// A pair of connected, unnamed streams (`socketpair(2)`).
    ///
    /// # Errors
    /// As `socketpair(2)`, or outside a runtime.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = socket::socket_pair(Domain::UNIX, Type::STREAM)?;
        Ok((UnixStream::new(a.into())?, UnixStream::new(b.into())?))
    }

    /// Takes over a connected `std::os::unix::net::UnixStream`: sets it non-blocking and
    /// registers it with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::new(stream)
    }

    /// Deregisters the stream and returns it as a `std::os::unix::net::UnixStream`, still in
    /// non-blocking mode.
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the stream is closed then).
    pub fn into_std(self) -> io::Result<net::UnixStream> {
        self.io.into_inner()
    }

    /// The local address (usually unnamed for a connecting stream).
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// # Errors
    /// As `getpeername(2)`.
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

    /// Shuts down the reading side, the writing side, or both (`shutdown(2)`).
    ///
    /// A connection the peer has already reset counts as shut down: `Ok`, not `NotConnected`
    /// (as Tokio does; the reset can always win the race with this call).
    ///
    /// # Errors
    /// As `shutdown(2)`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        crate::net::shutdown_done(self.io.get_ref().shutdown(how))
    }

    /// Waits until the stream is ready for `interest`; returns the readiness seen (it may be a
    /// false positive).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.readiness(interest).await
    }

    /// Waits until the stream may be readable (use with [`try_read`](Self::try_read)).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the stream may be writable (use with [`try_write`](Self::try_write)).
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
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::READABLE).map_ok(drop)
    }

    /// Polls for write readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::WRITABLE).map_ok(drop)
    }

    /// Reads what is available without waiting: `Ok(0)` at end-of-file, `WouldBlock` if
    /// nothing is available (which clears the readiness `readable` saw).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_read(buf)
    }

    /// [`try_read`](Self::try_read) into several buffers.
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io.try_read_vectored(bufs)
    }

    /// Writes what fits without waiting, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_write(buf)
    }

    /// [`try_write`](Self::try_write) from several buffers.
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_write_vectored(bufs)
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

    /// Splits the stream into borrowed reading and writing halves (no allocation).
    /// (`runtime::io::AsyncReadExt` has no `split`, so `stream.split()` is always this one.)
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime::net::UnixStream;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let (mut a, mut b) = UnixStream::pair()?;
    /// let (mut reader, mut writer) = a.split();
    /// writer.write_all(b"ping").await?;
    /// let mut buf = [0u8; 4];
    /// b.read_exact(&mut buf).await?;
    /// b.write_all(&buf).await?;
    /// let mut echo = [0u8; 4];
    /// reader.read_exact(&mut echo).await?;
    /// assert_eq!(&echo, b"ping");
    /// # Ok(())
    /// # }
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves (sharing it through an `Arc`) that can move into
    /// different tasks. Dropping the [`OwnedWriteHalf`] shuts down the writing side;
    /// [`OwnedReadHalf::reunite`](OwnedReadHalf#method.reunite) gives the stream back.
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime::net::UnixStream;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let (a, mut b) = UnixStream::pair()?;
    /// let (_reader, mut writer) = a.into_split();
    /// writer.write_all(b"last words").await?;
    /// drop(writer); // shuts down the writing side
    /// let mut got = Vec::new();
    /// b.read_to_end(&mut got).await?;
    /// assert_eq!(got, b"last words");
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::split_owned(self)
    }
}

impl TryFrom<net::UnixStream> for UnixStream {
    type Error = io::Error;

    /// [`UnixStream::from_std`].
    fn try_from(stream: net::UnixStream) -> io::Result<UnixStream> {
        UnixStream::from_std(stream)
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_read_vectored(cx, bufs)
    }
}

impl AsyncRead for &UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_read_vectored(cx, bufs)
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }

    /// Nothing is buffered: always ready.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts down the writing side.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

impl AsyncWrite for &UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }

    /// Nothing is buffered: always ready.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts down the writing side.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown(Shutdown::Write))
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
