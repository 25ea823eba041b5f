//! `runtime-sync`: async synchronization primitives for `runtime` (semaphores, queues, locks,
//! channels, timeouts). They rely on wakers only, so they work on any executor.
//!
//! The primitives arrive with the sync issue; this crate is a member of the workspace now so
//! the dependency graph (`runtime` -> `runtime-sync` -> `runtime-core`) is in place.
