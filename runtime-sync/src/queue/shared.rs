//! The state machine shared by the three queues: one lock around the items, the waiting
//! getters, putters and joiners, and the counters.
//!
//! Both kinds of waiters are served by *reservation*. An item that arrives while getters wait
//! is stored and reserved for the first getter, which takes an item when it next runs. A slot
//! that a `get` frees while putters wait is reserved for the first putter, which stores its
//! item when it next runs. A woken waiter dropped before it ran passes its reservation to the
//! next waiter of its kind, or gives it back. So nothing is lost, nobody is overtaken, and a
//! `put` that did not complete never enqueued its item (it keeps the item until it runs).
//!
//! Invariants (checked by `debug_check` in debug builds):
//! - `reserved_items <= store.len()` and `store.len() + reserved_slots <= capacity`.
//! - A getter is queued only while every stored item is reserved (`store.len() ==
//!   reserved_items`), so a newcomer `get` cannot take an item promised to a woken getter.
//! - A putter is queued only while the queue is full counting reserved slots (`store.len() +
//!   reserved_slots == capacity`), so a newcomer `put` queues behind the waiting putters.
//! - Once the queue is shut down nobody is queued (`shutdown` releases them all and later
//!   calls fail instead of queueing), except joiners, and no slot is reserved (every `put`
//!   fails from then on).

use std::fmt;
use std::task::{ready, Context, Poll};

use runtime_core::coop;
use runtime_core::loom::sync::Mutex;

use super::error::{ShutDown, TaskDoneError, TryGetError, TryPutError};
use super::order::Store;
use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// The queue proper; `Queue`, `LifoQueue` and `PriorityQueue` each wrap one.
pub(super) struct Shared<T> {
    /// `None` for an unbounded queue.
    capacity: Option<usize>,
    state: Mutex<State<T>>,
}

struct State<T> {
    store: Store<T>,
    /// Stored items promised to getters that were woken and have not taken them yet.
    reserved_items: usize,
    /// Free slots promised to putters that were woken and have not filled them yet.
    reserved_slots: usize,
    /// Items enqueued and not yet marked done with `task_done`.
    unfinished: usize,
    shutdown: Shutdown,
    getters: WaitList<Getter>,
    /// A putter taken off this list was given a slot while the queue is open, or released
    /// by the shutdown (which voids every slot reservation) otherwise.
    putters: WaitList<()>,
    joiners: WaitList<()>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shutdown {
    Open,
    /// `shutdown()`: puts fail, gets take what is left, then fail.
    Draining,
    /// `shutdown_immediate()`: the items were dropped; everything fails.
    Immediate,
}

/// What a waiting getter was told when it was taken off the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Getter {
    /// Queued (linked).
    Waiting,
    /// An item was reserved for it (counted in `reserved_items`), unless `shutdown_immediate`
    /// dropped the items and voided every reservation since.
    Reserved,
    /// Released by a shutdown with nothing reserved for it.
    Released,
}

impl<T> Shared<T> {
    pub(super) fn new(store: Store<T>, capacity: Option<usize>) -> Shared<T> {
        Shared {
            capacity,
            state: Mutex::new(State {
                store,
                reserved_items: 0,
                reserved_slots: 0,
                unfinished: 0,
                shutdown: Shutdown::Open,
                getters: WaitList::new(),
                putters: WaitList::new(),
                joiners: WaitList::new(),
            }),
        }
    }

    pub(super) fn capacity(&self) -> Option<usize> {
        self.capacity
    }

    pub(super) fn len(&self) -> usize {
        self.state.lock().store.len()
    }

    pub(super) fn is_full(&self) -> bool {
        self.full(&self.state.lock())
    }

    pub(super) fn is_shutdown(&self) -> bool {
        self.state.lock().shutdown != Shutdown::Open
    }

    /// Whether a newcomer `put` would wait: no slot is free, counting the slots promised to
    /// woken putters as taken.
    fn full(&self, state: &State<T>) -> bool {
        self.capacity
            .is_some_and(|capacity| state.store.len() + state.reserved_slots >= capacity)
    }

    pub(super) fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if state.shutdown != Shutdown::Open {
            return Err(TryPutError::ShutDown(item));
        }
        if self.full(&state) {
            return Err(TryPutError::Full(item));
        }
        state.enqueue(item, &mut wakers);
        state.debug_check(self.capacity);
        Ok(())
    }

    /// The poll of `Put`: `item` stays with the future until it is enqueued; `waiter` is its
    /// place among the waiting putters.
    pub(super) fn poll_put(
        &self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterId>,
        item: &mut Option<T>,
    ) -> Poll<Result<(), ShutDown<T>>> {
        let restore = ready!(coop::poll_proceed(cx));
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        let slot_reserved = match *waiter {
            Some(id) if state.putters.is_linked(id) => {
                state.putters.set_waker(id, cx.waker());
                return Poll::Pending;
            }
            Some(id) => {
                *waiter = None;
                state.putters.remove(id);
                // Taken off the list: given a slot, unless the queue was shut down since.
                state.shutdown == Shutdown::Open
            }
            None => false,
        };
        let value = item.take().expect("`Put` polled after completion");
        let result = if state.shutdown != Shutdown::Open {
            Err(ShutDown(value))
        } else if slot_reserved {
            state.reserved_slots -= 1;
            state.enqueue(value, &mut wakers);
            Ok(())
        } else if self.full(&state) {
            // The item stays with the future until a slot is reserved for it.
            *item = Some(value);
            *waiter = Some(state.putters.push_back((), cx.waker()));
            return Poll::Pending;
        } else {
            state.enqueue(value, &mut wakers);
            Ok(())
        };
        state.debug_check(self.capacity);
        restore.made_progress();
        Poll::Ready(result)
    }

    /// The drop of a waiting `Put` (its item, still in the future, is dropped with it): a
    /// slot it was given passes to the next waiting putter, or is freed.
    pub(super) fn cancel_put(&self, id: WaiterId) {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        let linked = state.putters.is_linked(id);
        state.putters.remove(id);
        if !linked && state.shutdown == Shutdown::Open {
            state.pass_slot(&mut wakers);
        }
        state.debug_check(self.capacity);
    }

    pub(super) fn try_get(&self) -> Result<T, TryGetError> {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        match state.take_unreserved(&mut wakers) {
            Some(item) => {
                state.debug_check(self.capacity);
                Ok(item)
            }
            None if state.shutdown != Shutdown::Open => Err(TryGetError::ShutDown),
            None => Err(TryGetError::Empty),
        }
    }

    /// The poll of `Get`; `waiter` is its place among the waiting getters.
    pub(super) fn poll_get(
        &self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterId>,
    ) -> Poll<Result<T, ShutDown>> {
        let restore = ready!(coop::poll_proceed(cx));
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        let result = match *waiter {
            None => match state.take_unreserved(&mut wakers) {
                Some(item) => Ok(item),
                None if state.shutdown != Shutdown::Open => Err(ShutDown(())),
                None => {
                    *waiter = Some(state.getters.push_back(Getter::Waiting, cx.waker()));
                    return Poll::Pending;
                }
            },
            Some(id) if state.getters.is_linked(id) => {
                state.getters.set_waker(id, cx.waker());
                return Poll::Pending;
            }
            Some(id) => {
                *waiter = None;
                let told = state.getters.remove(id);
                debug_assert_ne!(told, Getter::Waiting, "an unlinked getter was told nothing");
                if told == Getter::Reserved && state.shutdown != Shutdown::Immediate {
                    state.reserved_items -= 1;
                    let item = state.store.pop().expect("a reserved item is in the store");
                    state.slot_freed(&mut wakers);
                    Ok(item)
                } else {
                    // Released by a shutdown: an item may have come free since (a woken
                    // getter gave up its reservation); otherwise there is nothing left.
                    state.take_unreserved(&mut wakers).ok_or(ShutDown(()))
                }
            }
        };
        state.debug_check(self.capacity);
        restore.made_progress();
        Poll::Ready(result)
    }

    /// The drop of a waiting `Get`: a reservation it was given passes to the next waiting
    /// getter, or goes back to the store (the item is then free for any `get`).
    pub(super) fn cancel_get(&self, id: WaiterId) {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if state.getters.remove(id) == Getter::Reserved && state.shutdown != Shutdown::Immediate {
            match state.getters.pop_front() {
                Some(next) => {
                    *state.getters.data_mut(next) = Getter::Reserved;
                    wakers.push(state.getters.take_waker(next));
                }
                None => state.reserved_items -= 1,
            }
        }
        state.debug_check(self.capacity);
    }

    pub(super) fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut wakers = WakeBatch::new();
        let mut state = self.state.lock();
        if state.unfinished == 0 {
            return Err(TaskDoneError(()));
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            state.release_joiners(&mut wakers);
        }
        Ok(())
    }

    /// The poll of `Join`.
    pub(super) fn poll_join(
        &self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterId>,
    ) -> Poll<()> {
        let restore = ready!(coop::poll_proceed(cx));
        let mut state = self.state.lock();
        match *waiter {
            None if state.unfinished > 0 => {
                *waiter = Some(state.joiners.push_back((), cx.waker()));
                return Poll::Pending;
            }
            None => {}
            Some(id) if state.joiners.is_linked(id) => {
                state.joiners.set_waker(id, cx.waker());
                return Poll::Pending;
            }
            Some(id) => {
                *waiter = None;
                state.joiners.remove(id);
            }
        }
        restore.made_progress();
        Poll::Ready(())
    }

    pub(super) fn cancel_join(&self, id: WaiterId) {
        self.state.lock().joiners.remove(id);
    }

    /// `shutdown()` (`immediate == false`) or `shutdown_immediate()`.
    pub(super) fn shutdown(&self, immediate: bool) {
        let mut wakers = WakeBatch::new();
        // Declared before the guard: the dropped items are dropped after the lock is released.
        let mut dropped = None;
        let mut state = self.state.lock();
        if immediate && state.shutdown != Shutdown::Immediate {
            state.shutdown = Shutdown::Immediate;
            let items = state.store.take_all();
            // As asyncio: each dropped item counts as done (not below zero, since `task_done`
            // may have been called ahead of the gets).
            state.unfinished = state.unfinished.saturating_sub(items.len());
            if state.unfinished == 0 {
                state.release_joiners(&mut wakers);
            }
            // The woken getters see `Immediate` and do not look for their items.
            state.reserved_items = 0;
            dropped = Some(items);
        } else if state.shutdown == Shutdown::Open {
            state.shutdown = Shutdown::Draining;
        }
        // No getter is queued while an item is free, so every queued getter is released
        // empty-handed. Every put fails from now on, woken or not, handing its item back, so
        // no slot stays reserved.
        state.getters.unlink_where(&mut wakers, |getter| {
            *getter = Getter::Released;
            true
        });
        state.putters.unlink_where(&mut wakers, |()| true);
        state.reserved_slots = 0;
        state.debug_check(self.capacity);
        drop(state);
        drop(dropped);
    }

    pub(super) fn fmt_fields(&self, f: &mut fmt::DebugStruct<'_, '_>) {
        let state = self.state.lock();
        f.field("order", &state.store.order())
            .field("len", &state.store.len())
            .field("capacity", &self.capacity)
            .field("unfinished", &state.unfinished)
            .field("waiting_getters", &state.getters.len())
            .field("waiting_putters", &state.putters.len())
            .field("is_shutdown", &(state.shutdown != Shutdown::Open));
    }
}

impl<T> State<T> {
    /// Stores an item (counting it unfinished) and, if a getter waits, reserves the item for
    /// the first one and wakes it.
    fn enqueue(&mut self, item: T, wakers: &mut WakeBatch) {
        self.store.push(item);
        self.unfinished += 1;
        if let Some(getter) = self.getters.pop_front() {
            self.reserved_items += 1;
            *self.getters.data_mut(getter) = Getter::Reserved;
            wakers.push(self.getters.take_waker(getter));
        }
    }

    /// Takes the next item if one is not reserved for a woken getter.
    fn take_unreserved(&mut self, wakers: &mut WakeBatch) -> Option<T> {
        if self.store.len() <= self.reserved_items {
            return None;
        }
        let item = self.store.pop();
        self.slot_freed(wakers);
        item
    }

    /// An item left the store: if a putter waits, the free slot is reserved for the first one.
    fn slot_freed(&mut self, wakers: &mut WakeBatch) {
        if let Some(putter) = self.putters.pop_front() {
            self.reserved_slots += 1;
            wakers.push(self.putters.take_waker(putter));
        }
    }

    /// A woken putter gave up its slot: to the next waiting putter, or back to the queue.
    fn pass_slot(&mut self, wakers: &mut WakeBatch) {
        match self.putters.pop_front() {
            Some(next) => wakers.push(self.putters.take_waker(next)),
            None => self.reserved_slots -= 1,
        }
    }

    fn release_joiners(&mut self, wakers: &mut WakeBatch) {
        self.joiners.unlink_where(wakers, |()| true);
    }

    fn debug_check(&self, capacity: Option<usize>) {
        if !cfg!(debug_assertions) {
            return;
        }
        let len = self.store.len();
        assert!(
            self.reserved_items <= len,
            "more item reservations than items"
        );
        assert!(
            self.getters.is_empty() || len == self.reserved_items,
            "a getter waits while an item is free"
        );
        match capacity {
            Some(capacity) => {
                assert!(len + self.reserved_slots <= capacity, "over capacity");
                assert!(
                    self.putters.is_empty() || len + self.reserved_slots == capacity,
                    "a putter waits while a slot is free"
                );
            }
            None => assert!(self.putters.is_empty() && self.reserved_slots == 0),
        }
        if self.shutdown != Shutdown::Open {
            assert!(
                self.getters.is_empty() && self.putters.is_empty() && self.reserved_slots == 0,
                "a put or get waits after shutdown"
            );
        }
    }
}
