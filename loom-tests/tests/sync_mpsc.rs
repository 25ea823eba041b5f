#![cfg(loom)]
//! Models the `mpsc` channel core: sends racing receives through a channel of one slot, a
//! waiting sender racing the receiver's close or drop, the last sender's drop racing the
//! receiver, and a granted-then-cancelled waiter racing the receive that granted it.
//!
//! Blocking sides run on `block_on` (a loom condvar), so a lost wake-up shows as a deadlock;
//! hand-polled futures use `CountingWaker`s (loom reports a copy that is never dropped as a
//! leaked `Arc`); values are `DropGuard`s, counted when dropped.

use std::task::Poll;

use loom::thread;
use loom_tests::support::{
    block_on, model_with_preemptions, poll, race, CountingWaker, DropCount, Spawned,
};
use runtime_sync::mpsc::{self, error::TryRecvError};

/// A sync primitive: two preemptions (DESIGN).
const PREEMPTIONS: usize = 2;

const BOTH: [Spawned; 2] = [Spawned::First, Spawned::Second];

/// Two sends through a channel of one slot racing the receiver: the second send waits for
/// the first receive; the receiver sees both items in order, then the end.
#[test]
fn sends_race_recv_with_capacity_one() {
    model_with_preemptions(PREEMPTIONS, || {
        let (tx, mut rx) = mpsc::channel(1);
        let producer = thread::spawn(move || {
            block_on(tx.send(1)).unwrap();
            block_on(tx.send(2)).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        assert_eq!(block_on(rx.recv()), None);
        producer.join().unwrap();
    });
}

/// A sender waiting for space in a full channel while the receiver closes it: the sender
/// wakes with an error carrying its value; the buffered item is still received, then the
/// end; every value is dropped exactly once.
#[test]
fn waiting_sender_races_close() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let values = DropCount::new();
            let (tx, mut rx) = mpsc::channel(1);
            tx.try_send(values.guard()).unwrap();
            let value = values.guard();
            let (sent, rx) = race(
                spawned,
                move || block_on(tx.send(value)),
                move || {
                    rx.close();
                    rx
                },
            );
            let mut rx = rx;
            let error = sent.expect_err("the channel is full and closed");
            assert_eq!(values.dropped(), 0);
            drop(error);
            assert!(block_on(rx.recv()).is_some());
            assert!(block_on(rx.recv()).is_none());
            assert_eq!(values.dropped(), 2);
        });
    }
}

/// The same with the receiver dropped: the sender wakes with its value, the buffered item is
/// dropped with the receiver, nothing leaks.
#[test]
fn waiting_sender_races_receiver_drop() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let values = DropCount::new();
            let (tx, rx) = mpsc::channel(1);
            tx.try_send(values.guard()).unwrap();
            let value = values.guard();
            let (sent, ()) = race(
                spawned,
                move || {
                    let sent = block_on(tx.send(value));
                    (sent, tx)
                },
                move || drop(rx),
            );
            let (sent, tx) = sent;
            assert_eq!(
                values.dropped(),
                1,
                "the buffered item goes with the receiver"
            );
            drop(sent.expect_err("the receiver is gone"));
            assert_eq!(values.dropped(), 2);
            assert!(tx.is_closed());
        });
    }
}

/// Two senders, each sends one item and drops, racing the receiver: it gets both items, then
/// `None` (the last drop closes the channel only after the other sender's item is in).
#[test]
fn last_sender_drop_races_recv() {
    model_with_preemptions(PREEMPTIONS, || {
        let (tx, mut rx) = mpsc::channel(2);
        let tx2 = tx.clone();
        let first = thread::spawn(move || tx.try_send(1).unwrap());
        let second = thread::spawn(move || tx2.try_send(2).unwrap());
        let mut items = Vec::new();
        while let Some(item) = block_on(rx.recv()) {
            items.push(item);
        }
        items.sort_unstable();
        assert_eq!(items, [1, 2]);
        first.join().unwrap();
        second.join().unwrap();
    });
}

/// The unbounded flavour: a send and the sender's drop racing the receiver.
#[test]
fn unbounded_send_and_drop_race_recv() {
    model_with_preemptions(PREEMPTIONS, || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let producer = thread::spawn(move || tx.send(1).unwrap());
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), None);
        producer.join().unwrap();
    });
}

/// An unbounded send racing the receiver as it parks, with another sender still alive (so
/// no close can wake the receiver instead): the send must see the receiver parked or the
/// receiver's last look must find the item. A lost wake-up leaves `block_on` parked (loom
/// reports the deadlock).
#[test]
fn unbounded_send_races_the_receiver_parking() {
    model_with_preemptions(PREEMPTIONS, || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let producer = thread::spawn({
            let tx = tx.clone();
            move || tx.send(1).unwrap()
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        producer.join().unwrap();
        drop(tx);
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// A waiting send is cancelled while the receive that frees a slot grants that slot to it:
/// the slot passes on to the next waiting send (which is woken), the cancelled value is
/// never received, and nothing leaks.
#[test]
fn cancelled_waiter_races_the_grant() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = mpsc::channel(1);
            tx.try_send(0).unwrap();
            let cancelled_counter = CountingWaker::new();
            let cancelled = {
                let tx = tx.clone();
                let mut send = Box::pin(async move { tx.send(1).await });
                let waker = CountingWaker::waker(&cancelled_counter);
                assert!(poll(send.as_mut(), &waker).is_pending());
                send
            };
            let counter = CountingWaker::new();
            let waker = CountingWaker::waker(&counter);
            let mut next = Box::pin({
                let tx = tx.clone();
                async move { tx.send(2).await }
            });
            assert!(poll(next.as_mut(), &waker).is_pending());
            let (received, ()) = race(
                spawned,
                move || (rx.try_recv(), rx),
                move || drop(cancelled),
            );
            let (received, mut rx) = received;
            assert_eq!(received, Ok(0));
            assert_eq!(counter.wakes(), 1, "the slot was not passed on");
            assert_eq!(poll(next.as_mut(), &waker), Poll::Ready(Ok(())));
            assert_eq!(rx.try_recv(), Ok(2));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            drop((next, waker, tx));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
            assert_eq!(CountingWaker::alive(&cancelled_counter), 0);
            assert_eq!(CountingWaker::alive(&counter), 0);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// A permit taken before `close()` is used or dropped while the closed receiver waits for it:
/// the receiver gets the permit's item (if sent) and then `None`, never hangs.
#[test]
fn outstanding_permit_races_closed_recv() {
    for send in [true, false] {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = mpsc::channel(1);
            // `tx` stays alive: only the permit can end the wait, not the last sender's drop.
            let permit = tx.clone().try_reserve_owned().unwrap();
            rx.close();
            let user = thread::spawn(move || {
                if send {
                    drop(permit.send(9));
                } else {
                    drop(permit);
                }
            });
            let first = block_on(rx.recv());
            assert_eq!(first, send.then_some(9));
            assert_eq!(block_on(rx.recv()), None);
            user.join().unwrap();
            drop(tx);
        });
    }
}
