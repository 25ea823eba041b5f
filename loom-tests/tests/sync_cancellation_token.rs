#![cfg(loom)]
//! Models `sync::CancellationToken`'s tree: `cancel` of a parent racing `child_token` (the
//! child is always cancelled), `cancel` racing the drop of a child or of a middle node (its
//! children, handed to the parent, are still cancelled), two drops racing each other (the
//! parent-before-child lock order), and `cancel` racing a `cancelled()` poll.
//!
//! The nodes are loom `Arc`s, so a node kept alive by a parent/child cycle that was not broken
//! fails the model as a leak, and a lock-order deadlock fails it as a deadlock. Two
//! preemptions, as for every sync primitive.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{model_with_preemptions, CountingWaker};
use runtime_sync::CancellationToken;

const PREEMPTIONS: usize = 2;

fn poll<F: Future + Unpin>(future: &mut F, counter: &Arc<CountingWaker>) -> Poll<F::Output> {
    let waker = CountingWaker::waker(counter);
    Pin::new(future).poll(&mut Context::from_waker(&waker))
}

/// `cancel` on the parent races `child_token`: the child is born cancelled or is cancelled by
/// the walk, never left alive, and the parent keeps no link to it.
#[test]
fn cancel_racing_child_token() {
    model_with_preemptions(PREEMPTIONS, || {
        let parent = CancellationToken::new();
        let canceller = {
            let parent = parent.clone();
            thread::spawn(move || parent.cancel())
        };
        let child = parent.child_token();
        let grandchild = child.child_token();
        canceller.join().unwrap();
        assert!(child.is_cancelled(), "a child escaped its parent's cancel");
        assert!(grandchild.is_cancelled());
        assert_eq!(parent.linked_children(), 0);
    });
}

/// `cancel` on the parent races the drop of its only child: nothing leaks and the parent
/// ends with no linked child.
#[test]
fn cancel_racing_child_drop() {
    model_with_preemptions(PREEMPTIONS, || {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        let dropper = thread::spawn(move || drop(child));
        parent.cancel();
        dropper.join().unwrap();
        assert!(parent.is_cancelled());
        assert_eq!(parent.linked_children(), 0);
    });
}

/// `cancel` on the root races the drop of the middle node of a chain: the grandchild, handed
/// to the root or reached by the walk, is cancelled.
#[test]
fn cancel_racing_middle_drop() {
    model_with_preemptions(PREEMPTIONS, || {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let leaf = middle.child_token();
        let dropper = thread::spawn(move || drop(middle));
        root.cancel();
        dropper.join().unwrap();
        assert!(leaf.is_cancelled(), "the grandchild escaped the cancel");
        assert_eq!(root.linked_children(), 0);
    });
}

/// `cancel` on the root of a four-node chain races the drop of the third node: whether the
/// walk has reached the dropped node's parent or not, the fourth node ends cancelled and
/// nothing leaks.
#[test]
fn cancel_racing_drop_below_the_walk() {
    model_with_preemptions(PREEMPTIONS, || {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let leaf = middle.child_token();
        let below = leaf.child_token();
        let dropper = thread::spawn(move || drop(leaf));
        root.cancel();
        dropper.join().unwrap();
        assert!(middle.is_cancelled());
        assert!(below.is_cancelled(), "the bottom node escaped the cancel");
        assert_eq!(middle.linked_children(), 0);
    });
}

/// The middle node and the leaf of a chain dropped at once on two threads (the leaf's drop
/// takes the middle's lock, the middle's drop the root's and then the leaf's): no deadlock,
/// nothing leaks, the root holds no link, and cancelling it afterwards still works.
#[test]
fn middle_and_leaf_dropped_together() {
    model_with_preemptions(PREEMPTIONS, || {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let leaf = middle.child_token();
        let dropper = thread::spawn(move || drop(leaf));
        drop(middle);
        dropper.join().unwrap();
        assert_eq!(root.linked_children(), 0);
        root.cancel();
    });
}

/// The leaf keeps living while the middle is dropped on another thread and the root cancelled
/// on a third (the main thread): the leaf always ends cancelled.
#[test]
fn cancel_racing_middle_drop_and_leaf_child() {
    model_with_preemptions(PREEMPTIONS, || {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let leaf = middle.child_token();
        let maker = {
            let leaf = leaf.clone();
            thread::spawn(move || {
                drop(middle);
                leaf.child_token()
            })
        };
        root.cancel();
        let below = maker.join().unwrap();
        assert!(leaf.is_cancelled());
        assert!(
            below.is_cancelled(),
            "a child made under a live leaf escaped the cancel"
        );
    });
}

/// `cancel` races the first poll of `cancelled()`: ready at once, or queued and woken.
#[test]
fn cancel_racing_cancelled_poll() {
    model_with_preemptions(PREEMPTIONS, || {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        let canceller = {
            let parent = parent.clone();
            thread::spawn(move || parent.cancel())
        };
        let counter = CountingWaker::new();
        let mut cancelled = child.cancelled();
        let first = poll(&mut cancelled, &counter);
        canceller.join().unwrap();
        if first.is_pending() {
            assert_eq!(counter.wakes(), 1, "lost wake-up");
            assert!(poll(&mut cancelled, &counter).is_ready());
        }
    });
}
