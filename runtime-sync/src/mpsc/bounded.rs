//! The bounded channel: [`channel`], [`Sender`], [`Receiver`], [`Permit`], [`OwnedPermit`],
//! [`WeakSender`].

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Duration;

use runtime_core::coop;
use runtime_core::time::sleep;

use super::chan::{self, Chan, Closed, Rx, Tx, WeakTx};
use super::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
use crate::wait_list::WaiterId;
use runtime_core::block_on_outside_runtime;

/// Creates a bounded channel with room for `buffer` items: a [`Sender`] (clone it for more
/// producers) and the [`Receiver`].
///
/// Once `buffer` items are buffered (or reserved by [`Permit`]s), [`Sender::send`] waits for
/// the receiver to take one, which is how a fast producer is slowed down to the consumer's
/// pace. Waiting senders are served in FIFO order.
///
/// # Panics
/// If `buffer` is 0.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(16);
///     runtime::spawn(async move {
///         for n in 0..3 {
///             tx.send(n).await.unwrap();
///         }
///     });
///     let mut got = Vec::new();
///     while let Some(n) = rx.recv().await {
///         got.push(n);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// }
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let (tx, rx) = chan::new(Some(buffer));
    (Sender { tx }, Receiver { rx })
}

/// The sending half of a bounded channel; clone it to send from several tasks.
///
/// The channel stays open while any `Sender` (or [`OwnedPermit`]) is alive; when the last one
/// is dropped, the receiver gets the buffered items and then `None`.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(4);
///     let tx2 = tx.clone();
///     tx.send("a").await.unwrap();
///     tx2.send("b").await.unwrap();
///     drop((tx, tx2));
///     assert_eq!(rx.recv().await, Some("a"));
///     assert_eq!(rx.recv().await, Some("b"));
///     assert_eq!(rx.recv().await, None);
/// }
/// ```
pub struct Sender<T> {
    tx: Tx<T>,
}

/// The receiving half of a bounded channel.
///
/// Dropping it closes the channel: later sends fail (returning their value) and the items
/// still buffered are dropped.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(1);
///     tx.send(1).await.unwrap();
///     assert_eq!(rx.recv().await, Some(1));
///     drop(rx);
///     assert!(tx.send(2).await.is_err());
/// }
/// ```
pub struct Receiver<T> {
    rx: Rx<T>,
}

/// A sender that does not keep the channel open, made by [`Sender::downgrade`];
/// [`upgrade`](WeakSender::upgrade) it to send.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel::<u8>(1);
///     let weak = tx.downgrade();
///     weak.upgrade().unwrap().send(1).await.unwrap();
///     drop(tx);
///     assert!(weak.upgrade().is_none());
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, None);
/// }
/// ```
pub struct WeakSender<T> {
    tx: WeakTx<T>,
}

/// One reserved slot of a bounded channel, from [`Sender::reserve`] or
/// [`Sender::try_reserve`]: [`send`](Permit::send) fills it without waiting and cannot fail.
/// Dropping the permit unused gives the slot back (to the first waiting sender, if any).
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(1);
///     let permit = tx.reserve().await.unwrap();
///     assert_eq!(tx.capacity(), 0);
///     permit.send("reserved");
///     assert_eq!(rx.recv().await, Some("reserved"));
/// }
/// ```
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

/// One reserved slot that owns its [`Sender`], from [`Sender::reserve_owned`] or
/// [`Sender::try_reserve_owned`] (so it can move into another task). [`send`](Self::send)
/// fills the slot and gives the sender back; dropping the permit unused gives the slot back.
///
/// ```
/// use runtime::sync::mpsc;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(1);
///     let permit = tx.reserve_owned().await.unwrap();
///     let task = runtime::spawn(async move {
///         let _tx = permit.send(7);
///     });
///     task.await.unwrap();
///     assert_eq!(rx.recv().await, Some(7));
/// }
/// ```
pub struct OwnedPermit<T> {
    /// `None` only inside `send`/`release`, which take it.
    tx: Option<Sender<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for a free slot if the buffer is full.
    ///
    /// `Err(SendError(value))` if the receiver is dropped, or closed before this send got a
    /// slot (also while waiting). Senders waiting for space are served in the order they
    /// started waiting.
    ///
    /// Cancel-safe in the sense that nothing is half-done: if the future is dropped before it
    /// completes, the value was not sent and is dropped with the future, and the sender's
    /// place in the queue is given up (a slot granted to it meanwhile passes to the next
    /// waiting sender, so no capacity is lost). To keep the value on cancellation, wait with
    /// [`reserve`](Self::reserve) and then [`Permit::send`].
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     // The buffer is full: this send waits until the receiver makes room.
    ///     let producer = runtime::spawn(async move { tx.send(2).await });
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     producer.await.unwrap().unwrap();
    ///     assert_eq!(rx.recv().await, Some(2));
    /// }
    /// ```
    pub fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> + '_ {
        SendFuture {
            chan: &self.tx,
            waiter: None,
            value: Some(value),
        }
    }

    /// Sends `value` if a slot is free right now, without waiting.
    ///
    /// `Err(TrySendError::Full(value))` if the buffer is full (or senders are already
    /// waiting, who come first); `Err(TrySendError::Closed(value))` if the receiver is gone
    /// or closed.
    ///
    /// ```
    /// use runtime::sync::mpsc::{self, error::TrySendError};
    ///
    /// let (tx, rx) = mpsc::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.tx.try_send(value)
    }

    /// Sends `value`, waiting at most `timeout` for a free slot.
    ///
    /// `Err(SendTimeoutError::Timeout(value))` if no slot came in time,
    /// `Err(SendTimeoutError::Closed(value))` if the receiver is gone or closed. Cancel-safe
    /// as [`send`](Self::send): dropping the future drops the unsent value.
    ///
    /// # Panics
    /// When polled outside a runtime (it needs the runtime's timers).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::sync::mpsc::{self, error::SendTimeoutError};
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send_timeout(1, Duration::from_secs(1)).await.unwrap();
    ///     let full = tx.send_timeout(2, Duration::from_secs(1)).await;
    ///     assert_eq!(full, Err(SendTimeoutError::Timeout(2)));
    ///     assert_eq!(rx.recv().await, Some(1));
    /// }
    /// ```
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        let mut send = SendFuture {
            chan: &self.tx,
            waiter: None,
            value: Some(value),
        };
        let mut timer = pin!(sleep(timeout));
        poll_fn(|cx| {
            if let Poll::Ready(result) = Pin::new(&mut send).poll(cx) {
                return Poll::Ready(
                    result.map_err(|SendError(value)| SendTimeoutError::Closed(value)),
                );
            }
            match coop::unconstrained(|| timer.as_mut().poll(cx)) {
                Poll::Ready(()) => {
                    let value = send.value.take().expect("an unsent value");
                    Poll::Ready(Err(SendTimeoutError::Timeout(value)))
                }
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    /// Sends `value`, blocking the current thread while the buffer is full: for synchronous
    /// code feeding an async consumer.
    ///
    /// Call it from a plain thread or from `spawn_blocking`, never from an async task (it
    /// would block a worker thread).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let producer = std::thread::spawn(move || {
    ///         for n in 0..3 {
    ///             tx.blocking_send(n).unwrap();
    ///         }
    ///     });
    ///     for n in 0..3 {
    ///         assert_eq!(rx.recv().await, Some(n));
    ///     }
    ///     producer.join().unwrap();
    /// }
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        block_on_outside_runtime("mpsc::Sender::blocking_send", self.send(value))
    }

    /// Waits for a free slot and reserves it: the returned [`Permit`] sends one value without
    /// waiting. `Err(SendError(()))` if the receiver is gone or closed.
    ///
    /// Cancel-safe: dropping the future gives up the sender's place in the queue, and a slot
    /// granted to it meanwhile passes to the next waiting sender. Waiting senders are served
    /// in FIFO order.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     // The slot is ours: computing the value cannot lose it.
    ///     permit.send(40 + 2);
    ///     assert_eq!(rx.recv().await, Some(42));
    /// }
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        Reserve {
            chan: &self.tx,
            waiter: None,
        }
        .await?;
        Ok(Permit { chan: &self.tx })
    }

    /// Like [`reserve`](Self::reserve), but the permit owns the sender, so it can outlive
    /// this borrow (and move into another task). On error the sender is dropped.
    ///
    /// Cancel-safe as `reserve` (the sender is dropped with the future).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let permit = tx.clone().reserve_owned().await.unwrap();
    ///     let tx_again = permit.send(1);
    ///     assert!(tx_again.same_channel(&tx));
    ///     assert_eq!(rx.recv().await, Some(1));
    /// }
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        Reserve {
            chan: &self.tx,
            waiter: None,
        }
        .await?;
        Ok(OwnedPermit { tx: Some(self) })
    }

    /// Reserves a free slot if there is one right now.
    ///
    /// `Err(TrySendError::Full(()))` if the buffer is full (or senders are waiting),
    /// `Err(TrySendError::Closed(()))` if the receiver is gone or closed.
    ///
    /// ```
    /// use runtime::sync::mpsc::{self, error::TrySendError};
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    /// drop(permit);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.tx.try_reserve()?;
        Ok(Permit { chan: &self.tx })
    }

    /// Like [`try_reserve`](Self::try_reserve), with a permit that owns the sender; on error
    /// the sender comes back inside the error.
    ///
    /// ```
    /// use runtime::sync::mpsc::{self, error::TrySendError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// let Err(TrySendError::Full(tx)) = tx.try_reserve_owned() else { panic!() };
    /// permit.send(1);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// # drop(tx);
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.tx.try_reserve() {
            Ok(()) => Ok(OwnedPermit { tx: Some(self) }),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
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
    ///     let (tx, rx) = mpsc::channel::<()>(1);
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
    /// let (tx, mut rx) = mpsc::channel::<()>(1);
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Free slots right now: the channel's size minus the buffered items and the reserved
    /// slots.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel(3);
    /// tx.try_send(1).unwrap();
    /// let _permit = tx.try_reserve().unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.tx.capacity()
    }

    /// The channel's size, as given to [`channel`].
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(8);
    /// assert_eq!(tx.max_capacity(), 8);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Whether both senders send into the same channel.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let (other, _other_rx) = mpsc::channel::<u8>(1);
    /// assert!(tx.same_channel(&tx.clone()));
    /// assert!(!tx.same_channel(&other));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// A [`WeakSender`] for this channel, which does not keep it open.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    /// assert!(weak.upgrade().is_some());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            tx: self.tx.downgrade(),
        }
    }

    /// How many `Sender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// assert_eq!(tx.weak_count(), 0);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.tx).finish()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] for the channel, if any sender is still alive (once they are all gone,
    /// the channel has ended for good and this returns `None`).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.tx.upgrade().map(|tx| Sender { tx })
    }

    /// How many `Sender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// assert_eq!(tx.downgrade().strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.strong_count()
    }

    /// How many `WeakSender`s of this channel are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.clone().weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tx.fmt(f)
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot; never waits, never fails. If the receiver was
    /// dropped meanwhile, the value is dropped. (After the receiver's
    /// [`close`](Receiver::close) it is still delivered: the receiver drains the channel.)
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.try_reserve().unwrap().send("x");
    /// assert_eq!(rx.try_recv(), Ok("x"));
    /// ```
    pub fn send(self, value: T) {
        let chan = self.chan;
        // The slot is filled, not given back: skip `Drop`.
        std::mem::forget(self);
        chan.send_reserved(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_reserved();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").field("chan", self.chan).finish()
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` into the reserved slot and returns the sender; never waits, never
    /// fails (if the receiver was dropped meanwhile, the value is dropped).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(5);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        tx.tx.send_reserved(value);
        tx
    }

    /// Gives the reserved slot back unused and returns the sender.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let tx = self.tx.take().expect("an OwnedPermit holds its sender");
        tx.tx.release_reserved();
        tx
    }

    /// Whether both permits belong to the same channel.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(2);
    /// let a = tx.clone().try_reserve_owned().unwrap();
    /// let b = tx.try_reserve_owned().unwrap();
    /// assert!(a.same_channel(&b));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        self.sender().same_channel(other.sender())
    }

    /// Whether the permit belongs to `sender`'s channel.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// assert!(permit.same_channel_as_sender(&tx));
    /// ```
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.sender().same_channel(sender)
    }

    fn sender(&self) -> &Sender<T> {
        self.tx.as_ref().expect("an OwnedPermit holds its sender")
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            tx.tx.release_reserved();
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").field("tx", &self.tx).finish()
    }
}

impl<T> Receiver<T> {
    /// Receives the next item, waiting if the buffer is empty. `None` once every sender is
    /// gone (or the receiver was closed) and everything buffered or reserved has been
    /// received.
    ///
    /// Cancel-safe: if the future is dropped before it completes, no item was taken from the
    /// channel (use it in `select!` or behind a timeout freely).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(2);
    ///     tx.send("hello").await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some("hello"));
    ///     assert_eq!(rx.recv().await, None);
    /// }
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` items into `buffer` (appended), waiting if none is buffered;
    /// returns how many. 0 means the channel has ended (as `recv`'s `None`), or `limit` was 0
    /// (then it returns at once).
    ///
    /// Cancel-safe as [`recv`](Self::recv): a cancelled call took nothing.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(8);
    ///     for n in 0..5 {
    ///         tx.send(n).await.unwrap();
    ///     }
    ///     let mut batch = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut batch, 3).await, 3);
    ///     assert_eq!(rx.recv_many(&mut batch, 3).await, 2);
    ///     assert_eq!(batch, [0, 1, 2, 3, 4]);
    /// }
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.rx.poll_recv_many(cx, buffer, limit)).await
    }

    /// Takes the next item if one is buffered, without waiting.
    ///
    /// `Err(TryRecvError::Empty)` if nothing is buffered yet; `Err(TryRecvError::Disconnected)`
    /// if nothing ever will be (the channel has ended).
    ///
    /// ```
    /// use runtime::sync::mpsc::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Polls for the next item: `Ready(Some(item))`, `Ready(None)` at the end, or `Pending`
    /// with `cx`'s waker registered (only the waker of the latest poll is woken). For
    /// hand-written futures and streams.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv(cx)).await, Some(1));
    /// }
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` items, appended to `buffer`: `Ready(n)` with `n > 0`,
    /// `Ready(0)` at the end (or if `limit` is 0), or `Pending` with `cx`'s waker registered.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     tx.send(1).await.unwrap();
    ///     tx.send(2).await.unwrap();
    ///     let mut items = Vec::new();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv_many(cx, &mut items, 10)).await, 2);
    ///     assert_eq!(items, [1, 2]);
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

    /// Receives the next item, blocking the current thread while the buffer is empty: for
    /// synchronous code consuming what async tasks produce.
    ///
    /// Call it from a plain thread or from `spawn_blocking`, never from an async task (it
    /// would block a worker thread).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     let consumer = std::thread::spawn(move || {
    ///         let mut got = Vec::new();
    ///         while let Some(n) = rx.blocking_recv() {
    ///             got.push(n);
    ///         }
    ///         got
    ///     });
    ///     tx.send(1).await.unwrap();
    ///     tx.send(2).await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(consumer.join().unwrap(), [1, 2]);
    /// }
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        block_on_outside_runtime("mpsc::Receiver::blocking_recv", self.recv())
    }

    /// [`recv_many`](Self::recv_many), blocking the current thread (see
    /// [`blocking_recv`](Self::blocking_recv)).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// let mut items = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut items, 4), 1);
    /// assert_eq!(rx.blocking_recv_many(&mut items, 4), 0);
    /// ```
    ///
    /// # Panics
    /// On a thread that drives a runtime (in an async task or inside `block_on`), as in Tokio:
    /// blocking there would stall the runtime. Call it from a plain thread or `spawn_blocking`.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        block_on_outside_runtime(
            "mpsc::Receiver::blocking_recv_many",
            self.recv_many(buffer, limit),
        )
    }

    /// Closes the channel without dropping the receiver: sends fail from now on and waiting
    /// senders wake with an error, but the buffered items (and those of permits already
    /// reserved) can still be received; `recv` returns `None` after them.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, mut rx) = mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// }
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
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// assert!(!rx.is_closed());
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
    /// let (tx, rx) = mpsc::channel(1);
    /// assert!(rx.is_empty());
    /// tx.try_send(()).unwrap();
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
    /// let (tx, rx) = mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Free slots right now (as [`Sender::capacity`]).
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.rx.capacity()
    }

    /// The channel's size, as given to [`channel`].
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (_tx, rx) = mpsc::channel::<u8>(4);
    /// assert_eq!(rx.max_capacity(), 4);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.rx.max_capacity()
    }

    /// How many `Sender`s are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// assert_eq!(rx.sender_strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(rx.sender_strong_count(), 0);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.rx.sender_strong_count()
    }

    /// How many `WeakSender`s are alive.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel::<u8>(1);
    /// let _weak = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.rx.sender_weak_count()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("chan", &self.rx).finish()
    }
}

/// The future of `send`: a slot, then the value into it under the same lock.
struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    waiter: Option<WaiterId>,
    /// `None` once sent or handed back.
    value: Option<T>,
}

impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let value = &mut this.value;
        let reserved = this
            .chan
            .poll_reserve(&mut this.waiter, cx, |wakers, state| {
                state.push(
                    value.take().expect("SendFuture polled after completion"),
                    wakers,
                );
            });
        match reserved {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            Poll::Ready(Err(())) => Poll::Ready(Err(SendError(
                value.take().expect("SendFuture polled after completion"),
            ))),
        }
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.chan.cancel_reserve(waiter);
        }
    }
}

/// The future of `reserve`: a slot.
struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    waiter: Option<WaiterId>,
}

impl<T> Future for Reserve<'_, T> {
    type Output = Result<(), SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan
            .poll_reserve(&mut this.waiter, cx, |_, _| ())
            .map(|reserved| reserved.map_err(|()| SendError(())))
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.chan.cancel_reserve(waiter);
        }
    }
}
