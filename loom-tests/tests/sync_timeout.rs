#![cfg(loom)]
//! Models `timeout` racing the completion of the future it guards: a `Queue::get` or a
//! `Semaphore::acquire` whose item or permit arrives on another thread while the timer fires.
//!
//! The timer is a `ManualTimers` wheel (paused clock, no runtime): the main thread has polled
//! the `Timeout` once (both the inner future and the timer are registered), then moves the
//! clock to the deadline, which fires the timer, and polls again. That poll must complete: with
//! the inner result if the other thread's put or release reached the waiter first (the inner
//! future is polled first, so a ready future wins over an expired deadline), with `Elapsed`
//! otherwise. Either way nothing is lost: after an `Elapsed` the `Timeout` (and the waiter in
//! it) is dropped, and the item is still in the queue or the permit back in the semaphore.
//! The waker is a `CountingWaker`, so a waker clone the primitive forgot is a leaked `Arc`.

use std::task::Poll;
use std::time::Duration;

use loom::sync::Arc;
use loom_tests::support::{model_with_preemptions, poll, CountingWaker};
use runtime_core::time::testing::ManualTimers;
use runtime_sync::{Queue, Semaphore, Timeout};

/// How long the timeout is (and how far the clock moves).
const DEADLINE: Duration = Duration::from_millis(10);

/// Sync primitives get two preemptions (DESIGN).
const PREEMPTIONS: usize = 2;

#[test]
fn a_timed_get_racing_a_put_loses_no_item() {
    model_with_preemptions(PREEMPTIONS, || {
        let timers = ManualTimers::new();
        let queue = Arc::new(Queue::bounded(1));
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let mut timed = Box::pin(Timeout::with_sleep(queue.get(), timers.sleep(DEADLINE)));
        assert!(poll(timed.as_mut(), &waker).is_pending());

        let putter = loom::thread::spawn({
            let queue = queue.clone();
            move || queue.try_put(7).expect("capacity 1, nothing else puts")
        });
        assert_eq!(timers.advance(DEADLINE), 1, "the deadline fires the timer");
        let Poll::Ready(outcome) = poll(timed.as_mut(), &waker) else {
            panic!("a timeout whose timer fired must complete");
        };
        drop(timed);
        putter.join().unwrap();

        match outcome {
            Ok(item) => {
                assert_eq!(item.unwrap(), 7);
                assert!(queue.is_empty());
            }
            // The getter (woken or not) was dropped with the timeout: the item stays queued.
            Err(_elapsed) => assert_eq!(queue.try_get().unwrap(), 7),
        }
        drop(waker);
        assert_eq!(CountingWaker::alive(&counter), 0, "a waker clone was kept");
    });
}

#[test]
fn a_timed_acquire_racing_a_release_loses_no_permit() {
    model_with_preemptions(PREEMPTIONS, || {
        let timers = ManualTimers::new();
        let semaphore = Arc::new(Semaphore::new(0));
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let mut timed = Box::pin(Timeout::with_sleep(
            semaphore.acquire(),
            timers.sleep(DEADLINE),
        ));
        assert!(poll(timed.as_mut(), &waker).is_pending());

        let releaser = loom::thread::spawn({
            let semaphore = semaphore.clone();
            move || semaphore.add_permits(1)
        });
        assert_eq!(timers.advance(DEADLINE), 1, "the deadline fires the timer");
        let Poll::Ready(outcome) = poll(timed.as_mut(), &waker) else {
            panic!("a timeout whose timer fired must complete");
        };
        match outcome {
            Ok(permit) => {
                let permit = permit.unwrap();
                assert_eq!(permit.num_permits(), 1);
                assert_eq!(semaphore.available_permits(), 0);
            }
            Err(_elapsed) => {}
        }
        // The permit (held, granted to the dropped waiter, or not yet released) comes back.
        drop(timed);
        releaser.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
        drop(waker);
        assert_eq!(CountingWaker::alive(&counter), 0, "a waker clone was kept");
    });
}
