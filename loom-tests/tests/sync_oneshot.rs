#![cfg(loom)]
//! Models the lock-free one-shot channel: the sender's completion (a send or a drop) racing
//! the receiver's polls, close and drop, and the receiver's close racing the sender's
//! `closed()` poll.
//!
//! Every cell of the channel is a loom `UnsafeCell`, so loom also checks that the two halves
//! never touch a cell at the same time. Wakers are `CountingWaker`s (loom reports a copy that
//! is never dropped as a leaked `Arc`); values are `DropGuard`s, counted when dropped. Each
//! race runs in both shapes (`Spawned`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom_tests::support::{model_with_preemptions, race, CountingWaker, DropCount, Spawned};
use runtime_sync::oneshot::{self, error::TryRecvError};

/// A sync primitive: two preemptions (DESIGN); these models stay small at that bound.
const PREEMPTIONS: usize = 2;

const BOTH: [Spawned; 2] = [Spawned::First, Spawned::Second];

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// `send` racing the receiver's first poll: the poll sees the value, or the send wakes the
/// waker the poll stored (exactly once); the value is never lost.
#[test]
fn send_races_recv_poll() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = oneshot::channel::<u32>();
            let counter = CountingWaker::new();
            let waker = CountingWaker::waker(&counter);
            let ((), (polled, rx)) = race(
                spawned,
                move || tx.send(7).unwrap(),
                move || {
                    let polled = poll(&mut rx, &waker);
                    (polled, rx)
                },
            );
            let mut rx = rx;
            match polled {
                Poll::Ready(result) => {
                    assert_eq!(result, Ok(7));
                    assert_eq!(counter.wakes(), 0);
                }
                Poll::Pending => {
                    assert_eq!(counter.wakes(), 1, "lost wake-up");
                    let waker = CountingWaker::waker(&counter);
                    assert_eq!(poll(&mut rx, &waker), Poll::Ready(Ok(7)));
                }
            }
            drop(rx);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// The receiver polls again with a new waker (taking its waker cell back first) while the
/// value is sent: a pending re-poll is always followed by a wake of the new waker.
#[test]
fn send_races_recv_repoll_with_a_new_waker() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = oneshot::channel::<u32>();
            let first = CountingWaker::new();
            let second = CountingWaker::new();
            assert!(poll(&mut rx, &CountingWaker::waker(&first)).is_pending());
            let waker = CountingWaker::waker(&second);
            let ((), (polled, rx)) = race(
                spawned,
                move || tx.send(7).unwrap(),
                move || {
                    let polled = poll(&mut rx, &waker);
                    (polled, rx)
                },
            );
            let mut rx = rx;
            assert!(first.wakes() + second.wakes() <= 1);
            if polled.is_pending() {
                assert_eq!(second.wakes(), 1, "the re-poll's waker was not woken");
                let polled = poll(&mut rx, &CountingWaker::waker(&second));
                assert_eq!(polled, Poll::Ready(Ok(7)));
            } else {
                assert_eq!(polled, Poll::Ready(Ok(7)));
            }
            drop(rx);
            assert_eq!(CountingWaker::alive(&first), 0);
            assert_eq!(CountingWaker::alive(&second), 0);
        });
    }
}

/// `send` racing the receiver's drop (after a poll that may have stored a waker): the value
/// is either returned by `send` or dropped with the receiver, exactly once either way.
#[test]
fn send_races_receiver_drop() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let values = DropCount::new();
            let (tx, mut rx) = oneshot::channel();
            let counter = CountingWaker::new();
            assert!(poll(&mut rx, &CountingWaker::waker(&counter)).is_pending());
            let value = values.guard();
            let (sent, ()) = race(spawned, move || tx.send(value), move || drop(rx));
            match sent {
                Ok(()) => assert_eq!(values.dropped(), 1, "sent value not dropped"),
                Err(value) => {
                    assert_eq!(values.dropped(), 0, "returned value already dropped");
                    drop(value);
                }
            }
            assert_eq!(values.dropped(), 1);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// The sender dropped without sending, racing the receiver's poll: the poll sees the error,
/// or the drop wakes the stored waker and the next poll sees it.
#[test]
fn sender_drop_races_recv_poll() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = oneshot::channel::<u32>();
            let counter = CountingWaker::new();
            let waker = CountingWaker::waker(&counter);
            let ((), (polled, rx)) = race(
                spawned,
                move || drop(tx),
                move || {
                    let polled = poll(&mut rx, &waker);
                    (polled, rx)
                },
            );
            let mut rx = rx;
            match polled {
                Poll::Ready(result) => assert!(result.is_err()),
                Poll::Pending => {
                    assert_eq!(counter.wakes(), 1, "lost wake-up");
                    let polled = poll(&mut rx, &CountingWaker::waker(&counter));
                    assert!(matches!(polled, Poll::Ready(Err(_))));
                }
            }
            drop(rx);
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// `closed()` polled by the sender while the receiver is dropped: the poll sees the close, or
/// the drop wakes the waker it stored.
#[test]
fn closed_races_receiver_drop() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (mut tx, rx) = oneshot::channel::<u32>();
            let counter = CountingWaker::new();
            let waker = CountingWaker::waker(&counter);
            let ((polled, tx), ()) = race(
                spawned,
                move || {
                    let polled = tx.poll_closed(&mut Context::from_waker(&waker));
                    (polled, tx)
                },
                move || drop(rx),
            );
            let mut tx = tx;
            if polled.is_pending() {
                assert_eq!(counter.wakes(), 1, "lost wake-up");
            } else {
                assert_eq!(counter.wakes(), 0);
            }
            assert!(tx.is_closed());
            let waker = CountingWaker::waker(&counter);
            assert!(tx.poll_closed(&mut Context::from_waker(&waker)).is_ready());
            drop(waker);
            assert_eq!(tx.send(1), Err(1));
            assert_eq!(CountingWaker::alive(&counter), 0);
        });
    }
}

/// `closed()` re-polled with a new waker while the receiver closes the channel.
#[test]
fn closed_repoll_races_close() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (mut tx, mut rx) = oneshot::channel::<u32>();
            let first = CountingWaker::new();
            let second = CountingWaker::new();
            let waker = CountingWaker::waker(&first);
            assert!(tx
                .poll_closed(&mut Context::from_waker(&waker))
                .is_pending());
            drop(waker);
            let waker = CountingWaker::waker(&second);
            let ((polled, tx), rx) = race(
                spawned,
                move || {
                    let polled = tx.poll_closed(&mut Context::from_waker(&waker));
                    (polled, tx)
                },
                move || {
                    rx.close();
                    rx
                },
            );
            assert!(first.wakes() + second.wakes() <= 1);
            if polled.is_pending() {
                assert_eq!(second.wakes(), 1, "the re-poll's waker was not woken");
            }
            assert_eq!(tx.send(2), Err(2));
            drop(rx);
            assert_eq!(CountingWaker::alive(&first), 0);
            assert_eq!(CountingWaker::alive(&second), 0);
        });
    }
}

/// `send` racing `close()`: the value is either delivered (sent before the close) or
/// returned, never both, never lost.
#[test]
fn send_races_close() {
    for spawned in BOTH {
        model_with_preemptions(PREEMPTIONS, move || {
            let (tx, mut rx) = oneshot::channel::<u32>();
            let (sent, rx) = race(
                spawned,
                move || tx.send(3),
                move || {
                    rx.close();
                    rx
                },
            );
            let mut rx = rx;
            match sent {
                Ok(()) => assert_eq!(rx.try_recv(), Ok(3)),
                Err(value) => {
                    assert_eq!(value, 3);
                    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
                }
            }
        });
    }
}

/// `blocking_recv` on one thread, `send` on another: the receiving thread always wakes.
#[test]
fn blocking_recv_races_send() {
    model_with_preemptions(PREEMPTIONS, || {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = loom::thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.blocking_recv(), Ok(5));
        sender.join().unwrap();
    });
}
