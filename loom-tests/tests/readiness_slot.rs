#![cfg(loom)]
//! Models the reactor's readiness slot (`ScheduledIo`) and registration table racing the
//! reactor's dispatch of events.
//!
//! The reactor side calls `RegistrationTable::dispatch` (which ORs readiness into the slot and
//! bumps its tick, then takes the wakers it satisfies) and wakes what it collected once its
//! locks are released, as the driver thread does. The owner side polls for readiness, clears
//! it after a would-block, or deregisters and registers again. Wakers are `CountingWaker`s:
//! each counts its wakes, and loom reports a clone that is never dropped as a leaked `Arc`.
//! Each race runs in both shapes (`Spawned`): the owner on the spawned thread or the reactor
//! on it, with two preemptions whatever `LOOM_MAX_PREEMPTIONS` says (a larger value still
//! wins).

use std::task::{Context, Poll, Waker};

use loom::sync::Arc;
use loom_tests::support::{model_with_preemptions, race, CountingWaker, Spawned};
use runtime_core::reactor::{Interest, Ready, RegistrationTable, ScheduledIo};

/// The slot and the table are sync primitives (DESIGN: two preemptions), and these models are
/// small: at most a few dozen executions each at this bound, under 60 even with no bound.
const PREEMPTIONS: usize = 2;

/// Dispatches one `READABLE` event for `key` and wakes what it collected; returns how many
/// wakers it woke.
fn dispatch(table: &RegistrationTable, key: usize) -> usize {
    let mut wakers = Vec::new();
    table.dispatch([(key, Ready::READABLE)], &mut wakers);
    let woken = wakers.len();
    wakers.into_iter().for_each(Waker::wake);
    woken
}

/// The reactor side of every race: one `READABLE` event for `key`.
fn reactor(table: &Arc<RegistrationTable>, key: usize) -> impl FnOnce() -> usize + Send + 'static {
    let table = table.clone();
    move || dispatch(&table, key)
}

fn readable(slot: &ScheduledIo) -> bool {
    slot.ready_now(Interest::READABLE)
        .expect("the slot is not shut down")
        .is_some()
}

/// The owner polls for readability while the reactor dispatches a readable event: either the
/// poll sees the event, or the reactor takes and wakes the waker the poll stored. Never both
/// unseen (a lost wake-up), never woken twice for one event, and the readiness stays set.
fn event_racing_poll(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let table = Arc::new(RegistrationTable::new());
        let (key, slot) = table.insert().unwrap();
        let counter = CountingWaker::new();
        let waker = CountingWaker::waker(&counter);

        let owner = {
            let slot = slot.clone();
            move || {
                let polled = slot.poll_ready(&mut Context::from_waker(&waker), Interest::READABLE);
                drop(waker);
                polled
            }
        };
        let (polled, woken) = race(spawned, owner, reactor(&table, key));

        assert!(woken <= 1);
        assert_eq!(counter.wakes(), woken);
        match polled {
            Poll::Ready(event) => assert!(event.unwrap().ready().is_readable()),
            Poll::Pending => assert_eq!(woken, 1, "lost wake-up: pending and never woken"),
        }
        assert!(readable(&slot), "the event's readiness was lost");
        // A poll that stored its waker and then saw the event on its re-read keeps it stored
        // (if the reactor looked for waiters before the store): drop it as a registration's
        // teardown would; nothing else may hold a copy.
        slot.clear_wakers();
        assert_eq!(CountingWaker::alive(&counter), 0);
        table.remove(key);
    });
}

#[test]
fn event_racing_poll_owner_spawned() {
    event_racing_poll(Spawned::First);
}

#[test]
fn event_racing_poll_reactor_spawned() {
    event_racing_poll(Spawned::Second);
}

/// A registration with a waiter, and the reactor dispatching an event for its key while the
/// owner deregisters it (`remove`, and with `shutdown`, the rest of `Registration::deregister`:
/// shutting the old slot down and waking its waiters) and registers a new source, which gets
/// the same index under a new generation. The event lands on the old slot (before the removal)
/// or is dropped as stale (after it); the new slot never sees it.
///
/// Without `shutdown`, the old waiter is woken by the event if it landed, and otherwise stays
/// in the old slot (never woken for a dropped event) and is dropped with it: never leaked.
/// With `shutdown`, it is woken exactly once, by the event or by the shutdown.
fn event_racing_deregistration(spawned: Spawned, shutdown: bool) {
    model_with_preemptions(PREEMPTIONS, move || {
        let table = Arc::new(RegistrationTable::new());
        let (key, old) = table.insert().unwrap();
        let counter = CountingWaker::new();
        let stored = old.poll_ready(
            &mut Context::from_waker(&CountingWaker::waker(&counter)),
            Interest::READABLE,
        );
        assert!(stored.is_pending());

        let owner = {
            let table = table.clone();
            let old = old.clone();
            move || {
                table.remove(key);
                if shutdown {
                    let mut wakers = Vec::new();
                    old.shutdown(&mut wakers);
                    wakers.into_iter().for_each(Waker::wake);
                }
                let (new_key, new) = table.insert().unwrap();
                assert_ne!(new_key, key, "a reused index must carry a new generation");
                assert!(
                    !readable(&new),
                    "the new registration saw the old source's event"
                );
                (new_key, new)
            }
        };
        let ((new_key, new), woken) = race(spawned, owner, reactor(&table, key));

        assert!(
            !readable(&new),
            "the new registration saw the old source's event"
        );
        assert!(woken <= 1);
        match old.ready_now(Interest::READABLE) {
            Ok(landed) => {
                assert!(!shutdown);
                assert_eq!(counter.wakes(), woken);
                if landed.is_some() {
                    assert_eq!(woken, 1, "the event landed but its waiter was not woken");
                } else {
                    assert_eq!(woken, 0, "a dropped (stale) event woke the old waiter");
                    assert_eq!(
                        CountingWaker::alive(&counter),
                        1,
                        "the old slot lost its waker"
                    );
                }
            }
            Err(_) => {
                assert!(shutdown);
                assert_eq!(
                    counter.wakes(),
                    1,
                    "the old waiter must be woken exactly once"
                );
            }
        }
        drop(old);
        assert_eq!(
            CountingWaker::alive(&counter),
            0,
            "the old slot's waker leaked"
        );
        table.remove(new_key);
        drop(new);
        assert!(table.is_empty());
    });
}

#[test]
fn event_racing_deregistration_owner_spawned() {
    event_racing_deregistration(Spawned::First, false);
}

#[test]
fn event_racing_deregistration_reactor_spawned() {
    event_racing_deregistration(Spawned::Second, false);
}

#[test]
fn event_racing_deregistration_and_shutdown_owner_spawned() {
    event_racing_deregistration(Spawned::First, true);
}

#[test]
fn event_racing_deregistration_and_shutdown_reactor_spawned() {
    event_racing_deregistration(Spawned::Second, true);
}

/// After an operation would block, the owner clears the readiness it read, while the reactor
/// dispatches a new event. If the owner read the readiness before the new event (it read the
/// older tick), the new event must survive the clear; if it read the new event, the clear
/// erases it (nothing newer arrived).
fn clear_readiness_racing_event(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let table = Arc::new(RegistrationTable::new());
        let (key, slot) = table.insert().unwrap();
        assert_eq!(dispatch(&table, key), 0);
        let before = slot
            .ready_now(Interest::READABLE)
            .unwrap()
            .expect("readable after the first event");

        let owner = {
            let slot = slot.clone();
            move || {
                let read = slot
                    .ready_now(Interest::READABLE)
                    .unwrap()
                    .expect("readiness is only cleared here");
                slot.clear_readiness(read);
                read
            }
        };
        let (read, _) = race(spawned, owner, reactor(&table, key));

        let after = slot.ready_now(Interest::READABLE).unwrap();
        if read == before {
            // Read the older event: the newer one arrived after the read, before or after the
            // clear, and must still be visible.
            let after = after.expect("a newer event was erased by clear_readiness");
            assert_ne!(after, before, "the newer event has a newer tick");
        } else {
            // Read the newer event: clearing it leaves nothing (no event came after it).
            assert_eq!(
                after, None,
                "clear_readiness did not clear the event it read"
            );
        }
        table.remove(key);
    });
}

#[test]
fn clear_readiness_racing_event_owner_spawned() {
    clear_readiness_racing_event(Spawned::First);
}

#[test]
fn clear_readiness_racing_event_reactor_spawned() {
    clear_readiness_racing_event(Spawned::Second);
}

/// A short stream read clears the readiness it ran under (`SHORT_READ_DRAINS`) while the
/// reactor reports the peer's half-close (`READABLE | READ_CLOSED`, the edge a FIN makes). In
/// every order the source stays readable afterwards, so the read that returns the end of file
/// is never left waiting: the half-close either has a newer tick than the clear's, or was
/// already in the event the owner cleared and is lasting (`READ_CLOSED` is not clearable).
fn short_read_clear_racing_half_close(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let table = Arc::new(RegistrationTable::new());
        let (key, slot) = table.insert().unwrap();
        assert_eq!(dispatch(&table, key), 0);

        let owner = {
            let slot = slot.clone();
            move || {
                let read = slot
                    .ready_now(Interest::READABLE)
                    .unwrap()
                    .expect("readiness is only cleared here");
                slot.clear_readiness(read);
            }
        };
        let half_close = {
            let table = table.clone();
            move || {
                let mut wakers = Vec::new();
                table.dispatch([(key, Ready::READABLE | Ready::READ_CLOSED)], &mut wakers);
                wakers.into_iter().for_each(Waker::wake);
            }
        };
        race(spawned, owner, half_close);

        let after = slot
            .ready_now(Interest::READABLE)
            .unwrap()
            .expect("the half-close was lost: a read would wait forever for the end of file");
        assert!(after.ready().is_read_closed());
        table.remove(key);
    });
}

#[test]
fn short_read_clear_racing_half_close_owner_spawned() {
    short_read_clear_racing_half_close(Spawned::First);
}

#[test]
fn short_read_clear_racing_half_close_reactor_spawned() {
    short_read_clear_racing_half_close(Spawned::Second);
}

/// Two tasks wait on one source through `readiness` futures (the waiter list) while the
/// reactor dispatches a readable event: each either saw the event at its poll or is woken; a
/// waiter that leaves the list (its future dropped) is never woken and leaves nothing behind.
fn waiter_list_racing_event(spawned: Spawned) {
    model_with_preemptions(PREEMPTIONS, move || {
        let table = Arc::new(RegistrationTable::new());
        let (key, slot) = table.insert().unwrap();
        let first = CountingWaker::new();
        let second = CountingWaker::new();
        let leaver = CountingWaker::new();
        // The second waiter is filed before the race; the leaver joins and leaves again.
        let mut second_id = None;
        let second_waker = CountingWaker::waker(&second);
        let second_polled = slot.poll_ready_waiter(
            &mut Context::from_waker(&second_waker),
            Interest::READABLE,
            &mut second_id,
        );
        assert!(second_polled.is_pending());
        let mut leaver_id = None;
        let leaver_polled = slot.poll_ready_waiter(
            &mut Context::from_waker(&CountingWaker::waker(&leaver)),
            Interest::READABLE,
            &mut leaver_id,
        );
        assert!(leaver_polled.is_pending());

        let owner = {
            let slot = slot.clone();
            let waker = CountingWaker::waker(&first);
            move || {
                let mut id = None;
                let polled = slot.poll_ready_waiter(
                    &mut Context::from_waker(&waker),
                    Interest::READABLE,
                    &mut id,
                );
                slot.remove_waiter(leaver_id.expect("filed"));
                (polled, id)
            }
        };
        let ((polled, first_id), _) = race(spawned, owner, reactor(&table, key));

        assert_eq!(
            second.wakes(),
            1,
            "the waiter filed before the event was not woken"
        );
        match polled {
            Poll::Ready(event) => assert!(event.unwrap().ready().is_readable()),
            Poll::Pending => assert_eq!(first.wakes(), 1, "lost wake-up in the waiter list"),
        }
        assert!(first.wakes() <= 1);
        // The leaver was woken only if the event took it before it left.
        assert!(leaver.wakes() <= 1);
        // Futures leave the list when dropped.
        if let Some(id) = first_id {
            slot.remove_waiter(id);
        }
        slot.remove_waiter(second_id.expect("filed"));
        drop(second_waker);
        assert_eq!(CountingWaker::alive(&first), 0);
        assert_eq!(CountingWaker::alive(&second), 0);
        assert_eq!(CountingWaker::alive(&leaver), 0);
        table.remove(key);
    });
}

#[test]
fn waiter_list_racing_event_owner_spawned() {
    waiter_list_racing_event(Spawned::First);
}

#[test]
fn waiter_list_racing_event_reactor_spawned() {
    waiter_list_racing_event(Spawned::Second);
}
