//! `sync::oneshot`: delivery in both orders, the waker paths, drops on either side, `closed`,
//! `try_recv`, `blocking_recv`, and a multi-thread request/reply ping-pong.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use runtime::sync::oneshot::{self, error::TryRecvError};
use runtime::task::yield_now;

/// A waker that counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let counter = Arc::new(CountingWaker::default());
    (counter.clone(), Waker::from(counter))
}

fn wakes(counter: &CountingWaker) -> usize {
    counter.0.load(SeqCst)
}

fn poll_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Counts drops of the values it makes.
#[derive(Clone, Default)]
struct DropCounter(Arc<AtomicUsize>);

struct Counted(Arc<AtomicUsize>);

impl DropCounter {
    fn make(&self) -> Counted {
        Counted(self.0.clone())
    }

    fn dropped(&self) -> usize {
        self.0.load(SeqCst)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[runtime::test]
async fn send_then_recv() {
    let (tx, rx) = oneshot::channel();
    assert_eq!(tx.send(String::from("hi")), Ok(()));
    assert_eq!(rx.await.as_deref(), Ok("hi"));
}

#[test]
fn recv_then_send_wakes_the_receiver_once() {
    let (tx, mut rx) = oneshot::channel();
    let (counter, waker) = counting_waker();
    assert!(poll_with(Pin::new(&mut rx), &waker).is_pending());
    assert_eq!(wakes(&counter), 0);
    tx.send(7).unwrap();
    assert_eq!(wakes(&counter), 1);
    assert_eq!(poll_with(Pin::new(&mut rx), &waker), Poll::Ready(Ok(7)));
    assert!(rx.is_terminated());
}

#[runtime::test]
async fn recv_then_send_across_tasks() {
    let (tx, rx) = oneshot::channel();
    let receiver = runtime::spawn(rx);
    // Let the receiver poll and park first.
    yield_now().await;
    tx.send(42).unwrap();
    assert_eq!(receiver.await.unwrap(), Ok(42));
}

#[test]
fn only_the_latest_waker_is_woken() {
    let (tx, mut rx) = oneshot::channel();
    let (first, first_waker) = counting_waker();
    let (second, second_waker) = counting_waker();
    assert!(poll_with(Pin::new(&mut rx), &first_waker).is_pending());
    assert!(poll_with(Pin::new(&mut rx), &first_waker).is_pending());
    assert!(poll_with(Pin::new(&mut rx), &second_waker).is_pending());
    tx.send(()).unwrap();
    assert_eq!((wakes(&first), wakes(&second)), (0, 1));
    assert_eq!(
        poll_with(Pin::new(&mut rx), &second_waker),
        Poll::Ready(Ok(()))
    );
}

#[test]
fn dropping_the_sender_wakes_the_receiver_with_an_error() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (counter, waker) = counting_waker();
    assert!(poll_with(Pin::new(&mut rx), &waker).is_pending());
    drop(tx);
    assert_eq!(wakes(&counter), 1);
    match poll_with(Pin::new(&mut rx), &waker) {
        Poll::Ready(Err(error)) => assert_eq!(error.to_string(), "channel closed"),
        other => panic!("expected RecvError, got {other:?}"),
    }
}

#[runtime::test]
async fn sender_dropped_before_the_first_poll() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    assert!(rx.await.is_err());
}

#[runtime::test]
async fn dropped_receiver_makes_send_return_the_value_and_completes_closed() {
    let (mut tx, rx) = oneshot::channel::<String>();
    assert!(!tx.is_closed());
    let watcher = runtime::spawn(async move {
        tx.closed().await;
        assert!(tx.is_closed());
        tx.send(String::from("too late"))
    });
    yield_now().await; // the watcher parks in `closed()`
    drop(rx);
    assert_eq!(watcher.await.unwrap(), Err(String::from("too late")));
}

#[test]
fn closed_wakes_only_the_latest_waker() {
    let (mut tx, rx) = oneshot::channel::<()>();
    let (first, first_waker) = counting_waker();
    let (second, second_waker) = counting_waker();
    assert!(tx
        .poll_closed(&mut Context::from_waker(&first_waker))
        .is_pending());
    assert!(tx
        .poll_closed(&mut Context::from_waker(&first_waker))
        .is_pending());
    assert!(tx
        .poll_closed(&mut Context::from_waker(&second_waker))
        .is_pending());
    drop(rx);
    assert_eq!((wakes(&first), wakes(&second)), (0, 1));
    assert!(tx
        .poll_closed(&mut Context::from_waker(&second_waker))
        .is_ready());
}

#[test]
fn close_fails_a_later_send_and_wakes_closed() {
    let (mut tx, mut rx) = oneshot::channel();
    let (counter, waker) = counting_waker();
    assert!(tx
        .poll_closed(&mut Context::from_waker(&waker))
        .is_pending());
    rx.close();
    assert_eq!(wakes(&counter), 1);
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_value_sent_before_close_can_still_be_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(5).unwrap();
    rx.close();
    assert!(!rx.is_empty());
    assert_eq!(rx.try_recv(), Ok(5));
}

#[test]
fn polling_after_close_returns_an_error_at_once() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    let (_, waker) = counting_waker();
    assert!(matches!(
        poll_with(Pin::new(&mut rx), &waker),
        Poll::Ready(Err(_))
    ));
    drop(tx);
}

#[test]
fn try_recv_states() {
    let (tx, mut rx) = oneshot::channel();
    assert!(rx.is_empty());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert!(!rx.is_terminated());
    tx.send(1).unwrap();
    assert!(!rx.is_empty());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.is_terminated());
    assert!(rx.is_empty());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert!(rx.is_terminated());
}

#[test]
fn the_value_is_dropped_exactly_once_on_every_path() {
    let counter = DropCounter::default();

    // Sent, then the receiver is dropped without receiving.
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(counter.make()).is_ok());
    assert_eq!(counter.dropped(), 0);
    drop(rx);
    assert_eq!(counter.dropped(), 1);

    // The receiver is gone first: the value comes back.
    let (tx, rx) = oneshot::channel();
    drop(rx);
    let value = tx.send(counter.make()).unwrap_err();
    assert_eq!(counter.dropped(), 1);
    drop(value);
    assert_eq!(counter.dropped(), 2);

    // Received.
    let (tx, mut rx) = oneshot::channel();
    assert!(tx.send(counter.make()).is_ok());
    let value = rx.try_recv().ok().unwrap();
    drop(rx);
    assert_eq!(counter.dropped(), 2);
    drop(value);
    assert_eq!(counter.dropped(), 3);

    // Sent after a close: the value comes back; then the receiver drops.
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    let value = tx.send(counter.make()).unwrap_err();
    drop(rx);
    drop(value);
    assert_eq!(counter.dropped(), 4);
}

#[test]
fn blocking_recv_from_a_plain_thread() {
    // Sent before the receiving thread starts.
    let (tx, rx) = oneshot::channel();
    tx.send(98).unwrap();
    assert_eq!(
        std::thread::spawn(move || rx.blocking_recv())
            .join()
            .unwrap(),
        Ok(98)
    );

    // Sent from a runtime task once the receiving thread is running (it is then usually
    // parked in `blocking_recv`).
    let (tx, rx) = oneshot::channel();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        started_tx.send(()).unwrap();
        rx.blocking_recv()
    });
    started_rx.recv().unwrap();
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async move { tx.send(99).unwrap() });
    assert_eq!(waiter.join().unwrap(), Ok(99));

    let (tx, rx) = oneshot::channel::<u8>();
    let waiter = std::thread::spawn(move || rx.blocking_recv());
    drop(tx);
    assert!(waiter.join().unwrap().is_err());
}

#[runtime::test]
async fn awaiting_a_borrowed_receiver_behind_a_timeout_keeps_it_usable() {
    let (tx, mut rx) = oneshot::channel();
    let mut pending = pin!(runtime::time::timeout(Duration::ZERO, &mut rx));
    assert!(pending.as_mut().await.is_err());
    tx.send(3).unwrap();
    assert_eq!(rx.await, Ok(3));
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_pong_of_ten_thousand_request_reply_pairs() {
    const ROUNDS: u64 = 10_000;
    let (requests_tx, mut requests_rx) =
        runtime::sync::mpsc::channel::<(u64, oneshot::Sender<u64>)>(1);
    let server = runtime::spawn(async move {
        let mut served = 0;
        while let Some((n, reply)) = requests_rx.recv().await {
            reply.send(n * 2).unwrap();
            served += 1;
        }
        served
    });
    let client = runtime::spawn(async move {
        let mut sum = 0;
        for n in 0..ROUNDS {
            let (reply_tx, reply_rx) = oneshot::channel();
            requests_tx.send((n, reply_tx)).await.unwrap();
            let reply = reply_rx.await.unwrap();
            assert_eq!(reply, n * 2);
            sum += reply;
        }
        sum
    });
    assert_eq!(client.await.unwrap(), ROUNDS * (ROUNDS - 1));
    assert_eq!(server.await.unwrap(), ROUNDS);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_pong_with_a_oneshot_each_way() {
    // Each round: a task sends a oneshot sender to the other through a oneshot, the other
    // answers on it. Races send against the receiver's first poll on two workers.
    for n in 0..2_000u32 {
        let (tx, rx) = oneshot::channel::<oneshot::Sender<u32>>();
        let echo = runtime::spawn(async move {
            let reply = rx.await.unwrap();
            reply.send(n).unwrap();
        });
        let (reply_tx, reply_rx) = oneshot::channel();
        tx.send(reply_tx).unwrap();
        assert_eq!(reply_rx.await, Ok(n));
        echo.await.unwrap();
    }
}

#[test]
fn debug_output() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert_eq!(format!("{tx:?}"), "Sender { closed: false }");
    assert_eq!(format!("{rx:?}"), r#"Receiver { state: "empty" }"#);
    tx.send(1).unwrap();
    assert_eq!(format!("{rx:?}"), r#"Receiver { state: "value ready" }"#);
    rx.try_recv().unwrap();
    assert_eq!(format!("{rx:?}"), r#"Receiver { state: "terminated" }"#);
}
