//! `AsyncFd`: drives any non-blocking file descriptor with the reactor (Tokio's shape).
//!
//! `AsyncFd<T>` owns a `T: AsFd` and a reactor registration for its descriptor. Waiting for
//! readiness returns a guard holding the readiness seen; the caller runs its own non-blocking
//! operation and, if it would block, clears the readiness through the guard (`try_io` does
//! this) so the next wait sleeps until the reactor reports a new edge. Dropping a guard without
//! clearing keeps the readiness. The registration is declared before the inner value, so it is
//! dropped while the descriptor is still open; `into_inner` deregisters before handing the
//! value back.

use std::error::Error;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{ready, Context, Poll};

use runtime_core::reactor::{Interest, Ready, ReadyEvent, Registration};

/// A non-blocking file descriptor registered with the reactor: wait for readiness, then run
/// your own non-blocking operation on it.
///
/// The descriptor must be in non-blocking mode (`AsyncFd` does not change it), must stay the
/// same descriptor while wrapped (do not close or replace it through
/// [`get_mut`](Self::get_mut)), and should not be registered elsewhere. Readiness is
/// edge-triggered: after an operation returns `WouldBlock`, clear the guard's readiness (or use
/// [`AsyncFdReadyGuard::try_io`]), or the next wait returns at once.
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
/// use std::os::unix::net::UnixStream;
/// use runtime::io::AsyncFd;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let (a, mut b) = UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let a = AsyncFd::new(a)?;
///
/// b.write_all(b"ping")?;
/// let mut buf = [0u8; 16];
/// let n = loop {
///     let mut guard = a.readable().await?;
///     match guard.try_io(|inner| inner.get_ref().read(&mut buf)) {
///         Ok(result) => break result?,
///         Err(_would_block) => continue,
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
///
/// // Nothing more to read: the guard's try_io cleared the readiness, so this would wait.
/// assert_eq!(a.get_ref().read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
/// # Ok(())
/// # }
/// ```
pub struct AsyncFd<T: AsFd> {
    // Declared first: dropped (deregistered) while `inner` still holds the descriptor open.
    registration: Registration,
    inner: T,
}

/// Readiness seen by [`AsyncFd::readable`], [`writable`](AsyncFd::writable) or
/// [`ready`](AsyncFd::ready). Clear it when an operation would block; dropping the guard keeps
/// it.
#[must_use = "clear the readiness (or use `try_io`) when the operation would block"]
pub struct AsyncFdReadyGuard<'a, T: AsFd> {
    async_fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// Like [`AsyncFdReadyGuard`], for the `_mut` waits: gives `&mut` access to the inner value.
#[must_use = "clear the readiness (or use `try_io`) when the operation would block"]
pub struct AsyncFdReadyMutGuard<'a, T: AsFd> {
    async_fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// The operation passed to a guard's `try_io` would block; the readiness has been cleared, so
/// wait again.
#[derive(Debug)]
pub struct TryIoError(());

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation would block")
    }
}

impl Error for TryIoError {}

impl<T: AsFd> AsyncFd<T> {
    /// Registers `inner`'s descriptor for reading and writing with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime, or if the poller refuses the descriptor (e.g. a regular file with
    /// epoll).
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner`'s descriptor for `interest` only. Waiting for a direction outside
    /// `interest` never completes.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        // SAFETY: `inner` owns or borrows the descriptor for as long as it lives, and it lives
        // in this struct after the registration, which is dropped (or deregistered in
        // `into_inner`) first. The type's docs forbid closing the descriptor through `get_mut`.
        let registration = unsafe { Registration::new(inner.as_fd(), interest)? };
        Ok(AsyncFd {
            registration,
            inner,
        })
    }

    /// The inner value.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The inner value, mutably. Do not close or replace its descriptor.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Deregisters the descriptor and returns the inner value.
    pub fn into_inner(self) -> T {
        let AsyncFd {
            mut registration,
            inner,
        } = self;
        // The registration is gone even if the poller reported an error removing it.
        let _ = registration.deregister();
        inner
    }

    /// Polls for read readiness; on `Pending` the task is woken when the descriptor may be
    /// readable (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::READABLE))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Polls for write readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::WRITABLE))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// [`poll_read_ready`](Self::poll_read_ready) with a guard giving `&mut` access.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::READABLE))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// [`poll_write_ready`](Self::poll_write_ready) with a guard giving `&mut` access.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let event = ready!(self.registration.poll_ready(cx, Interest::WRITABLE))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Waits until the descriptor is ready for `interest`.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// [`ready`](Self::ready) with a guard giving `&mut` access.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// Waits until the descriptor may be readable.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until the descriptor may be readable, with `&mut` access.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits until the descriptor may be writable.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until the descriptor may be writable, with `&mut` access.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Runs the non-blocking operation `f` on the inner value whenever the descriptor is ready
    /// for `interest`, until it returns something other than `WouldBlock`.
    ///
    /// Cancel-safe if `f` is.
    ///
    /// # Errors
    /// `f`'s error, or once the runtime has shut down.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration
            .async_io(interest, || f(&self.inner))
            .await
    }

    /// [`async_io`](Self::async_io) with `&mut` access to the inner value.
    ///
    /// # Errors
    /// `f`'s error, or once the runtime has shut down.
    pub async fn async_io_mut<R>(
        &mut self,
        interest: Interest,
        mut f: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let AsyncFd {
            registration,
            inner,
        } = self;
        registration.async_io(interest, || f(inner)).await
    }

    /// Runs `f` now if the descriptor looks ready for `interest`; `WouldBlock` if not (or if
    /// `f` would block, which also clears the readiness).
    ///
    /// # Errors
    /// `WouldBlock`, or `f`'s error.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.try_io(interest, || f(&self.inner))
    }
}

impl<T: AsFd> AsFd for AsyncFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl<T: AsFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_fd().as_raw_fd()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish()
    }
}

fn is_would_block<R>(result: &io::Result<R>) -> bool {
    matches!(result, Err(error) if error.kind() == io::ErrorKind::WouldBlock)
}

impl<'a, T: AsFd> AsyncFdReadyGuard<'a, T> {
    /// Forgets the readiness seen (after an operation would block), so the next wait sleeps
    /// until the reactor reports new readiness. A newer event than the one seen is kept.
    pub fn clear_ready(&mut self) {
        if let Some(event) = self.event.take() {
            self.async_fd.registration.clear_readiness(event);
        }
    }

    /// Keeps the readiness (what dropping the guard does): the next wait returns at once.
    pub fn retain_ready(&mut self) {
        self.event = None;
    }

    /// The readiness seen (empty once cleared or retained).
    pub fn ready(&self) -> Ready {
        self.event.map_or(Ready::EMPTY, |event| event.ready())
    }

    /// Runs the non-blocking operation `f`. If it would block, the readiness is cleared and
    /// `Err(TryIoError)` says to wait again; otherwise `Ok` holds its result.
    ///
    /// # Errors
    /// [`TryIoError`] when `f` returned `WouldBlock`.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let result = f(self.async_fd);
        if is_would_block(&result) {
            self.clear_ready();
            return Err(TryIoError(()));
        }
        Ok(result)
    }

    /// The `AsyncFd` this guard is for.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.async_fd
    }

    /// The inner value.
    pub fn get_inner(&self) -> &'a T {
        self.async_fd.get_ref()
    }
}

impl<T: AsFd> AsyncFdReadyMutGuard<'_, T> {
    /// Forgets the readiness seen (after an operation would block).
    pub fn clear_ready(&mut self) {
        if let Some(event) = self.event.take() {
            self.async_fd.registration.clear_readiness(event);
        }
    }

    /// Keeps the readiness (what dropping the guard does).
    pub fn retain_ready(&mut self) {
        self.event = None;
    }

    /// The readiness seen (empty once cleared or retained).
    pub fn ready(&self) -> Ready {
        self.event.map_or(Ready::EMPTY, |event| event.ready())
    }

    /// Runs the non-blocking operation `f` with `&mut` access. If it would block, the
    /// readiness is cleared and `Err(TryIoError)` says to wait again.
    ///
    /// # Errors
    /// [`TryIoError`] when `f` returned `WouldBlock`.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let result = f(self.async_fd);
        if is_would_block(&result) {
            self.clear_ready();
            return Err(TryIoError(()));
        }
        Ok(result)
    }

    /// The `AsyncFd` this guard is for.
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.async_fd
    }

    /// The `AsyncFd` this guard is for, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.async_fd
    }

    /// The inner value.
    pub fn get_inner(&self) -> &T {
        self.async_fd.get_ref()
    }

    /// The inner value, mutably.
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.async_fd.get_mut()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("async_fd", self.async_fd)
            .field("ready", &self.ready())
            .finish()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("async_fd", &*self.async_fd)
            .field("ready", &self.ready())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::task::Poll;

    use super::*;

    #[test]
    fn guard_try_io_clears_readiness_until_the_next_edge() {
        let rt = runtime_core::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (a, mut b) = UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            let mut a = AsyncFd::new(a).unwrap();
            let mut buf = [0u8; 8];

            b.write_all(b"one").unwrap();
            let mut guard = a.readable().await.unwrap();
            assert!(guard.ready().is_readable());
            let n = guard
                .try_io(|fd| fd.get_ref().read(&mut buf))
                .unwrap()
                .unwrap();
            assert_eq!(&buf[..n], b"one");
            // Drained: this attempt would block, which clears the readiness.
            assert!(guard.try_io(|fd| fd.get_ref().read(&mut buf)).is_err());
            assert!(guard.ready().is_empty());

            {
                let mut readable = std::pin::pin!(a.readable());
                let first =
                    std::future::poll_fn(|cx| Poll::Ready(readable.as_mut().poll(cx).is_pending()));
                assert!(first.await, "readiness was cleared, so the wait must sleep");

                b.write_all(b"two").unwrap();
                let mut guard = readable.await.unwrap();
                guard.retain_ready();
            }
            let mut guard = a.readable_mut().await.unwrap();
            let n = guard
                .try_io(|fd| fd.get_mut().read(&mut buf))
                .unwrap()
                .unwrap();
            assert_eq!(&buf[..n], b"two");

            let inner = a.into_inner();
            assert_eq!(
                (&inner).read(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
        });
    }
}
