//! Adapters that let other ecosystems' libraries run on this runtime.
//!
//! - [`hyper`] (feature `hyper`): the executor, timer and I/O wrapper that hyper 1.x asks of a
//!   runtime, so hyper's HTTP/1 and HTTP/2 servers and clients run unmodified.

#[cfg(feature = "hyper")]
pub mod hyper;
