//! Unix-domain sockets: [`UnixListener`] and [`UnixStream`] for byte streams, [`UnixDatagram`]
//! for datagrams, and the split halves of a stream (as for TCP).
//!
//! Paths are filesystem paths; on Linux a path starting with a NUL byte names an abstract
//! socket. A path too long for `sockaddr_un` is an `InvalidInput` error. Addresses are
//! `std::os::unix::net::SocketAddr`, re-exported here as [`SocketAddr`].

mod datagram;
mod listener;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;

/// The reading half of a [`UnixStream`], borrowed from it by [`UnixStream::split`].
///
/// Implements `futures_io::AsyncRead`.
pub type ReadHalf<'a> = super::split::ReadHalf<'a, UnixStream>;

/// The writing half of a [`UnixStream`], borrowed from it by [`UnixStream::split`].
///
/// Implements `futures_io::AsyncWrite`; closing it shuts down the stream's writing side
/// (dropping it does not).
pub type WriteHalf<'a> = super::split::WriteHalf<'a, UnixStream>;

/// The reading half of a [`UnixStream`], made by [`UnixStream::into_split`].
///
/// Implements `futures_io::AsyncRead`; [`reunite`](OwnedReadHalf#method.reunite) it with its
/// write half to get the stream back.
pub type OwnedReadHalf = super::split::OwnedReadHalf<UnixStream>;

/// The writing half of a [`UnixStream`], made by [`UnixStream::into_split`].
///
/// Implements `futures_io::AsyncWrite`. Dropping or closing it shuts down the stream's writing
/// side (the peer reads end-of-file), unless it was [`forget`](OwnedWriteHalf#method.forget)-ed.
pub type OwnedWriteHalf = super::split::OwnedWriteHalf<UnixStream>;

super::split::reunite_error!(UnixStream);
