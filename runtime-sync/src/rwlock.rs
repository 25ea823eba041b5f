//! `RwLock`: an async reader-writer lock, fair between readers and writers.
//!
//! The lock is a `Semaphore` holding `max_readers` permits next to the data in an
//! `UnsafeCell`: a reader takes one permit, a writer takes all of them with `acquire_many`.
//! The semaphore serves waiters in strict FIFO order and a writer collects its permits in
//! place, so a waiting writer holds back readers that come after it (writers are not starved)
//! and the readers queued after a writer get in together once it is done. Guards forget their
//! permits and give them back when dropped; `downgrade` gives back all but one.

use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use runtime_core::block_on_outside_runtime;
use runtime_core::loom::cell::UnsafeCell;

use crate::mutex::TryLockError;
use crate::semaphore::{AcquireState, Semaphore};

/// The most readers a lock admits at once (the default of `RwLock::new`).
const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock: many readers or one writer at a time.
///
/// Fair: readers and writers get in in the order they asked, so a waiting writer is not
/// starved by a stream of readers (a reader arriving after a queued writer waits for it).
/// Guards may be held across `.await`. There is no poisoning.
///
/// ```
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = RwLock::new(5);
///     {
///         let first = lock.read().await;
///         let second = lock.read().await; // readers share the lock
///         assert_eq!(*first + *second, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// }
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    semaphore: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: the lock owns a `T`; moving it to another thread moves the `T`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: through `&RwLock<T>` threads get `&T` together (readers: `T: Sync`) or `&mut T` one
// at a time (writers, ordered by the semaphore: `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: a read guard only ever hands out `&T` (it gives no access to the lock itself), and
// releasing its permit works from any thread: sending or sharing it shares `&T`, so `T: Sync`.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`, admitting up to `u32::MAX >> 3` readers at once.
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// assert_eq!(*lock.try_read().unwrap(), 1);
    /// ```
    pub fn new(value: T) -> RwLock<T> {
        RwLock::with_max_readers(value, MAX_READS)
    }

    /// An unlocked lock holding `value`, admitting up to `max_readers` readers at once (a
    /// writer waits for all of them).
    ///
    /// # Panics
    /// If `max_readers` is 0 or exceeds `u32::MAX >> 3`.
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::with_max_readers(0, 2);
    /// let _a = lock.try_read().unwrap();
    /// let _b = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
        assert!(
            max_readers > 0 && max_readers <= MAX_READS,
            "an RwLock admits from 1 to u32::MAX >> 3 readers"
        );
        RwLock {
            max_readers,
            semaphore: Semaphore::new(max_readers as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// `new` in a `const` context (for a `static`).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// static CONFIG: RwLock<u32> = RwLock::const_new(8);
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     assert_eq!(*CONFIG.read().await, 8);
    /// }
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> RwLock<T> {
        RwLock::const_with_max_readers(value, MAX_READS)
    }

    /// `with_max_readers` in a `const` context.
    ///
    /// # Panics
    /// If `max_readers` is 0 or exceeds `u32::MAX >> 3` (at compile time in a `const`).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// static SLOTS: RwLock<()> = RwLock::const_with_max_readers((), 4);
    /// let _reader = SLOTS.try_read().unwrap();
    /// ```
    #[cfg(not(loom))]
    pub const fn const_with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
        assert!(
            max_readers > 0 && max_readers <= MAX_READS,
            "an RwLock admits from 1 to u32::MAX >> 3 readers"
        );
        RwLock {
            max_readers,
            semaphore: Semaphore::const_new(max_readers as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, taking the lock apart (nobody else can hold it).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// assert_eq!(RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access: behind any writer that holds the lock or asked for it
    /// earlier, alongside other readers.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future gives up its place in the queue, and if the access had
    /// already been granted it is handed on, so a cancelled `read` never holds the lock.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = Arc::new(RwLock::new(1));
    ///     let reader = lock.read().await;
    ///     let other = lock.clone();
    ///     let value = runtime::spawn(async move { *other.read().await }).await.unwrap();
    ///     assert_eq!((*reader, value), (1, 1));
    /// }
    /// ```
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            state: AcquireState::new(1),
        }
    }

    /// Waits for exclusive write access, in order with the other readers and writers.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future gives up its place in the queue and hands on whatever
    /// share of the lock it had collected (a writer collects the readers' permits one by one
    /// as they leave), so a cancelled `write` never holds the lock or blocks the readers behind
    /// it.
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = RwLock::new(vec![1]);
    ///     lock.write().await.push(2);
    ///     assert_eq!(*lock.read().await, [1, 2]);
    /// }
    /// ```
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            state: AcquireState::new(self.max_readers),
        }
    }

    /// Takes read access if no writer holds the lock or waits for it.
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_ok());
    /// assert!(lock.try_write().is_err());
    /// drop(reader);
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(RwLockReadGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes write access if nobody holds the lock or waits for it.
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let mut writer = lock.try_write().unwrap();
    /// *writer = 2;
    /// assert!(lock.try_read().is_err());
    /// drop(writer);
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match self.semaphore.try_take(self.max_readers as usize) {
            Ok(()) => Ok(RwLockWriteGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// `read` through an `Arc`, for a `'static` guard.
    ///
    /// # Cancel safety
    /// As `read`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = Arc::new(RwLock::new(1));
    ///     let reader = lock.clone().read_owned().await;
    ///     let value = runtime::spawn(async move { *reader }).await.unwrap();
    ///     assert_eq!(value, 1);
    /// }
    /// ```
    pub fn read_owned(self: Arc<Self>) -> ReadOwned<T> {
        ReadOwned {
            lock: Some(self),
            state: AcquireState::new(1),
        }
    }

    /// `write` through an `Arc`, for a `'static` guard.
    ///
    /// # Cancel safety
    /// As `write`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = Arc::new(RwLock::new(1));
    ///     let mut writer = lock.clone().write_owned().await;
    ///     runtime::spawn(async move { *writer = 2 }).await.unwrap();
    ///     assert_eq!(*lock.read().await, 2);
    /// }
    /// ```
    pub fn write_owned(self: Arc<Self>) -> WriteOwned<T> {
        let permits = self.max_readers;
        WriteOwned {
            lock: Some(self),
            state: AcquireState::new(permits),
        }
    }

    /// `try_read` through an `Arc`, for a `'static` guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let reader = lock.clone().try_read_owned().unwrap();
    /// assert_eq!(*reader, 1);
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(OwnedRwLockReadGuard {
                inner: OwnedPermits {
                    lock: self,
                    permits: 1,
                },
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// `try_write` through an `Arc`, for a `'static` guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let writer = lock.clone().try_write_owned().unwrap();
    /// assert!(lock.clone().try_read_owned().is_err());
    /// drop(writer);
    /// assert!(lock.try_read_owned().is_ok());
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        let permits = self.max_readers;
        match self.semaphore.try_take(permits as usize) {
            Ok(()) => Ok(OwnedRwLockWriteGuard {
                inner: OwnedPermits {
                    lock: self,
                    permits,
                },
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes read access from synchronous code, parking the thread until it is granted.
    ///
    /// Meant for threads outside the runtime and `spawn_blocking` closures; it does not detect
    /// a runtime thread, where it would block every task of that thread (see
    /// `Mutex::blocking_lock`).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let other = lock.clone();
    /// let value = std::thread::spawn(move || *other.blocking_read()).join().unwrap();
    /// assert_eq!(value, 1);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        block_on_outside_runtime("RwLock::blocking_read", self.read())
    }

    /// Takes write access from synchronous code, parking the thread until it is granted. Same
    /// caveats as `blocking_read`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let other = lock.clone();
    /// std::thread::spawn(move || *other.blocking_write() += 1).join().unwrap();
    /// assert_eq!(*lock.blocking_read(), 2);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        block_on_outside_runtime("RwLock::blocking_write", self.write())
    }

    /// The data, by `&mut` (no locking needed: the borrow proves nobody else holds it).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let mut lock = RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` is exclusive, so no guard (which borrows the lock or holds its
        // `Arc`) can be alive.
        self.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    /// Shows the data if read access is free (taken for the moment of formatting),
    /// `<locked>` otherwise; never waits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => out.field("data", &&*guard),
            Err(_) => out.field("data", &format_args!("<locked>")),
        };
        out.field("max_readers", &self.max_readers).finish()
    }
}

/// Shared by the futures: polls the lock's semaphore for `state`'s permits.
fn poll_lock<T: ?Sized>(
    lock: &RwLock<T>,
    state: &mut AcquireState,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let acquired = ready!(state.poll(&lock.semaphore, cx));
    acquired.expect("an RwLock's semaphore is never closed");
    Poll::Ready(())
}

/// The future of `RwLock::read`.
///
/// Cancel-safe: dropping it never leaves the lock held (see `RwLock::read`).
///
/// ```
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = RwLock::new(1);
///     let read = lock.read(); // nothing happens until it is polled
///     assert_eq!(*read.await, 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Read<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    state: AcquireState,
}

impl<'a, T: ?Sized> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockReadGuard<'a, T>> {
        let this = self.get_mut();
        ready!(poll_lock(this.lock, &mut this.state, cx));
        Poll::Ready(RwLockReadGuard { lock: this.lock })
    }
}

impl<T: ?Sized> Drop for Read<'_, T> {
    fn drop(&mut self) {
        self.state.cancel(&self.lock.semaphore);
    }
}

impl<T: ?Sized> fmt::Debug for Read<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of `RwLock::write`.
///
/// Cancel-safe: dropping it never leaves the lock held (see `RwLock::write`).
///
/// ```
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = RwLock::new(1);
///     let write = lock.write(); // nothing happens until it is polled
///     *write.await = 2;
///     assert_eq!(*lock.read().await, 2);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Write<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    state: AcquireState,
}

impl<'a, T: ?Sized> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockWriteGuard<'a, T>> {
        let this = self.get_mut();
        ready!(poll_lock(this.lock, &mut this.state, cx));
        Poll::Ready(RwLockWriteGuard { lock: this.lock })
    }
}

impl<T: ?Sized> Drop for Write<'_, T> {
    fn drop(&mut self) {
        self.state.cancel(&self.lock.semaphore);
    }
}

impl<T: ?Sized> fmt::Debug for Write<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of `RwLock::read_owned`.
///
/// Cancel-safe: dropping it never leaves the lock held (see `RwLock::read`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = Arc::new(RwLock::new(1));
///     let reader = runtime::spawn(lock.clone().read_owned()).await.unwrap();
///     assert_eq!(*reader, 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadOwned<T: ?Sized> {
    /// `None` once the guard was handed out.
    lock: Option<Arc<RwLock<T>>>,
    state: AcquireState,
}

impl<T: ?Sized> Future for ReadOwned<T> {
    type Output = OwnedRwLockReadGuard<T>;

    /// # Panics
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedRwLockReadGuard<T>> {
        let this = self.get_mut();
        let lock = this
            .lock
            .as_ref()
            .expect("ReadOwned polled after completion");
        ready!(poll_lock(lock, &mut this.state, cx));
        let lock = this.lock.take().expect("checked above");
        Poll::Ready(OwnedRwLockReadGuard {
            inner: OwnedPermits { lock, permits: 1 },
        })
    }
}

impl<T: ?Sized> Drop for ReadOwned<T> {
    fn drop(&mut self) {
        if let Some(lock) = &self.lock {
            self.state.cancel(&lock.semaphore);
        }
    }
}

impl<T: ?Sized> fmt::Debug for ReadOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOwned")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of `RwLock::write_owned`.
///
/// Cancel-safe: dropping it never leaves the lock held (see `RwLock::write`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = Arc::new(RwLock::new(1));
///     let mut writer = runtime::spawn(lock.clone().write_owned()).await.unwrap();
///     *writer = 2;
///     assert_eq!(*writer, 2);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteOwned<T: ?Sized> {
    /// `None` once the guard was handed out.
    lock: Option<Arc<RwLock<T>>>,
    state: AcquireState,
}

impl<T: ?Sized> Future for WriteOwned<T> {
    type Output = OwnedRwLockWriteGuard<T>;

    /// # Panics
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedRwLockWriteGuard<T>> {
        let this = self.get_mut();
        let lock = this
            .lock
            .as_ref()
            .expect("WriteOwned polled after completion");
        ready!(poll_lock(lock, &mut this.state, cx));
        let lock = this.lock.take().expect("checked above");
        let permits = this.state.permits();
        Poll::Ready(OwnedRwLockWriteGuard {
            inner: OwnedPermits { lock, permits },
        })
    }
}

impl<T: ?Sized> Drop for WriteOwned<T> {
    fn drop(&mut self) {
        if let Some(lock) = &self.lock {
            self.state.cancel(&lock.semaphore);
        }
    }
}

impl<T: ?Sized> fmt::Debug for WriteOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteOwned")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// Shared read access to an `RwLock`: derefs to the data, gives its share back when dropped.
///
/// ```
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = RwLock::new(String::from("text"));
///     let reader = lock.read().await;
///     assert_eq!(reader.len(), 4);
/// }
/// ```
#[must_use = "the access is given back at once if the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds one of the lock's permits; a writer needs all of them, so no
        // `&mut T` exists while the returned borrow (tied to the guard) lives.
        self.lock.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Exclusive write access to an `RwLock`: derefs (mutably) to the data, releases the lock when
/// dropped.
///
/// ```
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = RwLock::new(1);
///     let mut writer = lock.write().await;
///     *writer += 1;
///     assert!(lock.try_read().is_err());
///     drop(writer);
///     assert_eq!(*lock.read().await, 2);
/// }
/// ```
#[must_use = "the lock is released at once if the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in between: other
    /// readers (those queued first) may then read alongside.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = Arc::new(RwLock::new(1));
    ///     let mut writer = lock.write().await;
    ///     *writer = 2;
    ///     let reader = writer.downgrade();
    ///     assert_eq!(*lock.try_read().unwrap(), 2);
    ///     assert!(lock.try_write().is_err());
    ///     assert_eq!(*reader, 2);
    /// }
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        // The guard's permits are accounted for by hand from here on.
        std::mem::forget(self);
        lock.semaphore.release(lock.max_readers as usize - 1);
        RwLockReadGuard { lock }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds all of the lock's permits, so no other guard exists and no
        // `&mut T` is handed out while the returned borrow (tied to `&self`) lives.
        self.lock.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds all of the lock's permits and is borrowed mutably, so the
        // returned borrow is the only one of the data while it lives.
        self.lock.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(self.lock.max_readers as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Permits of a lock held through an `Arc`, given back when dropped (the part of the owned
/// guards that `downgrade` keeps).
struct OwnedPermits<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    permits: u32,
}

impl<T: ?Sized> Drop for OwnedPermits<T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(self.permits as usize);
    }
}

/// Shared read access to an `RwLock` held through an `Arc` (so `'static`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = Arc::new(RwLock::new(1));
///     let reader = lock.clone().read_owned().await;
///     std::thread::spawn(move || assert_eq!(*reader, 1)).join().unwrap();
///     assert!(lock.try_write().is_ok());
/// }
/// ```
#[must_use = "the access is given back at once if the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized> {
    inner: OwnedPermits<T>,
}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    /// The lock this guard reads.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::{OwnedRwLockReadGuard, RwLock};
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let reader = lock.clone().try_read_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&reader), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.inner.lock
    }
}

impl<T: ?Sized> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit (see `RwLockReadGuard::deref`).
        self.inner.lock.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Exclusive write access to an `RwLock` held through an `Arc` (so `'static`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::RwLock;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let lock = Arc::new(RwLock::new(1));
///     let mut writer = lock.clone().write_owned().await;
///     std::thread::spawn(move || *writer += 1).join().unwrap();
///     assert_eq!(*lock.read().await, 2);
/// }
/// ```
#[must_use = "the lock is released at once if the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    inner: OwnedPermits<T>,
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// Turns write access into read access without letting a writer in between.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::RwLock;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let lock = Arc::new(RwLock::new(1));
    ///     let reader = lock.clone().write_owned().await.downgrade();
    ///     assert!(lock.try_read().is_ok());
    ///     assert!(lock.try_write().is_err());
    ///     drop(reader);
    ///     assert!(lock.try_write().is_ok());
    /// }
    /// ```
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let mut inner = self.inner;
        let extra = inner.permits - 1;
        inner.permits = 1;
        inner.lock.semaphore.release(extra as usize);
        OwnedRwLockReadGuard { inner }
    }

    /// The lock this guard writes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::{OwnedRwLockWriteGuard, RwLock};
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let writer = lock.clone().try_write_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&writer), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.inner.lock
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds all of the lock's permits (see `RwLockWriteGuard::deref`).
        self.inner.lock.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds all of the lock's permits and is borrowed mutably (see
        // `RwLockWriteGuard::deref_mut`).
        self.inner.lock.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
