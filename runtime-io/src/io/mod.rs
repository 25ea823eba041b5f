//! I/O traits and helpers: the ecosystem's `futures-io` traits and the `futures-util`
//! extension traits, adapters and functions, re-exported under one name, plus [`AsyncFd`] to
//! drive any non-blocking file descriptor with the reactor.
//!
//! Our sockets implement `futures_io::AsyncRead` and `AsyncWrite`, so everything here (and the
//! same traits from `futures-lite`) works on them.
//!
//! ```
//! use runtime::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
//! use runtime::net::UnixStream;
//!
//! # #[runtime::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let (mut a, b) = UnixStream::pair()?;
//! a.write_all(b"first line\nsecond line\n").await?;
//! a.close().await?;
//!
//! let mut lines = BufReader::new(b);
//! let mut line = String::new();
//! lines.read_line(&mut line).await?;
//! assert_eq!(line, "first line\n");
//!
//! let mut rest = Vec::new();
//! io::copy(&mut lines, &mut rest).await?;
//! assert_eq!(rest, b"second line\n");
//! # Ok(())
//! # }
//! ```

mod async_fd;
mod read_ext;

pub use async_fd::{AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    copy, copy_buf, empty, repeat, sink, AsyncBufReadExt, AsyncSeekExt, AsyncWriteExt, BufReader,
    BufWriter, Cursor, Empty, ReadHalf, Repeat, ReuniteError, Sink, WriteHalf,
};
pub use read_ext::AsyncReadExt;
pub use runtime_core::reactor::{Interest, Ready};
pub use std::io::{Error, ErrorKind, IoSlice, IoSliceMut, Result, SeekFrom};

/// Splits one reader-writer into a reading half and a writing half that can be used from two
/// tasks (they share it behind a lock); `ReadHalf::reunite` puts them back together.
///
/// For our own sockets prefer their `split`/`into_split`, which need no lock.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt, Cursor};
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (mut reader, mut writer) = runtime::io::split(Cursor::new(vec![0u8; 4]));
/// writer.write_all(b"ab").await?;
/// let mut rest = Vec::new();
/// reader.read_to_end(&mut rest).await?;
/// assert_eq!(rest, [0, 0]);
/// # Ok(())
/// # }
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    futures_util::AsyncReadExt::split(stream)
}
