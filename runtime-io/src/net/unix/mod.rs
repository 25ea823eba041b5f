//! Unix-domain sockets: [`UnixListener`] and [`UnixStream`] for byte streams, [`UnixDatagram`]
//! for datagrams, and the split halves of a stream (as for TCP).
//!
//! Paths are filesystem paths; on Linux a path starting with a NUL byte names an abstract
//! socket. A path too long for `sockaddr_un` is an `InvalidInput` error. Addresses are
//! `std::os::unix::net::SocketAddr`, re-exported here as [`SocketAddr`].

mod datagram;
mod listener;
mod split;
mod split_owned;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;
