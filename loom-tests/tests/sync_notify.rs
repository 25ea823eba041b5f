#![cfg(loom)]
//! Models `sync::Notify`: `notify_one` racing the poll that queues a `Notified` (the
//! notification is never lost, never used twice), `notify_waiters` racing the creation and
//! polls of `Notified` futures, and a notified waiter dropped while a second `notify_one` runs
//! (the waiter left still gets a notification, the other becomes the permit).
//!
//! Futures are polled by hand with `CountingWaker`s: a pending poll must be followed by a wake
//! once the other side is done, and the poll after that wake must complete. Two preemptions,
//! as for every sync primitive.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll};

use loom::sync::Arc;
use loom::thread;
use loom_tests::support::{model_with_preemptions, CountingWaker};
use runtime_sync::notify::OwnedNotified;
use runtime_sync::Notify;

const PREEMPTIONS: usize = 2;

/// Polls `future` once with a waker of `counter`.
fn poll<F: Future + Unpin>(future: &mut F, counter: &Arc<CountingWaker>) -> Poll<F::Output> {
    let waker = CountingWaker::waker(counter);
    Pin::new(future).poll(&mut Context::from_waker(&waker))
}

/// A `Notified` that is not ready, is not woken either (checked once every thread is done).
fn assert_still_waiting(future: &mut OwnedNotified, counter: &Arc<CountingWaker>) {
    assert_eq!(counter.wakes(), 0, "woken without a notification");
    assert!(poll(future, counter).is_pending());
}

/// Whether `future` completes: at once, or after the wake its pending poll must have got.
/// Call once every racing thread is done.
fn completes(future: &mut OwnedNotified, counter: &Arc<CountingWaker>, first: Poll<()>) -> bool {
    if first.is_ready() {
        return true;
    }
    if counter.wakes() == 0 {
        return false;
    }
    assert!(poll(future, counter).is_ready(), "woken but not ready");
    true
}

fn fresh_notified_is_ready(notify: &StdArc<Notify>) -> bool {
    let counter = CountingWaker::new();
    let mut fresh = notify.clone().notified_owned();
    poll(&mut fresh, &counter).is_ready()
}

/// `notify_one` on another thread while the main thread polls a `Notified` for the first time:
/// the poll takes the permit, or queues and is woken. Either way exactly one notification is
/// used: no permit is left behind.
#[test]
fn notify_one_racing_first_poll() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        let counter = CountingWaker::new();
        let mut notified = notify.clone().notified_owned();
        let first = poll(&mut notified, &counter);
        notifier.join().unwrap();
        assert!(
            completes(&mut notified, &counter, first),
            "lost notification"
        );
        drop(notified);
        assert!(
            !fresh_notified_is_ready(&notify),
            "the notification was used twice"
        );
    });
}

/// Two `notify_one`s racing one poll: the waiter completes; if it queued before the first,
/// the second is left as the permit (if both came before the poll they coalesced into one
/// permit, which the poll took). Never more than one permit.
#[test]
fn two_notify_ones_racing_a_poll_leave_one_permit() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || {
                notify.notify_one();
                notify.notify_one();
            })
        };
        let counter = CountingWaker::new();
        let mut notified = notify.clone().notified_owned();
        let first = poll(&mut notified, &counter);
        notifier.join().unwrap();
        assert!(completes(&mut notified, &counter, first));
        drop(notified);
        let permit = fresh_notified_is_ready(&notify);
        if first.is_pending() {
            assert!(permit, "the second notification is lost");
        }
        assert!(!fresh_notified_is_ready(&notify), "permits added up");
    });
}

/// `notify_waiters` racing a `Notified` created before it (and polled concurrently) and one
/// created concurrently: the first always completes; the second completes only if it was
/// created before the call, and otherwise still waits, queued, for a later `notify_one`.
/// `notify_waiters` never stores a permit.
#[test]
fn notify_waiters_racing_new_notified() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let early_counter = CountingWaker::new();
        let mut early = notify.clone().notified_owned();
        let early_first = poll(&mut early, &early_counter);
        assert!(early_first.is_pending());
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_waiters())
        };
        let late_counter = CountingWaker::new();
        let mut late = notify.clone().notified_owned();
        let late_first = poll(&mut late, &late_counter);
        notifier.join().unwrap();
        assert!(
            completes(&mut early, &early_counter, early_first),
            "missed notify_waiters"
        );
        if !completes(&mut late, &late_counter, late_first) {
            // Created after the call: it is queued and the next notification is its own.
            assert_still_waiting(&mut late, &late_counter);
            notify.notify_one();
            assert_eq!(late_counter.wakes(), 1);
            assert!(poll(&mut late, &late_counter).is_ready());
        }
        drop((early, late));
        assert!(
            !fresh_notified_is_ready(&notify),
            "notify_waiters stored a permit"
        );
    });
}

/// `notify_waiters` racing the first poll of a `Notified` created before it: it completes.
#[test]
fn notify_waiters_racing_first_poll_of_an_older_notified() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let counter = CountingWaker::new();
        let mut notified = notify.clone().notified_owned();
        let notifier = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_waiters())
        };
        let first = poll(&mut notified, &counter);
        notifier.join().unwrap();
        assert!(completes(&mut notified, &counter, first));
        drop(notified);
        assert!(!fresh_notified_is_ready(&notify));
    });
}

/// Two queued waiters; a `notify_one` picked the first, which is dropped on another thread
/// while the main thread calls `notify_one` again and polls the second. The second waiter gets
/// a notification and the other one ends up as the stored permit: none is lost.
#[test]
fn notified_waiter_dropped_racing_a_second_notify_one() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let first_counter = CountingWaker::new();
        let second_counter = CountingWaker::new();
        let mut first = notify.clone().notified_owned();
        let mut second = notify.clone().notified_owned();
        assert!(poll(&mut first, &first_counter).is_pending());
        assert!(poll(&mut second, &second_counter).is_pending());
        notify.notify_one();
        assert_eq!(first_counter.wakes(), 1);
        let dropper = thread::spawn(move || drop(first));
        notify.notify_one();
        let second_first = poll(&mut second, &second_counter);
        dropper.join().unwrap();
        assert!(
            completes(&mut second, &second_counter, second_first),
            "lost notification"
        );
        drop(second);
        assert!(
            fresh_notified_is_ready(&notify),
            "the other notification is lost"
        );
        assert!(
            !fresh_notified_is_ready(&notify),
            "a notification was used twice"
        );
    });
}

/// A queued waiter that was not notified is dropped while `notify_one` runs: the notification
/// goes to the other waiter, whether `notify_one` picked the dropped one first or not.
#[test]
fn unnotified_waiter_dropped_racing_notify_one() {
    model_with_preemptions(PREEMPTIONS, || {
        let notify = StdArc::new(Notify::new());
        let first_counter = CountingWaker::new();
        let second_counter = CountingWaker::new();
        let mut first = notify.clone().notified_owned();
        let mut second = notify.clone().notified_owned();
        assert!(poll(&mut first, &first_counter).is_pending());
        assert!(poll(&mut second, &second_counter).is_pending());
        let dropper = thread::spawn(move || drop(first));
        notify.notify_one();
        dropper.join().unwrap();
        assert!(
            completes(&mut second, &second_counter, Poll::Pending),
            "lost notification"
        );
        drop(second);
        assert!(
            !fresh_notified_is_ready(&notify),
            "a notification was used twice"
        );
    });
}
