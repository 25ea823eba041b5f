//! `HyperIo<T>`: turns `futures-io` readers and writers into hyper's `Read`/`Write` (and, the other
//! way round, hyper's upgraded connections into `futures-io` ones).
//!
//! hyper reads into uninitialized memory; `futures-io`'s `poll_read` wants initialized bytes, so
//! the part of hyper's buffer offered to the inner reader must be zeroed first. To keep that cheap
//! the offered window adapts: it doubles after a read that filled it and halves after one that
//! used less than a quarter of it, between 1 KiB and hyper's whole spare buffer.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// The read window's floor and starting size.
const MIN_WINDOW: usize = 1024;
const START_WINDOW: usize = 4096;

pin_project_lite::pin_project! {
    /// Wraps an I/O object so hyper can use it: `HyperIo<TcpStream>` is what hyper's
    /// `serve_connection` and `client::conn::handshake` take.
    ///
    /// - `T: futures_io::AsyncRead + AsyncWrite` (our sockets and files) gives hyper's
    ///   `rt::Read + rt::Write`;
    /// - `T: hyper::rt::Read + Write` (hyper's `Upgraded`) gives `futures_io::AsyncRead +
    ///   AsyncWrite`, so an upgraded connection works with `runtime::io`'s helpers.
    #[derive(Debug)]
    pub struct HyperIo<T> {
        #[pin]
        inner: T,
        window: usize,
    }
}

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> HyperIo<T> {
        HyperIo {
            inner,
            window: START_WINDOW,
        }
    }

    /// The wrapped object.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped object, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped object, pinned.
    pub fn inner_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// Unwraps the object.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// The next window after a read of `read` bytes into a window of `offered` bytes.
fn next_window(window: usize, offered: usize, read: usize) -> usize {
    if read == offered {
        window.saturating_mul(2)
    } else if read < offered / 4 {
        (window / 2).max(MIN_WINDOW)
    } else {
        window
    }
}

impl<T: AsyncRead> ::hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ::hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let offered = buf.remaining().min(*this.window);
        // SAFETY: we only write initialized bytes (zeros, then what the reader puts there) into
        // the slice, so nothing hyper considers initialized is ever uninitialized.
        let spare = unsafe { buf.as_mut() };
        let dst = zeroed(&mut spare[..offered]);
        let read = match this.inner.poll_read(cx, dst) {
            Poll::Ready(Ok(read)) => read.min(offered),
            Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            Poll::Pending => return Poll::Pending,
        };
        *this.window = next_window(*this.window, offered, read);
        // SAFETY: the first `read` bytes of the unfilled part were zeroed and then written by the
        // reader, so they are initialized.
        unsafe { buf.advance(read) };
        Poll::Ready(Ok(()))
    }
}

/// Zeroes `slice` and gives it back as initialized bytes.
fn zeroed(slice: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    slice.fill(MaybeUninit::new(0));
    // SAFETY: every element was just written, and `MaybeUninit<u8>` has `u8`'s layout.
    unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
}

impl<T: AsyncWrite> ::hyper::rt::Write for HyperIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

impl<T: ::hyper::rt::Read> AsyncRead for HyperIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read_buf = ::hyper::rt::ReadBuf::new(buf);
        match self.project().inner.poll_read(cx, read_buf.unfilled()) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(read_buf.filled().len())),
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: ::hyper::rt::Write> AsyncWrite for HyperIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_grows_on_full_reads_and_shrinks_on_small_ones() {
        assert_eq!(next_window(4096, 4096, 4096), 8192);
        assert_eq!(next_window(4096, 4096, 100), 2048);
        assert_eq!(next_window(1024, 1024, 10), 1024);
        assert_eq!(next_window(4096, 4096, 2000), 4096);
        // A short spare buffer that was filled still doubles the window.
        assert_eq!(next_window(4096, 512, 512), 8192);
    }
}
