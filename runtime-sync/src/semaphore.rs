//! `Semaphore`: an async counting semaphore with strictly FIFO waiters, and its permits.
//!
//! The whole count lives in one atomic word: the available permits shifted left by two, a
//! `CLOSED` flag and a `WAITERS` flag. While `WAITERS` is set the permit field is zero: permits
//! that come back go to the queued waiters first. So the uncontended paths are one
//! compare-and-swap each (take `n` permits if there are `n` and the semaphore is open; give
//! permits back if nobody waits), and a newcomer can never overtake a queued waiter, not even
//! one collecting many permits for `acquire_many`.
//!
//! An acquirer that cannot be served takes the lock of the waiter list, takes whatever permits
//! are left (a partial grant, so a large `acquire_many` collects its permits in queue order),
//! sets `WAITERS` and queues. A release that sees `WAITERS` takes the lock and hands its
//! permits to the waiters front to back; a waiter that has all it asked for is taken off the
//! queue and woken, and once the queue is empty `WAITERS` is cleared and the leftovers go back
//! into the word. Every change of the word is a compare-and-swap loop, so a fast path racing
//! the lock holder sees the changed value and tries again.
//!
//! A waiter is never polled by the semaphore: its grant is recorded in the waiter list and its
//! task woken. A dropped `acquire` future takes its waiter out of the list and releases what it
//! had been granted through the same path, so cancellation never loses a permit.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use runtime_core::coop;
use runtime_core::loom::sync::atomic::{AtomicUsize, Ordering};
use runtime_core::loom::sync::Mutex;

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// Set once the semaphore is closed.
const CLOSED: usize = 1;
/// Set while the waiter list is not empty (the permit field is then zero).
const WAITERS: usize = 2;
/// The permit count starts above the flags.
const SHIFT: u32 = 2;
/// One permit in the state word.
const ONE: usize = 1 << SHIFT;

/// `acquire` failed because the semaphore is closed.
///
/// ```
/// use runtime::sync::Semaphore;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let semaphore = Semaphore::new(1);
///     semaphore.close();
///     let error = semaphore.acquire().await.unwrap_err();
///     assert_eq!(error.to_string(), "semaphore closed");
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(pub(crate) ());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why `try_acquire` (and friends) failed.
///
/// ```
/// use runtime::sync::{Semaphore, TryAcquireError};
///
/// let semaphore = Semaphore::new(1);
/// let _permit = semaphore.try_acquire().unwrap();
/// assert_eq!(semaphore.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// semaphore.close();
/// assert_eq!(semaphore.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// Not enough permits are available right now (or a waiter is queued ahead).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

/// An async counting semaphore: `acquire` waits for a permit, dropping the permit gives it
/// back.
///
/// Waiters are served in strict FIFO order: while one is queued (even one collecting several
/// permits for `acquire_many`), a newcomer's `acquire` queues behind it and its `try_acquire`
/// fails. Share it by reference, or in an `Arc` for the `*_owned` methods, whose permits are
/// `'static`.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Semaphore;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     // At most two downloads at a time.
///     let semaphore = Arc::new(Semaphore::new(2));
///     let mut handles = Vec::new();
///     for id in 0..5 {
///         let permit = semaphore.clone().acquire_owned().await.unwrap();
///         handles.push(runtime::spawn(async move {
///             let _permit = permit; // released when the task is done
///             id * 10
///         }));
///     }
///     for handle in handles {
///         handle.await.unwrap();
///     }
///     assert_eq!(semaphore.available_permits(), 2);
/// }
/// ```
pub struct Semaphore {
    /// Available permits `<< SHIFT`, plus `CLOSED` and `WAITERS`.
    state: AtomicUsize,
    waiters: Mutex<WaitList<Waiter>>,
}

/// A queued acquirer's account.
///
/// Queued: `needed > 0`. Served (taken off the queue and woken): `needed == 0`, `granted` is
/// all it asked for. Failed by `close` (taken off the queue): `needed > 0`, `granted == 0`
/// (what it had was returned to the count).
#[derive(Debug)]
struct Waiter {
    needed: usize,
    granted: usize,
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`.
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// If `permits` exceeds `Semaphore::MAX_PERMITS`.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(3);
    /// assert_eq!(semaphore.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        assert!(
            permits <= Semaphore::MAX_PERMITS,
            "a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        Semaphore {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A semaphore with `permits` permits, in a `const` context (for a `static`).
    ///
    /// # Panics
    /// If `permits` exceeds `Semaphore::MAX_PERMITS` (at compile time in a `const`).
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(10);
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let _permit = CONNECTIONS.acquire().await.unwrap();
    ///     assert_eq!(CONNECTIONS.available_permits(), 9);
    /// }
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(permits: usize) -> Semaphore {
        assert!(
            permits <= Semaphore::MAX_PERMITS,
            "a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        Semaphore {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// How many permits are available right now (zero while a waiter is queued).
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(3);
    /// let _permit = semaphore.try_acquire_many(2).unwrap();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// Whether `close` was called.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(1);
    /// assert!(!semaphore.is_closed());
    /// semaphore.close();
    /// assert!(semaphore.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Adds `n` permits; queued waiters are served first, in order.
    ///
    /// # Panics
    /// If the available count would exceed `Semaphore::MAX_PERMITS`.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(0);
    /// semaphore.add_permits(2);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        assert!(
            n <= Semaphore::MAX_PERMITS,
            "a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        self.release(n);
    }

    /// Removes up to `n` of the available permits for good; returns how many it removed.
    /// Permits held by others, or granted to queued waiters, are not touched.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(5);
    /// assert_eq!(semaphore.forget_permits(3), 3);
    /// assert_eq!(semaphore.forget_permits(3), 2);
    /// assert_eq!(semaphore.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            let taken = n.min(current >> SHIFT);
            if taken == 0 {
                return 0;
            }
            let new = current - (taken << SHIFT);
            match self.state.compare_exchange_weak(
                current,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return taken,
                Err(actual) => current = actual,
            }
        }
    }

    /// Closes the semaphore: queued and later `acquire`s fail with `AcquireError`, `try_acquire`
    /// with `TryAcquireError::Closed`. Permits already held stay valid and can still be
    /// released (or added); what queued waiters had collected goes back to the count.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let semaphore = Semaphore::new(1);
    ///     let permit = semaphore.acquire().await.unwrap();
    ///     semaphore.close();
    ///     assert!(semaphore.acquire().await.is_err());
    ///     drop(permit);
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// }
    /// ```
    pub fn close(&self) {
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        let mut returned = 0;
        while let Some(id) = waiters.pop_front() {
            returned += std::mem::take(&mut waiters.data_mut(id).granted);
            wakers.push(waiters.take_waker(id));
        }
        self.update(|current| add_count((current & !WAITERS) | CLOSED, returned));
    }

    /// Waits for a permit.
    ///
    /// Errors with `AcquireError` if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// Cancel-safe in that no permit is ever lost: dropping the future before it completes
    /// gives back whatever it had been granted (to the next waiter), even if it had already
    /// been woken with its permit. It does lose its place in the queue.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let semaphore = Semaphore::new(1);
    ///     let permit = semaphore.acquire().await.unwrap();
    ///     assert_eq!(semaphore.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// }
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            state: AcquireState::new(1),
        }
    }

    /// Waits for `n` permits at once, keeping its place in the queue while it collects them;
    /// `n == 0` is ready at once (`Ok`, or `Err` if the semaphore is closed).
    ///
    /// Errors with `AcquireError` if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// As `acquire`: the permits it had collected are handed on, none is lost; its place in the
    /// queue is.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let semaphore = Semaphore::new(5);
    ///     let permits = semaphore.acquire_many(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     assert_eq!(semaphore.available_permits(), 2);
    /// }
    /// ```
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            state: AcquireState::new(n),
        }
    }

    /// Takes a permit if one is available and no waiter is queued.
    ///
    /// ```
    /// use runtime::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.try_acquire().unwrap();
    /// assert_eq!(semaphore.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// drop(permit);
    /// assert!(semaphore.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available and no waiter is queued.
    ///
    /// ```
    /// use runtime::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(2);
    /// assert_eq!(semaphore.try_acquire_many(3).unwrap_err(), TryAcquireError::NoPermits);
    /// let permits = semaphore.try_acquire_many(2).unwrap();
    /// assert_eq!(permits.num_permits(), 2);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Waits for a permit that owns a reference to the semaphore (so it is `'static`).
    ///
    /// Errors with `AcquireError` if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// As `acquire`: no permit is lost, the place in the queue is.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let semaphore = Arc::new(Semaphore::new(1));
    ///     let permit = semaphore.clone().acquire_owned().await.unwrap();
    ///     runtime::spawn(async move { drop(permit) }).await.unwrap();
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// }
    /// ```
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        AcquireOwned {
            semaphore: Some(self),
            state: AcquireState::new(1),
        }
    }

    /// Waits for `n` permits that own a reference to the semaphore; `n == 0` is ready at once.
    ///
    /// Errors with `AcquireError` if the semaphore is (or gets) closed.
    ///
    /// # Cancel safety
    /// As `acquire_many`: no permit is lost, the place in the queue is.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let semaphore = Arc::new(Semaphore::new(4));
    ///     let permits = semaphore.clone().acquire_many_owned(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// }
    /// ```
    pub fn acquire_many_owned(self: Arc<Self>, n: u32) -> AcquireOwned {
        AcquireOwned {
            semaphore: Some(self),
            state: AcquireState::new(n),
        }
    }

    /// `try_acquire` for a permit that owns a reference to the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(1));
    /// let permit = semaphore.clone().try_acquire_owned().unwrap();
    /// assert!(semaphore.clone().try_acquire_owned().is_err());
    /// drop(permit);
    /// assert!(semaphore.try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// `try_acquire_many` for permits that own a reference to the semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(3));
    /// let permits = semaphore.clone().try_acquire_many_owned(2).unwrap();
    /// assert_eq!(permits.num_permits(), 2);
    /// assert!(semaphore.try_acquire_many_owned(2).is_err());
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// The uncontended acquire: one compare-and-swap taking `n` permits if the semaphore is
    /// open and has them (never while a waiter is queued: the permit field is zero then).
    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if n == 0 {
                return Ok(());
            }
            if current >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            let new = current - (n << SHIFT);
            match self.state.compare_exchange_weak(
                current,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

    /// Gives `n` permits back: one compare-and-swap when nobody waits, else the waiters are
    /// served under the lock.
    #[track_caller]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut current = self.state.load(Ordering::Acquire);
        while current & WAITERS == 0 {
            let new = add_count(current, n);
            match self.state.compare_exchange_weak(
                current,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        self.release_locked(n, &mut waiters, &mut wakers);
    }

    /// Hands `n` permits to the queued waiters front to back; once the queue is empty, clears
    /// `WAITERS` and puts the rest back in the count. Also called with `n == 0` after a waiter
    /// left, to clear `WAITERS` if it was the last one.
    #[track_caller]
    fn release_locked(&self, mut n: usize, waiters: &mut WaitList<Waiter>, wakers: &mut WakeBatch) {
        while n > 0 {
            let Some(id) = waiters.front() else { break };
            let waiter = waiters.data_mut(id);
            let given = n.min(waiter.needed);
            waiter.needed -= given;
            waiter.granted += given;
            n -= given;
            if waiter.needed == 0 {
                waiters.unlink(id);
                wakers.push(waiters.take_waker(id));
            }
        }
        if !waiters.is_empty() {
            debug_assert_eq!(n, 0, "a queued waiter still needed the permits");
            return;
        }
        if n == 0 && self.state.load(Ordering::Acquire) & WAITERS == 0 {
            return;
        }
        self.update(|current| add_count(current & !WAITERS, n));
    }

    /// Applies `f` to the state word with a compare-and-swap loop.
    fn update(&self, f: impl Fn(usize) -> usize) {
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            match self.state.compare_exchange_weak(
                current,
                f(current),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// The slow path of an acquire whose fast path failed: under the lock, takes what is
    /// there and queues for the rest. Returns the outcome if it did not need to queue.
    fn enqueue(&self, n: usize, cx: &Context<'_>) -> Result<Result<(), AcquireError>, WaiterId> {
        let mut waiters = self.waiters.lock();
        let mut current = self.state.load(Ordering::Acquire);
        let granted = loop {
            if current & CLOSED != 0 {
                return Ok(Err(AcquireError(())));
            }
            let available = current >> SHIFT;
            // `available > 0` implies `WAITERS` is clear, and no one else can queue while we
            // hold the lock: permits released since the fast path may serve us whole.
            let (new, granted) = if available >= n {
                (current - (n << SHIFT), n)
            } else {
                (WAITERS, available)
            };
            match self.state.compare_exchange_weak(
                current,
                new,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) if granted == n => return Ok(Ok(())),
                Ok(_) => break granted,
                Err(actual) => current = actual,
            }
        };
        Err(waiters.push_back(
            Waiter {
                needed: n - granted,
                granted,
            },
            cx.waker(),
        ))
    }

    /// A queued acquirer's poll: the outcome once it was taken off the queue.
    fn poll_waiter(&self, id: WaiterId, cx: &Context<'_>) -> Poll<Result<(), AcquireError>> {
        let mut waiters = self.waiters.lock();
        if waiters.is_linked(id) {
            waiters.set_waker(id, cx.waker());
            return Poll::Pending;
        }
        let waiter = waiters.remove(id);
        if waiter.needed == 0 {
            Poll::Ready(Ok(()))
        } else {
            debug_assert_eq!(waiter.granted, 0, "a failed waiter's permits were returned");
            Poll::Ready(Err(AcquireError(())))
        }
    }

    /// A dropped acquirer: leaves the queue and hands on whatever it had been granted.
    fn cancel(&self, id: WaiterId) {
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        let waiter = waiters.remove(id);
        self.release_locked(waiter.granted, &mut waiters, &mut wakers);
    }
}

/// Adds `n` permits to a state word.
///
/// # Panics
/// If the count would exceed `Semaphore::MAX_PERMITS`.
#[track_caller]
fn add_count(state: usize, n: usize) -> usize {
    let count = (state >> SHIFT)
        .checked_add(n)
        .filter(|&count| count <= Semaphore::MAX_PERMITS)
        .expect("a semaphore holds at most Semaphore::MAX_PERMITS permits");
    (count << SHIFT) | (state & (ONE - 1))
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Ordering::Acquire);
        f.debug_struct("Semaphore")
            .field("permits", &(state >> SHIFT))
            .field("waiters", &(state & WAITERS != 0))
            .field("closed", &(state & CLOSED != 0))
            .finish()
    }
}

/// Where an acquire future stands: not queued yet (`waiter: None`) or queued.
#[derive(Debug)]
pub(crate) struct AcquireState {
    permits: u32,
    waiter: Option<WaiterId>,
}

impl AcquireState {
    pub(crate) const fn new(permits: u32) -> AcquireState {
        AcquireState {
            permits,
            waiter: None,
        }
    }

    /// Tries to take the permits (first poll), or looks whether the queued waiter was served.
    /// Spends a unit of the task's cooperative budget.
    pub(crate) fn poll(
        &mut self,
        semaphore: &Semaphore,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let coop = ready!(coop::poll_proceed(cx));
        let outcome = match self.waiter {
            Some(id) => {
                let outcome = ready!(semaphore.poll_waiter(id, cx));
                self.waiter = None;
                outcome
            }
            None => match semaphore.try_take(self.permits as usize) {
                Ok(()) => Ok(()),
                Err(TryAcquireError::Closed) => Err(AcquireError(())),
                Err(TryAcquireError::NoPermits) => {
                    match semaphore.enqueue(self.permits as usize, cx) {
                        Ok(outcome) => outcome,
                        Err(id) => {
                            self.waiter = Some(id);
                            return Poll::Pending;
                        }
                    }
                }
            },
        };
        coop.made_progress();
        Poll::Ready(outcome)
    }

    /// The future is dropped: if it is queued (or served but not yet polled), leave and hand
    /// on what it had.
    pub(crate) fn cancel(&mut self, semaphore: &Semaphore) {
        if let Some(id) = self.waiter.take() {
            semaphore.cancel(id);
        }
    }

    pub(crate) fn permits(&self) -> u32 {
        self.permits
    }

    pub(crate) fn is_queued(&self) -> bool {
        self.waiter.is_some()
    }
}

/// The future of `Semaphore::acquire` and `Semaphore::acquire_many`.
///
/// Cancel-safe in that no permit is lost when it is dropped (it loses its place in the queue).
///
/// ```
/// use runtime::sync::Semaphore;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let semaphore = Semaphore::new(1);
///     let acquire = semaphore.acquire(); // nothing happens until it is polled
///     let permit = acquire.await.unwrap();
///     assert_eq!(permit.num_permits(), 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    state: AcquireState,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        ready!(this.state.poll(this.semaphore, cx))?;
        Poll::Ready(Ok(SemaphorePermit {
            semaphore: this.semaphore,
            permits: this.state.permits(),
        }))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.state.cancel(self.semaphore);
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("semaphore", self.semaphore)
            .field("permits", &self.state.permits())
            .field("queued", &self.state.is_queued())
            .finish()
    }
}

/// The future of `Semaphore::acquire_owned` and `Semaphore::acquire_many_owned`.
///
/// Cancel-safe in that no permit is lost when it is dropped (it loses its place in the queue).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Semaphore;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let semaphore = Arc::new(Semaphore::new(1));
///     let acquire = semaphore.clone().acquire_owned();
///     let permit = runtime::spawn(acquire).await.unwrap().unwrap();
///     assert_eq!(permit.num_permits(), 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct AcquireOwned {
    /// `None` once the permit was handed out.
    semaphore: Option<Arc<Semaphore>>,
    state: AcquireState,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    /// # Panics
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let semaphore = this
            .semaphore
            .as_ref()
            .expect("AcquireOwned polled after completion");
        let outcome = ready!(this.state.poll(semaphore, cx));
        let semaphore = this.semaphore.take().expect("checked above");
        outcome?;
        Poll::Ready(Ok(OwnedSemaphorePermit {
            semaphore,
            permits: this.state.permits(),
        }))
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        if let Some(semaphore) = &self.semaphore {
            self.state.cancel(semaphore);
        }
    }
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("semaphore", &self.semaphore)
            .field("permits", &self.state.permits())
            .field("queued", &self.state.is_queued())
            .finish()
    }
}

/// Permits borrowed from a `Semaphore`, given back when dropped.
///
/// ```
/// use runtime::sync::Semaphore;
///
/// let semaphore = Semaphore::new(3);
/// let mut permits = semaphore.try_acquire_many(3).unwrap();
/// let one = permits.split(1).unwrap();
/// assert_eq!((permits.num_permits(), one.num_permits()), (2, 1));
/// drop(one);
/// assert_eq!(semaphore.available_permits(), 1);
/// ```
#[must_use = "the permits are given back at once if the permit is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

impl<'a> SemaphorePermit<'a> {
    /// Keeps the permits out of the semaphore for good (they are not given back).
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(2);
    /// semaphore.try_acquire().unwrap().forget();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(4);
    /// assert_eq!(semaphore.try_acquire_many(3).unwrap().num_permits(), 3);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Takes over `other`'s permits.
    ///
    /// # Panics
    /// If `other` comes from another semaphore, or the sum exceeds `u32::MAX`.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(3);
    /// let mut permit = semaphore.try_acquire().unwrap();
    /// permit.merge(semaphore.try_acquire_many(2).unwrap());
    /// assert_eq!(permit.num_permits(), 3);
    /// ```
    #[track_caller]
    pub fn merge(&mut self, mut other: SemaphorePermit<'a>) {
        assert!(
            std::ptr::eq(self.semaphore, other.semaphore),
            "merging permits from different semaphores"
        );
        self.permits = self
            .permits
            .checked_add(std::mem::take(&mut other.permits))
            .expect("more than u32::MAX permits in one SemaphorePermit");
    }

    /// Splits `n` permits off into a new permit; `None` if this holds fewer than `n`.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(3);
    /// let mut permits = semaphore.try_acquire_many(3).unwrap();
    /// assert!(permits.split(4).is_none());
    /// let two = permits.split(2).unwrap();
    /// assert_eq!((permits.num_permits(), two.num_permits()), (1, 2));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<SemaphorePermit<'a>> {
        let n = u32::try_from(n).ok().filter(|&n| n <= self.permits)?;
        self.permits -= n;
        Some(SemaphorePermit {
            semaphore: self.semaphore,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("semaphore", self.semaphore)
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits of a `Semaphore` held through an `Arc` (so `'static`), given back when dropped.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Semaphore;
///
/// let semaphore = Arc::new(Semaphore::new(2));
/// let mut permits = semaphore.clone().try_acquire_many_owned(2).unwrap();
/// let one = permits.split(1).unwrap();
/// std::thread::spawn(move || drop(one)).join().unwrap();
/// assert_eq!(semaphore.available_permits(), 1);
/// ```
#[must_use = "the permits are given back at once if the permit is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good (they are not given back).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(2));
    /// semaphore.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(4));
    /// assert_eq!(semaphore.try_acquire_many_owned(3).unwrap().num_permits(), 3);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Takes over `other`'s permits.
    ///
    /// # Panics
    /// If `other` comes from another semaphore, or the sum exceeds `u32::MAX`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(3));
    /// let mut permit = semaphore.clone().try_acquire_owned().unwrap();
    /// permit.merge(semaphore.clone().try_acquire_many_owned(2).unwrap());
    /// assert_eq!(permit.num_permits(), 3);
    /// ```
    #[track_caller]
    pub fn merge(&mut self, mut other: OwnedSemaphorePermit) {
        assert!(
            Arc::ptr_eq(&self.semaphore, &other.semaphore),
            "merging permits from different semaphores"
        );
        self.permits = self
            .permits
            .checked_add(std::mem::take(&mut other.permits))
            .expect("more than u32::MAX permits in one OwnedSemaphorePermit");
    }

    /// Splits `n` permits off into a new permit; `None` if this holds fewer than `n`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(3));
    /// let mut permits = semaphore.try_acquire_many_owned(3).unwrap();
    /// let two = permits.split(2).unwrap();
    /// assert_eq!((permits.num_permits(), two.num_permits()), (1, 2));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<OwnedSemaphorePermit> {
        let n = u32::try_from(n).ok().filter(|&n| n <= self.permits)?;
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            semaphore: self.semaphore.clone(),
            permits: n,
        })
    }

    /// The semaphore the permits belong to.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Semaphore;
    ///
    /// let semaphore = Arc::new(Semaphore::new(1));
    /// let permit = semaphore.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &semaphore));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.release(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("semaphore", &self.semaphore)
            .field("permits", &self.permits)
            .finish()
    }
}
