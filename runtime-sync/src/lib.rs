//! `runtime-sync`: async synchronization primitives for `runtime` (semaphores, queues, locks,
//! channels, timeouts). They rely on wakers only, so they work on any executor (the timeout
//! combinators need the runtime's timers).
//!
//! So far: the timeout combinators (`timeout`, `timeout_at`, `FutureExt`), re-exported from
//! `runtime::time`. The other primitives arrive with the rest of the sync issue.

pub mod timeout;

pub use timeout::{error, timeout, timeout_at, FutureExt, Timeout};
