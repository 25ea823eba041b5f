//! TCP: [`TcpListener`] accepts connections, [`TcpStream`] is one connection, and the split
//! halves let a reader and a writer use one stream from two places at once.
//!
//! `TcpStream::split` borrows the stream ([`ReadHalf`], [`WriteHalf`]); `TcpStream::into_split`
//! shares it through an `Arc` ([`OwnedReadHalf`], [`OwnedWriteHalf`]), so each half can move
//! into its own task and `reunite` puts them back together.

mod listener;
mod stream;

pub use listener::TcpListener;
pub use stream::TcpStream;

/// The reading half of a [`TcpStream`], borrowed from it by [`TcpStream::split`].
///
/// Implements `futures_io::AsyncRead`.
pub type ReadHalf<'a> = super::split::ReadHalf<'a, TcpStream>;

/// The writing half of a [`TcpStream`], borrowed from it by [`TcpStream::split`].
///
/// Implements `futures_io::AsyncWrite`; closing it shuts down the stream's writing side
/// (dropping it does not).
pub type WriteHalf<'a> = super::split::WriteHalf<'a, TcpStream>;

/// The reading half of a [`TcpStream`], made by [`TcpStream::into_split`].
///
/// Implements `futures_io::AsyncRead`; [`reunite`](OwnedReadHalf#method.reunite) it with its
/// write half to get the stream back.
pub type OwnedReadHalf = super::split::OwnedReadHalf<TcpStream>;

/// The writing half of a [`TcpStream`], made by [`TcpStream::into_split`].
///
/// Implements `futures_io::AsyncWrite`. Dropping or closing it shuts down the stream's writing
/// side (the peer reads end-of-file), unless it was [`forget`](OwnedWriteHalf#method.forget)-ed.
pub type OwnedWriteHalf = super::split::OwnedWriteHalf<TcpStream>;

super::split::reunite_error!(TcpStream);
