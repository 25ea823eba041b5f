//! `AsyncReadExt`: the reading helpers of `futures-util`'s extension trait, minus its by-value
//! `split`.
//!
//! With futures' trait in scope, `stream.split()` on one of our sockets would silently pick the
//! trait's lock-based `split(self)` over the socket's own borrowing `split(&mut self)` (method
//! lookup tries by-value receivers first), which is not what a Tokio user means. This trait
//! forwards every other method to futures-util's futures; the lock-based split stays available
//! as the free function `io::split`.

use std::io::IoSliceMut;

use futures_io::AsyncRead;
use futures_util::io::{Chain, Read, ReadExact, ReadToEnd, ReadToString, ReadVectored, Take};

/// Reading helpers for every `AsyncRead` (Tokio's `AsyncReadExt` names).
///
/// ```
/// use runtime::io::AsyncReadExt;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let mut input: &[u8] = b"hello world";
/// let mut word = [0u8; 5];
/// input.read_exact(&mut word).await?;
/// assert_eq!(&word, b"hello");
/// let mut rest = String::new();
/// input.read_to_string(&mut rest).await?;
/// assert_eq!(rest, " world");
/// # Ok(())
/// # }
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` at end of stream.
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        futures_util::AsyncReadExt::read(self, buf)
    }

    /// Reads into several buffers.
    fn read_vectored<'a>(&'a mut self, bufs: &'a mut [IoSliceMut<'a>]) -> ReadVectored<'a, Self>
    where
        Self: Unpin,
    {
        futures_util::AsyncReadExt::read_vectored(self, bufs)
    }

    /// Fills `buf` exactly; `UnexpectedEof` if the stream ends first.
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        futures_util::AsyncReadExt::read_exact(self, buf)
    }

    /// Reads to end of stream, appending to `buf`.
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        futures_util::AsyncReadExt::read_to_end(self, buf)
    }

    /// Reads UTF-8 to end of stream, appending to `buf`.
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        futures_util::AsyncReadExt::read_to_string(self, buf)
    }

    /// This reader, then `next`.
    fn chain<R: AsyncRead>(self, next: R) -> Chain<Self, R>
    where
        Self: Sized,
    {
        futures_util::AsyncReadExt::chain(self, next)
    }

    /// At most `limit` bytes of this reader.
    fn take(self, limit: u64) -> Take<Self>
    where
        Self: Sized,
    {
        futures_util::AsyncReadExt::take(self, limit)
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}
