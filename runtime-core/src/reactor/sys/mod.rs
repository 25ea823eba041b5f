//! The operating system's readiness API behind one small interface: `Poller` (register, wait,
//! notify) and `Events`, a reusable buffer of `(key, Ready)` pairs.
//!
//! On Linux and Android we call epoll ourselves (`epoll.rs`): edge-triggered, with
//! `EPOLLRDHUP`, so a peer's half-close is reported as a lasting `READ_CLOSED`. That lets a
//! short stream read clear read readiness (see [`SHORT_READ_DRAINS`]). Elsewhere the `polling`
//! crate does the work (`portable.rs`).

#[cfg(any(target_os = "linux", target_os = "android"))]
mod epoll;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use epoll::{Events, Poller};

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod portable;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use portable::{Events, Poller};

/// Whether a stream read that returns fewer bytes than asked proves the receive buffer empty,
/// so the read readiness it ran under can be cleared without a further call that would only
/// say "would block". True where registrations are edge-triggered and a peer's end of file is
/// a lasting `READ_CLOSED` (an end of file queued behind the data read then keeps the source
/// readable).
pub const SHORT_READ_DRAINS: bool = cfg!(any(target_os = "linux", target_os = "android"));
