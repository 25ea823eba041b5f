//! The core both `mpsc` flavours share: the buffer, the receiver's waker, the senders waiting
//! for space, and the closed flags, all under one lock.
//!
//! A bounded channel counts its space in *slots*: `free` slots are available, the others hold
//! a buffered item or are reserved (by a `Permit`, or granted to a waiting sender that has not
//! collected it yet). A sender that finds no free slot queues in `reserve_waiters`; a slot
//! freed later (an item received, a permit dropped) goes straight to the first queued sender
//! (`Reservation::Granted`, woken after the lock is released) instead of back into `free`, so
//! waiting senders are served in FIFO order and a newcomer cannot overtake them: `free > 0`
//! implies that nobody is queued. A waiting sender dropped after its grant hands the slot on.
//!
//! The sender count lives outside the lock (cloning a sender is one atomic add); the last
//! sender to go takes the lock once to mark the sending side closed and wake the receiver.
//!
//! An unbounded channel keeps its items outside the lock, in a lock-free `ConcurrentQueue`
//! (smol's, block-based, loom-aware), so that senders and the receiver do not contend on it:
//! a send is a push, then a look at `rx_parked`; only when the receiver is parked does the
//! sender take the lock to wake it. The receiver parks by storing its waker under the lock,
//! setting `rx_parked`, and popping once more: the two sides each write their flag (push or
//! `rx_parked`) and then read the other's with a SeqCst fence in between, so either the
//! receiver's last pop finds the item or the sender sees the receiver parked. Closing the
//! receiving side closes the queue, so a send racing the close either lands before it (and
//! is received or dropped with the receiver) or fails with its value.

use std::collections::VecDeque;

use concurrent_queue::{ConcurrentQueue, PushError};
use std::fmt;
use std::ops::Deref;
use std::task::{ready, Context, Poll, Waker};

use runtime_core::coop;
use runtime_core::loom::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use runtime_core::loom::sync::{Arc, Mutex};

use super::error::{TryRecvError, TrySendError};
use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// A bounded channel allocates its buffer up front, up to this many slots (a larger buffer
/// grows on demand, so `channel(usize::MAX >> 3)` does not try to allocate it all).
const PREALLOCATE_LIMIT: usize = 1024;

/// The shared channel.
pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// The bounded channel's size; `None` for an unbounded channel.
    bound: Option<usize>,
    /// Live strong senders (`Sender`s, including those inside an `OwnedPermit`).
    senders: AtomicUsize,
    /// Live weak senders.
    weak_senders: AtomicUsize,
    /// An unbounded channel's items (a bounded channel buffers in `State::items`).
    unbounded: Option<ConcurrentQueue<T>>,
    /// Unbounded: the receiver stored its waker and may be parked; a sender that sees it
    /// takes the lock to wake it.
    rx_parked: AtomicBool,
}

struct State<T> {
    items: VecDeque<T>,
    /// Bounded: slots neither holding an item nor reserved. Unused when unbounded.
    free: usize,
    /// Senders waiting for a slot, in arrival order.
    reserve_waiters: WaitList<Reservation>,
    /// Senders waiting in `closed()`.
    closed_waiters: WaitList<()>,
    /// The receiver's waker while it waits for an item.
    rx_waker: Option<Waker>,
    /// The receiver closed the channel (or was dropped): sends fail.
    rx_closed: bool,
    /// The receiver is gone: items that still arrive through permits are dropped.
    rx_dropped: bool,
    /// Every sender is gone: once the buffer is empty, the stream has ended.
    tx_closed: bool,
}

/// A waiting sender's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reservation {
    /// Queued.
    Waiting,
    /// A slot was handed over: the waiter owns it (and must pass it on if dropped).
    Granted,
    /// The receiver closed the channel first.
    Closed,
}

impl<T> State<T> {
    /// Buffers `value` and takes the receiver's waker to wake it.
    fn push(&mut self, value: T, wakers: &mut WakeBatch) {
        self.items.push_back(value);
        wakers.push(self.rx_waker.take());
    }

    /// `count` slots become free (bounded only): each goes to the first queued sender, the
    /// rest back to `free`.
    fn release(&mut self, mut count: usize, wakers: &mut WakeBatch) {
        while count > 0 {
            let Some(id) = self.reserve_waiters.pop_front() else {
                break;
            };
            *self.reserve_waiters.data_mut(id) = Reservation::Granted;
            wakers.push(self.reserve_waiters.take_waker(id));
            count -= 1;
        }
        self.free += count;
        if self.rx_closed {
            // A closed receiver waits for the outstanding reservations before it ends.
            wakers.push(self.rx_waker.take());
        }
    }

    /// Slots reserved (by permits or granted waiters) and not yet filled.
    fn reserved(&self, bound: Option<usize>) -> usize {
        bound.map_or(0, |bound| bound - self.free - self.items.len())
    }

    /// Whether the receiver has seen the end: nothing buffered, and nothing can come any more.
    fn is_finished(&self, bound: Option<usize>) -> bool {
        self.items.is_empty() && (self.tx_closed || (self.rx_closed && self.reserved(bound) == 0))
    }

    /// Marks the receiving side closed, failing every queued and later reservation.
    fn close_rx(&mut self, wakers: &mut WakeBatch) {
        if self.rx_closed {
            return;
        }
        self.rx_closed = true;
        self.reserve_waiters.unlink_where(wakers, |reservation| {
            *reservation = Reservation::Closed;
            true
        });
        self.closed_waiters.unlink_where(wakers, |()| true);
    }

    /// Stores the receiver's waker (keeping the current one if it wakes the same task).
    fn register_rx(&mut self, waker: &Waker) {
        match &mut self.rx_waker {
            Some(current) if current.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }
}

impl<T> Chan<T> {
    fn new(bound: Option<usize>) -> Chan<T> {
        let items = match bound {
            Some(bound) => VecDeque::with_capacity(bound.min(PREALLOCATE_LIMIT)),
            None => VecDeque::new(),
        };
        Chan {
            state: Mutex::new(State {
                items,
                free: bound.unwrap_or(0),
                reserve_waiters: WaitList::new(),
                closed_waiters: WaitList::new(),
                rx_waker: None,
                rx_closed: false,
                rx_dropped: false,
                tx_closed: false,
            }),
            bound,
            senders: AtomicUsize::new(1),
            weak_senders: AtomicUsize::new(0),
            unbounded: bound.is_none().then(ConcurrentQueue::unbounded),
            rx_parked: AtomicBool::new(false),
        }
    }

    // ----- sending side

    /// The bounded channel's size.
    pub(super) fn max_capacity(&self) -> usize {
        self.bound.expect("only bounded channels have a capacity")
    }

    /// Free slots right now (bounded).
    pub(super) fn capacity(&self) -> usize {
        self.state.lock().free
    }

    /// Whether sends fail (the receiver closed or was dropped).
    pub(super) fn is_closed(&self) -> bool {
        self.state.lock().rx_closed
    }

    /// Unbounded send: buffers `value` unless the receiver is closed.
    pub(super) fn send_unbounded(&self, value: T) -> Result<(), T> {
        let queue = self.unbounded.as_ref().expect("an unbounded channel");
        if let Err(PushError::Closed(value) | PushError::Full(value)) = queue.push(value) {
            return Err(value);
        }
        // Pairs with the fence in `park_rx`: we pushed, then look; it looked, then pops.
        fence(Ordering::SeqCst);
        if self.rx_parked.load(Ordering::Relaxed) && self.rx_parked.swap(false, Ordering::AcqRel) {
            let waker = self.state.lock().rx_waker.take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        Ok(())
    }

    /// Bounded send without waiting: takes a free slot and fills it in one step.
    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if state.rx_closed {
            return Err(TrySendError::Closed(value));
        }
        if state.free == 0 {
            return Err(TrySendError::Full(value));
        }
        state.free -= 1;
        state.push(value, &mut wakers);
        Ok(())
    }

    /// Reserves a free slot without waiting.
    pub(super) fn try_reserve(&self) -> Result<(), TrySendError<()>> {
        let mut state = self.state.lock();
        if state.rx_closed {
            return Err(TrySendError::Closed(()));
        }
        if state.free == 0 {
            return Err(TrySendError::Full(()));
        }
        state.free -= 1;
        Ok(())
    }

    /// Polls for a slot: on the first poll (`waiter` is `None`) takes a free one or queues;
    /// later polls collect the outcome. Once a slot is had, `then` runs under the same lock
    /// (a `send` fills the slot there). `Err(())`: the receiver closed.
    ///
    /// A caller that drops its `waiter` while it is `Some` must call `cancel_reserve`.
    pub(super) fn poll_reserve<R>(
        &self,
        waiter: &mut Option<WaiterId>,
        cx: &mut Context<'_>,
        then: impl FnOnce(&mut WakeBatch, &mut StateRef<'_, T>) -> R,
    ) -> Poll<Result<R, ()>> {
        let restore = ready!(coop::poll_proceed(cx));
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        let reserved = match *waiter {
            None => {
                if state.rx_closed {
                    false
                } else if state.free > 0 {
                    debug_assert!(state.reserve_waiters.is_empty());
                    state.free -= 1;
                    true
                } else {
                    *waiter = Some(
                        state
                            .reserve_waiters
                            .push_back(Reservation::Waiting, cx.waker()),
                    );
                    return Poll::Pending;
                }
            }
            Some(id) => match *state.reserve_waiters.data(id) {
                Reservation::Waiting => {
                    state.reserve_waiters.set_waker(id, cx.waker());
                    return Poll::Pending;
                }
                outcome => {
                    state.reserve_waiters.remove(id);
                    *waiter = None;
                    if outcome == Reservation::Granted && state.rx_dropped {
                        // Granted before the receiver went away: nobody can take an item
                        // any more, so fail (a `send` gets its value back) instead.
                        state.release(1, &mut wakers);
                        false
                    } else {
                        outcome == Reservation::Granted
                    }
                }
            },
        };
        restore.made_progress();
        if reserved {
            Poll::Ready(Ok(then(&mut wakers, &mut StateRef(&mut *state))))
        } else {
            Poll::Ready(Err(()))
        }
    }

    /// A waiting reservation is dropped: leaves the queue, handing on a slot it was granted.
    pub(super) fn cancel_reserve(&self, waiter: WaiterId) {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if state.reserve_waiters.remove(waiter) == Reservation::Granted {
            state.release(1, &mut wakers);
        }
    }

    /// Fills a reserved slot (a permit's `send`). If the receiver is gone, the value is
    /// dropped (after the lock is released) and the slot freed.
    pub(super) fn send_reserved(&self, value: T) {
        let mut wakers = WakeBatch::new();
        let undelivered = {
            let mut state = self.state.lock();
            if state.rx_dropped {
                state.release(1, &mut wakers);
                Some(value)
            } else {
                state.push(value, &mut wakers);
                None
            }
        };
        drop(undelivered);
    }

    /// Gives a reserved slot back unused (a permit dropped).
    pub(super) fn release_reserved(&self) {
        let mut wakers = WakeBatch::new();
        self.state.lock().release(1, &mut wakers);
    }

    /// Polls `closed()`: `Ready` once the receiver is closed or dropped.
    ///
    /// A caller that drops its `waiter` while it is `Some` must call `cancel_closed`.
    pub(super) fn poll_closed(
        &self,
        waiter: &mut Option<WaiterId>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let mut state = self.state.lock();
        if state.rx_closed {
            if let Some(id) = waiter.take() {
                state.closed_waiters.remove(id);
            }
            return Poll::Ready(());
        }
        match *waiter {
            None => *waiter = Some(state.closed_waiters.push_back((), cx.waker())),
            Some(id) => state.closed_waiters.set_waker(id, cx.waker()),
        }
        Poll::Pending
    }

    /// A `closed()` future is dropped while waiting.
    pub(super) fn cancel_closed(&self, waiter: WaiterId) {
        self.state.lock().closed_waiters.remove(waiter);
    }

    /// The last sender is gone: the receiver sees the end once the buffer is drained.
    fn close_tx(&self) {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        state.tx_closed = true;
        wakers.push(state.rx_waker.take());
    }

    // ----- receiving side

    /// Takes the next item, or `Ready(None)` at the end, or registers the receiver's waker.
    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if let Some(queue) = &self.unbounded {
            if let Ok(value) = queue.pop() {
                return Poll::Ready(Some(value));
            }
            let finished = self.park_rx(cx);
            return match queue.pop() {
                Ok(value) => Poll::Ready(Some(value)),
                Err(_) if finished => Poll::Ready(None),
                Err(_) => Poll::Pending,
            };
        }
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if let Some(value) = state.items.pop_front() {
            if self.bound.is_some() {
                state.release(1, &mut wakers);
            }
            return Poll::Ready(Some(value));
        }
        if state.is_finished(self.bound) {
            return Poll::Ready(None);
        }
        state.register_rx(cx.waker());
        Poll::Pending
    }

    /// Unbounded, found the queue empty: stores the receiver's waker and marks it parked, so
    /// a later send wakes it. Returns whether the stream has ended (no send can come any
    /// more), to be trusted once the caller's next pop also finds the queue empty.
    fn park_rx(&self, cx: &Context<'_>) -> bool {
        let finished = {
            let mut state = self.state.lock();
            state.register_rx(cx.waker());
            self.rx_parked.store(true, Ordering::Relaxed);
            state.tx_closed || state.rx_closed
        };
        // Pairs with the fence in `send_unbounded`.
        fence(Ordering::SeqCst);
        finished
    }

    /// Moves up to `limit` (> 0) items into `buffer` under one lock (unbounded: without it).
    fn poll_recv_many(
        &self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if let Some(queue) = &self.unbounded {
            let mut count = pop_into(queue, buffer, limit);
            if count == 0 {
                let finished = self.park_rx(cx);
                count = pop_into(queue, buffer, limit);
                if count == 0 && !finished {
                    return Poll::Pending;
                }
            }
            return Poll::Ready(count);
        }
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        let count = state.items.len().min(limit);
        if count > 0 {
            buffer.extend(state.items.drain(..count));
            if self.bound.is_some() {
                state.release(count, &mut wakers);
            }
            return Poll::Ready(count);
        }
        if state.is_finished(self.bound) {
            return Poll::Ready(0);
        }
        state.register_rx(cx.waker());
        Poll::Pending
    }

    fn try_recv(&self) -> Result<T, TryRecvError> {
        if let Some(queue) = &self.unbounded {
            if let Ok(value) = queue.pop() {
                return Ok(value);
            }
            let finished = {
                let state = self.state.lock();
                state.tx_closed || state.rx_closed
            };
            // Every send that can still land came before the close we just saw.
            return match queue.pop() {
                Ok(value) => Ok(value),
                Err(_) if finished => Err(TryRecvError::Disconnected),
                Err(_) => Err(TryRecvError::Empty),
            };
        }
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if let Some(value) = state.items.pop_front() {
            if self.bound.is_some() {
                state.release(1, &mut wakers);
            }
            return Ok(value);
        }
        if state.is_finished(self.bound) {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    fn close_rx(&self) {
        let mut wakers = WakeBatch::new();
        self.state.lock().close_rx(&mut wakers);
        if let Some(queue) = &self.unbounded {
            queue.close();
        }
    }

    /// The receiver is dropped: closes the channel and drops the buffered items (after the
    /// lock is released, as their `Drop` may use the channel).
    fn drop_rx(&self) {
        let mut wakers = WakeBatch::new();
        let (items, waker) = {
            let mut state = self.state.lock();
            state.close_rx(&mut wakers);
            state.rx_dropped = true;
            let items = std::mem::take(&mut state.items);
            if self.bound.is_some() {
                state.free += items.len();
            }
            (items, state.rx_waker.take())
        };
        drop(waker);
        drop(items);
        if let Some(queue) = &self.unbounded {
            queue.close();
            // A send either failed on the closed queue or landed before: drop what landed.
            while queue.pop().is_ok() {}
        }
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        let mut debug = f.debug_struct("Chan");
        let len = self
            .unbounded
            .as_ref()
            .map_or(state.items.len(), |queue| queue.len());
        debug.field("len", &len);
        if let Some(bound) = self.bound {
            debug
                .field("capacity", &state.free)
                .field("max_capacity", &bound)
                .field("waiting_senders", &state.reserve_waiters.len());
        }
        debug
            .field("senders", &self.senders.load(Ordering::Relaxed))
            .field("rx_closed", &state.rx_closed)
            .field("tx_closed", &state.tx_closed)
            .finish()
    }
}

/// Pops up to `limit` items of an unbounded channel into `buffer`; returns how many.
fn pop_into<T>(queue: &ConcurrentQueue<T>, buffer: &mut Vec<T>, limit: usize) -> usize {
    let mut count = 0;
    while count < limit {
        match queue.pop() {
            Ok(value) => buffer.push(value),
            Err(_) => break,
        }
        count += 1;
    }
    count
}

/// The locked state, as `poll_reserve`'s `then` sees it: it may only buffer an item.
pub(super) struct StateRef<'a, T>(&'a mut State<T>);

impl<T> StateRef<'_, T> {
    /// Fills the slot just reserved with `value` and wakes the receiver.
    pub(super) fn push(&mut self, value: T, wakers: &mut WakeBatch) {
        self.0.push(value, wakers);
    }
}

// ----- handles

/// Makes a channel: its first strong sender handle and its receiver handle.
pub(super) fn new<T>(bound: Option<usize>) -> (Tx<T>, Rx<T>) {
    let chan = Arc::new(Chan::new(bound));
    (Tx { chan: chan.clone() }, Rx { chan })
}

/// A strong sender's share of the channel; the last one to drop closes the sending side.
pub(super) struct Tx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Tx<T> {
    pub(super) fn same_channel(&self, other: &Tx<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    pub(super) fn downgrade(&self) -> WeakTx<T> {
        self.chan.weak_senders.fetch_add(1, Ordering::Relaxed);
        WeakTx {
            chan: self.chan.clone(),
        }
    }

    pub(super) fn strong_count(&self) -> usize {
        self.chan.senders.load(Ordering::Acquire)
    }

    pub(super) fn weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Deref for Tx<T> {
    type Target = Chan<T>;

    fn deref(&self) -> &Chan<T> {
        &self.chan
    }
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Tx<T> {
        // A new sender is made from a live one, so the count cannot be zero here.
        self.chan.senders.fetch_add(1, Ordering::Relaxed);
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        // AcqRel: the last sender's `close_tx` comes after every other sender's sends.
        if self.chan.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.chan.close_tx();
        }
    }
}

impl<T> fmt::Debug for Tx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chan.fmt(f)
    }
}

/// A weak sender's share: keeps the allocation, not the channel, alive.
pub(super) struct WeakTx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> WeakTx<T> {
    /// A strong sender, if any is still alive (once the count reached zero it stays there).
    pub(super) fn upgrade(&self) -> Option<Tx<T>> {
        let mut count = self.chan.senders.load(Ordering::Relaxed);
        loop {
            if count == 0 {
                return None;
            }
            match self.chan.senders.compare_exchange_weak(
                count,
                count + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(Tx {
                        chan: self.chan.clone(),
                    })
                }
                Err(actual) => count = actual,
            }
        }
    }

    pub(super) fn strong_count(&self) -> usize {
        self.chan.senders.load(Ordering::Acquire)
    }

    pub(super) fn weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Clone for WeakTx<T> {
    fn clone(&self) -> WeakTx<T> {
        self.chan.weak_senders.fetch_add(1, Ordering::Relaxed);
        WeakTx {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakTx<T> {
    fn drop(&mut self) {
        self.chan.weak_senders.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<T> fmt::Debug for WeakTx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender")
            .field("senders", &self.chan.senders.load(Ordering::Relaxed))
            .finish()
    }
}

/// The receiver's share: dropping it closes the channel and drops the buffered items.
pub(super) struct Rx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Rx<T> {
    /// `poll_recv` with the task's cooperative budget.
    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let restore = ready!(coop::poll_proceed(cx));
        let item = ready!(self.chan.poll_recv(cx));
        restore.made_progress();
        Poll::Ready(item)
    }

    pub(super) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let restore = ready!(coop::poll_proceed(cx));
        let count = ready!(self.chan.poll_recv_many(cx, buffer, limit));
        restore.made_progress();
        Poll::Ready(count)
    }

    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    pub(super) fn close(&mut self) {
        self.chan.close_rx();
    }

    /// Whether the channel is closed: every sender is gone, or the receiver closed it.
    pub(super) fn is_closed(&self) -> bool {
        let state = self.chan.state.lock();
        state.rx_closed || state.tx_closed
    }

    pub(super) fn len(&self) -> usize {
        match &self.chan.unbounded {
            Some(queue) => queue.len(),
            None => self.chan.state.lock().items.len(),
        }
    }

    pub(super) fn sender_strong_count(&self) -> usize {
        self.chan.senders.load(Ordering::Acquire)
    }

    pub(super) fn sender_weak_count(&self) -> usize {
        self.chan.weak_senders.load(Ordering::Acquire)
    }
}

impl<T> Deref for Rx<T> {
    type Target = Chan<T>;

    fn deref(&self) -> &Chan<T> {
        &self.chan
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.chan.drop_rx();
    }
}

impl<T> fmt::Debug for Rx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chan.fmt(f)
    }
}

// ----- futures shared by both flavours

/// The future of `closed()` on either kind of sender.
pub(super) struct Closed<'a, T> {
    chan: &'a Chan<T>,
    waiter: Option<WaiterId>,
}

impl<'a, T> Closed<'a, T> {
    pub(super) fn new(chan: &'a Chan<T>) -> Closed<'a, T> {
        Closed { chan, waiter: None }
    }
}

impl<T> std::future::Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.chan.poll_closed(&mut this.waiter, cx)
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(waiter) = self.waiter.take() {
            self.chan.cancel_closed(waiter);
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed")
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}
