//! Asynchronous signal handling (Tokio's `signal` shapes), delivered through the reactor.
//!
//! [`unix::signal`] creates a [`unix::Signal`] listener for one signal; [`ctrl_c`] waits for the
//! next `SIGINT`. The first listener of a signal number installs, with `sigaction` and
//! `SA_RESTART`, a small handler that marks the signal pending and writes one byte to a
//! process-wide, non-blocking, close-on-exec self-pipe (a Unix socket pair). Each listener
//! registers a duplicate of the pipe's read end with the reactor of its runtime; whichever
//! listener sees it readable drains it and broadcasts every pending signal to all of that
//! signal's listeners (a per-signal generation counter and a list of wakers), in any runtime.
//!
//! As in Tokio, the handler stays installed for the life of the process once a signal has been
//! listened for, even after every listener is dropped, and the previous disposition is never
//! restored: a `SIGINT` that nobody listens for any more no longer ends the process. Unlike
//! Tokio's registry, a handler installed before ours by other code is not called.
//!
//! Deliveries coalesce: several signals that arrive before a listener is polled are received
//! once. A listener only sees signals dispatched after it was created.
//!
//! ```
//! use runtime::signal::unix::{signal, SignalKind};
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let mut hangups = signal(SignalKind::hangup())?;
//!     // SAFETY: `raise` has no preconditions; our handler for SIGHUP is installed.
//!     unsafe { libc::raise(libc::SIGHUP) };
//!     assert_eq!(hangups.recv().await, Some(()));
//!     Ok(())
//! }
//! ```

mod registry;
pub mod unix;

use std::io;

/// Completes when the process receives the next `SIGINT` (Ctrl-C in a terminal).
///
/// The listener is created at the first poll, so a `SIGINT` before that is not seen. Once this
/// has been called, `SIGINT` no longer ends the process (see the [module docs](self)).
///
/// Cancel-safe in the sense that dropping it loses nothing that a new call would have seen: the
/// listener lives inside the future.
///
/// # Errors
/// Outside a runtime, or if the handler cannot be installed; also if the runtime shuts down
/// while waiting.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let waiter = runtime::spawn(runtime::signal::ctrl_c());
///     // Let the task create its listener before the signal is raised.
///     runtime::time::sleep(std::time::Duration::from_millis(50)).await;
///     // SAFETY: `raise` has no preconditions.
///     unsafe { libc::raise(libc::SIGINT) };
///     waiter.await.unwrap().unwrap();
/// }
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = unix::signal(unix::SignalKind::interrupt())?;
    match interrupts.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other(
            "the runtime shut down while waiting for SIGINT",
        )),
    }
}
