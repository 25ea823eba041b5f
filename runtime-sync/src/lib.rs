//! `runtime-sync`: async synchronization primitives for `runtime` (semaphores, queues, locks,
//! channels, timeouts), and the stream combinators (`stream`). They rely on wakers only, so
//! they work on any executor (the timeout combinators and the rate limiter need the runtime's
//! clock).
//!
//! Every primitive keeps its state behind `runtime_core`'s loom facade, so the loom models in
//! `loom-tests` check the real code. Waiters park in a `WaitList` (a slab owned by the
//! primitive, no allocation per wait); wakers are woken after the lock is released.

mod wait_list;

pub mod barrier;
pub mod cancellation_token;
pub mod event;
pub mod future;
pub mod mpsc;
pub mod mutex;
pub mod notify;
pub mod oneshot;
pub mod queue;
pub mod rate_limit;
pub mod retry;
pub mod rwlock;
pub mod semaphore;
pub mod stream;
pub mod timeout;

pub use barrier::{Barrier, BarrierWait, BarrierWaitResult};
pub use cancellation_token::{
    CancellationToken, DropGuard, DropGuardRef, RunUntilCancelledFuture,
    RunUntilCancelledFutureOwned, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};
pub use event::{Event, EventWait};
pub use mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify, OwnedNotified};
pub use queue::{LifoQueue, PriorityQueue, Queue};
pub use rate_limit::RateLimiter;
pub use retry::{retry, retry_if, Backoff};
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
pub use timeout::{error, timeout, timeout_at, FutureExt, Timeout};
