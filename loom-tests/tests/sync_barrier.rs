#![cfg(loom)]
//! Models `sync::Barrier`: two arrivals racing (exactly one leader, the other woken), and an
//! arrival racing a `wait` that is polled and then dropped on another thread (a dropped wait
//! that was still parked takes its arrival back, so the barrier still needs two waiting
//! tasks; one that was already released changes nothing).
//!
//! Futures are polled by hand with `CountingWaker`s. Two preemptions, as for every sync
//! primitive.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll};

use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{model_with_preemptions, CountingWaker};
use runtime_sync::{Barrier, BarrierWaitResult};

const PREEMPTIONS: usize = 2;

fn poll<F: Future + Unpin>(future: &mut F, counter: &Arc<CountingWaker>) -> Poll<F::Output> {
    let waker = CountingWaker::waker(counter);
    Pin::new(future).poll(&mut Context::from_waker(&waker))
}

fn leader(poll: Poll<BarrierWaitResult>) -> Option<bool> {
    match poll {
        Poll::Ready(result) => Some(result.is_leader()),
        Poll::Pending => None,
    }
}

/// Two tasks arrive at a barrier of two at once: one completes at once as the leader, the
/// other parks and is woken, and completes as a follower.
#[test]
fn two_arrivals_race() {
    model_with_preemptions(PREEMPTIONS, || {
        let barrier = StdArc::new(Barrier::new(2));
        let other = {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let counter = CountingWaker::new();
                let mut wait = barrier.wait();
                match leader(poll(&mut wait, &counter)) {
                    Some(is_leader) => is_leader,
                    None => {
                        // Parked until the main thread's arrival wakes it.
                        while counter.wakes() == 0 {
                            thread::yield_now();
                        }
                        leader(poll(&mut wait, &counter)).expect("woken but not released")
                    }
                }
            })
        };
        let counter = CountingWaker::new();
        let mut wait = barrier.wait();
        let mine = leader(poll(&mut wait, &counter));
        let mine = match mine {
            Some(is_leader) => is_leader,
            None => {
                while counter.wakes() == 0 {
                    thread::yield_now();
                }
                leader(poll(&mut wait, &counter)).expect("woken but not released")
            }
        };
        let theirs = other.join().unwrap();
        assert!(mine != theirs, "leaders: mine {mine}, theirs {theirs}");
    });
}

/// A wait polled and then dropped on another thread while the main thread arrives. Whatever
/// the order, each released generation has exactly one leader, and if the main thread's wait
/// is still parked at the end, it is the only arrival: a third wait releases it.
#[test]
fn arrival_racing_a_dropped_wait() {
    model_with_preemptions(PREEMPTIONS, || {
        let barrier = StdArc::new(Barrier::new(2));
        let dropped = Arc::new(AtomicBool::new(false));
        let other = {
            let (barrier, dropped) = (barrier.clone(), dropped.clone());
            thread::spawn(move || {
                let counter = CountingWaker::new();
                let mut wait = barrier.wait();
                let first = leader(poll(&mut wait, &counter));
                drop(wait);
                dropped.store(true, SeqCst);
                first
            })
        };
        let counter = CountingWaker::new();
        let mut wait = barrier.wait();
        let dropped_before = dropped.load(SeqCst);
        let first = leader(poll(&mut wait, &counter));
        let theirs = other.join().unwrap();
        match (first, theirs) {
            // The main thread came second and led (the other wait was still parked).
            (Some(mine), None) => {
                assert!(mine);
                assert!(!dropped_before, "a dropped wait still counted as arrived");
            }
            // The other thread came second and led: the main wait was woken.
            (None, Some(true)) => {
                assert_eq!(counter.wakes(), 1);
                assert_eq!(leader(poll(&mut wait, &counter)), Some(false));
            }
            // The other wait withdrew before the main one arrived.
            (None, None) => {
                assert_eq!(counter.wakes(), 0);
                assert_eq!(leader(poll(&mut wait, &counter)), None);
                let third_counter = CountingWaker::new();
                let mut third = barrier.wait();
                assert_eq!(leader(poll(&mut third, &third_counter)), Some(true));
                assert_eq!(counter.wakes(), 1);
                assert_eq!(leader(poll(&mut wait, &counter)), Some(false));
            }
            outcome => panic!("impossible outcome {outcome:?}"),
        }
    });
}
