//! asyncio's queues (`Queue`, `LifoQueue`, `PriorityQueue`): order, waiting putters and
//! getters served in order, cancellation that loses nothing, `task_done`/`join`, and the two
//! shutdowns. Waiting futures are polled by hand with counting wakers, so every test says
//! exactly who was woken when.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use runtime::sync::queue::{ShutDown, TaskDoneError, TryGetError, TryPutError};
use runtime::sync::{LifoQueue, PriorityQueue, Queue};
use runtime::task::yield_now;
use runtime::time::{sleep, timeout};

/// A waker that counts its wakes.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (Waker, Arc<Counter>) {
    let counter = Arc::new(Counter::default());
    (Waker::from(counter.clone()), counter)
}

fn wakes(counter: &Counter) -> usize {
    counter.0.load(SeqCst)
}

/// Polls a pinned future once with `waker`.
fn poll<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// An item that counts its drops (ordered by its number).
#[derive(Debug)]
struct Tracked(u32, Arc<AtomicUsize>);

impl PartialEq for Tracked {
    fn eq(&self, other: &Tracked) -> bool {
        self.0 == other.0
    }
}

impl Eq for Tracked {}

impl PartialOrd for Tracked {
    fn partial_cmp(&self, other: &Tracked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tracked {
    fn cmp(&self, other: &Tracked) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.1.fetch_add(1, SeqCst);
    }
}

fn drain<T>(mut try_get: impl FnMut() -> Result<T, TryGetError>) -> Vec<T> {
    std::iter::from_fn(|| try_get().ok()).collect()
}

#[runtime::test]
async fn each_queue_returns_items_in_its_order() {
    let fifo = Queue::unbounded();
    let lifo = LifoQueue::unbounded();
    let priority = PriorityQueue::unbounded();
    for item in [3, 1, 4, 1, 5] {
        fifo.put(item).await.unwrap();
        lifo.put(item).await.unwrap();
        priority.put(item).await.unwrap();
    }
    assert_eq!(drain(|| fifo.try_get()), [3, 1, 4, 1, 5]);
    assert_eq!(drain(|| lifo.try_get()), [5, 1, 4, 1, 3]);
    assert_eq!(drain(|| priority.try_get()), [1, 1, 3, 4, 5]);

    // The usual asyncio idiom: (priority, sequence, payload).
    let jobs = PriorityQueue::bounded(3);
    jobs.put((2, 0, "low")).await.unwrap();
    jobs.put((0, 1, "urgent")).await.unwrap();
    jobs.put((1, 2, "normal")).await.unwrap();
    let order: Vec<_> = drain(|| jobs.try_get()).into_iter().map(|j| j.2).collect();
    assert_eq!(order, ["urgent", "normal", "low"]);
}

#[runtime::test]
async fn a_put_on_a_full_queue_waits_until_a_get_makes_room() {
    let queue = Queue::bounded(2);
    assert_eq!(queue.capacity(), Some(2));
    queue.put(1).await.unwrap();
    queue.put(2).await.unwrap();
    assert!(queue.is_full());

    let (waker, woken) = counting_waker();
    let mut third = pin!(queue.put(3));
    assert!(poll(third.as_mut(), &waker).is_pending());
    assert!(poll(third.as_mut(), &waker).is_pending());
    assert_eq!(queue.len(), 2);
    assert_eq!(wakes(&woken), 0);

    assert_eq!(queue.get().await, Ok(1));
    assert_eq!(wakes(&woken), 1, "the get wakes the waiting put");
    // The freed slot is promised to the waiting put: a newcomer does not overtake it.
    assert!(queue.is_full());
    assert_eq!(queue.try_put(9), Err(TryPutError::Full(9)));
    assert_eq!(queue.len(), 1);

    assert_eq!(poll(third.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(queue.len(), 2);
    assert_eq!(drain(|| queue.try_get()), [2, 3]);
}

#[runtime::test]
async fn try_put_and_try_get_fail_with_typed_errors_and_hand_the_item_back() {
    let queue = LifoQueue::bounded(1);
    assert_eq!(queue.try_get(), Err(TryGetError::Empty));
    assert!(queue.try_get().unwrap_err().is_empty());
    queue.try_put(String::from("kept")).unwrap();
    let full = queue.try_put(String::from("returned")).unwrap_err();
    assert!(full.is_full());
    assert_eq!(full.to_string(), "queue is full");
    assert_eq!(full.into_inner(), "returned");
    queue.shutdown();
    let shut = queue.try_put(String::from("late")).unwrap_err();
    assert!(shut.is_shut_down());
    assert_eq!(shut, TryPutError::ShutDown(String::from("late")));
    assert_eq!(queue.try_get().as_deref(), Ok("kept"));
    assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
}

#[runtime::test]
async fn waiting_putters_complete_in_order() {
    let queue = Queue::bounded(1);
    queue.put(0).await.unwrap();
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let (waker3, woken3) = counting_waker();
    let mut first = pin!(queue.put(1));
    let mut second = pin!(queue.put(2));
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());

    assert_eq!(queue.try_get(), Ok(0));
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 0));
    // A newcomer queues behind both.
    let mut third = pin!(queue.put(3));
    assert!(poll(third.as_mut(), &waker3).is_pending());
    // The second is still waiting even if it runs before the first.
    assert!(poll(second.as_mut(), &waker2).is_pending());
    assert_eq!(poll(first.as_mut(), &waker1), Poll::Ready(Ok(())));

    assert_eq!(queue.get().await, Ok(1));
    assert_eq!((wakes(&woken2), wakes(&woken3)), (1, 0));
    assert_eq!(poll(second.as_mut(), &waker2), Poll::Ready(Ok(())));
    assert_eq!(queue.get().await, Ok(2));
    assert_eq!(wakes(&woken3), 1);
    assert_eq!(poll(third.as_mut(), &waker3), Poll::Ready(Ok(())));
    assert_eq!(queue.get().await, Ok(3));
    assert!(queue.is_empty());
}

#[runtime::test]
async fn waiting_getters_are_served_in_order() {
    let queue = PriorityQueue::unbounded();
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let mut first = pin!(queue.get());
    let mut second = pin!(queue.get());
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());

    queue.try_put(5).unwrap();
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 0));
    // The item is promised to the first getter: neither a newcomer nor the second takes it.
    assert_eq!(queue.try_get(), Err(TryGetError::Empty));
    assert!(poll(second.as_mut(), &waker2).is_pending());
    assert_eq!(queue.len(), 1);
    queue.try_put(4).unwrap();
    assert_eq!(wakes(&woken2), 1);
    // Each woken getter takes the smallest item when it runs.
    assert_eq!(poll(second.as_mut(), &waker2), Poll::Ready(Ok(4)));
    assert_eq!(poll(first.as_mut(), &waker1), Poll::Ready(Ok(5)));
}

#[runtime::test]
async fn a_woken_getter_that_is_cancelled_does_not_lose_the_item() {
    // Alone: the item goes back to the queue for the next get.
    let queue = Queue::unbounded();
    let (waker, woken) = counting_waker();
    let mut get = Box::pin(queue.get());
    assert!(poll(get.as_mut(), &waker).is_pending());
    queue.try_put(7).unwrap();
    assert_eq!(wakes(&woken), 1);
    drop(get);
    assert_eq!(queue.get().await, Ok(7));

    // With another getter waiting: the promise passes to it.
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let mut first = Box::pin(queue.get());
    let mut second = pin!(queue.get());
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());
    queue.try_put(8).unwrap();
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 0));
    drop(first);
    assert_eq!(wakes(&woken2), 1);
    assert_eq!(queue.try_get(), Err(TryGetError::Empty));
    assert_eq!(poll(second.as_mut(), &waker2), Poll::Ready(Ok(8)));
    assert!(queue.is_empty());
}

#[runtime::test]
async fn a_cancelled_putter_never_enqueues_its_item() {
    let drops = Arc::new(AtomicUsize::new(0));
    let queue = Queue::bounded(1);
    queue.put(Tracked(0, drops.clone())).await.unwrap();

    // Cancelled while waiting: its item is dropped with it.
    let (waker, _) = counting_waker();
    let mut waiting = Box::pin(queue.put(Tracked(1, drops.clone())));
    assert!(poll(waiting.as_mut(), &waker).is_pending());
    drop(waiting);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(queue.len(), 1);

    // Cancelled after a get made room for it, before it ran: the room passes to the next
    // waiting putter, and the cancelled item is not enqueued.
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let mut first = Box::pin(queue.put(Tracked(2, drops.clone())));
    let mut second = pin!(queue.put(Tracked(3, drops.clone())));
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());
    assert_eq!(queue.try_get().map(|item| item.0), Ok(0));
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 0));
    drop(first);
    assert_eq!(wakes(&woken2), 1);
    assert!(matches!(
        poll(second.as_mut(), &waker2),
        Poll::Ready(Ok(()))
    ));
    assert_eq!(queue.try_get().map(|item| item.0), Ok(3));
    assert!(queue.is_empty());

    // Cancelled after a get made room, nobody else waiting: the room is free again.
    queue
        .try_put(Tracked(4, drops.clone()))
        .unwrap_or_else(|_| panic!("room"));
    let mut last = Box::pin(queue.put(Tracked(5, drops.clone())));
    assert!(poll(last.as_mut(), &waker).is_pending());
    assert_eq!(queue.try_get().map(|item| item.0), Ok(4));
    drop(last);
    assert!(!queue.is_full());
    assert!(queue.try_put(Tracked(6, drops.clone())).is_ok());
    assert_eq!(queue.try_get().map(|item| item.0), Ok(6));
    // Every item was dropped exactly once: 0..=6.
    assert_eq!(drops.load(SeqCst), 7);
}

#[runtime::test]
async fn more_task_done_calls_than_items_is_an_error() {
    let queue = Queue::unbounded();
    assert!(matches!(queue.task_done(), Err(TaskDoneError { .. })));
    queue.put('a').await.unwrap();
    queue.put('b').await.unwrap();
    // As in asyncio, the count is of items enqueued, whether or not they were taken yet.
    assert_eq!(queue.task_done(), Ok(()));
    assert_eq!(queue.get().await, Ok('a'));
    assert_eq!(queue.task_done(), Ok(()));
    let error = queue.task_done().unwrap_err();
    assert_eq!(
        error.to_string(),
        "task_done() called more times than items were put"
    );
}

#[runtime::test]
async fn join_waits_for_every_task_done() {
    let queue = Queue::unbounded();
    let (waker, woken) = counting_waker();
    // Nothing enqueued: ready at once.
    assert_eq!(poll(pin!(queue.join()), &waker), Poll::Ready(()));

    queue.put(1).await.unwrap();
    queue.put(2).await.unwrap();
    let mut join = pin!(queue.join());
    assert!(poll(join.as_mut(), &waker).is_pending());
    queue.get().await.unwrap();
    queue.get().await.unwrap();
    assert!(queue.is_empty());
    assert!(
        poll(join.as_mut(), &waker).is_pending(),
        "taken is not done"
    );
    queue.task_done().unwrap();
    assert_eq!(wakes(&woken), 0);
    assert!(poll(join.as_mut(), &waker).is_pending());
    queue.task_done().unwrap();
    assert_eq!(wakes(&woken), 1);
    assert_eq!(poll(join.as_mut(), &waker), Poll::Ready(()));

    // Several joiners are all released, and a cancelled one does not disturb the others.
    queue.put(3).await.unwrap();
    let (waker2, woken2) = counting_waker();
    let mut first = pin!(queue.join());
    let mut second = pin!(queue.join());
    let mut cancelled = Box::pin(queue.join());
    assert!(poll(first.as_mut(), &waker).is_pending());
    assert!(poll(cancelled.as_mut(), &waker).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());
    drop(cancelled);
    queue.task_done().unwrap();
    assert_eq!(wakes(&woken2), 1);
    assert_eq!(poll(first.as_mut(), &waker), Poll::Ready(()));
    assert_eq!(poll(second.as_mut(), &waker2), Poll::Ready(()));
}

#[runtime::test]
async fn shutdown_fails_waiting_getters_but_lets_the_remaining_items_be_taken() {
    // Waiting getters on an empty queue are woken and fail.
    let queue = Queue::<u32>::unbounded();
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let mut first = pin!(queue.get());
    let mut second = pin!(queue.get());
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());
    queue.shutdown();
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 1));
    assert_eq!(
        poll(first.as_mut(), &waker1),
        Poll::Ready(Err(ShutDown(())))
    );
    assert_eq!(
        poll(second.as_mut(), &waker2),
        Poll::Ready(Err(ShutDown(())))
    );
    assert!(queue.is_shutdown());

    // Remaining items are taken, then gets fail; a getter already promised an item keeps it.
    let queue = LifoQueue::unbounded();
    let (waker, _) = counting_waker();
    let mut promised = pin!(queue.get());
    assert!(poll(promised.as_mut(), &waker).is_pending());
    queue.put(1).await.unwrap();
    queue.put(2).await.unwrap();
    queue.put(3).await.unwrap();
    queue.shutdown();
    queue.shutdown(); // idempotent
    assert_eq!(queue.put(4).await, Err(ShutDown(4)));
    assert_eq!(queue.get().await, Ok(3));
    assert_eq!(queue.try_get(), Ok(2));
    assert_eq!(poll(promised.as_mut(), &waker), Poll::Ready(Ok(1)));
    assert_eq!(queue.get().await, Err(ShutDown(())));
    assert_eq!(queue.try_get(), Err(TryGetError::ShutDown));
}

#[runtime::test]
async fn shutdown_fails_waiting_putters_and_returns_their_items() {
    let queue = Queue::bounded(1);
    queue.put("a").await.unwrap();
    let (waker1, woken1) = counting_waker();
    let (waker2, woken2) = counting_waker();
    let mut first = pin!(queue.put("b"));
    let mut second = pin!(queue.put("c"));
    assert!(poll(first.as_mut(), &waker1).is_pending());
    assert!(poll(second.as_mut(), &waker2).is_pending());
    // A get makes room for the first one; it has not run yet when the queue shuts down: as
    // in asyncio, a woken put fails too.
    assert_eq!(queue.try_get(), Ok("a"));
    queue.shutdown();
    assert_eq!((wakes(&woken1), wakes(&woken2)), (1, 1));
    assert_eq!(
        poll(first.as_mut(), &waker1),
        Poll::Ready(Err(ShutDown("b")))
    );
    assert_eq!(
        poll(second.as_mut(), &waker2),
        Poll::Ready(Err(ShutDown("c")))
    );
    assert!(queue.is_empty());
    assert_eq!(queue.get().await, Err(ShutDown(())));
}

#[runtime::test]
async fn shutdown_immediate_drops_the_items_and_releases_join() {
    let drops = Arc::new(AtomicUsize::new(0));
    let queue = Queue::unbounded();
    for n in 0..4 {
        queue.put(Tracked(n, drops.clone())).await.unwrap();
    }
    let taken = queue.get().await.unwrap_or_else(|_| panic!("an item"));
    let (waker, woken) = counting_waker();
    let mut join = pin!(queue.join());
    assert!(poll(join.as_mut(), &waker).is_pending());

    queue.shutdown_immediate();
    assert_eq!(drops.load(SeqCst), 3, "the queued items are dropped");
    assert!(queue.is_empty());
    assert!(queue.try_get().unwrap_err().is_shut_down());
    // The dropped items count as done; the taken one is still being worked on.
    assert_eq!(wakes(&woken), 0);
    assert!(poll(join.as_mut(), &waker).is_pending());
    drop(taken);
    queue.task_done().unwrap();
    assert_eq!(wakes(&woken), 1);
    assert_eq!(poll(join.as_mut(), &waker), Poll::Ready(()));
    assert!(queue.task_done().is_err());
    queue.shutdown_immediate(); // idempotent
    queue.shutdown();

    // A getter that was promised an item fails: the item is gone. `join` is released at once.
    let queue = PriorityQueue::unbounded();
    let mut promised = pin!(queue.get());
    assert!(poll(promised.as_mut(), &waker).is_pending());
    let mut join = pin!(queue.join());
    queue
        .put(Tracked(9, drops.clone()))
        .await
        .unwrap_or_else(|_| panic!("open"));
    assert!(poll(join.as_mut(), &waker).is_pending());
    queue.shutdown(); // a graceful shutdown first
    queue.shutdown_immediate();
    assert_eq!(drops.load(SeqCst), 5);
    assert!(matches!(
        poll(promised.as_mut(), &waker),
        Poll::Ready(Err(ShutDown(())))
    ));
    assert_eq!(poll(join.as_mut(), &waker), Poll::Ready(()));
}

#[runtime::test(start_paused = true)]
async fn a_timeout_racing_get_loses_nothing() {
    // The put lands 1 ms before, exactly at, and 1 ms after the timeout's deadline, with the
    // producer's timer registered after or before the timeout's. Whichever side wins at the
    // deadline, the item is either returned or still in the queue.
    for (put_at, producer_first) in [(9, false), (10, false), (10, true), (11, false)] {
        let queue = Arc::new(Queue::unbounded());
        let producer = runtime::spawn({
            let queue = queue.clone();
            async move {
                sleep(Duration::from_millis(put_at)).await;
                queue.try_put(put_at).unwrap();
            }
        });
        if producer_first {
            yield_now().await;
        }
        let got = timeout(Duration::from_millis(10), queue.get()).await;
        producer.await.unwrap();
        let received = got.iter().count();
        let remaining = drain(|| queue.try_get());
        assert_eq!(received + remaining.len(), 1, "put at {put_at} ms: {got:?}");
        match put_at {
            9 => assert_eq!(got, Ok(Ok(9))),
            11 => assert!(got.is_err()),
            _ => {}
        }
    }

    // With a second getter behind the timed one, the item goes to exactly one of them.
    for put_at in [9, 10, 11] {
        let queue = Arc::new(Queue::unbounded());
        // Boxed so that awaiting it drops it as `timeout(..).await` does (the `Get` inside a
        // `Timeout` that expired is dropped with the `Timeout`).
        let mut first = Box::pin(timeout(Duration::from_millis(10), queue.get()));
        let (waker, _) = counting_waker();
        // Queue the timed getter first.
        assert!(poll(first.as_mut(), &waker).is_pending());
        let second = runtime::spawn({
            let queue = queue.clone();
            async move { queue.get().await }
        });
        let producer = runtime::spawn({
            let queue = queue.clone();
            async move {
                sleep(Duration::from_millis(put_at)).await;
                queue.try_put(put_at).unwrap();
            }
        });
        let got = first.await;
        producer.await.unwrap();
        queue.try_put(100).unwrap();
        let second = second.await.unwrap();
        queue.shutdown();
        let mut received: Vec<_> = got
            .into_iter()
            .chain([second])
            .collect::<Result<_, _>>()
            .unwrap();
        received.extend(drain(|| queue.try_get()));
        received.sort();
        assert_eq!(received, [put_at, 100], "put at {put_at} ms");
    }
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_every_item_is_received_exactly_once() {
    const PRODUCERS: usize = 3;
    const CONSUMERS: usize = 3;
    const PER_PRODUCER: usize = 3000;

    let queue = Arc::new(Queue::bounded(4));
    let received = Arc::new(Mutex::new(Vec::new()));
    let noop = Waker::noop();

    let mut producers = Vec::new();
    for p in 0..PRODUCERS {
        let queue = queue.clone();
        producers.push(runtime::spawn(async move {
            for n in 0..PER_PRODUCER {
                let item = p * PER_PRODUCER + n;
                if n % 5 == 0 {
                    // A put cancelled before it completed never enqueued its item, so
                    // putting it again does not duplicate it.
                    let mut attempt = pin!(queue.put(item));
                    if poll(attempt.as_mut(), noop).is_ready() {
                        continue;
                    }
                }
                queue.put(item).await.unwrap();
                if n % 7 == 0 {
                    yield_now().await;
                }
            }
        }));
    }
    let mut consumers = Vec::new();
    for c in 0..CONSUMERS {
        let queue = queue.clone();
        let received = received.clone();
        consumers.push(runtime::spawn(async move {
            let mut mine = Vec::new();
            for round in 0.. {
                let item = if (round + c) % 4 == 0 {
                    // A get polled once and cancelled if it has to wait.
                    match poll(pin!(queue.get()), noop) {
                        Poll::Ready(item) => item,
                        Poll::Pending => continue,
                    }
                } else {
                    queue.get().await
                };
                match item {
                    Ok(item) => {
                        mine.push(item);
                        queue.task_done().unwrap();
                    }
                    Err(ShutDown(())) => break,
                }
                if round % 11 == 0 {
                    yield_now().await;
                }
            }
            received.lock().unwrap().extend(mine);
        }));
    }
    for producer in producers {
        producer.await.unwrap();
    }
    queue.join().await;
    queue.shutdown();
    for consumer in consumers {
        consumer.await.unwrap();
    }
    let mut received = std::mem::take(&mut *received.lock().unwrap());
    received.sort_unstable();
    assert_eq!(received.len(), PRODUCERS * PER_PRODUCER);
    assert!(received.iter().copied().eq(0..PRODUCERS * PER_PRODUCER));
    assert!(queue.is_empty());
    assert!(queue.task_done().is_err());
}

#[test]
fn queues_are_send_and_sync_and_debug() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let queue = Queue::<String>::bounded(3);
    send_sync(&queue);
    send_sync(&LifoQueue::<String>::unbounded());
    send_sync(&PriorityQueue::<String>::unbounded());
    send(&queue.put(String::new()));
    send(&queue.get());
    send(&queue.join());
    queue.try_put(String::from("x")).unwrap();
    let debug = format!("{queue:?}");
    assert!(debug.starts_with("Queue {"), "{debug}");
    assert!(
        debug.contains("len: 1") && debug.contains("capacity: Some(3)"),
        "{debug}"
    );
    assert_eq!(format!("{:?}", TryPutError::Full(1)), "Full(..)");
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn bounded_zero_panics() {
    let _ = Queue::<u8>::bounded(0);
}
