//! Sync-primitive benchmarks: our `runtime::sync` against `tokio::sync` and against
//! async-lock/async-channel (smol's primitives), 2 worker threads each.
//!
//! Each workload is written once, generic over a runtime ([`BenchRuntime`]) and a family of
//! primitives ([`Prims`]). A group has five ids, so the primitives are compared on both peer
//! runtimes and the runtime is not what decides the result:
//!
//! | id | runtime | primitives |
//! |---|---|---|
//! | `ours` | ours | `runtime::sync` |
//! | `tokio` | Tokio | `tokio::sync` |
//! | `smol` | smol | async-lock / async-channel |
//! | `tokio+async-lock` | Tokio | async-lock / async-channel |
//! | `smol+tokio-sync` | smol | `tokio::sync` |
//!
//! The target is `ours` at or below the fastest of the other four ("best peer" in
//! `cargo run -p benches --release --bin ratios`).
//!
//! - `semaphore`: 16 tasks share 4 permits; each acquires a permit 1 000 times and yields while
//!   holding it, so acquirers really queue and are woken by releases.
//! - `mutex`: 16 tasks each lock a shared counter 1 000 times and increment it (no yield while
//!   holding: the two workers contend on the lock itself).
//! - `mpsc` and `queue`: 4 producers send 25 000 numbers each through a channel of capacity 256
//!   to 1 consumer that sums them. `queue` runs our asyncio-style `Queue` in place of our mpsc
//!   (the peers run their channel in both groups).
//! - `oneshot`: a server task answers requests that arrive on an unbounded channel, each with a
//!   oneshot for its reply; 4 clients make 2 500 requests each, one at a time.
//!
//! Sizes are fixed; shorten a run with `--quick` or by picking groups, never by shrinking them.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use benches::ours::Ours;
use benches::smol_rt::Smol;
use benches::tokio_rt::Tokio;
use benches::{wait_done, BenchRuntime, Countdown, Spawner};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};

/// Tasks and permits of `semaphore`, and acquisitions per task.
const SEM_TASKS: usize = 16;
const SEM_PERMITS: usize = 4;
const SEM_ROUNDS: usize = 1_000;
/// Tasks of `mutex` and locks per task.
const MUTEX_TASKS: usize = 16;
const MUTEX_ROUNDS: usize = 1_000;
/// Producers, items per producer and channel capacity of `mpsc` and `queue`.
const PRODUCERS: usize = 4;
const ITEMS_PER_PRODUCER: u64 = 25_000;
const CAPACITY: usize = 256;
/// Clients of `oneshot` and requests per client.
const CLIENTS: usize = 4;
const REQUESTS_PER_CLIENT: u64 = 2_500;

/// One family of primitives, used from tasks of any runtime.
trait Prims: 'static {
    type Semaphore: Send + Sync + 'static;
    type Mutex: Send + Sync + 'static;
    type Tx: Clone + Send + 'static;
    type Rx: Send + 'static;
    type ReqTx: Clone + Send + 'static;
    type ReqRx: Send + 'static;
    type ReplyTx: Send + 'static;
    type ReplyRx: Send + 'static;

    fn semaphore(permits: usize) -> Self::Semaphore;
    /// Acquires a permit, awaits `hold` while holding it, releases it.
    fn with_permit<H: Future + Send>(
        sem: &Self::Semaphore,
        hold: H,
    ) -> impl Future<Output = ()> + Send;

    fn mutex() -> Self::Mutex;
    /// Locks the counter and increments it.
    fn increment(mutex: &Self::Mutex) -> impl Future<Output = ()> + Send;
    fn count(mutex: &Self::Mutex) -> u64;

    /// A bounded channel of `u64`s (in the `queue` group, ours is the `Queue`).
    fn channel(capacity: usize, queue: bool) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, value: u64) -> impl Future<Output = ()> + Send;
    /// The next value, or `None` once every sender is gone.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<u64>> + Send;

    /// The request channel of `oneshot` (unbounded) and the reply oneshot.
    fn requests() -> (Self::ReqTx, Self::ReqRx);
    fn request(tx: &Self::ReqTx, value: u64) -> Self::ReplyRx;
    fn next_request(
        rx: &mut Self::ReqRx,
    ) -> impl Future<Output = Option<(u64, Self::ReplyTx)>> + Send;
    fn reply(tx: Self::ReplyTx, value: u64);
    fn wait_reply(rx: Self::ReplyRx) -> impl Future<Output = u64> + Send;
}

/// `runtime::sync`.
struct OursSync;

/// Our bounded channel in the `mpsc` group or our `Queue` in the `queue` group; the queue
/// has no "all senders gone", so the consumer counts items instead (see `channel_throughput`).
enum OursTx {
    Mpsc(runtime::sync::mpsc::Sender<u64>),
    Queue(Arc<runtime::sync::Queue<u64>>),
}

impl Clone for OursTx {
    fn clone(&self) -> Self {
        match self {
            OursTx::Mpsc(tx) => OursTx::Mpsc(tx.clone()),
            OursTx::Queue(queue) => OursTx::Queue(queue.clone()),
        }
    }
}

enum OursRx {
    Mpsc(runtime::sync::mpsc::Receiver<u64>),
    Queue(Arc<runtime::sync::Queue<u64>>),
}

impl Prims for OursSync {
    type Semaphore = runtime::sync::Semaphore;
    type Mutex = runtime::sync::Mutex<u64>;
    type Tx = OursTx;
    type Rx = OursRx;
    type ReqTx = runtime::sync::mpsc::UnboundedSender<(u64, runtime::sync::oneshot::Sender<u64>)>;
    type ReqRx = runtime::sync::mpsc::UnboundedReceiver<(u64, runtime::sync::oneshot::Sender<u64>)>;
    type ReplyTx = runtime::sync::oneshot::Sender<u64>;
    type ReplyRx = runtime::sync::oneshot::Receiver<u64>;

    fn semaphore(permits: usize) -> Self::Semaphore {
        runtime::sync::Semaphore::new(permits)
    }

    async fn with_permit<H: Future + Send>(sem: &Self::Semaphore, hold: H) {
        let _permit = sem.acquire().await.expect("semaphore closed");
        hold.await;
    }

    fn mutex() -> Self::Mutex {
        runtime::sync::Mutex::new(0)
    }

    async fn increment(mutex: &Self::Mutex) {
        *mutex.lock().await += 1;
    }

    fn count(mutex: &Self::Mutex) -> u64 {
        *mutex
            .try_lock()
            .expect("the mutex is free once every task is done")
    }

    fn channel(capacity: usize, queue: bool) -> (Self::Tx, Self::Rx) {
        if queue {
            let queue = Arc::new(runtime::sync::Queue::bounded(capacity));
            (OursTx::Queue(queue.clone()), OursRx::Queue(queue))
        } else {
            let (tx, rx) = runtime::sync::mpsc::channel(capacity);
            (OursTx::Mpsc(tx), OursRx::Mpsc(rx))
        }
    }

    async fn send(tx: &Self::Tx, value: u64) {
        match tx {
            OursTx::Mpsc(tx) => tx.send(value).await.expect("receiver gone"),
            OursTx::Queue(queue) => queue.put(value).await.expect("queue shut down"),
        }
    }

    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        match rx {
            OursRx::Mpsc(rx) => rx.recv().await,
            OursRx::Queue(queue) => Some(queue.get().await.expect("queue shut down")),
        }
    }

    fn requests() -> (Self::ReqTx, Self::ReqRx) {
        runtime::sync::mpsc::unbounded_channel()
    }

    fn request(tx: &Self::ReqTx, value: u64) -> Self::ReplyRx {
        let (reply_tx, reply_rx) = runtime::sync::oneshot::channel();
        tx.send((value, reply_tx)).expect("server gone");
        reply_rx
    }

    async fn next_request(rx: &mut Self::ReqRx) -> Option<(u64, Self::ReplyTx)> {
        rx.recv().await
    }

    fn reply(tx: Self::ReplyTx, value: u64) {
        tx.send(value).expect("client gone");
    }

    async fn wait_reply(rx: Self::ReplyRx) -> u64 {
        rx.await.expect("server dropped the reply")
    }
}

/// `tokio::sync`.
struct TokioSync;

impl Prims for TokioSync {
    type Semaphore = tokio::sync::Semaphore;
    type Mutex = tokio::sync::Mutex<u64>;
    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;
    type ReqTx = tokio::sync::mpsc::UnboundedSender<(u64, tokio::sync::oneshot::Sender<u64>)>;
    type ReqRx = tokio::sync::mpsc::UnboundedReceiver<(u64, tokio::sync::oneshot::Sender<u64>)>;
    type ReplyTx = tokio::sync::oneshot::Sender<u64>;
    type ReplyRx = tokio::sync::oneshot::Receiver<u64>;

    fn semaphore(permits: usize) -> Self::Semaphore {
        tokio::sync::Semaphore::new(permits)
    }

    async fn with_permit<H: Future + Send>(sem: &Self::Semaphore, hold: H) {
        let _permit = sem.acquire().await.expect("semaphore closed");
        hold.await;
    }

    fn mutex() -> Self::Mutex {
        tokio::sync::Mutex::new(0)
    }

    async fn increment(mutex: &Self::Mutex) {
        *mutex.lock().await += 1;
    }

    fn count(mutex: &Self::Mutex) -> u64 {
        *mutex
            .try_lock()
            .expect("the mutex is free once every task is done")
    }

    fn channel(capacity: usize, _queue: bool) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("receiver gone");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await
    }

    fn requests() -> (Self::ReqTx, Self::ReqRx) {
        tokio::sync::mpsc::unbounded_channel()
    }

    fn request(tx: &Self::ReqTx, value: u64) -> Self::ReplyRx {
        let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
        tx.send((value, reply_tx)).expect("server gone");
        reply_rx
    }

    async fn next_request(rx: &mut Self::ReqRx) -> Option<(u64, Self::ReplyTx)> {
        rx.recv().await
    }

    fn reply(tx: Self::ReplyTx, value: u64) {
        tx.send(value).expect("client gone");
    }

    async fn wait_reply(rx: Self::ReplyRx) -> u64 {
        rx.await.expect("server dropped the reply")
    }
}

/// async-lock and async-channel (a bounded channel of one is the oneshot).
struct AsyncLock;

impl Prims for AsyncLock {
    type Semaphore = async_lock::Semaphore;
    type Mutex = async_lock::Mutex<u64>;
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;
    type ReqTx = async_channel::Sender<(u64, async_channel::Sender<u64>)>;
    type ReqRx = async_channel::Receiver<(u64, async_channel::Sender<u64>)>;
    type ReplyTx = async_channel::Sender<u64>;
    type ReplyRx = async_channel::Receiver<u64>;

    fn semaphore(permits: usize) -> Self::Semaphore {
        async_lock::Semaphore::new(permits)
    }

    async fn with_permit<H: Future + Send>(sem: &Self::Semaphore, hold: H) {
        let _permit = sem.acquire().await;
        hold.await;
    }

    fn mutex() -> Self::Mutex {
        async_lock::Mutex::new(0)
    }

    async fn increment(mutex: &Self::Mutex) {
        *mutex.lock().await += 1;
    }

    fn count(mutex: &Self::Mutex) -> u64 {
        *mutex
            .try_lock()
            .expect("the mutex is free once every task is done")
    }

    fn channel(capacity: usize, _queue: bool) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("receiver gone");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await.ok()
    }

    fn requests() -> (Self::ReqTx, Self::ReqRx) {
        async_channel::unbounded()
    }

    fn request(tx: &Self::ReqTx, value: u64) -> Self::ReplyRx {
        let (reply_tx, reply_rx) = async_channel::bounded(1);
        tx.try_send((value, reply_tx)).expect("server gone");
        reply_rx
    }

    async fn next_request(rx: &mut Self::ReqRx) -> Option<(u64, Self::ReplyTx)> {
        rx.recv().await.ok()
    }

    fn reply(tx: Self::ReplyTx, value: u64) {
        tx.try_send(value).expect("client gone");
    }

    async fn wait_reply(rx: Self::ReplyRx) -> u64 {
        rx.recv().await.expect("server dropped the reply")
    }
}

/// `SEM_TASKS` tasks take turns on `SEM_PERMITS` permits, yielding while they hold one.
fn semaphore<R: BenchRuntime, P: Prims>(rt: &R) {
    let sem = Arc::new(P::semaphore(SEM_PERMITS));
    let holders = Arc::new(AtomicUsize::new(0));
    let (done, rx) = Countdown::new(SEM_TASKS);
    for _ in 0..SEM_TASKS {
        let (sem, holders, done) = (sem.clone(), holders.clone(), done.clone());
        rt.spawn_detached(async move {
            for _ in 0..SEM_ROUNDS {
                P::with_permit(&sem, async {
                    let now = holders.fetch_add(1, Ordering::Relaxed) + 1;
                    assert!(now <= SEM_PERMITS, "semaphore: {now} holders");
                    <R::Spawner as Spawner>::yield_now().await;
                    holders.fetch_sub(1, Ordering::Relaxed);
                })
                .await;
            }
            done.count_down();
        });
    }
    wait_done(&rx, "semaphore");
}

/// `MUTEX_TASKS` tasks increment one locked counter `MUTEX_ROUNDS` times each.
fn mutex<R: BenchRuntime, P: Prims>(rt: &R) {
    let counter = Arc::new(P::mutex());
    let (done, rx) = Countdown::new(MUTEX_TASKS);
    for _ in 0..MUTEX_TASKS {
        let (counter, done) = (counter.clone(), done.clone());
        rt.spawn_detached(async move {
            for _ in 0..MUTEX_ROUNDS {
                P::increment(&counter).await;
            }
            done.count_down();
        });
    }
    wait_done(&rx, "mutex");
    assert_eq!(P::count(&counter), (MUTEX_TASKS * MUTEX_ROUNDS) as u64);
}

/// `PRODUCERS` producers, one consumer, capacity `CAPACITY`; the consumer checks the sum.
fn channel_throughput<R: BenchRuntime, P: Prims>(rt: &R, queue: bool) {
    let (tx, mut rx) = P::channel(CAPACITY, queue);
    let total = PRODUCERS as u64 * ITEMS_PER_PRODUCER;
    let consumer = rt.spawn(async move {
        let mut sum = 0;
        // Counting, not waiting for `None`: the queue has no "all senders gone".
        for _ in 0..total {
            sum += P::recv(&mut rx).await.expect("a producer stopped early");
        }
        sum
    });
    for producer in 0..PRODUCERS as u64 {
        let tx = tx.clone();
        rt.spawn_detached(async move {
            for item in 0..ITEMS_PER_PRODUCER {
                P::send(&tx, producer * ITEMS_PER_PRODUCER + item).await;
            }
        });
    }
    drop(tx);
    let sum = rt.block_on(consumer);
    assert_eq!(sum, total * (total - 1) / 2);
}

fn mpsc<R: BenchRuntime, P: Prims>(rt: &R) {
    channel_throughput::<R, P>(rt, false);
}

fn queue<R: BenchRuntime, P: Prims>(rt: &R) {
    channel_throughput::<R, P>(rt, true);
}

/// A server answers `CLIENTS * REQUESTS_PER_CLIENT` requests, each replied to on its oneshot.
fn oneshot<R: BenchRuntime, P: Prims>(rt: &R) {
    let (requests, mut incoming) = P::requests();
    let server = rt.spawn(async move {
        while let Some((value, reply)) = P::next_request(&mut incoming).await {
            P::reply(reply, value + 1);
        }
    });
    let (done, rx) = Countdown::new(CLIENTS);
    for _ in 0..CLIENTS {
        let (requests, done) = (requests.clone(), done.clone());
        rt.spawn_detached(async move {
            for value in 0..REQUESTS_PER_CLIENT {
                assert_eq!(P::wait_reply(P::request(&requests, value)).await, value + 1);
            }
            done.count_down();
        });
    }
    wait_done(&rx, "oneshot");
    drop(requests);
    rt.block_on(server);
}

/// One benchmark id: `workload` (already given its primitives) on runtime `R`.
fn bench_on<R: BenchRuntime>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    workload: fn(&R),
) {
    group.bench_function(id, |b| {
        let rt = R::new(benches::WORKERS);
        b.iter(|| workload(&rt));
    });
}

/// A group with the five ids of the module docs.
macro_rules! sync_group {
    ($c:expr, $workload:ident) => {{
        let mut group = $c.benchmark_group(stringify!($workload));
        group.sampling_mode(criterion::SamplingMode::Flat);
        bench_on::<Ours>(&mut group, benches::ours::ID, $workload::<Ours, OursSync>);
        bench_on::<Tokio>(
            &mut group,
            benches::tokio_rt::ID,
            $workload::<Tokio, TokioSync>,
        );
        bench_on::<Smol>(
            &mut group,
            benches::smol_rt::ID,
            $workload::<Smol, AsyncLock>,
        );
        bench_on::<Tokio>(
            &mut group,
            "tokio+async-lock",
            $workload::<Tokio, AsyncLock>,
        );
        bench_on::<Smol>(&mut group, "smol+tokio-sync", $workload::<Smol, TokioSync>);
        group.finish();
    }};
}

fn sync_benches(c: &mut Criterion) {
    sync_group!(c, semaphore);
    sync_group!(c, mutex);
    sync_group!(c, mpsc);
    sync_group!(c, queue);
    sync_group!(c, oneshot);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = sync_benches
}
criterion_main!(benches);
