//! The concurrency facade: every concurrency-critical module imports its primitives from here.
//!
//! Normally these are `std` atomics, `parking_lot` locks and `crossbeam_deque` queues. Under
//! `--cfg loom` the same names resolve to `loom`'s instrumented versions and to a loom-visible
//! queue with the deque's API, so loom can explore every interleaving of the scheduler.
//!
//! The module is public (hidden from the docs) so that `runtime-sync` builds its primitives on
//! the same facade and loom checks them too; it is not part of the API.

#[cfg(not(loom))]
mod std_impl;
#[cfg(not(loom))]
pub use std_impl::*;

#[cfg(loom)]
mod loom_impl;
#[cfg(loom)]
pub use loom_impl::*;
