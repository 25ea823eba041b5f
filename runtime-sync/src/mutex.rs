//! `Mutex`: an async mutual-exclusion lock whose guard can be held across `.await`.
//!
//! The lock is a `Semaphore` with one permit next to the data in an `UnsafeCell`. `lock` is
//! the semaphore's `acquire`, so waiters are served in FIFO order, the uncontended lock and
//! unlock are one compare-and-swap each, and a cancelled `lock` never wedges the mutex (a
//! waiter dropped after it was handed the lock passes it on). The guard forgets the permit and
//! gives it back when dropped.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use runtime_core::block_on_outside_runtime;
use runtime_core::loom::cell::UnsafeCell;

use crate::semaphore::{AcquireState, Semaphore};

/// `try_lock` (or `try_read`/`try_write`) found the lock held.
///
/// ```
/// use runtime::sync::Mutex;
///
/// let mutex = Mutex::new(1);
/// let _guard = mutex.try_lock().unwrap();
/// let error = mutex.try_lock().unwrap_err();
/// assert_eq!(error.to_string(), "operation would block");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

/// An async mutex: `lock().await` waits for the lock, the guard releases it when dropped.
///
/// Unlike `std::sync::Mutex`, the guard may be held across `.await` (it is `Send` when `T` is),
/// and waiting does not block the thread. Waiters get the lock in the order they asked for it.
/// There is no poisoning: a task that panics while holding the guard releases the lock.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Mutex;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let counter = Arc::new(Mutex::new(0));
///     let mut handles = Vec::new();
///     for _ in 0..10 {
///         let counter = counter.clone();
///         handles.push(runtime::spawn(async move {
///             let mut value = counter.lock().await;
///             runtime::task::yield_now().await; // the lock is held across the await
///             *value += 1;
///         }));
///     }
///     for handle in handles {
///         handle.await.unwrap();
///     }
///     assert_eq!(*counter.lock().await, 10);
/// }
/// ```
pub struct Mutex<T: ?Sized> {
    semaphore: Semaphore,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex owns a `T` and hands it out by `&mut` to one holder at a time; moving the
// mutex to another thread moves the `T`, so `T: Send` is what it needs.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: through `&Mutex<T>` a thread gets `&mut T` only while it holds the single permit
// (the semaphore orders the holders), so sharing the mutex is sending the `T` from holder to
// holder: `T: Send` suffices, `T: Sync` is not needed.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: a shared `&MutexGuard` gives `&T` to several threads at once, which needs `T: Sync`;
// the `T: Send` bound is the mutex's own.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}
// SAFETY: as for `MutexGuard`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}
// SAFETY: a `MappedMutexGuard` is a `&mut T` (into the locked data) plus a permit of a `Sync`
// semaphore: sending it sends the `&mut T`, which needs `T: Send`.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: sharing it shares `&T`, which needs `T: Sync`.
unsafe impl<T: ?Sized + Send + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Mutex::new(5);
    /// assert_eq!(mutex.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: Semaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// An unlocked mutex holding `value`, in a `const` context (for a `static`).
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// static LOG: Mutex<Vec<String>> = Mutex::const_new(Vec::new());
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     LOG.lock().await.push("started".to_owned());
    ///     assert_eq!(LOG.lock().await.len(), 1);
    /// }
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: Semaphore::const_new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, taking the mutex apart (no locking needed: nobody else can hold it).
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Mutex::new(String::from("data"));
    /// assert_eq!(mutex.into_inner(), "data");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future before it completes gives up its place in the queue;
    /// if the lock had already been handed to it, the lock passes on to the next waiter, so
    /// the mutex is never left locked by a cancelled `lock`.
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mutex = Mutex::new(1);
    ///     *mutex.lock().await += 1;
    ///     assert_eq!(*mutex.lock().await, 2);
    /// }
    /// ```
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            state: AcquireState::new(1),
        }
    }

    /// Takes the lock if it is free and nobody waits for it.
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(mutex.try_lock().is_err());
    /// drop(guard);
    /// assert!(mutex.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(MutexGuard { mutex: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock through an `Arc`, for a guard that is `'static` (it keeps the mutex
    /// alive).
    ///
    /// # Cancel safety
    /// As `lock`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Mutex;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mutex = Arc::new(Mutex::new(0));
    ///     let mut guard = mutex.clone().lock_owned().await;
    ///     runtime::spawn(async move { *guard = 7 }).await.unwrap();
    ///     assert_eq!(*mutex.lock().await, 7);
    /// }
    /// ```
    pub fn lock_owned(self: Arc<Self>) -> LockOwned<T> {
        LockOwned {
            mutex: Some(self),
            state: AcquireState::new(1),
        }
    }

    /// `try_lock` through an `Arc`, for a `'static` guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(mutex.clone().try_lock_owned().is_err());
    /// drop(guard);
    /// assert!(mutex.try_lock_owned().is_ok());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.semaphore.try_take(1) {
            Ok(()) => Ok(OwnedMutexGuard { mutex: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes the lock from synchronous code, parking the thread until it is free.
    ///
    /// Meant for threads outside the runtime and for `spawn_blocking` closures. It does not
    /// detect being called on a runtime thread: there it blocks that thread (and every task it
    /// would run), which deadlocks if the holder needs that thread to make progress; use
    /// `lock().await` in async code.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Mutex;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mutex = Arc::new(Mutex::new(1));
    ///     let guard = mutex.lock().await;
    ///     let blocking = {
    ///         let mutex = mutex.clone();
    ///         std::thread::spawn(move || *mutex.blocking_lock() += 1)
    ///     };
    ///     drop(guard);
    ///     blocking.join().unwrap();
    ///     assert_eq!(*mutex.lock().await, 2);
    /// }
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        block_on_outside_runtime("Mutex::blocking_lock", self.lock())
    }

    /// `blocking_lock` through an `Arc`, for a `'static` guard. Same caveats.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let mut guard = mutex.clone().blocking_lock_owned();
    /// std::thread::spawn(move || *guard += 1).join().unwrap();
    /// assert_eq!(*mutex.blocking_lock(), 2);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        block_on_outside_runtime("Mutex::blocking_lock_owned", self.lock_owned())
    }

    /// The data, by `&mut` (no locking needed: the borrow proves nobody else holds it).
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// let mut mutex = Mutex::new(1);
    /// *mutex.get_mut() = 2;
    /// assert_eq!(*mutex.try_lock().unwrap(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` is exclusive, so no guard (which borrows the mutex or holds its
        // `Arc`, and then `&mut Mutex` is unobtainable) can be alive.
        self.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    /// Shows the data if the lock is free (taken for the moment of formatting), `<locked>`
    /// otherwise; never waits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => out.field("data", &&*guard),
            Err(_) => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

/// The future of `Mutex::lock`.
///
/// Cancel-safe: dropping it never leaves the mutex locked (see `Mutex::lock`).
///
/// ```
/// use runtime::sync::Mutex;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mutex = Mutex::new(1);
///     let lock = mutex.lock(); // nothing happens until it is polled
///     assert_eq!(*lock.await, 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    state: AcquireState,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.get_mut();
        let acquired = ready!(this.state.poll(&this.mutex.semaphore, cx));
        acquired.expect("a Mutex's semaphore is never closed");
        Poll::Ready(MutexGuard { mutex: this.mutex })
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        self.state.cancel(&self.mutex.semaphore);
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// The future of `Mutex::lock_owned`.
///
/// Cancel-safe: dropping it never leaves the mutex locked (see `Mutex::lock`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Mutex;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mutex = Arc::new(Mutex::new(1));
///     let guard = runtime::spawn(mutex.clone().lock_owned()).await.unwrap();
///     assert_eq!(*guard, 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct LockOwned<T: ?Sized> {
    /// `None` once the guard was handed out.
    mutex: Option<Arc<Mutex<T>>>,
    state: AcquireState,
}

impl<T: ?Sized> Future for LockOwned<T> {
    type Output = OwnedMutexGuard<T>;

    /// # Panics
    /// If polled again after it completed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        let this = self.get_mut();
        let mutex = this
            .mutex
            .as_ref()
            .expect("LockOwned polled after completion");
        let acquired = ready!(this.state.poll(&mutex.semaphore, cx));
        acquired.expect("a Mutex's semaphore is never closed");
        let mutex = this.mutex.take().expect("checked above");
        Poll::Ready(OwnedMutexGuard { mutex })
    }
}

impl<T: ?Sized> Drop for LockOwned<T> {
    fn drop(&mut self) {
        if let Some(mutex) = &self.mutex {
            self.state.cancel(&mutex.semaphore);
        }
    }
}

impl<T: ?Sized> fmt::Debug for LockOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOwned")
            .field("queued", &self.state.is_queued())
            .finish_non_exhaustive()
    }
}

/// The lock held on a `Mutex`: derefs to the data, releases the lock when dropped.
///
/// ```
/// use runtime::sync::Mutex;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mutex = Mutex::new(vec![1]);
///     let mut guard = mutex.lock().await;
///     guard.push(2);
///     assert_eq!(*guard, [1, 2]);
/// }
/// ```
#[must_use = "the lock is released at once if the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(std::ptr::eq(runtime::sync::MutexGuard::mutex(&guard), &mutex));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.mutex
    }

    /// A guard on a part of the data (a field, an element), keeping the lock.
    ///
    /// ```
    /// use runtime::sync::{MutexGuard, Mutex};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mutex = Mutex::new((1, String::from("a")));
    ///     let mut name = MutexGuard::map(mutex.lock().await, |pair| &mut pair.1);
    ///     name.push('b');
    ///     drop(name);
    ///     assert_eq!(mutex.lock().await.1, "ab");
    /// }
    /// ```
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data: *mut U = f(&mut *this);
        let semaphore = &this.mutex.semaphore;
        // The permit moves to the mapped guard.
        std::mem::forget(this);
        MappedMutexGuard {
            semaphore,
            data,
            _marker: PhantomData,
        }
    }

    /// As `map`, when `f` may not find the part: `Err` gives the guard back.
    ///
    /// ```
    /// use runtime::sync::{MutexGuard, Mutex};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mutex = Mutex::new(vec![1, 2]);
    ///     let guard = mutex.lock().await;
    ///     let guard = MutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    ///     let mut first = MutexGuard::try_map(guard, |v| v.get_mut(0)).unwrap();
    ///     *first = 10;
    ///     drop(first);
    ///     assert_eq!(*mutex.lock().await, [10, 2]);
    /// }
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(mut this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let Some(data) = f(&mut *this).map(|data| data as *mut U) else {
            return Err(this);
        };
        let semaphore = &this.mutex.semaphore;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            semaphore,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T` exists elsewhere
        // while the returned borrow (tied to the guard) lives.
        self.mutex.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and is borrowed mutably, so the
        // returned borrow is the only one of the data while it lives.
        self.mutex.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.semaphore.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// The lock held on a `Mutex` through an `Arc` (so `'static`): derefs to the data, releases
/// the lock when dropped.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Mutex;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mutex = Arc::new(Mutex::new(0));
///     let mut guard = mutex.clone().lock_owned().await;
///     *guard += 1;
///     drop(guard);
///     assert_eq!(*mutex.lock().await, 1);
/// }
/// ```
#[must_use = "the lock is released at once if the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    mutex: Arc<Mutex<T>>,
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(guard.mutex(), &mutex));
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.mutex
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit (see `MutexGuard::deref`).
        self.mutex.data.with(|data| unsafe { &*data })
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and is borrowed mutably (see
        // `MutexGuard::deref_mut`).
        self.mutex.data.with_mut(|data| unsafe { &mut *data })
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.semaphore.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A `MutexGuard` narrowed by `MutexGuard::map` to a part of the data; it keeps the lock
/// until dropped.
///
/// ```
/// use runtime::sync::{MappedMutexGuard, MutexGuard, Mutex};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mutex = Mutex::new([1, 2, 3]);
///     let mut last: MappedMutexGuard<'_, i32> = MutexGuard::map(mutex.lock().await, |a| &mut a[2]);
///     *last = 30;
///     assert!(mutex.try_lock().is_err());
///     drop(last);
///     assert_eq!(*mutex.lock().await, [1, 2, 30]);
/// }
/// ```
#[must_use = "the lock is released at once if the guard is dropped"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    semaphore: &'a Semaphore,
    /// Points into the locked data (borrowed for `'a` from the mutex's cell).
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// ```
    /// use runtime::sync::{MappedMutexGuard, MutexGuard, Mutex};
    ///
    /// let mutex = Mutex::new(((1, 2), 3));
    /// let outer = MutexGuard::map(mutex.try_lock().unwrap(), |t| &mut t.0);
    /// let inner = MappedMutexGuard::map(outer, |pair| &mut pair.1);
    /// assert_eq!(*inner, 2);
    /// ```
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data: *mut U = f(&mut *this);
        let semaphore = this.semaphore;
        std::mem::forget(this);
        MappedMutexGuard {
            semaphore,
            data,
            _marker: PhantomData,
        }
    }

    /// As `map`, when `f` may not find the part: `Err` gives the guard back.
    ///
    /// ```
    /// use runtime::sync::{MappedMutexGuard, MutexGuard, Mutex};
    ///
    /// let mutex = Mutex::new((vec![1], 2));
    /// let items = MutexGuard::map(mutex.try_lock().unwrap(), |t| &mut t.0);
    /// let items = MappedMutexGuard::try_map(items, |v| v.get_mut(3)).unwrap_err();
    /// assert_eq!(*items, [1]);
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn try_map<U: ?Sized, F>(mut this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let Some(data) = f(&mut *this).map(|data| data as *mut U) else {
            return Err(this);
        };
        let semaphore = this.semaphore;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            semaphore,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `data` came from the `&mut` borrow of the locked data that the guard it was
        // mapped from handed out; that guard's permit now belongs to this guard, so the data is
        // still locked, and it outlives `'a`.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes the returned borrow the only one.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
