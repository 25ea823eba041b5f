//! `Notify`: wakes one task, or every task, waiting for a notification (Tokio's `Notify`).
//!
//! The state lives in one atomic word: the low two bits are `EMPTY` (no permit, nobody
//! queued), `WAITING` (waiters are queued) or `NOTIFIED` (one stored permit), and the upper bits
//! count the calls to `notify_waiters`. The fast paths touch only that word: `notify_one` with
//! nobody waiting turns `EMPTY` into `NOTIFIED` with one compare-and-swap, and a `Notified`
//! that finds the permit takes it back to `EMPTY` with one compare-and-swap.
//!
//! Waiters queue in a `WaitList` under a mutex; `WAITING` is set exactly while the list is not
//! empty, and it only changes under the lock. A `Notified` remembers the `notify_waiters`
//! counter from its creation: if the counter has moved when it is first polled (or enabled),
//! `notify_waiters` was called after it was created and it is ready without queueing, which is
//! how a `Notified` created but not yet polled still sees a `notify_waiters` call. The counter
//! is only bumped under the lock, so a `Notified` that checks it under the lock and then queues
//! cannot miss a call.
//!
//! A notification is written into the waiter's slot (the waiter is unlinked and its waker is
//! woken after the lock is released); the waiter never re-reads the shared state. A waiter that
//! was handed a `notify_one` (or `notify_last`) notification and is dropped before it saw it
//! hands it on, to the next waiter in the same order or back to the stored permit, so
//! cancelling a `notified().await` never loses a notification.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use runtime_core::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use runtime_core::loom::sync::Mutex;

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// No permit stored, nobody queued.
const EMPTY: usize = 0;
/// Waiters are queued (and no permit is stored).
const WAITING: usize = 1;
/// One permit is stored (and nobody is queued).
const NOTIFIED: usize = 2;
/// The bits of the word holding `EMPTY`, `WAITING` or `NOTIFIED`.
const STATE_MASK: usize = 0b11;
/// One `notify_waiters` call, in the counter above the state bits.
const CALL: usize = STATE_MASK + 1;

fn state_of(word: usize) -> usize {
    word & STATE_MASK
}

fn calls_of(word: usize) -> usize {
    word & !STATE_MASK
}

fn with_state(word: usize, state: usize) -> usize {
    calls_of(word) | state
}

/// Which waiter a single notification goes to, and goes on to if that waiter is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The waiter queued first (`notify_one`).
    Fifo,
    /// The waiter queued last (`notify_last`).
    Lifo,
}

/// What a queued waiter has been given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notification {
    /// Nothing yet (the waiter is queued).
    Pending,
    /// A single notification, to hand on if the waiter is dropped before it sees it.
    One(Order),
    /// A `notify_waiters` call (nothing to hand on).
    All,
}

/// Notifies one task, or every task, waiting for an event (Tokio's `Notify`).
///
/// `notify_one` wakes the task that has waited longest; if no task waits, it stores a single
/// permit (permits do not add up) that the next `notified().await` consumes at once.
/// `notify_waiters` wakes every task waiting at the time of the call, including `Notified`
/// futures created but not yet polled, and stores no permit.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Notify;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let notify = Arc::new(Notify::new());
///     let waiter = {
///         let notify = notify.clone();
///         runtime::spawn(async move {
///             notify.notified().await;
///             "notified"
///         })
///     };
///     notify.notify_one();
///     assert_eq!(waiter.await.unwrap(), "notified");
/// }
/// ```
pub struct Notify {
    /// The state bits and the `notify_waiters` counter.
    state: AtomicUsize,
    /// The queued `Notified` futures.
    waiters: Mutex<WaitList<Notification>>,
}

impl Notify {
    /// A `Notify` with no stored permit.
    ///
    /// ```
    /// let notify = runtime::sync::Notify::new();
    /// # drop(notify);
    /// ```
    pub fn new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A `Notify` with no stored permit, usable in a `static`.
    ///
    /// ```
    /// use runtime::sync::Notify;
    ///
    /// static NOTIFY: Notify = Notify::const_new();
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     NOTIFY.notify_one();
    ///     NOTIFY.notified().await;
    /// }
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A future that completes once this `Notify` is notified.
    ///
    /// The future takes part in `notify_waiters` calls made from its creation on, even before
    /// it is first polled; it queues for `notify_one` when it is first polled (or `enable`d).
    /// A stored permit is consumed at that point.
    ///
    /// Cancel-safe: dropping the future before it completes loses nothing. If a `notify_one`
    /// (or `notify_last`) had already picked it, the notification goes on to the next waiter
    /// in the same order, or back to the stored permit if none waits.
    ///
    /// ```
    /// use runtime::sync::Notify;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let notify = Notify::new();
    ///     // The permit is stored, and the next `notified()` consumes it at once.
    ///     notify.notify_one();
    ///     notify.notified().await;
    /// }
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            wait: Wait::new(self),
        }
    }

    /// As `notified`, holding an `Arc` of the `Notify` instead of a borrow, so the future can
    /// be `'static`.
    ///
    /// Cancel-safe, as `notified`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Notify;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let notify = Arc::new(Notify::new());
    ///     let notified = notify.clone().notified_owned();
    ///     let waiter = runtime::spawn(notified);
    ///     notify.notify_waiters();
    ///     waiter.await.unwrap();
    /// }
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            wait: Wait::new(&self),
            notify: self,
        }
    }

    /// Wakes the task that has waited longest, or, if no task waits, stores a permit for the
    /// next `notified()` (at most one permit is stored).
    ///
    /// ```
    /// use runtime::sync::Notify;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let notify = Notify::new();
    ///     notify.notify_one();
    ///     notify.notify_one(); // permits do not add up
    ///     notify.notified().await;
    ///     let mut second = std::pin::pin!(notify.notified());
    ///     assert!(!second.as_mut().enable());
    /// }
    /// ```
    pub fn notify_one(&self) {
        self.notify(Order::Fifo);
    }

    /// Wakes the task that has waited the shortest time, or, if no task waits, stores a
    /// permit, as `notify_one` does.
    ///
    /// ```
    /// use std::pin::pin;
    /// use runtime::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut first = pin!(notify.notified());
    /// let mut second = pin!(notify.notified());
    /// assert!(!first.as_mut().enable());
    /// assert!(!second.as_mut().enable());
    /// notify.notify_last();
    /// assert!(second.as_mut().enable());
    /// assert!(!first.as_mut().enable());
    /// ```
    pub fn notify_last(&self) {
        self.notify(Order::Lifo);
    }

    /// Wakes every task waiting now: every `Notified` future created before this call that
    /// has not completed, polled or not. No permit is stored, so a `notified()` created after
    /// this call waits for the next notification.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Notify;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let notify = Arc::new(Notify::new());
    ///     let waiters: Vec<_> = (0..3)
    ///         .map(|_| runtime::spawn(notify.clone().notified_owned()))
    ///         .collect();
    ///     notify.notify_waiters();
    ///     for waiter in waiters {
    ///         waiter.await.unwrap();
    ///     }
    /// }
    /// ```
    pub fn notify_waiters(&self) {
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        let word = self.state.load(SeqCst);
        if state_of(word) == WAITING {
            waiters.unlink_where(&mut wakers, |notification| {
                *notification = Notification::All;
                true
            });
            self.state
                .store(with_state(word, EMPTY).wrapping_add(CALL), SeqCst);
        } else {
            // A permit, if stored, stays; the counter still moves for unpolled `Notified`s.
            self.state.fetch_add(CALL, SeqCst);
        }
    }

    fn notify(&self, order: Order) {
        let mut word = self.state.load(SeqCst);
        // Fast path: nobody queued, store the permit (or keep the one stored).
        while state_of(word) != WAITING {
            match self
                .state
                .compare_exchange(word, with_state(word, NOTIFIED), SeqCst, SeqCst)
            {
                Ok(_) => return,
                Err(actual) => word = actual,
            }
        }
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        self.notify_locked(&mut waiters, order, &mut wakers);
    }

    /// Hands one notification to the waiter `order` picks, or stores the permit if nobody is
    /// queued. Called with the waiter list locked.
    fn notify_locked(
        &self,
        waiters: &mut WaitList<Notification>,
        order: Order,
        wakers: &mut WakeBatch,
    ) {
        let mut word = self.state.load(SeqCst);
        loop {
            if state_of(word) != WAITING {
                // Only the permit bits can change under us (the fast paths do not lock).
                match self
                    .state
                    .compare_exchange(word, with_state(word, NOTIFIED), SeqCst, SeqCst)
                {
                    Ok(_) => return,
                    Err(actual) => {
                        word = actual;
                        continue;
                    }
                }
            }
            let picked = match order {
                Order::Fifo => waiters.pop_front(),
                Order::Lifo => waiters.pop_back(),
            };
            let id = picked.expect("Notify is WAITING with no queued waiter");
            *waiters.data_mut(id) = Notification::One(order);
            wakers.push(waiters.take_waker(id));
            if waiters.is_empty() {
                // `WAITING` only changes under the lock, so a plain store is enough.
                self.state.store(with_state(word, EMPTY), SeqCst);
            }
            return;
        }
    }
}

impl Default for Notify {
    fn default() -> Notify {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.state.load(SeqCst);
        let state = match state_of(word) {
            EMPTY => "empty",
            WAITING => "waiting",
            _ => "notified",
        };
        f.debug_struct("Notify").field("state", &state).finish()
    }
}

/// Where a `Notified` future is: the part shared by `Notified` and `OwnedNotified`.
#[derive(Debug)]
enum Wait {
    /// Not yet queued; `calls` is the `notify_waiters` counter seen at creation.
    Init { calls: usize },
    /// Queued (or unlinked and given a notification it has not collected yet).
    Waiting(WaiterId),
    /// Notified (the future completes at every poll from now on).
    Done,
}

impl Wait {
    fn new(notify: &Notify) -> Wait {
        Wait::Init {
            calls: calls_of(notify.state.load(SeqCst)),
        }
    }

    /// Moves the future on; `waker` is `None` for `enable`. Returns whether it is notified.
    fn poll(&mut self, notify: &Notify, waker: Option<&Waker>) -> bool {
        match *self {
            Wait::Done => true,
            Wait::Init { calls } => {
                // One compare-and-swap consumes a stored permit if no `notify_waiters` call
                // happened since creation.
                let word = match notify.state.compare_exchange(
                    calls | NOTIFIED,
                    calls | EMPTY,
                    SeqCst,
                    SeqCst,
                ) {
                    Ok(_) => {
                        *self = Wait::Done;
                        return true;
                    }
                    Err(actual) => actual,
                };
                if calls_of(word) != calls {
                    *self = Wait::Done;
                    return true;
                }
                let mut waiters = notify.waiters.lock();
                let mut word = notify.state.load(SeqCst);
                // The counter only moves under the lock: checked here, it holds until we queue.
                if calls_of(word) != calls {
                    *self = Wait::Done;
                    return true;
                }
                loop {
                    let next = match state_of(word) {
                        WAITING => break,
                        EMPTY => with_state(word, WAITING),
                        _ => with_state(word, EMPTY),
                    };
                    match notify.state.compare_exchange(word, next, SeqCst, SeqCst) {
                        Ok(_) if state_of(next) == WAITING => break,
                        Ok(_) => {
                            // Took the permit.
                            *self = Wait::Done;
                            return true;
                        }
                        Err(actual) => word = actual,
                    }
                }
                let id = waiters.push_back(Notification::Pending, waker.unwrap_or(Waker::noop()));
                *self = Wait::Waiting(id);
                false
            }
            Wait::Waiting(id) => {
                let mut waiters = notify.waiters.lock();
                if *waiters.data(id) == Notification::Pending {
                    if let Some(waker) = waker {
                        waiters.set_waker(id, waker);
                    }
                    return false;
                }
                waiters.remove(id);
                *self = Wait::Done;
                true
            }
        }
    }

    /// Leaves the queue, handing on a notification it was given but did not collect.
    fn cancel(&mut self, notify: &Notify) {
        let Wait::Waiting(id) = *self else { return };
        *self = Wait::Done;
        let mut wakers = WakeBatch::new();
        let mut waiters = notify.waiters.lock();
        match waiters.remove(id) {
            Notification::Pending => {
                if waiters.is_empty() {
                    let word = notify.state.load(SeqCst);
                    if state_of(word) == WAITING {
                        notify.state.store(with_state(word, EMPTY), SeqCst);
                    }
                }
            }
            Notification::One(order) => notify.notify_locked(&mut waiters, order, &mut wakers),
            Notification::All => {}
        }
    }
}

/// The future of `Notify::notified`.
///
/// Cancel-safe: see `Notify::notified`.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Notified<'a> {
    notify: &'a Notify,
    wait: Wait,
}

impl Notified<'_> {
    /// Queues the future for `notify_one` without polling it (and without a waker), so that it
    /// takes part in notifications from now on; returns whether it is already notified, in
    /// which case every later poll completes at once.
    ///
    /// It is notified if `notify_waiters` was called since it was created, if it consumed a
    /// stored permit, or if it was enabled or polled before and has been notified since.
    ///
    /// ```
    /// use std::pin::pin;
    /// use runtime::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one(); // goes to the enabled future, not to a stored permit
    /// assert!(notified.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.wait.poll(this.notify, None)
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.wait.poll(this.notify, Some(cx.waker())) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        self.wait.cancel(self.notify);
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("notify", self.notify)
            .field("wait", &self.wait)
            .finish()
    }
}

/// The future of `Notify::notified_owned`: a `Notified` that owns an `Arc` of its `Notify`.
///
/// Cancel-safe: see `Notify::notified`.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct OwnedNotified {
    notify: Arc<Notify>,
    wait: Wait,
}

impl OwnedNotified {
    /// As `Notified::enable`.
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::sync::Arc;
    /// use runtime::sync::Notify;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let mut notified = pin!(notify.clone().notified_owned());
    /// notify.notify_waiters();
    /// assert!(notified.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.wait.poll(&this.notify, None)
    }
}

impl Future for OwnedNotified {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.wait.poll(&this.notify, Some(cx.waker())) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for OwnedNotified {
    fn drop(&mut self) {
        self.wait.cancel(&self.notify);
    }
}

impl fmt::Debug for OwnedNotified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedNotified")
            .field("notify", &*self.notify)
            .field("wait", &self.wait)
            .finish()
    }
}
