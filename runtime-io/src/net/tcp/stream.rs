//! `TcpStream`: one TCP connection, read and written through the reactor.
//!
//! A `std::net::TcpStream` in non-blocking mode sits inside a `PollEvented`, which runs each
//! read or write at once while the socket is ready and waits for the reactor when it is not.
//! `connect` starts a non-blocking connect through socket2, waits until the socket is writable,
//! then reads `SO_ERROR` to learn whether the connection was made; each resolved address is
//! tried in turn.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{self, Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use runtime_core::reactor::{Interest, Ready};
use socket2::{Domain, Protocol, SockRef, Type};

use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::addr::{self, ToSocketAddrs};
use crate::net::{socket, split};
use crate::poll_evented::PollEvented;

/// A TCP connection.
///
/// Made by [`TcpStream::connect`] or accepted by a [`TcpListener`](super::TcpListener). It
/// implements `futures_io::AsyncRead` and `AsyncWrite` (also through `&TcpStream`), so read and
/// write it with `AsyncReadExt`/`AsyncWriteExt`; closing it (`close()`) shuts down the writing
/// side. Dropping it closes the connection.
///
/// One task should read and one task write at a time: the reactor wakes the last task that
/// waited for each direction.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{TcpListener, TcpStream};
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = TcpStream::connect(listener.local_addr()?).await?;
/// let (mut server, _) = listener.accept().await?;
///
/// client.write_all(b"ping").await?;
/// client.close().await?; // shuts down the writing side
/// let mut got = Vec::new();
/// server.read_to_end(&mut got).await?;
/// assert_eq!(got, b"ping");
/// # Ok(())
/// # }
/// ```
pub struct TcpStream {
    io: PollEvented<net::TcpStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`, trying each address it resolves to in turn; returns the
    /// first connection made, or the last address's error (`InvalidInput` if `addr` resolves to
    /// nothing).
    ///
    /// Dropping the future abandons the attempt and closes the socket (cancel-safety is not
    /// meaningful for a connect: a cancelled attempt leaves nothing behind to resume).
    ///
    /// # Errors
    /// Resolution errors, connection errors (refused, unreachable), or an error if called
    /// outside a runtime.
    ///
    /// ```
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = addr::resolve(&addr).await?;
        addr::try_each(addrs, TcpStream::connect_addr).await
    }

    /// Connects to one address.
    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket =
            socket::new_socket(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket::start_connect(&socket, &addr.into())?;
        let stream = TcpStream::new(socket.into())?;
        socket::wait_connected(&stream.io).await?;
        Ok(stream)
    }

    /// Wraps a non-blocking std stream.
    pub(crate) fn new(stream: net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Takes over a connected `std::net::TcpStream`: sets it non-blocking and registers it with
    /// the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    ///
    /// ```
    /// use runtime::net::TcpStream;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let stream = TcpStream::from_std(std_stream)?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(stream)
    }

    /// Deregisters the stream from the reactor and returns it as a `std::net::TcpStream`,
    /// still in non-blocking mode (call `set_nonblocking(false)` for blocking use).
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the stream is closed then).
    ///
    /// ```
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = TcpStream::connect(listener.local_addr()?).await?;
    /// let std_stream = stream.into_std()?;
    /// std_stream.set_nonblocking(false)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_std(self) -> io::Result<net::TcpStream> {
        self.io.into_inner()
    }

    /// The local address of this connection.
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address of this connection.
    ///
    /// # Errors
    /// As `getpeername(2)`, e.g. `NotConnected`.
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

    /// Sets `TCP_NODELAY`: when `true`, small writes go out at once instead of being coalesced
    /// (Nagle's algorithm off).
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// # use runtime::net::{TcpListener, TcpStream};
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `SO_LINGER`: with `Some(d)`, dropping the stream blocks up to `d` while unsent data
    /// drains (`Some(Duration::ZERO)` resets the connection at once); `None` closes in the
    /// background (the default).
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        SockRef::from(self.io.get_ref()).set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        SockRef::from(self.io.get_ref()).linger()
    }

    /// Sets the IP time-to-live of outgoing packets.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the reading side, the writing side, or both (`shutdown(2)`). After
    /// `Shutdown::Write` the peer reads end-of-file once it has read what was sent.
    ///
    /// A connection the peer has already reset counts as shut down: `Ok`, not `NotConnected`
    /// (as Tokio does; the reset can always win the race with this call).
    ///
    /// # Errors
    /// As `shutdown(2)`.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        crate::net::shutdown_done(self.io.get_ref().shutdown(how))
    }

    /// Waits until the stream is ready for `interest`, and returns the readiness seen. It may
    /// be a false positive: an operation can still return `WouldBlock` (which clears it).
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
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// # use runtime::net::{TcpListener, TcpStream};
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (stream, _) = listener.accept().await?;
    /// # client.writable().await?;
    /// # client.try_write(b"hi")?;
    /// let mut buf = [0u8; 64];
    /// let n = loop {
    ///     stream.readable().await?;
    ///     match stream.try_read(&mut buf) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hi");
    /// # Ok(())
    /// # }
    /// ```
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

    /// Polls for read readiness; on `Pending` the task is woken when the stream may be
    /// readable. Only the last task to poll is woken.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::READABLE).map_ok(drop)
    }

    /// Polls for write readiness; on `Pending` the task is woken when the stream may be
    /// writable. Only the last task to poll is woken.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::WRITABLE).map_ok(drop)
    }

    /// Reads what is available into `buf` without waiting: `Ok(0)` at end-of-file,
    /// `WouldBlock` if nothing is available (which clears the readiness `readable` saw).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_read(buf)
    }

    /// [`try_read`](Self::try_read) into several buffers (`readv(2)`).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io.try_read_vectored(bufs)
    }

    /// Writes what fits from `buf` without waiting, or `WouldBlock` (which clears the readiness
    /// `writable` saw).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_write(buf)
    }

    /// [`try_write`](Self::try_write) from several buffers (`writev(2)`).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_write_vectored(bufs)
    }

    /// Runs a custom non-blocking operation `f` on the socket if it looks ready for
    /// `interest`; if `f` returns `WouldBlock` the readiness is cleared.
    ///
    /// `f` must only use the socket's descriptor non-blockingly (e.g. through `SockRef`).
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
    /// Cancel-safe if `f` is (nothing is lost between calls of `f`).
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

    /// Reads into `buf` without removing the data from the socket's queue (`MSG_PEEK`), waiting
    /// until some is available.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// The receive's error.
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// # use runtime::net::{TcpListener, TcpStream};
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut stream, _) = listener.accept().await?;
    /// client.write_all(b"abc").await?;
    /// let mut buf = [0u8; 1];
    /// stream.peek(&mut buf).await?;
    /// let mut all = [0u8; 3];
    /// stream.read_exact(&mut all).await?;
    /// assert_eq!((&buf, &all), (b"a", b"abc"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::READABLE, |stream| stream.peek(buf))
            .await
    }

    /// Polls a [`peek`](Self::peek).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::READABLE, |stream| stream.peek(buf))
    }

    /// Splits the stream into a reading half and a writing half that borrow it, so one task can
    /// read and write at once (e.g. in `join!`). No allocation.
    /// (`runtime::io::AsyncReadExt` has no `split`, so `stream.split()` is always this one.)
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// # use runtime::net::{TcpListener, TcpStream};
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut server, _) = listener.accept().await?;
    /// let (mut reader, mut writer) = client.split();
    /// writer.write_all(b"x").await?;
    /// server.write_all(b"y").await?;
    /// let mut byte = [0u8; 1];
    /// reader.read_exact(&mut byte).await?;
    /// assert_eq!(&byte, b"y");
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
    /// # use runtime::net::{TcpListener, TcpStream};
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = TcpStream::connect(listener.local_addr()?).await?;
    /// # let (mut server, _) = listener.accept().await?;
    /// let (mut reader, mut writer) = client.into_split();
    /// let task = runtime::spawn(async move {
    ///     writer.write_all(b"hello").await?;
    ///     std::io::Result::Ok(writer)
    /// });
    /// let writer = task.await.unwrap()?;
    /// let mut buf = [0u8; 5];
    /// server.read_exact(&mut buf).await?;
    /// server.write_all(b"bye").await?;
    /// let mut reply = [0u8; 3];
    /// reader.read_exact(&mut reply).await?;
    /// let client = reader.reunite(writer).unwrap();
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::split_owned(self)
    }
}

impl TryFrom<net::TcpStream> for TcpStream {
    type Error = io::Error;

    /// [`TcpStream::from_std`].
    fn try_from(stream: net::TcpStream) -> io::Result<TcpStream> {
        TcpStream::from_std(stream)
    }
}

impl AsyncRead for TcpStream {
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

impl AsyncRead for &TcpStream {
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

impl AsyncWrite for TcpStream {
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

impl AsyncWrite for &TcpStream {
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

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
