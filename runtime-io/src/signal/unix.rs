//! Unix signals: [`signal`] creates a [`Signal`] listener for a [`SignalKind`].
//!
//! See the [parent module](super) for how delivery works.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::task::{Context, Poll};

use runtime_core::reactor::{Interest, Registration};

use super::registry::{self, Globals};

/// A kind of Unix signal: a signal number with a named constructor for the common ones.
///
/// ```
/// use runtime::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
/// assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// The signal with number `signum` (checked by [`signal`], not here).
    ///
    /// ```
    /// use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::from_raw(libc::SIGHUP), SignalKind::hangup());
    /// ```
    pub const fn from_raw(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// ```
    /// use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn as_raw_value(&self) -> libc::c_int {
        self.0
    }

    /// `SIGALRM`: a real-time timer expired.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::alarm().as_raw_value(), libc::SIGALRM);
    /// ```
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process changed state.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::child().as_raw_value(), libc::SIGCHLD);
    /// ```
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGHUP`: the terminal was closed (often used to reload configuration).
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGINT`: interrupt from the terminal (Ctrl-C).
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGPIPE`: write to a pipe with no reader.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::pipe().as_raw_value(), libc::SIGPIPE);
    /// ```
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGQUIT`: quit from the terminal (Ctrl-\\).
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::quit().as_raw_value(), libc::SIGQUIT);
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGTERM`: a polite request to terminate.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGUSR1`: user-defined.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: user-defined.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::user_defined2().as_raw_value(), libc::SIGUSR2);
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGWINCH`: the terminal window changed size.
    ///
    /// ```
    /// # use runtime::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::window_change().as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<libc::c_int> for SignalKind {
    fn from(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }
}

impl From<SignalKind> for libc::c_int {
    fn from(kind: SignalKind) -> libc::c_int {
        kind.0
    }
}

/// Listens for `kind` in the current runtime: installs the handler for it if needed (see the
/// [module docs](super)) and returns a listener that receives every delivery from now on.
///
/// # Errors
/// `InvalidInput` for `SIGKILL`, `SIGSTOP`, `SIGILL`, `SIGFPE`, `SIGSEGV` and numbers out of
/// range; the OS error if `sigaction` refuses the number; an error outside a runtime.
///
/// ```
/// use runtime::signal::unix::{signal, SignalKind};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() -> std::io::Result<()> {
///     let mut usr2 = signal(SignalKind::user_defined2())?;
///     // SAFETY: `raise` has no preconditions; our handler for SIGUSR2 is installed.
///     unsafe { libc::raise(libc::SIGUSR2) };
///     usr2.recv().await;
///
///     let error = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
///     assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
///     Ok(())
/// }
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.0;
    let globals = registry::globals()?;
    registry::install(globals, signum)?;
    let reader = globals.reader()?;
    // SAFETY: `reader` is stored next to the registration in `Signal`, declared after it, so
    // the registration is dropped (deregistered) while the descriptor is still open.
    let registration = unsafe { Registration::new(reader.as_fd(), Interest::READABLE)? };
    // Read after the handler is installed: only deliveries dispatched from now on count.
    let seen = globals.slot(signum).generation();
    Ok(Signal {
        registration,
        reader,
        globals,
        signum,
        seen,
        waiter: None,
    })
}

/// A listener for one Unix signal, created by [`signal`].
///
/// Every listener of a signal receives each delivery (a broadcast); deliveries that arrive
/// while a listener is not being polled coalesce into one. Also a
/// `futures_core::Stream<Item = ()>` that never ends while the runtime runs.
///
/// ```
/// use runtime::signal::unix::{signal, SignalKind};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() -> std::io::Result<()> {
///     let mut first = signal(SignalKind::window_change())?;
///     let mut second = signal(SignalKind::window_change())?;
///     // SAFETY: `raise` has no preconditions; our handler for SIGWINCH is installed.
///     unsafe { libc::raise(libc::SIGWINCH) };
///     assert_eq!(first.recv().await, Some(()));
///     assert_eq!(second.recv().await, Some(()));
///     Ok(())
/// }
/// ```
pub struct Signal {
    // Declared before `reader`: deregistered while the descriptor is still open.
    registration: Registration,
    reader: UnixStream,
    globals: &'static Globals,
    signum: libc::c_int,
    /// The signal's generation when this listener last returned a delivery.
    seen: u64,
    /// This listener's key in the signal's waker list.
    waiter: Option<u64>,
}

impl Signal {
    /// Waits for the next delivery of the signal: `Some(())`, or `None` once the runtime has
    /// shut down.
    ///
    /// Cancel-safe: a delivery is only consumed when this returns it.
    ///
    /// ```
    /// use runtime::signal::unix::{signal, SignalKind};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() -> std::io::Result<()> {
    ///     let mut alarms = signal(SignalKind::alarm())?;
    ///     // SAFETY: `raise` has no preconditions; our handler for SIGALRM is installed.
    ///     unsafe { libc::raise(libc::SIGALRM) };
    ///     assert_eq!(alarms.recv().await, Some(()));
    ///     Ok(())
    /// }
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery: `Ready(Some(()))` once the signal arrived since the last
    /// delivery, `Ready(None)` once the runtime has shut down, else `Pending` (and `cx`'s waker
    /// is woken on the next delivery).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::signal::unix::{signal, SignalKind};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() -> std::io::Result<()> {
    ///     let mut children = signal(SignalKind::child())?;
    ///     // SAFETY: `raise` has no preconditions; our handler for SIGCHLD is installed.
    ///     unsafe { libc::raise(libc::SIGCHLD) };
    ///     assert_eq!(poll_fn(|cx| children.poll_recv(cx)).await, Some(()));
    ///     Ok(())
    /// }
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let slot = self.globals.slot(self.signum);
        loop {
            // Register before reading the generation: a dispatch either happened before the
            // read (we see it) or wakes the waker registered here.
            slot.register(&mut self.waiter, cx.waker());
            let generation = slot.generation();
            if generation != self.seen {
                self.seen = generation;
                if let Some(id) = self.waiter.take() {
                    slot.remove(id);
                }
                return Poll::Ready(Some(()));
            }
            let globals = self.globals;
            let reader = &self.reader;
            match self
                .registration
                .poll_io(cx, Interest::READABLE, || registry::drain(globals, reader))
            {
                // Bytes were read and pending signals dispatched: look again.
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl futures_core::Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        if let Some(id) = self.waiter.take() {
            self.globals.slot(self.signum).remove(id);
        }
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("signum", &self.signum)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}
