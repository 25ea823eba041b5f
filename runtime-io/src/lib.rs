//! `runtime-io`: the reactor thread, sockets, files, signals and I/O utilities of `runtime`.
//!
//! The reactor (a dedicated thread on `polling`) arrives with the driver issue; this crate
//! already re-exports the ecosystem's I/O traits so that user code can name them today.

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
