#![cfg(loom)]
//! Models asyncio's `Queue` (`runtime_sync::queue`): a put racing a get, a woken getter or a
//! waiting putter cancelled while another thread uses the queue, and a shutdown racing a
//! waiting get.
//!
//! A waiting side either blocks in `block_on` (a loom thread parked until its waker unparks
//! it: a lost wake-up leaves it parked forever, which loom reports as a deadlock) or is polled by hand with a `CountingWaker`
//! (loom reports a waker clone the queue never dropped as a leaked `Arc`). Every model checks
//! afterwards that each item was delivered exactly once (or, for a cancelled put, enqueued at
//! most once), that the counters behind `task_done` agree, and that no slot or item stayed
//! promised to a waiter that is gone. Queues have capacity 1 and two threads; each race runs
//! in both shapes (`Spawned`) with two preemptions whatever `LOOM_MAX_PREEMPTIONS` says.

use std::task::Poll;

use loom::sync::Arc;
use loom_tests::support::{
    block_on, model_with_preemptions, poll, race, CountingWaker, DropCount, Spawned,
};
use runtime_sync::queue::{ShutDown, TryGetError};
use runtime_sync::Queue;

/// Sync primitives get two preemptions (DESIGN); these models stay at a few hundred
/// executions each at this bound.
const PREEMPTIONS: usize = 2;

const SHAPES: [Spawned; 2] = [Spawned::First, Spawned::Second];

/// `task_done` succeeds exactly `enqueued` times: the queue counted every enqueued item once.
fn assert_unfinished<T>(queue: &Queue<T>, enqueued: usize) {
    for _ in 0..enqueued {
        assert!(
            queue.task_done().is_ok(),
            "fewer items counted than enqueued"
        );
    }
    assert!(
        queue.task_done().is_err(),
        "more items counted than enqueued"
    );
}

/// A get (blocking until it has an item) racing a put into an empty queue: the get returns
/// the item, nothing is left, and the item was counted once.
#[test]
fn put_racing_get() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let queue = Arc::new(Queue::bounded(1));
            let getter = {
                let queue = queue.clone();
                move || block_on(queue.get())
            };
            let putter = {
                let queue = queue.clone();
                move || queue.try_put(7)
            };
            let (got, put) = race(spawned, getter, putter);
            assert_eq!(put, Ok(()));
            assert_eq!(got, Ok(7));
            assert_eq!(queue.try_get(), Err(TryGetError::Empty));
            assert_unfinished(&queue, 1);
        });
    }
}

/// A put waiting on a full queue racing the get that makes room: the get wakes it (or it
/// finds the room first), and the queue ends with exactly its item, not over capacity.
#[test]
fn get_racing_a_waiting_put() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let queue = Arc::new(Queue::bounded(1));
            queue.try_put(0).unwrap();
            let putter = {
                let queue = queue.clone();
                move || block_on(queue.put(1))
            };
            let getter = {
                let queue = queue.clone();
                move || queue.try_get()
            };
            let (put, got) = race(spawned, putter, getter);
            assert_eq!(put, Ok(()));
            assert_eq!(got, Ok(0));
            assert_eq!(queue.len(), 1);
            assert_eq!(queue.try_get(), Ok(1));
            assert_unfinished(&queue, 2);
        });
    }
}

/// A getter queues, an item arrives (reserved for it, it is woken), and it is cancelled
/// before it runs, while a second get (blocking until it has an item) races all of that: the
/// second get ends with the item, whether it took it freely, had it reserved as the first in
/// line, or was handed it by the cancelled one.
#[test]
fn woken_getter_cancelled_racing_get() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let queue = Arc::new(Queue::unbounded());
            let counter = CountingWaker::new();
            let cancelled = {
                let queue = queue.clone();
                let waker = CountingWaker::waker(&counter);
                move || {
                    let mut get = Box::pin(queue.get());
                    // Only this thread puts, so nothing is there yet.
                    assert!(poll(get.as_mut(), &waker).is_pending());
                    queue.try_put(9).unwrap();
                    drop(get);
                }
            };
            let other = {
                let queue = queue.clone();
                move || block_on(queue.get())
            };
            let ((), got) = race(spawned, cancelled, other);
            assert_eq!(got, Ok(9));
            assert!(counter.wakes() <= 1);
            assert_eq!(queue.try_get(), Err(TryGetError::Empty));
            assert!(queue.is_empty());
            assert_unfinished(&queue, 1);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// A put waits on a full queue and is cancelled (after one poll) while a get makes room: its
/// item is enqueued only if that poll completed, the slot the get may have reserved for it
/// is not lost, and the item is dropped exactly when it was not enqueued.
#[test]
fn waiting_putter_cancelled_racing_get() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let drops = DropCount::new();
            let queue = Arc::new(Queue::bounded(1));
            queue.try_put((0, drops.guard())).unwrap();
            let item = (1, drops.guard());
            let counter = CountingWaker::new();
            let putter = {
                let queue = queue.clone();
                let waker = CountingWaker::waker(&counter);
                move || {
                    let mut put = Box::pin(queue.put(item));
                    match poll(put.as_mut(), &waker) {
                        Poll::Ready(result) => {
                            assert!(result.is_ok());
                            true
                        }
                        Poll::Pending => false,
                    }
                }
            };
            let getter = {
                let queue = queue.clone();
                move || queue.try_get().map(|(n, _guard)| n)
            };
            let (enqueued, got) = race(spawned, putter, getter);
            assert_eq!(got, Ok(0));
            assert_eq!(drops.dropped(), if enqueued { 1 } else { 2 });
            if enqueued {
                assert_eq!(queue.try_get().map(|(n, _guard)| n), Ok(1));
            } else {
                assert!(queue.is_empty());
                // The slot is free again, not held for the cancelled put.
                assert!(!queue.is_full());
                queue.try_put((2, drops.guard())).unwrap();
                assert_eq!(queue.try_get().map(|(n, _guard)| n), Ok(2));
            }
            assert_unfinished(&queue, 2);
            assert_eq!(drops.dropped(), drops.created());
            assert!(counter.wakes() <= 1);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// A get waiting on an empty queue racing `shutdown`: it is always woken (never hangs) and
/// fails.
#[test]
fn shutdown_racing_a_waiting_get() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let queue = Arc::new(Queue::<u32>::bounded(1));
            let getter = {
                let queue = queue.clone();
                move || block_on(queue.get())
            };
            let closer = {
                let queue = queue.clone();
                move || queue.shutdown()
            };
            let (got, ()) = race(spawned, getter, closer);
            assert_eq!(got, Err(ShutDown(())));
            assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
        });
    }
}

/// A get waiting on an empty queue racing a put followed by `shutdown_immediate`: the get is
/// always woken and returns the item if it took it before the shutdown, an error otherwise
/// (including when it was woken with the item promised to it and the shutdown dropped the
/// item before it ran). The item is received or dropped, exactly once, and counted done.
#[test]
fn shutdown_immediate_racing_a_waiting_get() {
    for spawned in SHAPES {
        model_with_preemptions(PREEMPTIONS, move || {
            let drops = DropCount::new();
            let queue = Arc::new(Queue::bounded(1));
            let getter = {
                let queue = queue.clone();
                move || block_on(queue.get()).map(|(n, _guard)| n)
            };
            let closer = {
                let queue = queue.clone();
                let item = (5, drops.guard());
                move || {
                    queue.try_put(item).unwrap();
                    queue.shutdown_immediate();
                }
            };
            let (got, ()) = race(spawned, getter, closer);
            assert!(matches!(got, Ok(5) | Err(ShutDown(()))), "{got:?}");
            assert_eq!(drops.dropped(), 1);
            assert!(queue.is_empty());
            assert_unfinished(&queue, usize::from(got.is_ok()));
        });
    }
}
