//! hyper 1.x on this runtime (feature `hyper`).
//!
//! hyper is runtime-agnostic: it asks for an [`Executor`](::hyper::rt::Executor) to spawn the
//! background tasks of HTTP/2 connections, a [`Timer`](::hyper::rt::Timer) for its timeouts, and
//! I/O that implements its own [`Read`](::hyper::rt::Read)/[`Write`](::hyper::rt::Write) traits.
//! This module gives all three:
//!
//! - [`HyperExecutor`] spawns onto the runtime,
//! - [`HyperTimer`] sleeps on the runtime's clock (so a paused clock drives hyper's timeouts too),
//! - [`HyperIo`] wraps anything that implements `futures-io`'s `AsyncRead`/`AsyncWrite` (our
//!   sockets, `fs::File`, `io::Cursor`, ...) into hyper's traits.
//!
//! ```no_run
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use hyper::{server::conn::http1, service::service_fn, Request, Response};
//! use runtime::compat::hyper::{HyperIo, HyperTimer};
//! use runtime::net::TcpListener;
//!
//! async fn hello(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from_static(b"hello\n"))))
//! }
//!
//! #[runtime::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("127.0.0.1:8080").await?;
//!     loop {
//!         let (stream, _) = listener.accept().await?;
//!         runtime::spawn(async move {
//!             let served = http1::Builder::new()
//!                 .timer(HyperTimer::new())
//!                 .serve_connection(HyperIo::new(stream), service_fn(hello))
//!                 .await;
//!             if let Err(err) = served {
//!                 eprintln!("connection error: {err}");
//!             }
//!         });
//!     }
//! }
//! ```

mod executor;
mod io;
mod timer;

pub use executor::HyperExecutor;
pub use io::HyperIo;
pub use timer::{HyperSleep, HyperTimer};
