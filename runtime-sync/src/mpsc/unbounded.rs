//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`], [`UnboundedReceiver`],
//! [`WeakUnboundedSender`].

use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

use super::chan::{self, Closed, Rx, Tx, WeakTx};
use super::error::{SendError, TryRecvError};
use runtime_core::block_on_outside_runtime;

/// Creates an unbounded channel: an [`UnboundedSender`] (clone it for more producers) and the
/// [`UnboundedReceiver`].
///
/// Sending never waits, so nothing slows a producer that outruns its consumer: the buffer
/// grows as needed (prefer [`channel`](super::channel) unless the producer is bounded some
/// other way).
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::unbounded_channel();
///     for n in 0..1000 {
///         tx.send(n).unwrap();
///     }
///     drop(tx);
///     let mut count = 0;
///     while let Some(_) = rx.recv().await {
///         count += 1;
///     }
///     assert_eq!(count, 1000);
/// }
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::new(None);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

/// The sending half of an unbounded channel; clone it to send from several tasks.
///
/// The channel stays open while any `UnboundedSender` is alive; when the last one is dropped,
/// the receiver gets the buffered items and then `None`.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::unbounded_channel();
///     let tx2 = tx.clone();
///     runtime::spawn(async move { tx2.send("from a task").unwrap() });
///     tx.send("from main").unwrap();
///     drop(tx);
///     let mut got = vec![rx.recv().await.unwrap(), rx.recv().await.unwrap()];
///     got.sort();
///     assert_eq!(got, ["from a task", "from main"]);
///     assert_eq!(rx.recv().await, None);
/// }
/// ```
pub struct UnboundedSender<T> {
    tx: Tx<T>,
}

/// The receiving half of an unbounded channel.
///
/// Dropping it closes the channel: later sends fail (returning their value) and the items
/// still buffered are dropped.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::unbounded_channel();
///     tx.send(1).unwrap();
///     assert_eq!(rx.recv().await, Some(1));
///     drop(rx);
///     assert!(tx.send(2).is_err());
/// }
/// ```
pub struct UnboundedReceiver<T> {
    rx: Rx<T>,
}

/// An unbounded sender that does not keep the channel open, made by
/// [`UnboundedSender::downgrade`]; [`upgrade`](WeakUnboundedSender::upgrade) it to send.
///
/// ```
/// use runtime::sync::mpsc;
///
/// let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
/// let weak = tx.downgrade();
/// weak.upgrade().unwrap().send(1).unwrap();
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct WeakUnboundedSender<T> {
    tx: WeakTx<T>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting. `Err(SendError(value))` if the receiver was dropped or
    /// closed.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx.send_unbounded(value).map_err(SendError)
    }

    /// Waits until the receiver is dropped or closed (sends would fail from then on).
    ///
    /// Cancel-safe: dropping the future only removes it from the channel's list of waiters.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, rx) = mpsc::unbounded_channel::<()>();
    ///     let watcher = runtime::spawn(async move { tx.closed().await });
    ///     drop(rx);
    ///     watcher.await.unwrap();
    /// }
    /// ```
    pub async fn closed(&self) {
        Closed::new(&self.tx).await
    }

    /// Whether the receiver was dropped or closed (sends fail).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel::<()>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Whether both senders send into the same channel.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// A [`WeakUnboundedSender`] for this channel, which does not keep it open.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            tx: self.tx.downgrade(),
        }
    }

    /// How many `UnboundedSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakUnboundedSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.tx)
            .finish()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`], if any is still alive (once they are all gone, the channel
    /// has ended for good and this returns `None`).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.tx.upgrade().map(|tx| UnboundedSender { tx })
    }

    /// How many `UnboundedSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.downgrade().strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakUnboundedSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.downgrade().weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tx.fmt(f)
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next item, waiting if none is buffered. `None` once every sender is gone
    /// (or the receiver was closed) and the buffer is drained.
    ///
    /// Cancel-safe: if the future is dropped before it completes, no item was taken.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     runtime::spawn(async move { tx.send("hi").unwrap() });
    ///     assert_eq!(rx.recv().await, Some("hi"));
    ///     assert_eq!(rx.recv().await, None);
    /// }
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` items into `buffer` (appended), waiting if none is buffered;
    /// returns how many. 0 means the channel has ended, or `limit` was 0 (then it returns at
    /// once).
    ///
    /// Cancel-safe as [`recv`](Self::recv).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     for n in 0..4 {
    ///         tx.send(n).unwrap();
    ///     }
    ///     let mut batch = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut batch, 10).await, 4);
    ///     assert_eq!(batch, [0, 1, 2, 3]);
    /// }
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.rx.poll_recv_many(cx, buffer, limit)).await
    }

    /// Takes the next item if one is buffered, without waiting (`Empty` or `Disconnected`
    /// otherwise).
    ///
    /// ```
    /// use runtime::sync::mpsc::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Polls for the next item: `Ready(Some(item))`, `Ready(None)` at the end, or `Pending`
    /// with `cx`'s waker registered (only the latest poll's waker is woken).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     tx.send(1).unwrap();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv(cx)).await, Some(1));
    /// }
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` items, appended to `buffer` (see
    /// [`Receiver::poll_recv_many`](super::Receiver::poll_recv_many)).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     tx.send(1).unwrap();
    ///     let mut items = Vec::new();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv_many(cx, &mut items, 10)).await, 1);
    /// }
    /// ```
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.rx.poll_recv_many(cx, buffer, limit)
    }

    /// Receives the next item, blocking the current thread while none is buffered. Call it
    /// from a plain thread or `spawn_blocking`, never from an async task.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// std::thread::spawn(move || tx.send(5).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(5));
    /// assert_eq!(rx.blocking_recv(), None);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        block_on_outside_runtime("UnboundedReceiver::blocking_recv", self.recv())
    }

    /// [`recv_many`](Self::recv_many), blocking the current thread (see
    /// [`blocking_recv`](Self::blocking_recv)).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// let mut items = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut items, 8), 2);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        block_on_outside_runtime(
            "UnboundedReceiver::blocking_recv_many",
            self.recv_many(buffer, limit),
        )
    }

    /// Closes the channel without dropping the receiver: sends fail from now on, the
    /// buffered items can still be received, then `recv` returns `None`.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert!(rx.try_recv().is_err());
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed: every sender is gone, or [`close`](Self::close) was
    /// called. Items may still be buffered.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel::<u8>();
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// Whether no item is buffered.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// assert!(rx.is_empty());
    /// tx.send(()).unwrap();
    /// assert!(!rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rx.len() == 0
    }

    /// How many items are buffered.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// How many `UnboundedSender`s are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(rx.sender_strong_count(), 1);
    /// # drop(tx);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.rx.sender_strong_count()
    }

    /// How many `WeakUnboundedSender`s are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel::<u8>();
    /// let _weak = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.rx.sender_weak_count()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.rx)
            .finish()
    }
}
