//! TCP: [`TcpListener`] accepts connections, [`TcpStream`] is one connection, and the split
//! halves let a reader and a writer use one stream from two places at once.
//!
//! `TcpStream::split` borrows the stream ([`ReadHalf`], [`WriteHalf`]); `TcpStream::into_split`
//! shares it through an `Arc` ([`OwnedReadHalf`], [`OwnedWriteHalf`]), so each half can move
//! into its own task and `reunite` puts them back together.

mod listener;
mod split;
mod split_owned;
mod stream;

pub use listener::TcpListener;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use stream::TcpStream;
