//! Split halves of a stream socket, shared by TCP and Unix-domain streams.
//!
//! `split` borrows the stream: both [`ReadHalf`] and [`WriteHalf`] hold a `&S`. `into_split`
//! shares it: both [`OwnedReadHalf`] and [`OwnedWriteHalf`] hold an `Arc<S>`, so each can move
//! into its own task. Reads and writes go through the stream's `&S` reads and writes, and the
//! reactor keeps one waker per direction, so the reader and the writer never wake each other.
//!
//! Closing either write half shuts down the stream's writing side. As in Tokio, dropping the
//! owned write half does it too, so the peer sees end-of-file; `OwnedWriteHalf::forget` drops it
//! without that. `reunite` checks that the two owned halves came from the same stream and
//! unwraps the `Arc`.
//!
//! The halves are generic over the stream type through a sealed trait (`SplitStream`) that
//! only [`TcpStream`] and [`UnixStream`] implement. Name them through the aliases in
//! [`tcp`](super::tcp) and [`unix`](super::unix) (e.g. `tcp::OwnedReadHalf`). Each of those
//! modules has its own `ReuniteError` tuple struct (a tuple struct cannot be built or matched
//! through a type alias), defined with the `reunite` methods by a crate-private macro.

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use runtime_core::reactor::{Interest, Ready};

use super::{TcpStream, UnixStream};

mod sealed {
    use std::future::Future;
    use std::io::{self, IoSlice, IoSliceMut};
    use std::net::Shutdown;
    use std::task::{Context, Poll};

    use runtime_core::reactor::{Interest, Ready};

    /// What the split halves need from their stream: `TcpStream` and `UnixStream`.
    ///
    /// `pub` only so that it may bound the halves' public type parameter; it lives in a private
    /// module, so nothing outside the crate can name or implement it (a sealed trait).
    pub trait SplitStream {
        /// The stream's socket address type.
        type Addr;

        /// `AsyncRead::poll_read` through `&Self`.
        fn poll_read_ref(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;

        /// `AsyncRead::poll_read_vectored` through `&Self`.
        fn poll_read_vectored_ref(
            &self,
            cx: &mut Context<'_>,
            bufs: &mut [IoSliceMut<'_>],
        ) -> Poll<io::Result<usize>>;

        /// `AsyncWrite::poll_write` through `&Self`.
        fn poll_write_ref(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;

        /// `AsyncWrite::poll_write_vectored` through `&Self`.
        fn poll_write_vectored_ref(
            &self,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>>;

        /// The stream's `shutdown`.
        fn shutdown(&self, how: Shutdown) -> io::Result<()>;

        /// The stream's `ready`.
        fn ready(&self, interest: Interest) -> impl Future<Output = io::Result<Ready>>;

        /// The stream's `readable`.
        fn readable(&self) -> impl Future<Output = io::Result<()>>;

        /// The stream's `writable`.
        fn writable(&self) -> impl Future<Output = io::Result<()>>;

        /// The stream's `try_read`.
        fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;

        /// The stream's `try_read_vectored`.
        fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize>;

        /// The stream's `try_write`.
        fn try_write(&self, buf: &[u8]) -> io::Result<usize>;

        /// The stream's `try_write_vectored`.
        fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;

        /// The stream's `peer_addr`.
        fn peer_addr(&self) -> io::Result<Self::Addr>;

        /// The stream's `local_addr`.
        fn local_addr(&self) -> io::Result<Self::Addr>;
    }
}

use sealed::SplitStream;

/// Implements [`SplitStream`] for a stream type by calling its inherent methods of the same
/// names and its `AsyncRead`/`AsyncWrite` impls for `&Stream`.
macro_rules! impl_split_stream {
    ($stream:ty, $addr:ty) => {
        impl SplitStream for $stream {
            type Addr = $addr;

            fn poll_read_ref(
                &self,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_read(cx, buf)
            }

            fn poll_read_vectored_ref(
                &self,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_read_vectored(cx, bufs)
            }

            fn poll_write_ref(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_write(cx, buf)
            }

            fn poll_write_vectored_ref(
                &self,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_write_vectored(cx, bufs)
            }

            fn shutdown(&self, how: Shutdown) -> io::Result<()> {
                <$stream>::shutdown(self, how)
            }

            fn ready(&self, interest: Interest) -> impl Future<Output = io::Result<Ready>> {
                <$stream>::ready(self, interest)
            }

            fn readable(&self) -> impl Future<Output = io::Result<()>> {
                <$stream>::readable(self)
            }

            fn writable(&self) -> impl Future<Output = io::Result<()>> {
                <$stream>::writable(self)
            }

            fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                <$stream>::try_read(self, buf)
            }

            fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
                <$stream>::try_read_vectored(self, bufs)
            }

            fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                <$stream>::try_write(self, buf)
            }

            fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                <$stream>::try_write_vectored(self, bufs)
            }

            fn peer_addr(&self) -> io::Result<$addr> {
                <$stream>::peer_addr(self)
            }

            fn local_addr(&self) -> io::Result<$addr> {
                <$stream>::local_addr(self)
            }
        }
    };
}

impl_split_stream!(TcpStream, std::net::SocketAddr);
impl_split_stream!(UnixStream, std::os::unix::net::SocketAddr);

/// The reading half of a stream, borrowed from it by [`TcpStream::split`] or
/// [`UnixStream::split`].
///
/// Implements `futures_io::AsyncRead`.
#[derive(Debug)]
pub struct ReadHalf<'a, S>(&'a S);

/// The writing half of a stream, borrowed from it by [`TcpStream::split`] or
/// [`UnixStream::split`].
///
/// Implements `futures_io::AsyncWrite`; closing it shuts down the stream's writing side
/// (dropping it does not).
#[derive(Debug)]
pub struct WriteHalf<'a, S>(&'a S);

/// The reading half of a stream, made by [`TcpStream::into_split`] or
/// [`UnixStream::into_split`].
///
/// Implements `futures_io::AsyncRead`; `reunite` it with its write half to get the stream back.
#[derive(Debug)]
pub struct OwnedReadHalf<S> {
    inner: Arc<S>,
}

/// The writing half of a stream, made by [`TcpStream::into_split`] or
/// [`UnixStream::into_split`].
///
/// Implements `futures_io::AsyncWrite`. Dropping or closing it shuts down the stream's writing
/// side (the peer reads end-of-file), unless it was [`forget`](Self::forget)-ed.
#[derive(Debug)]
pub struct OwnedWriteHalf<S: SplitStream> {
    inner: Arc<S>,
    shutdown_on_drop: bool,
}

pub(super) fn split<S: SplitStream>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    (ReadHalf(&*stream), WriteHalf(&*stream))
}

pub(super) fn split_owned<S: SplitStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let inner = Arc::new(stream);
    let read = OwnedReadHalf {
        inner: Arc::clone(&inner),
    };
    let write = OwnedWriteHalf {
        inner,
        shutdown_on_drop: true,
    };
    (read, write)
}

/// Puts the stream back together from its two owned halves, or hands both back if they came
/// from different streams (the `ReuniteError` of `net::tcp` or `net::unix` wraps them).
pub(super) fn reunite<S: SplitStream>(
    read: OwnedReadHalf<S>,
    write: OwnedWriteHalf<S>,
) -> Result<S, (OwnedReadHalf<S>, OwnedWriteHalf<S>)> {
    if !Arc::ptr_eq(&read.inner, &write.inner) {
        return Err((read, write));
    }
    write.forget();
    // The two halves held the only references, and the write half's is gone.
    Arc::try_unwrap(read.inner).map_err(|inner| {
        (
            OwnedReadHalf {
                inner: Arc::clone(&inner),
            },
            OwnedWriteHalf {
                inner,
                shutdown_on_drop: true,
            },
        )
    })
}

/// Defines, in the module of a stream type, `ReuniteError` (a tuple struct of the two owned
/// halves, with `Display` and `Error`) and the `reunite` methods of the owned halves, which
/// return it. The module must have the aliases `OwnedReadHalf` and `OwnedWriteHalf`.
macro_rules! reunite_error {
    ($stream:ident) => {
        /// The two halves given to
        /// [`OwnedReadHalf::reunite`](OwnedReadHalf#method.reunite) came from different
        /// streams; both are handed back.
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl ::std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl ::std::error::Error for ReuniteError {}

        impl OwnedReadHalf {
            /// Puts the stream back together from its two halves.
            ///
            /// # Errors
            /// [`ReuniteError`] (holding both halves) if `write` came from another stream.
            pub fn reunite(self, write: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                $crate::net::split::reunite(self, write).map_err(|(r, w)| ReuniteError(r, w))
            }
        }

        impl OwnedWriteHalf {
            /// Puts the stream back together from its two halves
            /// ([`OwnedReadHalf::reunite`](OwnedReadHalf#method.reunite)).
            ///
            /// # Errors
            /// [`ReuniteError`] if `read` came from another stream.
            pub fn reunite(self, read: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                read.reunite(self)
            }
        }
    };
}
pub(super) use reunite_error;

impl<S: SplitStream> ReadHalf<'_, S> {
    /// The stream's `ready` ([`TcpStream::ready`], [`UnixStream::ready`]). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.ready(interest).await
    }

    /// The stream's `readable` ([`TcpStream::readable`], [`UnixStream::readable`]).
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.readable().await
    }

    /// The stream's `try_read` ([`TcpStream::try_read`], [`UnixStream::try_read`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }

    /// The stream's `try_read_vectored` ([`TcpStream::try_read_vectored`],
    /// [`UnixStream::try_read_vectored`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.try_read_vectored(bufs)
    }

    /// The stream's `peer_addr` ([`TcpStream::peer_addr`], [`UnixStream::peer_addr`]).
    ///
    /// # Errors
    /// As `getpeername(2)`.
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.0.peer_addr()
    }

    /// The stream's `local_addr` ([`TcpStream::local_addr`], [`UnixStream::local_addr`]).
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.0.local_addr()
    }
}

impl ReadHalf<'_, TcpStream> {
    /// [`TcpStream::peek`]. Cancel-safe.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf).await
    }

    /// [`TcpStream::poll_peek`].
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.poll_peek(cx, buf)
    }
}

impl<S: SplitStream> WriteHalf<'_, S> {
    /// The stream's `ready` ([`TcpStream::ready`], [`UnixStream::ready`]). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.ready(interest).await
    }

    /// The stream's `writable` ([`TcpStream::writable`], [`UnixStream::writable`]).
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.0.writable().await
    }

    /// The stream's `try_write` ([`TcpStream::try_write`], [`UnixStream::try_write`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    /// The stream's `try_write_vectored` ([`TcpStream::try_write_vectored`],
    /// [`UnixStream::try_write_vectored`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.try_write_vectored(bufs)
    }

    /// The stream's `peer_addr` ([`TcpStream::peer_addr`], [`UnixStream::peer_addr`]).
    ///
    /// # Errors
    /// As `getpeername(2)`.
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.0.peer_addr()
    }

    /// The stream's `local_addr` ([`TcpStream::local_addr`], [`UnixStream::local_addr`]).
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.0.local_addr()
    }
}

impl<S: SplitStream> OwnedReadHalf<S> {
    /// The stream's `ready` ([`TcpStream::ready`], [`UnixStream::ready`]). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// The stream's `readable` ([`TcpStream::readable`], [`UnixStream::readable`]).
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// The stream's `try_read` ([`TcpStream::try_read`], [`UnixStream::try_read`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read(buf)
    }

    /// The stream's `try_read_vectored` ([`TcpStream::try_read_vectored`],
    /// [`UnixStream::try_read_vectored`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the read's error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.try_read_vectored(bufs)
    }

    /// The stream's `peer_addr` ([`TcpStream::peer_addr`], [`UnixStream::peer_addr`]).
    ///
    /// # Errors
    /// As `getpeername(2)`.
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.inner.peer_addr()
    }

    /// The stream's `local_addr` ([`TcpStream::local_addr`], [`UnixStream::local_addr`]).
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr()
    }
}

impl OwnedReadHalf<TcpStream> {
    /// [`TcpStream::peek`]. Cancel-safe.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }

    /// [`TcpStream::poll_peek`].
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_peek(cx, buf)
    }
}

impl<S: SplitStream> OwnedWriteHalf<S> {
    /// Drops the half without shutting down the writing side.
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }

    /// The stream's `ready` ([`TcpStream::ready`], [`UnixStream::ready`]). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// The stream's `writable` ([`TcpStream::writable`], [`UnixStream::writable`]).
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// The stream's `try_write` ([`TcpStream::try_write`], [`UnixStream::try_write`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write(buf)
    }

    /// The stream's `try_write_vectored` ([`TcpStream::try_write_vectored`],
    /// [`UnixStream::try_write_vectored`]).
    ///
    /// # Errors
    /// `WouldBlock`, or the write's error.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner.try_write_vectored(bufs)
    }

    /// The stream's `peer_addr` ([`TcpStream::peer_addr`], [`UnixStream::peer_addr`]).
    ///
    /// # Errors
    /// As `getpeername(2)`.
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.inner.peer_addr()
    }

    /// The stream's `local_addr` ([`TcpStream::local_addr`], [`UnixStream::local_addr`]).
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr()
    }
}

impl<S: SplitStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // The peer may already be gone (`NotConnected`): nothing left to tell it.
            let _ = self.inner.shutdown(Shutdown::Write);
        }
    }
}

impl<S: SplitStream> AsyncRead for ReadHalf<'_, S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_read_ref(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_read_vectored_ref(cx, bufs)
    }
}

impl<S: SplitStream> AsyncRead for OwnedReadHalf<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_read_ref(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_read_vectored_ref(cx, bufs)
    }
}

impl<S: SplitStream> AsyncWrite for WriteHalf<'_, S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_ref(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_vectored_ref(cx, bufs)
    }

    /// Nothing is buffered: always ready.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts down the stream's writing side.
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown(Shutdown::Write))
    }
}

impl<S: SplitStream> AsyncWrite for OwnedWriteHalf<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_ref(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_vectored_ref(cx, bufs)
    }

    /// Nothing is buffered: always ready.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Shuts down the stream's writing side (then dropping the half does not do it again).
    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = self.inner.shutdown(Shutdown::Write);
        if result.is_ok() {
            self.shutdown_on_drop = false;
        }
        Poll::Ready(result)
    }
}

impl<S> AsRef<S> for ReadHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}

impl<S> AsRef<S> for WriteHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}

impl<S> AsRef<S> for OwnedReadHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: SplitStream> AsRef<S> for OwnedWriteHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}
