//! A one-shot channel: send exactly one value from one task to another (the reply half of a
//! request/reply exchange), with Tokio's `oneshot` API.
//!
//! `channel()` returns a [`Sender`] and a [`Receiver`]. The sender sends one value with
//! [`Sender::send`] (which never waits); the receiver is a future that resolves to that value,
//! or to [`RecvError`] if the sender was dropped without sending. Dropping
//! (or [closing](Receiver::close)) the receiver makes a later `send` fail and hand the value
//! back, and wakes a sender waiting in [`Sender::closed`].
//!
//! # How it works
//!
//! Both halves share one allocation holding one atomic state word and three cells: the value,
//! the receiver's waker and the sender's waker. Sending writes the value into its cell and sets
//! `VALUE_SENT` with one compare-and-swap (which fails, handing the value back, if the receiver
//! has closed), then wakes the receiver if it had registered a waker. No lock, no allocation
//! after `channel()`.
//!
//! The state bits say who may touch which cell:
//!
//! - `VALUE_SENT`: the value cell belongs to the sender until it sets this bit (it writes the
//!   value just before); from then on it belongs to the receiver. The sender never sets it once
//!   `CLOSED` is set, so a value the receiver can no longer take stays with the sender, which
//!   takes it back out and returns it.
//! - `TX_DROPPED`: the sender was dropped without sending. `VALUE_SENT` or `TX_DROPPED` is the
//!   sender's *completion*; its completing read-modify-write is the last time it looks at the
//!   state.
//! - `RX_WAKER_SET`: the receiver's waker is in its cell. The receiver only writes that cell in
//!   a window that starts with an access showing the bit clear and the sender not complete,
//!   and ends with the read-modify-write that sets the bit. The sender touches the cell only if
//!   its completing read-modify-write saw the bit set, that is after such a window; from then
//!   on the cell is the sender's (it takes the waker to wake it) and the receiver, which then
//!   always sees the sender complete, never touches it again. To replace its waker the
//!   receiver first clears the bit; if that shows the sender complete, the cell is the
//!   sender's and the receiver has its result anyway.
//! - `CLOSED` and `TX_WAKER_SET`: the same protocol for the sender's waker (registered by
//!   [`Sender::closed`]), with the receiver's close in the role of the completion.
//!
//! Whatever is left in the cells is dropped with the shared allocation, by its last owner.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use runtime_core::coop;
use runtime_core::loom::cell::UnsafeCell;
use runtime_core::loom::sync::atomic::{AtomicUsize, Ordering};
use runtime_core::loom::sync::Arc;

use runtime_core::block_on_outside_runtime;

/// Errors of the one-shot channel.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending a value (the output of an awaited
    /// [`Receiver`](super::Receiver) and of `blocking_recv`).
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, rx) = oneshot::channel::<u32>();
    ///     drop(tx);
    ///     let error: oneshot::error::RecvError = rx.await.unwrap_err();
    ///     assert_eq!(error.to_string(), "channel closed");
    /// }
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    /// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
    ///
    /// ```
    /// use runtime::sync::oneshot::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel::<u32>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No value yet; the sender is still alive.
        Empty,
        /// There will never be a value: the sender was dropped without sending, the receiver
        /// was closed before a value arrived, or the value was already taken.
        Closed,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(match self {
                TryRecvError::Empty => "channel empty",
                TryRecvError::Closed => "channel closed",
            })
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

/// The sender wrote the value and handed its cell to the receiver.
const VALUE_SENT: usize = 0b0_0001;
/// The sender was dropped without sending.
const TX_DROPPED: usize = 0b0_0010;
/// The receiver was closed or dropped: `send` fails from now on.
const CLOSED: usize = 0b0_0100;
/// The receiver's waker is in `rx_waker`.
const RX_WAKER_SET: usize = 0b0_1000;
/// The sender's waker (of `closed()`) is in `tx_waker`.
const TX_WAKER_SET: usize = 0b1_0000;
/// The sender is complete: it sent or was dropped.
const TX_DONE: usize = VALUE_SENT | TX_DROPPED;

/// Creates a one-shot channel: a [`Sender`] for one value and the [`Receiver`] awaiting it.
///
/// ```
/// use runtime::sync::oneshot;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, rx) = oneshot::channel();
///     runtime::spawn(async move {
///         tx.send("reply").unwrap();
///     });
///     assert_eq!(rx.await, Ok("reply"));
/// }
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// The sending half of a one-shot channel, made by [`channel`].
///
/// It sends one value with [`send`](Sender::send), which consumes it. Dropping it without
/// sending wakes the receiver with [`RecvError`].
///
/// ```
/// use runtime::sync::oneshot;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, rx) = oneshot::channel::<()>();
///     drop(tx);
///     assert!(rx.await.is_err());
/// }
/// ```
pub struct Sender<T> {
    /// `None` only once `send` has taken it (so `Drop` does not run the drop protocol).
    inner: Option<Arc<Inner<T>>>,
}

/// The receiving half of a one-shot channel, made by [`channel`]: a future of the value.
///
/// Awaiting it gives `Ok(value)`, or `Err(RecvError)` if the sender was dropped without
/// sending (or if the receiver was [closed](Receiver::close) before a value arrived).
///
/// Awaiting is cancel-safe: a `Receiver` that is polled and then dropped (for example in a
/// `select!` or behind a timeout) loses nothing that it had not yet returned; if a value had
/// already been sent, it is dropped with the receiver. Awaiting `&mut rx` instead keeps the
/// receiver for a later attempt.
///
/// # Panics
/// Polling it again after it returned `Ready` panics (as for most futures).
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::oneshot;
/// use runtime::time::timeout;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let (tx, mut rx) = oneshot::channel();
///     // Nothing sent yet: the timeout expires, `rx` stays usable.
///     assert!(timeout(Duration::from_millis(10), &mut rx).await.is_err());
///     tx.send(5).unwrap();
///     assert_eq!(rx.await, Ok(5));
/// }
/// ```
pub struct Receiver<T> {
    /// `None` once a result was returned (the receiver is terminated).
    inner: Option<Arc<Inner<T>>>,
}

/// The allocation both halves share.
struct Inner<T> {
    /// `VALUE_SENT | TX_DROPPED | CLOSED | RX_WAKER_SET | TX_WAKER_SET`.
    state: AtomicUsize,
    /// The value: the sender's until `VALUE_SENT` is set, the receiver's afterwards.
    value: UnsafeCell<Option<T>>,
    /// The receiver's waker (see the module docs for who owns it when).
    rx_waker: UnsafeCell<Option<Waker>>,
    /// The sender's waker for `closed()`.
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are never accessed by both halves at once (the state protocol in the
// module docs hands each cell to exactly one side at a time, with acquire/release ordering on
// every hand-over), so sharing `Inner` only moves `T` and wakers between threads: `T: Send`
// is what that needs, and `Waker` is `Send + Sync`.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// The receiver's result in `state` (read by the receiver), if there is one: the value if
    /// the sender sent it, an error if it never will.
    ///
    /// Takes the value out of its cell, so call it once per result.
    fn take_outcome(&self, state: usize) -> Option<Result<T, RecvError>> {
        if state & VALUE_SENT != 0 {
            // SAFETY: the receiver saw `VALUE_SENT` through an acquire load or an AcqRel
            // read-modify-write, which synchronizes with the sender's release of the bit, so
            // the sender's write of the value happened before; the sender never touches the
            // cell after setting the bit, and only the receiver (which calls this) reads it.
            let value = self.value.with_mut(|value| unsafe { (*value).take() });
            // `None` would mean the value was taken twice; the receiver terminates after
            // taking it, so that cannot happen.
            return Some(value.ok_or(RecvError(())));
        }
        if state & (TX_DROPPED | CLOSED) != 0 {
            // The sender is gone without a value, or the receiver closed before one arrived
            // (after `CLOSED` the sender never sets `VALUE_SENT`).
            return Some(Err(RecvError(())));
        }
        None
    }

    /// The receiver's poll: the result, or `Pending` with `waker` registered.
    fn poll_recv(&self, waker: &Waker) -> Poll<Result<T, RecvError>> {
        let state = self.state.load(Ordering::Acquire);
        if let Some(outcome) = self.take_outcome(state) {
            return Poll::Ready(outcome);
        }
        if state & RX_WAKER_SET != 0 {
            // Our previous waker is in the cell. Take the cell back before looking at it.
            let previous = self.state.fetch_and(!RX_WAKER_SET, Ordering::AcqRel);
            if let Some(outcome) = self.take_outcome(previous) {
                // The sender completed while the bit was set: the cell is the sender's now
                // (it may be taking the waker right now), and we have our result.
                return Poll::Ready(outcome);
            }
        }
        // The bit is clear and the sender has not completed: the cell is ours until we set
        // the bit (a sender completing meanwhile sees the bit clear and leaves the cell).
        self.rx_waker.with_mut(|slot| {
            // SAFETY: the receiver owns `rx_waker` in this window (see above and the module
            // docs): the sender only touches it after a completion that saw `RX_WAKER_SET`,
            // which is clear from our last access until the `fetch_or` below.
            let slot = unsafe { &mut *slot };
            match slot {
                Some(current) if current.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        });
        let previous = self.state.fetch_or(RX_WAKER_SET, Ordering::AcqRel);
        if let Some(outcome) = self.take_outcome(previous) {
            // The sender completed inside the window, so it saw the bit clear and will not
            // wake anyone; the result is here already. (The waker stays in the cell, which
            // is still ours, until the allocation is dropped.)
            return Poll::Ready(outcome);
        }
        Poll::Pending
    }

    /// Takes the receiver's waker and wakes it, after a completion that saw `RX_WAKER_SET`
    /// (and no `CLOSED`: a closed receiver does not wait).
    fn wake_rx(&self) {
        // SAFETY: called by the sender only after its completing read-modify-write saw
        // `RX_WAKER_SET`: the receiver wrote the cell before setting the bit (release,
        // acquired by that read-modify-write) and never touches the cell again.
        let waker = self.rx_waker.with_mut(|slot| unsafe { (*slot).take() });
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The sender's `poll_closed`: `Ready` once the receiver is closed or dropped.
    fn poll_closed(&self, waker: &Waker) -> Poll<()> {
        let state = self.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Poll::Ready(());
        }
        if state & TX_WAKER_SET != 0 {
            let previous = self.state.fetch_and(!TX_WAKER_SET, Ordering::AcqRel);
            if previous & CLOSED != 0 {
                // The receiver closed while the bit was set: the cell is the receiver's.
                return Poll::Ready(());
            }
        }
        self.tx_waker.with_mut(|slot| {
            // SAFETY: the sender owns `tx_waker` while `TX_WAKER_SET` is clear and `CLOSED`
            // is not set (the receiver only touches it after a close that saw the bit set);
            // our last access showed both clear and only we set the bit, in the `fetch_or`
            // below.
            let slot = unsafe { &mut *slot };
            match slot {
                Some(current) if current.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        });
        let previous = self.state.fetch_or(TX_WAKER_SET, Ordering::AcqRel);
        if previous & CLOSED != 0 {
            // Closed inside the window: the receiver saw the bit clear and left the cell.
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Closes the channel from the receiver's side; returns the state before.
    fn close(&self) -> usize {
        let previous = self.state.fetch_or(CLOSED, Ordering::AcqRel);
        if previous & (CLOSED | TX_DONE) == 0 && previous & TX_WAKER_SET != 0 {
            // SAFETY: our close saw `TX_WAKER_SET` (and was the first close): the sender
            // wrote the cell before setting the bit (release, acquired by the `fetch_or`
            // above), and from now on it sees `CLOSED` and never touches the cell again.
            let waker = self.tx_waker.with_mut(|slot| unsafe { (*slot).take() });
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        previous
    }
}

impl<T> Sender<T> {
    fn inner(&self) -> &Inner<T> {
        self.inner
            .as_deref()
            .expect("a oneshot::Sender is consumed by send")
    }

    /// Sends `value` to the receiver, consuming the sender; never waits.
    ///
    /// Returns `Err(value)` if the receiver was dropped or [closed](Receiver::close) first.
    /// An `Ok` means the value is in the channel, not that the receiver will take it: if the
    /// receiver is dropped before it does, the value is dropped with it.
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, rx) = oneshot::channel();
    ///     assert_eq!(tx.send(1), Ok(()));
    ///     assert_eq!(rx.await, Ok(1));
    ///
    ///     let (tx, rx) = oneshot::channel();
    ///     drop(rx);
    ///     assert_eq!(tx.send(2), Err(2));
    /// }
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self
            .inner
            .take()
            .expect("a oneshot::Sender is consumed by send");
        let mut state = inner.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Err(value);
        }
        // SAFETY: the value cell is the sender's until it sets `VALUE_SENT` (below, with
        // release ordering, after this write); the receiver reads it only after seeing that
        // bit.
        inner.value.with_mut(|cell| unsafe { *cell = Some(value) });
        loop {
            if state & CLOSED != 0 {
                // The receiver closed after our first look: `VALUE_SENT` was never set, so
                // the cell is still ours; take the value back.
                // SAFETY: as above, the receiver never reads the cell without `VALUE_SENT`.
                let value = inner.value.with_mut(|cell| unsafe { (*cell).take() });
                return Err(value.expect("the value written above"));
            }
            match inner.state.compare_exchange_weak(
                state,
                state | VALUE_SENT,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & RX_WAKER_SET != 0 {
            // `state` is the value our completion replaced: not closed (checked in the loop).
            inner.wake_rx();
        }
        Ok(())
    }

    /// Whether the receiver was dropped or [closed](Receiver::close) (a `send` would fail).
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner().state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Waits until the receiver is dropped or [closed](Receiver::close): the way for the
    /// sender of a reply to notice that nobody wants it any more and stop working on it.
    ///
    /// Cancel-safe: dropping the future loses nothing (the registered waker is simply not
    /// woken any more).
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (mut tx, rx) = oneshot::channel::<u32>();
    ///     let worker = runtime::spawn(async move {
    ///         tx.closed().await;
    ///         "receiver gone"
    ///     });
    ///     drop(rx);
    ///     assert_eq!(worker.await.unwrap(), "receiver gone");
    /// }
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver's close: `Ready` once it is dropped or closed, otherwise
    /// `Pending` with `cx`'s waker registered (only the waker of the latest poll is woken).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (mut tx, rx) = oneshot::channel::<()>();
    ///     let pending = poll_fn(|cx| Poll::Ready(tx.poll_closed(cx).is_pending())).await;
    ///     assert!(pending);
    ///     drop(rx);
    ///     poll_fn(|cx| tx.poll_closed(cx)).await;
    /// }
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let restore = ready!(coop::poll_proceed(cx));
        let poll = self.inner().poll_closed(cx.waker());
        if poll.is_ready() {
            restore.made_progress();
        }
        poll
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return; // sent
        };
        let previous = inner.state.fetch_or(TX_DROPPED, Ordering::AcqRel);
        if previous & RX_WAKER_SET != 0 && previous & CLOSED == 0 {
            inner.wake_rx();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Sender");
        if let Some(inner) = &self.inner {
            debug.field(
                "closed",
                &(inner.state.load(Ordering::Acquire) & CLOSED != 0),
            );
        }
        debug.finish()
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it is there, without waiting.
    ///
    /// `Err(Empty)` if no value was sent yet (the receiver stays usable); `Err(Closed)` if
    /// none ever will be (the sender was dropped, the receiver was closed before a value
    /// arrived, or the value was already received). A value sent before [`close`](Self::close)
    /// can still be taken.
    ///
    /// ```
    /// use runtime::sync::oneshot::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let outcome = inner.take_outcome(inner.state.load(Ordering::Acquire));
        let result = match outcome {
            None => return Err(TryRecvError::Empty),
            Some(result) => result.map_err(|_| TryRecvError::Closed),
        };
        self.inner = None;
        result
    }

    /// Closes the channel without dropping the receiver: a later [`send`](Sender::send)
    /// fails and returns its value, and a sender waiting in [`closed`](Sender::closed) wakes.
    /// A value sent before the close can still be received.
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = oneshot::channel();
    ///     rx.close();
    ///     assert_eq!(tx.send(1), Err(1));
    ///     assert!(rx.await.is_err());
    /// }
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            inner.close();
        }
    }

    /// Blocks the current thread until the value arrives (or the sender is dropped without
    /// sending): for synchronous code that waits for an async task's answer.
    ///
    /// Call it from a plain thread or from `spawn_blocking`, never from an async task: it
    /// would block a worker thread, and on a current-thread runtime the sender could then
    /// never run.
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, rx) = oneshot::channel();
    ///     let waiter = std::thread::spawn(move || rx.blocking_recv());
    ///     tx.send(10).unwrap();
    ///     assert_eq!(waiter.join().unwrap(), Ok(10));
    /// }
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        block_on_outside_runtime("oneshot::Receiver::blocking_recv", self)
    }

    /// Whether the receiver already returned its result (then it must not be polled again).
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = oneshot::channel();
    ///     tx.send(()).unwrap();
    ///     assert!(!rx.is_terminated());
    ///     (&mut rx).await.unwrap();
    ///     assert!(rx.is_terminated());
    /// }
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }

    /// Whether there is no value to take right now: nothing sent yet, the channel closed
    /// without a value, or the value already received.
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// assert!(rx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        match &self.inner {
            None => true,
            Some(inner) => inner.state.load(Ordering::Acquire) & VALUE_SENT == 0,
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let inner = this
            .inner
            .as_deref()
            .expect("oneshot::Receiver polled after it returned its result");
        let restore = ready!(coop::poll_proceed(cx));
        let result = ready!(inner.poll_recv(cx.waker()));
        restore.made_progress();
        this.inner = None;
        Poll::Ready(result)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return; // terminated
        };
        if inner.close() & VALUE_SENT != 0 {
            // SAFETY: `VALUE_SENT` seen by the AcqRel `fetch_or` in `close`: the cell is the
            // receiver's (the sender's write happened before and it never touches it again).
            let value = inner.value.with_mut(|cell| unsafe { (*cell).take() });
            drop(value);
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.inner {
            None => "terminated",
            Some(inner) => {
                let state = inner.state.load(Ordering::Acquire);
                if state & VALUE_SENT != 0 {
                    "value ready"
                } else if state & (TX_DROPPED | CLOSED) != 0 {
                    "closed"
                } else {
                    "empty"
                }
            }
        };
        f.debug_struct("Receiver").field("state", &state).finish()
    }
}
