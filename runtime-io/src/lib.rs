//! `runtime-io`: sockets and I/O utilities of `runtime`, built on the reactor of `runtime-core`.
//!
//! Every socket here is created non-blocking and close-on-exec and registered once with the
//! reactor of the runtime it was created in (`runtime_core::reactor::Registration`). An
//! operation runs the system call directly; when the call would block, the socket's readiness
//! is cleared and the task waits for the reactor to report the next readiness edge
//! (`poll_evented`). Users reach these items through the `runtime` facade crate:
//!
//! - [`net`]: TCP, UDP and Unix-domain sockets, and `lookup_host`.
//! - [`fs`]: files and directories, on the blocking pool (there is no readiness for files).
//! - [`io`]: the ecosystem's I/O traits and helpers, plus [`io::AsyncFd`] for any other file
//!   descriptor.
//! - [`signal`]: Unix signals and `ctrl_c`, delivered through the reactor.

pub mod fs;
pub mod io;
pub mod net;
mod poll_evented;
pub mod signal;

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
