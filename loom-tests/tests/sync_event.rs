#![cfg(loom)]
//! Models `sync::Event`: `set` racing the poll that queues a `wait` (the waiter sees the flag
//! or is woken), `set` followed by `clear` racing a `wait` (a waiter that queued before the
//! `set` still completes; one that queued after the `clear` is neither woken nor ready), `set`
//! racing a `clear` and the `wait` after it, and a `wait` dropped while `set` runs.
//!
//! Futures are polled by hand with `CountingWaker`s. Two preemptions, as for every sync
//! primitive.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll};

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{model_with_preemptions, CountingWaker};
use runtime_sync::Event;

const PREEMPTIONS: usize = 2;

fn poll<F: Future + Unpin>(future: &mut F, counter: &Arc<CountingWaker>) -> Poll<F::Output> {
    let waker = CountingWaker::waker(counter);
    Pin::new(future).poll(&mut Context::from_waker(&waker))
}

/// A wait racing a `set` on another thread: ready at the first poll, or queued and woken (and
/// then ready).
#[test]
fn set_racing_wait() {
    model_with_preemptions(PREEMPTIONS, || {
        let event = StdArc::new(Event::new());
        let setter = {
            let event = event.clone();
            thread::spawn(move || event.set())
        };
        let counter = CountingWaker::new();
        let mut wait = event.wait();
        let first = poll(&mut wait, &counter);
        setter.join().unwrap();
        if first.is_pending() {
            assert_eq!(counter.wakes(), 1, "lost wake-up");
            assert!(poll(&mut wait, &counter).is_ready());
        }
        assert!(event.is_set());
    });
}

/// `set` then `clear` on another thread racing a wait's first poll. Where the poll lands
/// decides the outcome, and the outcome must fit it: before the `set` (queued, then woken and
/// ready, even though the flag is clear again), between them (ready at once), or after the
/// `clear` (queued and never woken: that waiter waits for the next `set`).
#[test]
fn set_and_clear_racing_wait() {
    model_with_preemptions(PREEMPTIONS, || {
        let event = StdArc::new(Event::new());
        // 0: nothing yet, 1: set done, 2: clear done.
        let progress = Arc::new(AtomicUsize::new(0));
        let setter = {
            let (event, progress) = (event.clone(), progress.clone());
            thread::spawn(move || {
                event.set();
                progress.store(1, SeqCst);
                event.clear();
                progress.store(2, SeqCst);
            })
        };
        let counter = CountingWaker::new();
        let mut wait = event.wait();
        let before = progress.load(SeqCst);
        let first = poll(&mut wait, &counter);
        let after = progress.load(SeqCst);
        setter.join().unwrap();
        assert!(!event.is_set());
        match first {
            Poll::Ready(()) => {
                // It saw the flag: the poll started before the clear.
                assert!(before <= 1, "ready after the clear");
            }
            Poll::Pending if counter.wakes() == 1 => {
                // Queued before the set: woken, and complete although the flag is clear now.
                assert_eq!(before, 0, "woken by a set that came before it queued");
                assert!(poll(&mut wait, &counter).is_ready());
            }
            Poll::Pending => {
                assert_eq!(counter.wakes(), 0);
                // Queued after the clear: it waits for the next set.
                assert!(after >= 1, "a waiter queued before the set was not woken");
                assert!(poll(&mut wait, &counter).is_pending());
                event.set();
                assert_eq!(counter.wakes(), 1);
                assert!(poll(&mut wait, &counter).is_ready());
            }
        }
    });
}

/// `set` on another thread racing `clear` and then a wait on the main thread. If the flag ends
/// clear, the `clear` came after the `set`, so the wait started after both and must wait for
/// the next `set`, even if it queued before the racing `set` took the lock to release its
/// waiters. If the flag ends set, the wait completes.
#[test]
fn set_racing_clear_then_wait() {
    model_with_preemptions(PREEMPTIONS, || {
        let event = StdArc::new(Event::new());
        let setter = {
            let event = event.clone();
            thread::spawn(move || event.set())
        };
        event.clear();
        let counter = CountingWaker::new();
        let mut wait = event.wait();
        let first = poll(&mut wait, &counter);
        setter.join().unwrap();
        if event.is_set() {
            if first.is_pending() {
                assert_eq!(counter.wakes(), 1, "lost wake-up");
                assert!(poll(&mut wait, &counter).is_ready());
            }
        } else {
            assert!(first.is_pending(), "ready after the clear");
            assert_eq!(
                counter.wakes(),
                0,
                "released by a set that came before the clear"
            );
            assert!(poll(&mut wait, &counter).is_pending());
        }
    });
}

/// A queued waiter and a `set` on another thread followed by a `clear` and a second `set`:
/// the queued waiter is woken exactly once and ends ready, and a new waiter queued between
/// `clear` and the second `set` is released by the second `set`.
#[test]
fn queued_waiter_across_set_clear_set() {
    model_with_preemptions(PREEMPTIONS, || {
        let event = StdArc::new(Event::new());
        let counter = CountingWaker::new();
        let mut queued = event.wait();
        assert!(poll(&mut queued, &counter).is_pending());
        let setter = {
            let event = event.clone();
            thread::spawn(move || {
                event.set();
                event.clear();
                event.set();
            })
        };
        let late_counter = CountingWaker::new();
        let mut late = event.wait();
        let late_first = poll(&mut late, &late_counter);
        setter.join().unwrap();
        assert_eq!(counter.wakes(), 1);
        assert!(poll(&mut queued, &counter).is_ready());
        if late_first.is_pending() {
            assert_eq!(late_counter.wakes(), 1, "lost wake-up");
            assert!(poll(&mut late, &late_counter).is_ready());
        }
    });
}

/// A wait polled and dropped on another thread while `set` runs: its waker is not leaked,
/// and a waiter queued before both is woken once.
#[test]
fn wait_dropped_racing_set() {
    model_with_preemptions(PREEMPTIONS, || {
        let event = StdArc::new(Event::new());
        let kept_counter = CountingWaker::new();
        let mut kept = event.wait();
        assert!(poll(&mut kept, &kept_counter).is_pending());
        let dropped_counter = CountingWaker::new();
        let dropper = {
            let event = event.clone();
            let dropped_counter = dropped_counter.clone();
            thread::spawn(move || {
                let mut dropped = event.wait();
                let _ = poll(&mut dropped, &dropped_counter);
                drop(dropped);
            })
        };
        event.set();
        dropper.join().unwrap();
        assert_eq!(kept_counter.wakes(), 1);
        assert!(poll(&mut kept, &kept_counter).is_ready());
        assert_eq!(
            CountingWaker::alive(&dropped_counter),
            0,
            "a dropped wait's waker leaked"
        );
    });
}
