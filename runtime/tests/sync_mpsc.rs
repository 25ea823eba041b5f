//! `sync::mpsc`: ordering, back-pressure, FIFO service of waiting senders, cancellation,
//! closing and dropping from either side, permits, `recv_many`, the unbounded flavour, the
//! blocking calls, and a multi-thread stress test.

use std::collections::HashSet;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use runtime::sync::mpsc::{
    self,
    error::{SendTimeoutError, TryRecvError, TrySendError},
};
use runtime::task::yield_now;
use runtime::time::{sleep, timeout};

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

fn noop_poll<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    poll_with(future, Waker::noop())
}

/// Counts drops of the values it makes.
#[derive(Clone, Default)]
struct DropCounter(Arc<AtomicUsize>);

#[derive(Debug)]
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
async fn order_is_preserved_per_sender() {
    let (tx, mut rx) = mpsc::channel(4);
    let mut producers = Vec::new();
    for id in 0..3u32 {
        let tx = tx.clone();
        producers.push(runtime::spawn(async move {
            for n in 0..100u32 {
                tx.send((id, n)).await.unwrap();
                if n % 7 == 0 {
                    yield_now().await;
                }
            }
        }));
    }
    drop(tx);
    let mut next = [0u32; 3];
    while let Some((id, n)) = rx.recv().await {
        assert_eq!(n, next[id as usize], "sender {id} out of order");
        next[id as usize] += 1;
    }
    assert_eq!(next, [100; 3]);
    for producer in producers {
        producer.await.unwrap();
    }
}

#[test]
fn the_third_send_into_a_channel_of_two_waits_for_a_recv() {
    let (tx, mut rx) = mpsc::channel(2);
    assert!(noop_poll(pin!(tx.send(1))).is_ready());
    assert!(noop_poll(pin!(tx.send(2))).is_ready());
    assert_eq!(tx.capacity(), 0);
    let (counter, waker) = counting_waker();
    let mut third = pin!(tx.send(3));
    assert!(poll_with(third.as_mut(), &waker).is_pending());
    assert!(poll_with(third.as_mut(), &waker).is_pending());
    assert_eq!(wakes(&counter), 0);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(wakes(&counter), 1);
    assert_eq!(poll_with(third.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(tx.capacity(), 2);
}

#[runtime::test]
async fn a_full_channel_makes_the_sender_task_wait() {
    let (tx, mut rx) = mpsc::channel(2);
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let producer = runtime::spawn(async move {
        for n in 0..3 {
            tx.send(n).await.unwrap();
            counter.fetch_add(1, SeqCst);
        }
    });
    yield_now().await;
    assert_eq!(sent.load(SeqCst), 2, "the third send must wait");
    assert_eq!(rx.recv().await, Some(0));
    producer.await.unwrap();
    assert_eq!(sent.load(SeqCst), 3);
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, None);
}

#[test]
fn try_send_returns_the_value_when_full_or_closed() {
    let (tx, mut rx) = mpsc::channel(1);
    assert_eq!(tx.try_send(String::from("a")), Ok(()));
    match tx.try_send(String::from("b")) {
        Err(TrySendError::Full(value)) => assert_eq!(value, "b"),
        other => panic!("expected Full, got {other:?}"),
    }
    rx.close();
    match tx.try_send(String::from("c")) {
        Err(TrySendError::Closed(value)) => assert_eq!(value, "c"),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(rx.try_recv().as_deref(), Ok("a"));
    drop(rx);
    let error = tx.try_send(String::from("d")).unwrap_err();
    assert_eq!(error.to_string(), "channel closed");
    assert_eq!(error.into_inner(), "d");
}

#[test]
fn waiting_senders_are_served_in_fifo_order() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut first = pin!(tx.send(1));
    let mut second = pin!(tx.send(2));
    let mut third = pin!(tx.send(3));
    assert!(noop_poll(first.as_mut()).is_pending());
    assert!(noop_poll(second.as_mut()).is_pending());
    assert!(noop_poll(third.as_mut()).is_pending());
    // Queued senders come first: a newcomer cannot take the freed slot.
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(matches!(tx.try_send(99), Err(TrySendError::Full(99))));
    assert!(noop_poll(third.as_mut()).is_pending());
    assert!(noop_poll(second.as_mut()).is_pending());
    assert!(noop_poll(first.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(noop_poll(third.as_mut()).is_pending());
    assert!(noop_poll(second.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(2));
    assert!(noop_poll(third.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(3));
}

#[runtime::test]
async fn waiting_sender_tasks_are_served_in_fifo_order() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(usize::MAX).await.unwrap();
    let mut senders = Vec::new();
    for id in 0..5 {
        let tx = tx.clone();
        senders.push(runtime::spawn(async move { tx.send(id).await.unwrap() }));
        yield_now().await; // each parks in turn
    }
    drop(tx);
    assert_eq!(rx.recv().await, Some(usize::MAX));
    for id in 0..5 {
        assert_eq!(rx.recv().await, Some(id));
    }
    assert_eq!(rx.recv().await, None);
}

#[test]
fn a_cancelled_waiting_send_does_not_enqueue_and_does_not_lose_the_slot() {
    let values = DropCounter::default();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(values.make()).unwrap();
    let (counter, waker) = counting_waker();
    {
        let mut waiting = pin!(tx.send(values.make()));
        assert!(poll_with(waiting.as_mut(), &waker).is_pending());
        // The receiver frees the slot, which goes to the waiting send...
        drop(rx.try_recv().unwrap());
        assert_eq!(wakes(&counter), 1);
        assert_eq!(values.dropped(), 1);
        // ...which is dropped before it is polled again.
    }
    assert_eq!(values.dropped(), 2, "the cancelled send's value is dropped");
    assert_eq!(rx.try_recv().unwrap_err(), TryRecvError::Empty);
    assert_eq!(tx.capacity(), 1, "the granted slot was handed back");
    assert!(tx.try_send(values.make()).is_ok());
    assert!(rx.try_recv().is_ok());
}

#[test]
fn a_cancelled_waiter_passes_its_slot_to_the_next_one() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut first = Box::pin(tx.send(1));
    let mut second = pin!(tx.send(2));
    assert!(noop_poll(first.as_mut()).is_pending());
    let (counter, waker) = counting_waker();
    assert!(poll_with(second.as_mut(), &waker).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // granted to `first`
    assert_eq!(wakes(&counter), 0);
    drop(first);
    assert_eq!(wakes(&counter), 1, "the slot moved on to `second`");
    assert!(poll_with(second.as_mut(), &waker).is_ready());
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn a_send_granted_a_slot_before_the_receiver_dropped_gets_its_value_back() {
    let values = DropCounter::default();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(values.make()).unwrap();
    let mut waiting = pin!(tx.send(values.make()));
    assert!(noop_poll(waiting.as_mut()).is_pending());
    drop(rx.try_recv().unwrap()); // the slot goes to `waiting`
    drop(rx);
    match noop_poll(waiting.as_mut()) {
        Poll::Ready(Err(error)) => drop(error.0),
        other => panic!("expected the value back, got {other:?}"),
    }
    assert_eq!(values.dropped(), 2);
}

#[runtime::test(start_paused = true)]
async fn a_send_cancelled_by_a_timeout_does_not_enqueue() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(1).await.unwrap();
    assert!(timeout(Duration::from_millis(5), tx.send(2)).await.is_err());
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(3).await.unwrap();
    assert_eq!(rx.recv().await, Some(3));
}

#[runtime::test]
async fn close_fails_senders_and_still_yields_the_buffered_items() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.send(1).await.unwrap();
    tx.send(2).await.unwrap();
    let waiting = runtime::spawn({
        let tx = tx.clone();
        async move { tx.send(3).await }
    });
    let closed = runtime::spawn({
        let tx = tx.clone();
        async move { tx.closed().await }
    });
    yield_now().await;
    assert!(!tx.is_closed());
    rx.close();
    assert!(tx.is_closed());
    assert!(rx.is_closed());
    assert_eq!(waiting.await.unwrap().unwrap_err().0, 3);
    closed.await.unwrap();
    assert_eq!(tx.send(4).await.unwrap_err().0, 4);
    assert!(tx.reserve().await.is_err());
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[runtime::test]
async fn dropping_every_sender_ends_the_stream_after_the_buffered_items() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    tx.send(1).await.unwrap();
    tx2.send(2).await.unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    let receiver = runtime::spawn(async move {
        let mut items = Vec::new();
        while let Some(item) = rx.recv().await {
            items.push(item);
        }
        items
    });
    yield_now().await; // the receiver drains and parks
    tx2.send(3).await.unwrap();
    drop(tx2);
    assert_eq!(receiver.await.unwrap(), [1, 2, 3]);
}

#[runtime::test]
async fn dropping_the_receiver_drops_the_items_and_fails_sends() {
    let values = DropCounter::default();
    let (tx, rx) = mpsc::channel(4);
    tx.send(values.make()).await.unwrap();
    tx.send(values.make()).await.unwrap();
    let permit = tx.reserve().await.unwrap();
    assert_eq!(values.dropped(), 0);
    drop(rx);
    assert_eq!(values.dropped(), 2);
    assert!(tx.is_closed());
    let error = tx.send(values.make()).await.unwrap_err();
    assert_eq!(values.dropped(), 2);
    drop(error);
    assert_eq!(values.dropped(), 3);
    // A permit taken before the drop still "sends": the value is dropped.
    permit.send(values.make());
    assert_eq!(values.dropped(), 4);
    tx.closed().await;
}

#[runtime::test]
async fn dropping_the_receiver_wakes_waiting_senders_with_their_values() {
    let (tx, rx) = mpsc::channel(1);
    tx.send(0).await.unwrap();
    let waiting = runtime::spawn({
        let tx = tx.clone();
        async move { tx.send(1).await }
    });
    let reserving = runtime::spawn({
        let tx = tx.clone();
        async move { tx.reserve_owned().await.map(drop) }
    });
    yield_now().await;
    drop(rx);
    assert_eq!(waiting.await.unwrap().unwrap_err().0, 1);
    assert!(reserving.await.unwrap().is_err());
}

#[runtime::test]
async fn reserve_and_permits() {
    let (tx, mut rx) = mpsc::channel(2);
    let permit = tx.reserve().await.unwrap();
    assert_eq!(tx.capacity(), 1);
    assert_eq!(rx.capacity(), 1);
    drop(permit);
    assert_eq!(tx.capacity(), 2);

    let first = tx.reserve().await.unwrap();
    let second = tx.try_reserve().unwrap();
    assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    // The order of the items is the order of the permits' sends.
    second.send("second");
    first.send("first");
    assert_eq!(rx.recv().await, Some("second"));
    assert_eq!(rx.recv().await, Some("first"));

    let owned = tx.clone().reserve_owned().await.unwrap();
    assert!(owned.same_channel_as_sender(&tx));
    let tx_back = owned.send("owned");
    assert!(tx_back.same_channel(&tx));
    assert_eq!(rx.recv().await, Some("owned"));

    let owned = tx.clone().try_reserve_owned().unwrap();
    let tx_back = owned.release();
    assert_eq!(tx_back.capacity(), 2);
}

#[runtime::test]
async fn a_waiting_reserve_is_woken_by_a_dropped_permit() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let permit = tx.reserve().await.unwrap();
    let tx2 = tx.clone();
    let waiting = runtime::spawn(async move {
        let permit = tx2.reserve().await.unwrap();
        permit.send(9);
    });
    yield_now().await;
    drop(permit);
    waiting.await.unwrap();
    assert_eq!(rx.recv().await, Some(9));
}

#[runtime::test]
async fn after_close_recv_waits_for_outstanding_permits() {
    let (tx, mut rx) = mpsc::channel(2);
    let permit = tx.clone().reserve_owned().await.unwrap();
    let unused = tx.reserve().await.unwrap();
    rx.close();
    let (counter, waker) = counting_waker();
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_with(recv.as_mut(), &waker).is_pending());
        drop(unused);
        assert_eq!(wakes(&counter), 1);
        assert!(poll_with(recv.as_mut(), &waker).is_pending());
        permit.send(5);
        assert_eq!(wakes(&counter), 2);
        assert_eq!(poll_with(recv.as_mut(), &waker), Poll::Ready(Some(5)));
    }
    assert_eq!(rx.recv().await, None);
}

#[runtime::test]
async fn recv_many_takes_up_to_the_limit() {
    let (tx, mut rx) = mpsc::channel(8);
    for n in 0..5 {
        tx.send(n).await.unwrap();
    }
    let mut buffer = vec![-1];
    assert_eq!(rx.recv_many(&mut buffer, 0).await, 0);
    assert_eq!(rx.recv_many(&mut buffer, 2).await, 2);
    assert_eq!(buffer, [-1, 0, 1]);
    assert_eq!(tx.capacity(), 5);
    assert_eq!(rx.recv_many(&mut buffer, 10).await, 3);
    assert_eq!(buffer, [-1, 0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(rx.recv_many(&mut buffer, 10).await, 0);
}

#[runtime::test]
async fn recv_many_frees_slots_for_several_waiting_senders() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.send(0).await.unwrap();
    tx.send(1).await.unwrap();
    let mut senders = Vec::new();
    for n in 2..4 {
        let tx = tx.clone();
        senders.push(runtime::spawn(async move { tx.send(n).await.unwrap() }));
    }
    yield_now().await;
    let mut buffer = Vec::new();
    assert_eq!(rx.recv_many(&mut buffer, 8).await, 2);
    for sender in senders {
        sender.await.unwrap();
    }
    assert_eq!(rx.recv_many(&mut buffer, 8).await, 2);
    assert_eq!(buffer, [0, 1, 2, 3]);
}

#[runtime::test]
async fn recv_many_waits_for_the_first_item() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let receiver = runtime::spawn(async move {
        let mut buffer = Vec::new();
        let n = rx.recv_many(&mut buffer, 4).await;
        (n, buffer)
    });
    yield_now().await;
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(receiver.await.unwrap(), (2, vec![1, 2]));
}

#[runtime::test]
async fn unbounded_channel_basics() {
    let values = DropCounter::default();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for _ in 0..1000 {
        tx.send(values.make()).unwrap();
    }
    assert_eq!(rx.len(), 1000);
    for _ in 0..10 {
        drop(rx.recv().await.unwrap());
    }
    assert_eq!(values.dropped(), 10);
    let weak = tx.downgrade();
    assert_eq!(rx.sender_weak_count(), 1);
    drop(tx);
    assert!(weak.upgrade().is_none());
    assert!(rx.is_closed());
    assert_eq!(rx.len(), 990);
    drop(rx);
    assert_eq!(values.dropped(), 1000);

    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let receiver = runtime::spawn(async move { rx.recv().await });
    yield_now().await;
    tx.send(4).unwrap();
    assert_eq!(receiver.await.unwrap(), Some(4));
    assert!(tx.is_closed(), "the receiver was dropped with its task");
    assert_eq!(tx.send(5).unwrap_err().0, 5);
}

#[runtime::test]
async fn unbounded_close_and_closed() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send(1).unwrap();
    let watcher = runtime::spawn({
        let tx = tx.clone();
        async move { tx.closed().await }
    });
    yield_now().await;
    rx.close();
    watcher.await.unwrap();
    assert!(tx.send(2).is_err());
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, None);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_producers_ten_thousand_items_each_through_capacity_256() {
    const PRODUCERS: u64 = 4;
    const ITEMS: u64 = 10_000;
    let (tx, mut rx) = mpsc::channel(256);
    let mut producers = Vec::new();
    for id in 0..PRODUCERS {
        let tx = tx.clone();
        producers.push(runtime::spawn(async move {
            for n in 0..ITEMS {
                tx.send(id * ITEMS + n).await.unwrap();
            }
        }));
    }
    drop(tx);
    let mut seen = HashSet::new();
    let mut last = [None::<u64>; PRODUCERS as usize];
    let mut batch = Vec::new();
    loop {
        batch.clear();
        if rx.recv_many(&mut batch, 64).await == 0 {
            break;
        }
        for &item in &batch {
            assert!(seen.insert(item), "{item} received twice");
            let producer = (item / ITEMS) as usize;
            assert!(
                last[producer] < Some(item),
                "producer {producer} out of order"
            );
            last[producer] = Some(item);
        }
    }
    assert_eq!(seen.len() as u64, PRODUCERS * ITEMS);
    for producer in producers {
        producer.await.unwrap();
    }
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_with_cancelled_sends_loses_no_capacity() {
    // Producers race sends against a short timeout: every send either got in (and is
    // received exactly once) or was cancelled (and never appears); no slot leaks, so the
    // final sends of every producer all fit.
    const PRODUCERS: usize = 3;
    const ITEMS: usize = 2_000;
    let (tx, mut rx) = mpsc::channel(4);
    let mut producers = Vec::new();
    for id in 0..PRODUCERS {
        let tx = tx.clone();
        producers.push(runtime::spawn(async move {
            let mut delivered = Vec::new();
            for n in 0..ITEMS {
                let item = id * ITEMS + n;
                if n % 3 == 0 {
                    // Cancel the send after at most one poll.
                    let mut send = pin!(tx.send(item));
                    if std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx)))
                        .await
                        .is_ready()
                    {
                        delivered.push(item);
                    }
                } else {
                    tx.send(item).await.unwrap();
                    delivered.push(item);
                }
            }
            delivered
        }));
    }
    drop(tx);
    let mut received = HashSet::new();
    while let Some(item) = rx.recv().await {
        assert!(received.insert(item));
    }
    let mut delivered = HashSet::new();
    for producer in producers {
        delivered.extend(producer.await.unwrap());
    }
    assert_eq!(received, delivered);
}

#[runtime::test(start_paused = true)]
async fn timeout_racing_recv_loses_nothing() {
    let (tx, mut rx) = mpsc::channel(2);
    let producer = runtime::spawn(async move {
        for n in 0..200u32 {
            // Items arrive at times that fall before, on and after the receiver's deadlines.
            sleep(Duration::from_millis(u64::from(n % 5))).await;
            tx.send(n).await.unwrap();
        }
    });
    let mut received = Vec::new();
    let mut timeouts = 0;
    loop {
        match timeout(Duration::from_millis(2), rx.recv()).await {
            Ok(Some(n)) => received.push(n),
            Ok(None) => break,
            Err(_) => timeouts += 1,
        }
    }
    producer.await.unwrap();
    assert_eq!(received, (0..200).collect::<Vec<_>>());
    assert!(timeouts > 0, "the race never happened");
}

#[test]
fn blocking_send_and_recv_across_threads() {
    let (tx, mut rx) = mpsc::channel(2);
    let producer = std::thread::spawn(move || {
        for n in 0..100 {
            tx.blocking_send(n).unwrap();
        }
    });
    let consumer = std::thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(n) = rx.blocking_recv() {
            got.push(n);
        }
        got
    });
    producer.join().unwrap();
    assert_eq!(consumer.join().unwrap(), (0..100).collect::<Vec<_>>());

    let (tx, mut rx) = mpsc::unbounded_channel();
    let consumer = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        while rx.blocking_recv_many(&mut buffer, 3) > 0 {}
        buffer
    });
    for n in 0..10 {
        tx.send(n).unwrap();
    }
    drop(tx);
    assert_eq!(consumer.join().unwrap(), (0..10).collect::<Vec<_>>());
}

#[test]
fn blocking_send_fails_once_the_receiver_is_gone() {
    let (tx, rx) = mpsc::channel(1);
    tx.blocking_send(1).unwrap();
    let debug = format!("{tx:?}");
    let sender = std::thread::spawn(move || tx.blocking_send(2));
    // Wait (without timing) until the sender is parked in the channel's queue.
    assert!(debug.contains("waiting_senders: 0"), "{debug}");
    while !format!("{rx:?}").contains("waiting_senders: 1") {
        std::thread::yield_now();
    }
    drop(rx);
    assert_eq!(sender.join().unwrap().unwrap_err().0, 2);
}

#[runtime::test(start_paused = true)]
async fn send_timeout_returns_the_value() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send_timeout(1, Duration::from_secs(1)).await.unwrap();
    assert_eq!(
        tx.send_timeout(2, Duration::from_secs(1)).await,
        Err(SendTimeoutError::Timeout(2))
    );
    let sender = runtime::spawn({
        let tx = tx.clone();
        async move { tx.send_timeout(3, Duration::from_secs(1)).await }
    });
    yield_now().await;
    assert_eq!(rx.recv().await, Some(1));
    sender.await.unwrap().unwrap();
    assert_eq!(rx.recv().await, Some(3));
    drop(rx);
    assert_eq!(
        tx.send_timeout(4, Duration::from_secs(1)).await,
        Err(SendTimeoutError::Closed(4))
    );
}

#[runtime::test]
async fn weak_senders_do_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    assert_eq!((weak.strong_count(), weak.weak_count()), (1, 1));
    let strong = weak.upgrade().unwrap();
    assert_eq!(rx.sender_strong_count(), 2);
    drop(tx);
    strong.send(1).await.unwrap();
    drop(strong);
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, None);
    assert!(weak.upgrade().is_none());
}

#[runtime::test]
async fn a_busy_receiver_yields_to_other_tasks() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for n in 0..10_000 {
        tx.send(n).unwrap();
    }
    let flag = Arc::new(AtomicBool::new(false));
    let receiver = runtime::spawn({
        let flag = flag.clone();
        async move {
            let mut received = 0;
            while rx.recv().await.is_some() {
                received += 1;
                if flag.load(SeqCst) {
                    return received;
                }
            }
            received
        }
    });
    let setter = runtime::spawn(async move { flag.store(true, SeqCst) });
    let received = receiver.await.unwrap();
    setter.await.unwrap();
    assert!(received < 10_000, "the receiver never yielded");
    drop(tx);
}

#[test]
#[should_panic(expected = "buffer > 0")]
fn a_channel_of_zero_panics() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn debug_output() {
    let (tx, rx) = mpsc::channel::<u8>(2);
    tx.try_send(1).unwrap();
    let debug = format!("{tx:?} {rx:?}");
    assert!(debug.contains("len: 1"), "{debug}");
    assert!(debug.contains("max_capacity: 2"), "{debug}");
    let permit = tx.try_reserve().unwrap();
    assert!(format!("{permit:?}").starts_with("Permit"));
    let weak = tx.downgrade();
    assert!(!format!("{weak:?}").is_empty());
    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    assert!(format!("{utx:?} {urx:?}").contains("UnboundedSender"));
    assert_eq!(
        format!("{:?}", mpsc::error::SendError(NotDebug)),
        "SendError { .. }"
    );
    assert_eq!(format!("{:?}", TrySendError::Full(NotDebug)), "Full(..)");
}

struct NotDebug;
