#![cfg(loom)]
//! Models `runtime_sync::Semaphore`: its one-word fast paths racing the waiter list's slow
//! paths.
//!
//! Acquire futures are polled by hand with `CountingWaker`s (each counts its wakes, and loom
//! reports a clone that is never dropped as a leaked `Arc`). Every model ends by dropping
//! everything and checking that the available count is back where it started: a permit lost
//! or made up by a race shows there. Each race runs in both shapes (`Spawned`), with two
//! preemptions whatever `LOOM_MAX_PREEMPTIONS` says (a larger value still wins).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use loom_tests::support::{model_with_preemptions, race, CountingWaker, Spawned};
use runtime_sync::semaphore::AcquireOwned;
use runtime_sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

/// The semaphore is a sync primitive (DESIGN: two preemptions).
const PREEMPTIONS: usize = 2;

type Acquired = Result<OwnedSemaphorePermit, AcquireError>;

fn poll(acquire: &mut AcquireOwned, waker: &Waker) -> Poll<Acquired> {
    Pin::new(acquire).poll(&mut Context::from_waker(waker))
}

/// Polls a queued acquire that must have been woken: it is ready now.
fn ready(acquire: &mut AcquireOwned, waker: &Waker) -> Acquired {
    match poll(acquire, waker) {
        Poll::Ready(acquired) => acquired,
        Poll::Pending => panic!("woken but not ready"),
    }
}

/// A fresh acquire polls while the only permit is given back: either the poll takes the
/// permit, or it queues and the release serves and wakes it. Never a waiter left queued with
/// the permit in the count (a lost wake-up), never woken twice.
fn release_racing_acquire(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let semaphore = Arc::new(Semaphore::new(1));
        let permit = semaphore.clone().try_acquire_owned().unwrap();
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let acquirer = {
            let semaphore = semaphore.clone();
            move || {
                let mut acquire = semaphore.acquire_owned();
                let polled = poll(&mut acquire, &waker);
                (acquire, polled, waker)
            }
        };
        let ((mut acquire, polled, waker), ()) = race(spawned, acquirer, move || drop(permit));

        let permit = match polled {
            Poll::Ready(acquired) => {
                assert_eq!(counter.wakes(), 0);
                acquired.unwrap()
            }
            Poll::Pending => {
                assert_eq!(counter.wakes(), 1, "lost wake-up: queued and never woken");
                ready(&mut acquire, &waker).unwrap()
            }
        };
        assert_eq!(semaphore.available_permits(), 0);
        drop((permit, acquire, waker));
        assert_eq!(semaphore.available_permits(), 1);
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

#[test]
fn release_racing_acquire_spawned_acquire() {
    release_racing_acquire(Spawned::First);
}

#[test]
fn release_racing_acquire_spawned_release() {
    release_racing_acquire(Spawned::Second);
}

/// A queued waiter is dropped while the permit is given back, with a second waiter behind
/// it: whether the release served the first waiter (which must then hand the permit on) or
/// found it gone, the second waiter ends up served and woken, and no permit is lost.
fn cancel_racing_release(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let semaphore = Arc::new(Semaphore::new(1));
        let permit = semaphore.clone().try_acquire_owned().unwrap();
        let first_counter = CountingWaker::new();
        let second_counter = CountingWaker::new();
        let first_waker = CountingWaker::waker(&first_counter);
        let second_waker = CountingWaker::waker(&second_counter);
        let mut first = semaphore.clone().acquire_owned();
        let mut second = semaphore.clone().acquire_owned();
        assert!(poll(&mut first, &first_waker).is_pending());
        assert!(poll(&mut second, &second_waker).is_pending());

        race(spawned, move || drop(first), move || drop(permit));
        drop(first_waker);

        assert_eq!(
            second_counter.wakes(),
            1,
            "the permit did not reach the second waiter"
        );
        let permit = ready(&mut second, &second_waker).unwrap();
        drop((permit, second, second_waker));
        assert_eq!(semaphore.available_permits(), 1);
        assert_eq!(CountingWaker::alive(&first_counter), 0);
        assert_eq!(CountingWaker::alive(&second_counter), 0);
    });
}

#[test]
fn cancel_racing_release_spawned_cancel() {
    cancel_racing_release(Spawned::First);
}

#[test]
fn cancel_racing_release_spawned_release() {
    cancel_racing_release(Spawned::Second);
}

/// An `acquire_many(2)` polls while two single permits come back on two threads: it collects
/// them one by one (partial grants) and is woken once, when it has both; the count never
/// shows a permit while it waits, and none is lost.
#[test]
fn acquire_many_collects_two_racing_releases() {
    model_with_preemptions(PREEMPTIONS, || {
        let semaphore = Arc::new(Semaphore::new(2));
        let mut held = semaphore.clone().try_acquire_many_owned(2).unwrap();
        let one = held.split(1).unwrap();
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let releaser = loom::thread::spawn(move || drop(one));
        let mut acquire = semaphore.clone().acquire_many_owned(2);
        let polled = poll(&mut acquire, &waker);
        drop(held);
        releaser.join().unwrap();

        let permits = match polled {
            Poll::Ready(acquired) => acquired.unwrap(),
            Poll::Pending => {
                assert_eq!(counter.wakes(), 1, "lost wake-up for acquire_many");
                ready(&mut acquire, &waker).unwrap()
            }
        };
        assert_eq!(permits.num_permits(), 2);
        assert_eq!(semaphore.available_permits(), 0);
        drop((permits, acquire, waker));
        assert_eq!(semaphore.available_permits(), 2);
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

/// `acquire_many(2)` with one permit free and one held, racing `close`: it fails (at once or
/// woken by the close), what it had collected goes back to the count, and the held permit
/// can still be returned.
fn close_racing_acquire(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let semaphore = Arc::new(Semaphore::new(2));
        let permit = semaphore.clone().try_acquire_owned().unwrap();
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let acquirer = {
            let semaphore = semaphore.clone();
            move || {
                let mut acquire = semaphore.acquire_many_owned(2);
                let polled = poll(&mut acquire, &waker);
                (acquire, polled, waker)
            }
        };
        let closer = {
            let semaphore = semaphore.clone();
            move || semaphore.close()
        };
        let ((mut acquire, polled, waker), ()) = race(spawned, acquirer, closer);

        let acquired = match polled {
            Poll::Ready(acquired) => acquired,
            Poll::Pending => {
                assert_eq!(
                    counter.wakes(),
                    1,
                    "a waiter was left queued on a closed semaphore"
                );
                ready(&mut acquire, &waker)
            }
        };
        assert!(acquired.is_err());
        assert_eq!(semaphore.available_permits(), 1);
        drop((acquire, waker, permit));
        assert_eq!(semaphore.available_permits(), 2);
        assert!(semaphore.is_closed());
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

#[test]
fn close_racing_acquire_spawned_acquire() {
    close_racing_acquire(Spawned::First);
}

#[test]
fn close_racing_acquire_spawned_close() {
    close_racing_acquire(Spawned::Second);
}
