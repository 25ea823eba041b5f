//! The three storage orders behind `Queue`, `LifoQueue` and `PriorityQueue`.
//!
//! One `Store` type serves all three queues, so the waiting logic (`shared.rs`) and the
//! futures are written once and the futures' types do not name the order. The priority heap
//! needs `T: Ord` to push and pop; the queue's constructor (the only place that knows `T: Ord`)
//! hands the store the monomorphized `push`/`pop`/`new` functions, so nothing else needs the
//! bound.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// The items of a queue, in the order its `get` takes them.
pub(super) enum Store<T> {
    /// First in, first out.
    Fifo(VecDeque<T>),
    /// Last in, first out.
    Lifo(Vec<T>),
    /// Smallest first (a min-heap: `BinaryHeap` of `Reverse`).
    Priority(Heap<T>),
}

/// A min-heap with the `Ord`-bound operations captured at construction.
pub(super) struct Heap<T> {
    items: BinaryHeap<Reverse<T>>,
    push: fn(&mut BinaryHeap<Reverse<T>>, T),
    pop: fn(&mut BinaryHeap<Reverse<T>>) -> Option<T>,
    new: fn() -> BinaryHeap<Reverse<T>>,
}

fn heap_push<T: Ord>(heap: &mut BinaryHeap<Reverse<T>>, item: T) {
    heap.push(Reverse(item));
}

fn heap_pop<T: Ord>(heap: &mut BinaryHeap<Reverse<T>>) -> Option<T> {
    heap.pop().map(|Reverse(item)| item)
}

impl<T> Store<T> {
    pub(super) fn fifo() -> Store<T> {
        Store::Fifo(VecDeque::new())
    }

    pub(super) fn lifo() -> Store<T> {
        Store::Lifo(Vec::new())
    }

    pub(super) fn priority() -> Store<T>
    where
        T: Ord,
    {
        Store::Priority(Heap {
            items: BinaryHeap::new(),
            push: heap_push::<T>,
            pop: heap_pop::<T>,
            new: BinaryHeap::new,
        })
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Store::Fifo(items) => items.len(),
            Store::Lifo(items) => items.len(),
            Store::Priority(heap) => heap.items.len(),
        }
    }

    pub(super) fn push(&mut self, item: T) {
        match self {
            Store::Fifo(items) => items.push_back(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority(heap) => (heap.push)(&mut heap.items, item),
        }
    }

    /// Takes the item `get` returns next: the oldest, the newest or the smallest.
    pub(super) fn pop(&mut self) -> Option<T> {
        match self {
            Store::Fifo(items) => items.pop_front(),
            Store::Lifo(items) => items.pop(),
            Store::Priority(heap) => (heap.pop)(&mut heap.items),
        }
    }

    /// Moves every item out, leaving the store empty (of the same order), so the caller can
    /// drop them after releasing the queue's lock.
    pub(super) fn take_all(&mut self) -> Store<T> {
        match self {
            Store::Fifo(items) => Store::Fifo(std::mem::take(items)),
            Store::Lifo(items) => Store::Lifo(std::mem::take(items)),
            Store::Priority(heap) => Store::Priority(Heap {
                items: std::mem::replace(&mut heap.items, (heap.new)()),
                ..*heap
            }),
        }
    }

    /// The name of the order, for `Debug`.
    pub(super) fn order(&self) -> &'static str {
        match self {
            Store::Fifo(_) => "fifo",
            Store::Lifo(_) => "lifo",
            Store::Priority(_) => "priority",
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Store;

    fn drain(store: &mut Store<u32>) -> Vec<u32> {
        std::iter::from_fn(|| store.pop()).collect()
    }

    #[test]
    fn each_store_pops_in_its_order() {
        for (mut store, expected) in [
            (Store::fifo(), [3, 1, 2]),
            (Store::lifo(), [2, 1, 3]),
            (Store::priority(), [1, 2, 3]),
        ] {
            for item in [3, 1, 2] {
                store.push(item);
            }
            assert_eq!(store.len(), 3);
            assert_eq!(drain(&mut store), expected, "{}", store.order());
            assert_eq!(store.len(), 0);
        }
    }

    #[test]
    fn take_all_leaves_an_empty_store_of_the_same_order() {
        let mut store = Store::priority();
        store.push(5);
        store.push(4);
        let mut taken = store.take_all();
        assert_eq!(store.len(), 0);
        assert_eq!(drain(&mut taken), [4, 5]);
        store.push(9);
        store.push(8);
        assert_eq!(drain(&mut store), [8, 9]);
    }
}
