//! Networking: TCP, UDP and Unix-domain sockets, and host name lookup (Tokio's `net` shapes).
//!
//! Every socket is created non-blocking and close-on-exec and registered with the reactor of the
//! runtime it is created in, so its constructors must run inside a runtime (they return an error
//! outside one). Streams are `Unpin` and implement `futures_io::AsyncRead` and `AsyncWrite`, so
//! the extension traits of `futures-util` and `futures-lite` work on them.
//!
//! ```
//! use runtime::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime::net::{TcpListener, TcpStream};
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = runtime::spawn(async move {
//!         let (mut socket, _) = listener.accept().await?;
//!         let mut buf = [0u8; 5];
//!         socket.read_exact(&mut buf).await?;
//!         socket.write_all(&buf).await?;
//!         std::io::Result::Ok(())
//!     });
//!
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut echo = [0u8; 5];
//!     client.read_exact(&mut echo).await?;
//!     assert_eq!(&echo, b"hello");
//!     server.await.unwrap()?;
//!     Ok(())
//! }
//! ```

mod addr;
mod socket;
pub mod split;
pub mod tcp;
#[cfg(test)]
mod tests;
mod udp;
pub mod unix;

pub use addr::{lookup_host, ToSocketAddrs};

pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

/// The result of `shutdown(2)` on a stream socket, with `NotConnected` taken as done: the kernel
/// says so when the peer reset the connection first (a race no caller can avoid), and there is
/// then nothing left to shut.
pub(crate) fn shutdown_done(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::NotConnected => Ok(()),
        result => result,
    }
}
