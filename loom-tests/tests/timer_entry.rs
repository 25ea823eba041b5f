#![cfg(loom)]
//! Models the timer entry a `Sleep` carries inline, racing the wheel that fires it.
//!
//! The timers are a `ManualTimers` wheel (paused clock, no driver thread) shared by the
//! threads: the owner polls, resets or drops a `Sleep` (filing its entry in the wheel, moving
//! it, unlinking it), the wheel side calls `advance`, which moves the clock, fires what is due
//! under the wheel lock and then wakes the fired wakers. The `fired` flag is read without the
//! lock, so a dropped or reset `Sleep` must never touch an entry the wheel still holds, and
//! the wheel must never touch an entry its `Sleep` has freed (loom's cell tracking and the
//! poisoning allocator catch both, as long as a scheduling point separates the access from
//! the store that published `fired`: loom cannot run the owner's free between two steps of
//! the wheel that nothing separates). Wakers are `CountingWaker`s: each counts its wakes, and
//! loom reports a clone that is never dropped as a leaked `Arc`.
//!
//! The wheel side always advances by exactly the sleep's duration: a timer fires at or after
//! its deadline, so the clock reaching the deadline must fire it. Each race runs in both
//! shapes (`Spawned`): the owner on the spawned thread or the wheel on it, with two
//! preemptions whatever `LOOM_MAX_PREEMPTIONS` says (a larger value still wins).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loom::sync::Arc;
use loom_tests::support::{model, model_with_preemptions, race, CountingWaker, Spawned};
use runtime_core::time::testing::ManualTimers;
use runtime_core::time::Sleep;

/// How long every sleep in these models sleeps (and how far the wheel side advances).
const DURATION: Duration = Duration::from_millis(10);

/// The timer entry is a sync primitive (DESIGN: two preemptions), and these models are small:
/// at most a few dozen executions each at this bound, under 150 even with no bound at all.
const PREEMPTIONS: usize = 2;

fn poll(sleep: Pin<&mut Sleep>, waker: &Waker) -> Poll<()> {
    sleep.poll(&mut Context::from_waker(waker))
}

/// The wheel side of every race: moves the clock to the sleep's deadline, returns how many
/// timers fired (and were woken).
fn advance(timers: &Arc<ManualTimers>) -> impl FnOnce() -> usize + Send + 'static {
    let timers = timers.clone();
    move || timers.advance(DURATION)
}

/// Not a race: the clock reaching a filed timer's deadline fires it. Every model below relies
/// on this, so it is checked on its own first.
#[test]
fn advance_to_the_deadline_fires_the_timer() {
    model(|| {
        let timers = ManualTimers::new();
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);
        let mut sleep = Box::pin(timers.sleep(DURATION));
        assert!(poll(sleep.as_mut(), &waker).is_pending());
        assert_eq!(timers.num_timers(), 1);
        assert_eq!(
            timers.advance(DURATION),
            1,
            "the clock reached the deadline (is_elapsed: {}) but the timer did not fire",
            sleep.is_elapsed()
        );
        assert_eq!(counter.wakes(), 1);
        assert!(poll(sleep.as_mut(), &waker).is_ready());
        assert_eq!(timers.num_timers(), 0);
        drop(sleep);
        drop(waker);
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

/// The owner polls a sleep once (filing it with its waker) and drops it, while the wheel fires
/// it. Either the drop unlinks the entry first (nothing fires, the waker is dropped) or the
/// wheel fires it first (the waker is woken once and the drop leaves the entry alone).
fn fire_racing_drop(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let timers = Arc::new(ManualTimers::new());
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);
        let mut sleep = Box::pin(timers.sleep(DURATION));

        let owner = move || {
            let polled = poll(sleep.as_mut(), &waker);
            drop(sleep);
            drop(waker);
            polled
        };
        let (polled, fired) = race(spawned, owner, advance(&timers));

        assert_eq!(
            timers.num_timers(),
            0,
            "a dropped sleep left its entry filed"
        );
        assert!(fired <= 1);
        assert_eq!(
            counter.wakes(),
            fired,
            "a fired timer wakes its waker exactly once"
        );
        if polled.is_ready() {
            assert_eq!(fired, 0, "a sleep ready at its first poll is never filed");
        }
        assert_eq!(CountingWaker::alive(&counter), 0, "the wheel kept a waker");
    });
}

#[test]
fn fire_racing_drop_owner_spawned() {
    fire_racing_drop(Spawned::First);
}

#[test]
fn fire_racing_drop_wheel_spawned() {
    fire_racing_drop(Spawned::Second);
}

/// The owner files a sleep, then resets it to a later deadline, while the wheel fires the first
/// deadline. Whichever comes first, the reset re-arms the sleep: it is pending until the clock
/// passes the new deadline, and the first registration's waker was woken at most once (if the
/// wheel fired it before the reset unlinked it).
fn reset_racing_fire(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let timers = Arc::new(ManualTimers::new());
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);
        let mut sleep = Box::pin(timers.sleep(DURATION));

        let owner = move || {
            let first = poll(sleep.as_mut(), &waker);
            let later = sleep.deadline() + DURATION;
            sleep.as_mut().reset(later);
            (first, sleep, waker)
        };
        let ((first, mut sleep, waker), fired) = race(spawned, owner, advance(&timers));

        assert!(fired <= 1);
        if first.is_ready() {
            assert_eq!(fired, 0, "a sleep ready at its first poll is never filed");
        }
        assert_eq!(
            counter.wakes(),
            fired,
            "only a fire wakes the first registration"
        );
        assert!(!sleep.is_elapsed(), "the new deadline has not passed");
        // Twice: the first poll files the entry again, the second looks at the filed entry.
        for _ in 0..2 {
            assert!(
                poll(sleep.as_mut(), &waker).is_pending(),
                "a reset sleep completed before its new deadline"
            );
            assert!(!sleep.is_elapsed(), "the new deadline has not passed");
        }
        assert_eq!(timers.num_timers(), 1);

        assert_eq!(timers.advance(DURATION), 1, "the new deadline did not fire");
        assert_eq!(counter.wakes(), fired + 1);
        assert!(poll(sleep.as_mut(), &waker).is_ready());
        assert_eq!(timers.num_timers(), 0);
        drop(sleep);
        drop(waker);
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

#[test]
fn reset_racing_fire_owner_spawned() {
    reset_racing_fire(Spawned::First);
}

#[test]
fn reset_racing_fire_wheel_spawned() {
    reset_racing_fire(Spawned::Second);
}

/// The first poll (which files the sleep) races the wheel firing its deadline: either the poll
/// sees the time has come (`Ready`, nothing filed, nothing woken) or the wheel wakes the waker
/// it stored, and the next poll completes. A lost wake-up leaves it pending and unwoken.
fn first_poll_racing_fire(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let timers = Arc::new(ManualTimers::new());
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);
        let mut sleep = Box::pin(timers.sleep(DURATION));

        let owner = move || (poll(sleep.as_mut(), &waker), sleep, waker);
        let ((polled, mut sleep, waker), fired) = race(spawned, owner, advance(&timers));

        if polled.is_ready() {
            assert_eq!(fired, 0);
            assert_eq!(counter.wakes(), 0);
        } else {
            assert_eq!(
                fired, 1,
                "lost wake-up: the sleep is filed but did not fire"
            );
            assert_eq!(
                counter.wakes(),
                1,
                "lost wake-up: the sleep fired without a wake"
            );
            assert!(poll(sleep.as_mut(), &waker).is_ready());
        }
        assert_eq!(timers.num_timers(), 0);
        drop(sleep);
        drop(waker);
        assert_eq!(CountingWaker::alive(&counter), 0);
    });
}

#[test]
fn first_poll_racing_fire_owner_spawned() {
    first_poll_racing_fire(Spawned::First);
}

#[test]
fn first_poll_racing_fire_wheel_spawned() {
    first_poll_racing_fire(Spawned::Second);
}

/// A filed sleep is polled again with a new waker (its task moved) while the wheel fires it:
/// the wheel must wake the new waker, or the poll must see the fire; waking only the old one
/// loses the wake-up.
fn repoll_with_new_waker_racing_fire(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let timers = Arc::new(ManualTimers::new());
        let old = CountingWaker::new();
        let new = CountingWaker::new();
        let mut sleep = Box::pin(timers.sleep(DURATION));
        assert!(poll(sleep.as_mut(), &CountingWaker::waker(&old)).is_pending());
        let waker = CountingWaker::waker(&new);

        let owner = move || (poll(sleep.as_mut(), &waker), sleep, waker);
        let ((polled, mut sleep, waker), fired) = race(spawned, owner, advance(&timers));

        // The poll may see the clock already past the deadline and complete (and unfile the
        // entry) before the wheel fires it: then nothing fires and nobody is woken.
        if fired == 0 {
            assert!(
                polled.is_ready(),
                "unfired, so the poll must have seen the deadline"
            );
            assert_eq!(old.wakes() + new.wakes(), 0);
        } else {
            assert_eq!(fired, 1);
            assert_eq!(old.wakes() + new.wakes(), 1, "one fire, one wake");
        }
        if polled.is_pending() {
            assert_eq!(new.wakes(), 1, "lost wake-up: the fire woke the old waker");
            assert!(poll(sleep.as_mut(), &waker).is_ready());
        }
        assert_eq!(timers.num_timers(), 0);
        drop(sleep);
        drop(waker);
        assert_eq!(CountingWaker::alive(&old), 0);
        assert_eq!(CountingWaker::alive(&new), 0);
    });
}

#[test]
fn repoll_with_new_waker_racing_fire_owner_spawned() {
    repoll_with_new_waker_racing_fire(Spawned::First);
}

#[test]
fn repoll_with_new_waker_racing_fire_wheel_spawned() {
    repoll_with_new_waker_racing_fire(Spawned::Second);
}
