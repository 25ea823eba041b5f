//! `WaitList`: the FIFO of parked waiters every primitive keeps under its lock, and `WakeBatch`,
//! the wakers collected under that lock to be woken after it is released.
//!
//! The waiters live in a slab (a `Vec` of slots with a free list) owned by the primitive, linked
//! into a doubly-linked FIFO by index. A waiting future holds a `WaiterId` (index and
//! generation), not a pointer, so there is no `unsafe` and no allocation per wait once the slab
//! has grown to the high-water mark of concurrent waiters (freed slots are reused).
//!
//! A waiter is in one of two places: *linked* (queued, waiting its turn) or *unlinked* (taken
//! off the queue by the primitive, which stored the outcome in the waiter's data and woke it).
//! Either way its slot stays allocated until the owning future calls `remove`, from its poll
//! (to collect the outcome) or its `Drop` (to cancel, handing back whatever it was given).

use std::fmt;
use std::task::Waker;

/// Marks "no slot" in the index links.
const NIL: u32 = u32::MAX;

/// The handle a waiting future keeps to find its slot again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WaiterId {
    index: u32,
    generation: u32,
}

/// One slot of the slab: a waiter, or a link in the free list.
struct Slot<D> {
    /// Bumped each time the slot is freed, so a stale `WaiterId` is caught (debug assertion).
    generation: u32,
    prev: u32,
    /// The next waiter in the FIFO, or the next free slot when the slot is free.
    next: u32,
    linked: bool,
    waiter: Option<Waiter<D>>,
}

struct Waiter<D> {
    waker: Option<Waker>,
    data: D,
}

/// A FIFO of waiters, each with a waker and per-primitive data `D`.
pub(crate) struct WaitList<D> {
    slots: Vec<Slot<D>>,
    free: u32,
    head: u32,
    tail: u32,
    linked: usize,
}

impl<D> WaitList<D> {
    pub(crate) const fn new() -> WaitList<D> {
        WaitList {
            slots: Vec::new(),
            free: NIL,
            head: NIL,
            tail: NIL,
            linked: 0,
        }
    }

    /// Whether no waiter is queued (unlinked waiters that still hold a slot do not count).
    pub(crate) fn is_empty(&self) -> bool {
        self.linked == 0
    }

    /// How many waiters are queued.
    pub(crate) fn len(&self) -> usize {
        self.linked
    }

    /// Queues a waiter at the back and returns its id.
    pub(crate) fn push_back(&mut self, data: D, waker: &Waker) -> WaiterId {
        let waiter = Some(Waiter {
            waker: Some(waker.clone()),
            data,
        });
        let index = if self.free != NIL {
            let index = self.free;
            let slot = &mut self.slots[index as usize];
            self.free = slot.next;
            slot.waiter = waiter;
            index
        } else {
            let index = u32::try_from(self.slots.len())
                .ok()
                .filter(|&index| index != NIL)
                .expect("more than u32::MAX - 1 concurrent waiters");
            self.slots.push(Slot {
                generation: 0,
                prev: NIL,
                next: NIL,
                linked: false,
                waiter,
            });
            index
        };
        self.link_back(index);
        WaiterId {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    /// The first queued waiter.
    pub(crate) fn front(&self) -> Option<WaiterId> {
        (self.head != NIL).then(|| self.id_of(self.head))
    }

    /// Takes the first queued waiter off the queue; its slot stays until its owner removes it.
    pub(crate) fn pop_front(&mut self) -> Option<WaiterId> {
        let id = self.front()?;
        self.unlink(id);
        Some(id)
    }

    /// Takes the last queued waiter off the queue (for LIFO wake-ups such as
    /// `Notify::notify_last`); its slot stays until its owner removes it.
    pub(crate) fn pop_back(&mut self) -> Option<WaiterId> {
        if self.tail == NIL {
            return None;
        }
        let id = self.id_of(self.tail);
        self.unlink(id);
        Some(id)
    }

    /// Calls `f` with each queued waiter, front to back; a waiter for which `f` returns `true`
    /// is taken off the queue (as `pop_front` would), with its waker put in `wakers`.
    pub(crate) fn unlink_where(
        &mut self,
        wakers: &mut WakeBatch,
        mut f: impl FnMut(&mut D) -> bool,
    ) {
        let mut index = self.head;
        while index != NIL {
            let next = self.slots[index as usize].next;
            let id = self.id_of(index);
            if f(self.data_mut(id)) {
                self.unlink(id);
                wakers.push(self.take_waker(id));
            }
            index = next;
        }
    }

    /// Whether the waiter is still queued.
    pub(crate) fn is_linked(&self, id: WaiterId) -> bool {
        self.slot(id).linked
    }

    /// Takes a queued waiter off the queue (no-op if it is not queued).
    pub(crate) fn unlink(&mut self, id: WaiterId) {
        let slot = self.slot(id);
        if !slot.linked {
            return;
        }
        let (prev, next) = (slot.prev, slot.next);
        match prev {
            NIL => self.head = next,
            prev => self.slots[prev as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            next => self.slots[next as usize].prev = prev,
        }
        let slot = &mut self.slots[id.index as usize];
        slot.linked = false;
        slot.prev = NIL;
        slot.next = NIL;
        self.linked -= 1;
    }

    /// The waiter's data.
    pub(crate) fn data(&self, id: WaiterId) -> &D {
        &self.waiter(id).data
    }

    /// The waiter's data, mutably.
    pub(crate) fn data_mut(&mut self, id: WaiterId) -> &mut D {
        &mut self.waiter_mut(id).data
    }

    /// Stores the waker the owner was last polled with (kept if it would wake the same task).
    pub(crate) fn set_waker(&mut self, id: WaiterId, waker: &Waker) {
        let slot = &mut self.waiter_mut(id).waker;
        match slot {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Takes the waiter's waker, to wake it once the lock is released.
    pub(crate) fn take_waker(&mut self, id: WaiterId) -> Option<Waker> {
        self.waiter_mut(id).waker.take()
    }

    /// Frees the waiter's slot (unlinking it first if it is queued) and returns its data.
    pub(crate) fn remove(&mut self, id: WaiterId) -> D {
        self.unlink(id);
        let free = self.free;
        let slot = &mut self.slots[id.index as usize];
        let waiter = slot.waiter.take().expect("waiter slot already free");
        slot.generation = slot.generation.wrapping_add(1);
        slot.next = free;
        self.free = id.index;
        waiter.data
    }

    fn link_back(&mut self, index: u32) {
        let tail = self.tail;
        let slot = &mut self.slots[index as usize];
        slot.linked = true;
        slot.prev = tail;
        slot.next = NIL;
        match tail {
            NIL => self.head = index,
            tail => self.slots[tail as usize].next = index,
        }
        self.tail = index;
        self.linked += 1;
    }

    fn id_of(&self, index: u32) -> WaiterId {
        WaiterId {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    fn slot(&self, id: WaiterId) -> &Slot<D> {
        let slot = &self.slots[id.index as usize];
        debug_assert_eq!(slot.generation, id.generation, "stale WaiterId");
        slot
    }

    fn waiter(&self, id: WaiterId) -> &Waiter<D> {
        self.slot(id).waiter.as_ref().expect("waiter slot is free")
    }

    fn waiter_mut(&mut self, id: WaiterId) -> &mut Waiter<D> {
        debug_assert_eq!(
            self.slots[id.index as usize].generation, id.generation,
            "stale WaiterId"
        );
        self.slots[id.index as usize]
            .waiter
            .as_mut()
            .expect("waiter slot is free")
    }
}

impl<D> Default for WaitList<D> {
    fn default() -> Self {
        WaitList::new()
    }
}

impl<D> fmt::Debug for WaitList<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitList")
            .field("queued", &self.linked)
            .field("slots", &self.slots.len())
            .finish()
    }
}

/// Wakers gathered under a primitive's lock and woken when the batch is dropped, after the
/// lock guard (declare the batch before taking the lock, so it drops after the guard).
///
/// One waker is kept inline, so the common case (wake one waiter) does not allocate.
#[derive(Default)]
pub(crate) struct WakeBatch {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl WakeBatch {
    pub(crate) const fn new() -> WakeBatch {
        WakeBatch {
            first: None,
            rest: Vec::new(),
        }
    }

    /// Adds a waker to wake later (`None` is ignored, for `take_waker`'s convenience).
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        let Some(waker) = waker else { return };
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Wakes everything gathered so far.
    pub(crate) fn wake_all(&mut self) {
        if let Some(waker) = self.first.take() {
            waker.wake();
        }
        for waker in self.rest.drain(..) {
            waker.wake();
        }
    }
}

impl Drop for WakeBatch {
    fn drop(&mut self) {
        self.wake_all();
    }
}

impl fmt::Debug for WakeBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = usize::from(self.first.is_some()) + self.rest.len();
        f.debug_struct("WakeBatch").field("wakers", &count).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;

    fn noop() -> Waker {
        Waker::noop().clone()
    }

    fn order(list: &WaitList<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        let mut index = list.head;
        while index != NIL {
            out.push(list.slots[index as usize].waiter.as_ref().unwrap().data);
            index = list.slots[index as usize].next;
        }
        out
    }

    #[test]
    fn queues_in_fifo_order_and_unlinks_from_the_middle() {
        let mut list = WaitList::new();
        let ids: Vec<_> = (0..4).map(|n| list.push_back(n, &noop())).collect();
        list.unlink(ids[1]);
        assert_eq!(order(&list), [0, 2, 3]);
        assert!(!list.is_linked(ids[1]));
        assert_eq!(list.pop_front(), Some(ids[0]));
        assert_eq!(order(&list), [2, 3]);
        assert_eq!(list.len(), 2);
        assert_eq!(list.remove(ids[3]), 3);
        assert_eq!(order(&list), [2]);
        assert_eq!(list.remove(ids[1]), 1);
        assert_eq!(list.remove(ids[0]), 0);
        assert_eq!(list.remove(ids[2]), 2);
        assert!(list.is_empty());
        assert_eq!(list.front(), None);
    }

    #[test]
    fn freed_slots_are_reused_with_a_new_generation() {
        let mut list = WaitList::new();
        let first = list.push_back(1, &noop());
        list.remove(first);
        let second = list.push_back(2, &noop());
        assert_eq!(first.index, second.index);
        assert_ne!(first.generation, second.generation);
        assert_eq!(list.slots.len(), 1);
        assert_eq!(*list.data(second), 2);
    }

    #[test]
    fn unlink_where_takes_matching_waiters_and_their_wakers() {
        let mut list = WaitList::new();
        let ids: Vec<_> = (0..5).map(|n| list.push_back(n, &noop())).collect();
        let mut wakers = WakeBatch::new();
        list.unlink_where(&mut wakers, |n| *n % 2 == 0);
        assert_eq!(order(&list), [1, 3]);
        assert_eq!(wakers.rest.len() + usize::from(wakers.first.is_some()), 3);
        assert!(list.take_waker(ids[0]).is_none());
        assert!(list.take_waker(ids[1]).is_some());
    }
}
