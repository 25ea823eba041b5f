//! asyncio's queues: [`Queue`] (first in, first out), [`LifoQueue`] (last in, first out) and
//! [`PriorityQueue`] (smallest first), for handing work between tasks.
//!
//! The three share one implementation and the same methods: `put`/`get` wait for room or for
//! an item, `try_put`/`try_get` never wait, `task_done`/`join` track how many items are still
//! being worked on, and `shutdown`/`shutdown_immediate` end the queue as asyncio 3.13 does.
//! A queue is shared by reference (put it in an `Arc` to share it between tasks) and has any
//! number of producers and consumers.
//!
//! # How it works
//!
//! One lock guards the items, the counters and three lists of parked waiters (getters,
//! putters, joiners). An uncontended `put` or `get` takes the lock once and allocates nothing
//! but the queue's own storage. Waiters are served strictly in arrival order:
//!
//! - When an item arrives while getters wait, it is stored and *reserved* for the first
//!   getter, which is woken and takes an item when it next runs. A newcomer cannot take a
//!   reserved item, so a woken getter is never robbed. A woken getter that is cancelled before
//!   it runs passes its reservation to the next waiting getter (or frees the item for any
//!   `get`): no item is lost.
//! - A full bounded queue parks putters (each future keeps its own item). When a `get` frees
//!   a slot, the slot is reserved for the first putter, which is woken and stores its item
//!   when it next runs; a newcomer `put` finds the queue full and waits behind it. A woken
//!   putter that is cancelled passes its slot on to the next waiting putter. So a `put`
//!   completes with `Ok` exactly when its item was enqueued: a cancelled `put` never
//!   enqueued it (as with asyncio's `put` and Tokio's `Sender::send`).
//!
//! Every method that needs the lock wakes the tasks it released after letting it go.
//!
//! # Examples
//!
//! A producer and two workers, asyncio's classic:
//!
//! ```
//! use std::sync::Arc;
//! use runtime::sync::Queue;
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() {
//!     let queue = Arc::new(Queue::bounded(4));
//!     let mut workers = Vec::new();
//!     for _ in 0..2 {
//!         let queue = queue.clone();
//!         workers.push(runtime::spawn(async move {
//!             let mut sum = 0;
//!             // `get` fails once the queue is shut down and empty.
//!             while let Ok(job) = queue.get().await {
//!                 sum += job;
//!                 queue.task_done().unwrap();
//!             }
//!             sum
//!         }));
//!     }
//!     for job in 1..=10 {
//!         queue.put(job).await.unwrap();
//!     }
//!     queue.join().await; // every job was taken and marked done
//!     queue.shutdown();
//!     let mut total = 0;
//!     for worker in workers {
//!         total += worker.await.unwrap();
//!     }
//!     assert_eq!(total, 55);
//! }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::wait_list::WaiterId;

mod error;
mod order;
mod shared;

pub use error::{ShutDown, TaskDoneError, TryGetError, TryPutError};

use order::Store;
use shared::Shared;

/// Defines one queue type: the wrapper struct, its constructors and its methods.
///
/// `$bound` bounds `T` for the constructors (`Ord` for the priority queue); `$first` and
/// `$second` are what two gets return after putting 1 then 2 (for a doc example).
macro_rules! queue_type {
    (
        $(#[$doc:meta])*
        $name:ident, $store:ident, [$($bound:tt)*], $first:literal, $second:literal
    ) => {
        $(#[$doc])*
        pub struct $name<T> {
            shared: Shared<T>,
        }

        impl<T> $name<T> {
            /// A queue that holds at most `capacity` items: `put` waits while it is full
            /// (asyncio's `maxsize`).
            ///
            /// # Panics
            /// If `capacity` is 0 (asyncio's `maxsize=0` means unbounded; use `unbounded`).
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::bounded(2);")]
            /// queue.try_put(1).unwrap();
            /// queue.try_put(2).unwrap();
            /// assert!(queue.is_full());
            /// assert!(queue.try_put(3).is_err());
            /// assert_eq!(queue.capacity(), Some(2));
            /// ```
            #[track_caller]
            pub fn bounded(capacity: usize) -> $name<T>
            where
                T: $($bound)*
            {
                assert!(
                    capacity > 0,
                    concat!(stringify!($name), "::bounded(0): the capacity must be at least 1")
                );
                $name {
                    shared: Shared::new(Store::$store(), Some(capacity)),
                }
            }

            /// A queue without a size limit: `put` never waits.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// for item in 0..1000 {
            ///     queue.try_put(item).unwrap();
            /// }
            /// assert_eq!(queue.len(), 1000);
            /// assert_eq!(queue.capacity(), None);
            /// ```
            pub fn unbounded() -> $name<T>
            where
                T: $($bound)*
            {
                $name {
                    shared: Shared::new(Store::$store(), None),
                }
            }

            /// Puts an item into the queue, waiting while it is full; fails with the item
            /// handed back once the queue is shut down (also if it is shut down while this
            /// waits). Waiting putters complete in the order they started waiting.
            ///
            /// # Cancel safety
            /// Cancel-safe in the sense that the item is enqueued exactly when the `put`
            /// returns `Ok`: a `put` dropped before it completed never enqueued its item,
            /// which is dropped with the future (keep a copy, or use `try_put`, which hands
            /// it back, to retry without losing it). A waiting `put` that was about to get a
            /// slot passes the slot on to the next waiting `put`, so its place is not lost
            /// for the others.
            ///
            /// ```
            /// use std::sync::Arc;
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            /// #[runtime::main(flavor = "current_thread")]
            /// async fn main() {
            #[doc = concat!("    let queue = Arc::new(", stringify!($name), "::bounded(1));")]
            ///     queue.put(1).await.unwrap();
            ///     // The queue is full: this put waits until the task below takes an item.
            ///     let consumer = runtime::spawn({
            ///         let queue = queue.clone();
            ///         async move { queue.get().await.unwrap() }
            ///     });
            ///     queue.put(2).await.unwrap();
            ///     assert_eq!(consumer.await.unwrap(), 1);
            ///     assert_eq!(queue.try_get(), Ok(2));
            /// }
            /// ```
            pub fn put(&self, item: T) -> Put<'_, T> {
                Put {
                    shared: &self.shared,
                    item: Some(item),
                    waiter: None,
                }
            }

            /// Takes an item, waiting until one is available; fails once the queue is shut
            /// down and has no item left for this call (at once after `shutdown_immediate`).
            /// Waiting getters are served in the order they started waiting.
            ///
            /// # Cancel safety
            /// Cancel-safe: no item is lost. A `get` woken with an item promised to it and
            /// dropped before it ran hands the item on to the next waiting getter, or leaves
            /// it in the queue for the next `get`.
            ///
            /// ```
            /// use std::sync::Arc;
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            /// #[runtime::main(flavor = "current_thread")]
            /// async fn main() {
            #[doc = concat!("    let queue = Arc::new(", stringify!($name), "::unbounded());")]
            ///     let producer = runtime::spawn({
            ///         let queue = queue.clone();
            ///         async move { queue.put("hello").await.unwrap() }
            ///     });
            ///     assert_eq!(queue.get().await, Ok("hello"));
            ///     producer.await.unwrap();
            /// }
            /// ```
            pub fn get(&self) -> Get<'_, T> {
                Get {
                    shared: &self.shared,
                    waiter: None,
                }
            }

            /// Puts an item without waiting (asyncio's `put_nowait`): fails with
            /// `TryPutError::Full` if the queue is full (see `is_full`: waiting putters go
            /// first), or `TryPutError::ShutDown`; both hand the item back.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::{queue::TryPutError, ", stringify!($name), "};")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::bounded(1);")]
            /// assert_eq!(queue.try_put('a'), Ok(()));
            /// assert_eq!(queue.try_put('b'), Err(TryPutError::Full('b')));
            /// ```
            pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
                self.shared.try_put(item)
            }

            /// Takes an item without waiting (asyncio's `get_nowait`): fails with
            /// `TryGetError::Empty` if no item is available (items promised to getters that
            /// were already woken are not available), or `TryGetError::ShutDown` once the
            /// queue is shut down and none is left.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::{queue::TryGetError, ", stringify!($name), "};")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// assert_eq!(queue.try_get(), Err(TryGetError::Empty));
            /// queue.try_put(1).unwrap();
            /// queue.try_put(2).unwrap();
            #[doc = concat!("assert_eq!(queue.try_get(), Ok(", $first, "));")]
            #[doc = concat!("assert_eq!(queue.try_get(), Ok(", $second, "));")]
            /// ```
            pub fn try_get(&self) -> Result<T, TryGetError> {
                self.shared.try_get()
            }

            /// Marks one item taken from the queue as processed (asyncio's `task_done`).
            ///
            /// Every item enqueued counts as unfinished until a `task_done` call accounts for
            /// it; `join` waits until none is. Calling it more often than items were enqueued
            /// is an error (and changes nothing).
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// queue.try_put(1).unwrap();
            /// let _item = queue.try_get().unwrap();
            /// assert!(queue.task_done().is_ok());
            /// assert!(queue.task_done().is_err());
            /// ```
            pub fn task_done(&self) -> Result<(), TaskDoneError> {
                self.shared.task_done()
            }

            /// Waits until every item enqueued so far was marked done with `task_done`
            /// (asyncio's `join`). Ready at once if none is unfinished. A `join` released
            /// while the count was zero completes even if items arrive before it runs.
            ///
            /// `shutdown_immediate` counts the items it drops as done, so `join` then waits
            /// only for the items already taken.
            ///
            /// # Cancel safety
            /// Cancel-safe: dropping it only stops the waiting.
            ///
            /// ```
            /// use std::sync::Arc;
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            /// #[runtime::main(flavor = "current_thread")]
            /// async fn main() {
            #[doc = concat!("    let queue = Arc::new(", stringify!($name), "::unbounded());")]
            ///     queue.join().await; // nothing enqueued yet
            ///     queue.put(1).await.unwrap();
            ///     let worker = runtime::spawn({
            ///         let queue = queue.clone();
            ///         async move {
            ///             let _item = queue.get().await.unwrap();
            ///             queue.task_done().unwrap();
            ///         }
            ///     });
            ///     queue.join().await; // returns after the worker's task_done
            ///     worker.await.unwrap();
            /// }
            /// ```
            pub fn join(&self) -> Join<'_, T> {
                Join {
                    shared: &self.shared,
                    waiter: None,
                }
            }

            /// Shuts the queue down (asyncio's `shutdown()`): later puts fail, and waiting
            /// putters are woken and fail, each getting its item back. Gets go on taking the
            /// remaining items, then fail; waiting getters are woken and fail. Calling it
            /// again does nothing.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::{queue::ShutDown, ", stringify!($name), "};")]
            ///
            /// #[runtime::main(flavor = "current_thread")]
            /// async fn main() {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     queue.put(1).await.unwrap();
            ///     queue.shutdown();
            ///     assert_eq!(queue.put(2).await, Err(ShutDown(2)));
            ///     assert_eq!(queue.get().await, Ok(1));
            ///     assert_eq!(queue.get().await, Err(ShutDown(())));
            /// }
            /// ```
            pub fn shutdown(&self) {
                self.shared.shutdown(false);
            }

            /// Shuts the queue down and drops its items (asyncio's
            /// `shutdown(immediate=True)`): as `shutdown`, and every get fails from now on,
            /// including getters that were woken but have not taken their item yet. The
            /// dropped items count as done for `join`, which is released if nothing else is
            /// unfinished. Can follow `shutdown`; calling it again does nothing.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::{queue::TryGetError, ", stringify!($name), "};")]
            ///
            /// #[runtime::main(flavor = "current_thread")]
            /// async fn main() {
            #[doc = concat!("    let queue = ", stringify!($name), "::unbounded();")]
            ///     queue.put(1).await.unwrap();
            ///     queue.put(2).await.unwrap();
            ///     queue.shutdown_immediate();
            ///     assert!(queue.is_empty());
            ///     assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
            ///     queue.join().await; // the dropped items count as done
            /// }
            /// ```
            pub fn shutdown_immediate(&self) {
                self.shared.shutdown(true);
            }

            /// Whether `shutdown` or `shutdown_immediate` was called.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::<u8>::unbounded();")]
            /// assert!(!queue.is_shutdown());
            /// queue.shutdown();
            /// assert!(queue.is_shutdown());
            /// ```
            pub fn is_shutdown(&self) -> bool {
                self.shared.is_shutdown()
            }

            /// How many items the queue holds (asyncio's `qsize`), including items promised
            /// to woken getters that have not taken them yet.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// queue.try_put("x").unwrap();
            /// assert_eq!(queue.len(), 1);
            /// ```
            pub fn len(&self) -> usize {
                self.shared.len()
            }

            /// Whether the queue holds no item (asyncio's `empty`).
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::unbounded();")]
            /// assert!(queue.is_empty());
            /// queue.try_put(1).unwrap();
            /// assert!(!queue.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Whether `put` would wait, `try_put` would fail with `Full` (asyncio's `full`):
            /// the queue holds `capacity` items, counting the slots already promised to woken
            /// putters that have not stored their items yet. Never for an unbounded queue.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let queue = ", stringify!($name), "::bounded(1);")]
            /// assert!(!queue.is_full());
            /// queue.try_put(1).unwrap();
            /// assert!(queue.is_full());
            /// ```
            pub fn is_full(&self) -> bool {
                self.shared.is_full()
            }

            /// The most items the queue holds (asyncio's `maxsize`), `None` if unbounded.
            ///
            /// ```
            #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::bounded(8).capacity(), Some(8));")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::unbounded().capacity(), None);")]
            /// ```
            pub fn capacity(&self) -> Option<usize> {
                self.shared.capacity()
            }
        }

        /// An unbounded queue (as asyncio's `maxsize=0`).
        ///
        /// ```
        #[doc = concat!("use runtime::sync::", stringify!($name), ";")]
        ///
        #[doc = concat!("let queue: ", stringify!($name), "<u32> = Default::default();")]
        /// assert_eq!(queue.capacity(), None);
        /// ```
        impl<T: $($bound)*> Default for $name<T> {
            fn default() -> $name<T> {
                $name::unbounded()
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut debug = f.debug_struct(stringify!($name));
                self.shared.fmt_fields(&mut debug);
                debug.finish()
            }
        }
    };
}

queue_type! {
    /// A first-in, first-out queue (asyncio's `Queue`): `get` returns the oldest item.
    ///
    /// Bounded (`put` waits while it holds `capacity` items) or unbounded; shared by `&self`
    /// between any number of producers and consumers (wrap it in an `Arc` to share it between
    /// tasks). It is `Send` and `Sync` when `T` is `Send`. See the [module docs](self) for how
    /// waiting, `task_done`/`join` and shutdown work.
    ///
    /// ```
    /// use runtime::sync::Queue;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let queue = Queue::bounded(8);
    ///     for item in [3, 1, 2] {
    ///         queue.put(item).await.unwrap();
    ///     }
    ///     assert_eq!(queue.get().await, Ok(3));
    ///     assert_eq!(queue.get().await, Ok(1));
    ///     assert_eq!(queue.get().await, Ok(2));
    /// }
    /// ```
    Queue, fifo, [], 1, 2
}

queue_type! {
    /// A last-in, first-out queue (asyncio's `LifoQueue`): `get` returns the newest item.
    ///
    /// Otherwise the same as [`Queue`]: bounded or unbounded, shared by `&self`, waiting
    /// putters and getters served in arrival order. See the [module docs](self).
    ///
    /// ```
    /// use runtime::sync::LifoQueue;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let stack = LifoQueue::unbounded();
    ///     for item in [3, 1, 2] {
    ///         stack.put(item).await.unwrap();
    ///     }
    ///     assert_eq!(stack.get().await, Ok(2));
    ///     assert_eq!(stack.get().await, Ok(1));
    ///     assert_eq!(stack.get().await, Ok(3));
    /// }
    /// ```
    LifoQueue, lifo, [], 2, 1
}

queue_type! {
    /// A priority queue (asyncio's `PriorityQueue`): `get` returns the smallest item (by
    /// `Ord`); items that compare equal come out in no particular order. Use a tuple such as
    /// `(priority, sequence, job)` or `std::cmp::Reverse` for other orders.
    ///
    /// Otherwise the same as [`Queue`]: bounded or unbounded, shared by `&self`, waiting
    /// putters and getters served in arrival order. Its constructors need `T: Ord`. The
    /// items' `Ord` runs while the queue is locked: it must not use the queue itself. See the
    /// [module docs](self).
    ///
    /// ```
    /// use runtime::sync::PriorityQueue;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let queue = PriorityQueue::unbounded();
    ///     queue.put((2, "write report")).await.unwrap();
    ///     queue.put((0, "fix outage")).await.unwrap();
    ///     queue.put((1, "review")).await.unwrap();
    ///     assert_eq!(queue.get().await, Ok((0, "fix outage")));
    ///     assert_eq!(queue.get().await, Ok((1, "review")));
    ///     assert_eq!(queue.get().await, Ok((2, "write report")));
    /// }
    /// ```
    PriorityQueue, priority, [Ord], 1, 2
}

/// The future of `put` on any of the queues: completes with `Ok(())` once the item is in the
/// queue, or `Err(ShutDown(item))`.
///
/// It holds the item until the item is enqueued; dropped before it completes, it drops the
/// item, which was never enqueued (see the cancel safety of [`Queue::put`]).
///
/// # Panics
/// If polled again after it completed (its item is gone by then).
///
/// ```
/// use runtime::sync::Queue;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let queue = Queue::bounded(1);
///     let put: runtime::sync::queue::Put<'_, u32> = queue.put(5);
///     put.await.unwrap();
///     assert_eq!(queue.len(), 1);
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Put<'a, T> {
    shared: &'a Shared<T>,
    /// The item, until it is enqueued (or handed back in `ShutDown`).
    item: Option<T>,
    /// Our place among the waiting putters.
    waiter: Option<WaiterId>,
}

// The item is never pinned: it is only ever moved out by value.
impl<T> Unpin for Put<'_, T> {}

impl<T> Future for Put<'_, T> {
    type Output = Result<(), ShutDown<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.shared.poll_put(cx, &mut this.waiter, &mut this.item)
    }
}

impl<T> Drop for Put<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.shared.cancel_put(waiter);
        }
    }
}

impl<T> fmt::Debug for Put<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of `get` on any of the queues: completes with the item, or `Err(ShutDown(()))`.
///
/// Dropping it before it completes loses no item: see [`Queue::get`].
///
/// ```
/// use runtime::sync::Queue;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let queue = Queue::unbounded();
///     queue.try_put('q').unwrap();
///     let get: runtime::sync::queue::Get<'_, char> = queue.get();
///     assert_eq!(get.await, Ok('q'));
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Get<'a, T> {
    shared: &'a Shared<T>,
    /// Our place among the waiting getters.
    waiter: Option<WaiterId>,
}

impl<T> Future for Get<'_, T> {
    type Output = Result<T, ShutDown>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.shared.poll_get(cx, &mut this.waiter)
    }
}

impl<T> Drop for Get<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.shared.cancel_get(waiter);
        }
    }
}

impl<T> fmt::Debug for Get<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// The future of `join` on any of the queues: completes once no enqueued item is unfinished.
///
/// Cancel-safe: see [`Queue::join`].
///
/// ```
/// use runtime::sync::Queue;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let queue = Queue::<u32>::unbounded();
///     let join: runtime::sync::queue::Join<'_, u32> = queue.join();
///     join.await;
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Join<'a, T> {
    shared: &'a Shared<T>,
    /// Our place among the waiting joiners.
    waiter: Option<WaiterId>,
}

impl<T> Future for Join<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.shared.poll_join(cx, &mut this.waiter)
    }
}

impl<T> Drop for Join<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.shared.cancel_join(waiter);
        }
    }
}

impl<T> fmt::Debug for Join<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}
