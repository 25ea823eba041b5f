//! Tells HTTP/1 from HTTP/2 (cleartext, "prior knowledge") on a fresh connection by reading at
//! most the 24 bytes of HTTP/2's connection preface, then hands hyper a [`Rewound`] stream that
//! replays the bytes read before reading on from the socket.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite};

/// What an HTTP/2 client sends first (RFC 9113, section 3.4).
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

/// Reads until the first bytes match the HTTP/2 preface or cannot, and gives the protocol and a
/// stream that yields those bytes again. A connection closed early counts as HTTP/1 (hyper then
/// sees the same early end).
pub async fn sniff<S: AsyncRead + Unpin>(mut stream: S) -> io::Result<(Protocol, Rewound<S>)> {
    let mut head = [0u8; PREFACE.len()];
    let mut len = 0;
    let protocol = loop {
        let read = stream.read(&mut head[len..]).await?;
        len += read;
        if read == 0 || !PREFACE.starts_with(&head[..len]) {
            break Protocol::Http1;
        }
        if len == PREFACE.len() {
            break Protocol::Http2;
        }
    };
    let rewound = Rewound {
        head,
        pos: 0,
        len,
        stream,
    };
    Ok((protocol, rewound))
}

/// A stream whose first bytes were already read: it gives them back before reading on.
#[derive(Debug)]
pub struct Rewound<S> {
    head: [u8; PREFACE.len()],
    pos: usize,
    len: usize,
    stream: S,
}

impl<S: AsyncRead + Unpin> AsyncRead for Rewound<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pos < this.len {
            let n = buf.len().min(this.len - this.pos);
            buf[..n].copy_from_slice(&this.head[this.pos..this.pos + n]);
            this.pos += n;
            return Poll::Ready(Ok(n));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Rewound<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_close(cx)
    }
}
