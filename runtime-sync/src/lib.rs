//! `runtime-sync`: async synchronization primitives for `runtime` (semaphores, queues, locks,
//! channels, timeouts). They rely on wakers only, so they work on any executor (the timeout
//! combinators and the rate limiter need the runtime's clock).
//!
//! Every primitive keeps its state behind `runtime_core`'s loom facade, so the loom models in
//! `loom-tests` check the real code. Waiters park in a `WaitList` (a slab owned by the
//! primitive, no allocation per wait); wakers are woken after the lock is released.

// Until every primitive that uses it has landed, parts of the list are unused.
#[allow(dead_code)]
mod wait_list;

pub mod timeout;

pub mod mpsc;
pub mod oneshot;

pub use timeout::{error, timeout, timeout_at, FutureExt, Timeout};
