//! Shared setup for the benchmarks that race `runtime` ("ours") against Tokio and smol.
//!
//! Every benchmark runs the same workload code on all three runtimes, so this crate gives each
//! runtime a small module that builds it with a given number of worker threads ([`ours`],
//! [`tokio_rt`], [`smol_rt`]) and a pair of traits that the workloads are written against:
//!
//! - [`BenchRuntime`]: what the bench thread (outside the runtime) does: build the runtime,
//!   `block_on` a future, spawn a task and keep or drop its handle.
//! - [`Spawner`]: what a task running *on* the runtime does: spawn another task (the runtime's
//!   idiomatic in-task spawn: `runtime::spawn`, `tokio::spawn`, `Executor::spawn`) and yield.
//!
//! Workloads are generic over these traits and monomorphized per runtime, so the three
//! implementations are the same code and the traits cost nothing at run time. [`Countdown`] is the
//! one "all tasks are done" signal every workload uses: an [`AtomicUsize`] counted down by the
//! tasks plus a [`std::sync::mpsc::sync_channel`] that the last one sends on, received by the
//! bench thread.
//!
//! Later benches (I/O, sync) can reuse the per-runtime modules directly; e.g.
//! [`tokio_rt::builder`] returns the Tokio builder so such a bench can add `enable_all()`.
//! Benches that need timers or sockets build their runtimes with [`BenchRuntime::with_drivers`]
//! (Tokio with `enable_all()`, smol's workers driving async-io's reactor) and wait with
//! [`wait_done`], which fails the benchmark instead of hanging.
//!
//! ```no_run
//! use benches::{BenchRuntime, Countdown, Spawner};
//!
//! fn workload<R: BenchRuntime>(rt: &R) {
//!     let (done, rx) = Countdown::new(1);
//!     let spawner = rt.spawner();
//!     rt.spawn_detached(async move {
//!         spawner.spawn_detached(async move { done.count_down() });
//!     });
//!     rx.recv().unwrap();
//! }
//!
//! workload(&benches::ours::Ours::new(2));
//! workload(&benches::tokio_rt::Tokio::new(2));
//! workload(&benches::smol_rt::Smol::new(2));
//! ```

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The worker thread count every runtime gets in the scheduler benchmarks (and every other
/// bench in this crate).
pub const WORKERS: usize = 2;

/// The ids of the runtimes, in the order benches and tables list them.
pub const RUNTIME_IDS: [&str; 3] = [ours::ID, tokio_rt::ID, smol_rt::ID];

/// A runtime as seen from the bench thread, outside of it.
pub trait BenchRuntime: Sized {
    /// The in-task spawner of this runtime.
    type Spawner: Spawner;

    /// The handle of a task spawned from outside; awaiting it yields the task's output
    /// (a task that panicked fails the benchmark).
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// Builds the runtime with `workers` worker threads.
    fn new(workers: usize) -> Self;

    /// Builds the runtime with `workers` worker threads and its I/O and time drivers on, for
    /// benches that sleep or use sockets. Ours always runs its driver thread, so by default this
    /// is [`BenchRuntime::new`]; Tokio adds `enable_all()`, and smol's worker threads run
    /// `smol::block_on` instead of `futures_lite::future::block_on`, so an idle worker polls
    /// async-io's reactor itself (as the threads of smol's own global executor do) instead of
    /// leaving every event to the "async-io" thread.
    fn with_drivers(workers: usize) -> Self {
        Self::new(workers)
    }

    /// Runs `fut` to completion on the calling (bench) thread.
    fn block_on<F: Future>(&self, fut: F) -> F::Output;

    /// Spawns `fut` from outside the runtime and returns its handle.
    fn spawn<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns `fut` from outside the runtime and lets it run on its own.
    fn spawn_detached<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// The spawner that tasks of this runtime use to spawn more tasks.
    fn spawner(&self) -> Self::Spawner;
}

/// Spawning and yielding from inside a task that runs on the runtime.
pub trait Spawner: Copy + Send + Sync + 'static {
    /// Spawns `fut` from inside a task of the runtime and lets it run on its own.
    fn spawn_detached<F>(self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// The runtime's `yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// The "all done" signal shared by every workload: `n` calls to [`Countdown::count_down`],
/// the last of which sends one message on a `std::sync::mpsc::sync_channel`.
#[derive(Debug)]
pub struct Countdown {
    remaining: AtomicUsize,
    done: SyncSender<()>,
}

impl Countdown {
    /// A countdown from `n` (at least 1), shared by the tasks, and the receiver the bench
    /// thread blocks on.
    pub fn new(n: usize) -> (Arc<Countdown>, Receiver<()>) {
        assert!(n > 0, "a countdown needs at least one step");
        let (done, rx) = sync_channel(1);
        let countdown = Countdown {
            remaining: AtomicUsize::new(n),
            done,
        };
        (Arc::new(countdown), rx)
    }

    /// Counts one step down; the last step signals the receiver.
    pub fn count_down(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done
                .send(())
                .expect("the bench thread stopped waiting");
        }
    }
}

/// How long [`wait_done`] waits before it fails the benchmark.
pub const DONE_TIMEOUT: Duration = Duration::from_secs(60);

/// Blocks the bench thread until the [`Countdown`] behind `rx` reaches zero, panicking (failing
/// the benchmark, naming `workload`) if that takes longer than [`DONE_TIMEOUT`]: a task of the
/// workload that panicked or lost a wake-up would otherwise hang the run.
pub fn wait_done(rx: &Receiver<()>, workload: &str) {
    if let Err(err) = rx.recv_timeout(DONE_TIMEOUT) {
        panic!("{workload}: not done after {DONE_TIMEOUT:?} ({err}); did a task panic or hang?");
    }
}

/// Adapts a `Future<Output = Result<T, E>>` join handle to `Future<Output = T>`, panicking
/// (failing the benchmark) if the task failed.
#[derive(Debug)]
pub struct Unwrapped<H>(H);

impl<H, T, E> Future for Unwrapped<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|res| res.expect("a benchmark task failed"))
    }
}

/// Our runtime: `runtime::Builder::new_multi_thread()`.
pub mod ours {
    use super::{BenchRuntime, Spawner, Unwrapped};
    use std::future::Future;

    /// The criterion id of this runtime.
    pub const ID: &str = "ours";

    /// Builds our multi-thread runtime with `workers` worker threads.
    pub fn runtime(workers: usize) -> runtime::Runtime {
        runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .build()
            .expect("failed to build our runtime")
    }

    /// Our runtime, for the generic workloads.
    #[derive(Debug)]
    pub struct Ours {
        /// The runtime itself, for benches that want its own API.
        pub rt: runtime::Runtime,
    }

    /// Spawns with `runtime::spawn` from inside a task.
    #[derive(Debug, Clone, Copy)]
    pub struct OursSpawner;

    impl BenchRuntime for Ours {
        type Spawner = OursSpawner;
        type Join<T: Send + 'static> = Unwrapped<runtime::task::JoinHandle<T>>;

        fn new(workers: usize) -> Self {
            Ours {
                rt: runtime(workers),
            }
        }

        fn block_on<F: Future>(&self, fut: F) -> F::Output {
            self.rt.block_on(fut)
        }

        fn spawn<F>(&self, fut: F) -> Self::Join<F::Output>
        where
            F: Future + Send + 'static,
            F::Output: Send + 'static,
        {
            Unwrapped(self.rt.spawn(fut))
        }

        fn spawn_detached<F>(&self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            // Dropping a JoinHandle detaches the task.
            drop(self.rt.spawn(fut));
        }

        fn spawner(&self) -> OursSpawner {
            OursSpawner
        }
    }

    impl Spawner for OursSpawner {
        fn spawn_detached<F>(self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            drop(runtime::spawn(fut));
        }

        fn yield_now() -> impl Future<Output = ()> + Send {
            runtime::task::yield_now()
        }
    }
}

/// Tokio: `tokio::runtime::Builder::new_multi_thread()`.
pub mod tokio_rt {
    use super::{BenchRuntime, Spawner, Unwrapped};
    use std::future::Future;

    /// The criterion id of this runtime.
    pub const ID: &str = "tokio";

    /// A multi-thread Tokio builder with `workers` worker threads and no drivers enabled
    /// (add `enable_all()` for I/O or time benches).
    pub fn builder(workers: usize) -> tokio::runtime::Builder {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    }

    /// Builds a multi-thread Tokio runtime with `workers` worker threads.
    pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
        builder(workers)
            .build()
            .expect("failed to build the Tokio runtime")
    }

    /// Tokio, for the generic workloads.
    #[derive(Debug)]
    pub struct Tokio {
        /// The runtime itself, for benches that want its own API.
        pub rt: tokio::runtime::Runtime,
    }

    /// Spawns with `tokio::spawn` from inside a task.
    #[derive(Debug, Clone, Copy)]
    pub struct TokioSpawner;

    impl BenchRuntime for Tokio {
        type Spawner = TokioSpawner;
        type Join<T: Send + 'static> = Unwrapped<tokio::task::JoinHandle<T>>;

        fn new(workers: usize) -> Self {
            Tokio {
                rt: runtime(workers),
            }
        }

        fn with_drivers(workers: usize) -> Self {
            Tokio {
                rt: builder(workers)
                    .enable_all()
                    .build()
                    .expect("failed to build the Tokio runtime"),
            }
        }

        fn block_on<F: Future>(&self, fut: F) -> F::Output {
            self.rt.block_on(fut)
        }

        fn spawn<F>(&self, fut: F) -> Self::Join<F::Output>
        where
            F: Future + Send + 'static,
            F::Output: Send + 'static,
        {
            Unwrapped(self.rt.spawn(fut))
        }

        fn spawn_detached<F>(&self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            // Dropping a JoinHandle detaches the task.
            drop(self.rt.spawn(fut));
        }

        fn spawner(&self) -> TokioSpawner {
            TokioSpawner
        }
    }

    impl Spawner for TokioSpawner {
        fn spawn_detached<F>(self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            drop(tokio::spawn(fut));
        }

        fn yield_now() -> impl Future<Output = ()> + Send {
            tokio::task::yield_now()
        }
    }
}

/// smol: an `async_executor::Executor` run by dedicated threads.
///
/// Each of `workers` threads runs `futures_lite::future::block_on(ex.run(stop.recv()))`; the bench
/// thread uses `futures_lite::future::block_on`. [`Smol::with_drivers`](BenchRuntime::with_drivers)
/// (the I/O and timer benches) runs `smol::block_on(ex.run(stop.recv()))` instead, which lets an
/// idle worker poll async-io's reactor, the way smol's own executor threads run. The executor is leaked (`&'static`) so that
/// in-task spawns use a plain reference, as cheap as `tokio::spawn`'s thread-local lookup; a
/// leaked executor is a few hundred bytes, once per `Smol`.
pub mod smol_rt {
    use super::{BenchRuntime, Spawner};
    use async_executor::{Executor, Task};
    use std::future::Future;
    use std::thread::JoinHandle;

    /// The criterion id of this runtime.
    pub const ID: &str = "smol";

    /// smol's executor on `workers` dedicated threads; dropping it stops and joins them.
    ///
    /// Tasks still alive when it is dropped are not dropped (the executor is leaked).
    #[derive(Debug)]
    pub struct Smol {
        /// The executor the worker threads run.
        pub ex: &'static Executor<'static>,
        stop: Option<smol::channel::Sender<()>>,
        threads: Vec<JoinHandle<()>>,
    }

    /// Spawns with `Executor::spawn` on the shared executor from inside a task.
    #[derive(Debug, Clone, Copy)]
    pub struct SmolSpawner(pub &'static Executor<'static>);

    impl BenchRuntime for Smol {
        type Spawner = SmolSpawner;
        type Join<T: Send + 'static> = Task<T>;

        fn new(workers: usize) -> Self {
            Smol::start(workers, false)
        }

        fn with_drivers(workers: usize) -> Self {
            Smol::start(workers, true)
        }

        fn block_on<F: Future>(&self, fut: F) -> F::Output {
            futures_lite::future::block_on(fut)
        }

        fn spawn<F>(&self, fut: F) -> Task<F::Output>
        where
            F: Future + Send + 'static,
            F::Output: Send + 'static,
        {
            self.ex.spawn(fut)
        }

        fn spawn_detached<F>(&self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            self.ex.spawn(fut).detach();
        }

        fn spawner(&self) -> SmolSpawner {
            SmolSpawner(self.ex)
        }
    }

    impl Smol {
        /// Starts `workers` threads running the executor; with `drive_reactor` they block with
        /// `smol::block_on` (polling async-io's reactor when idle), else with
        /// `futures_lite::future::block_on`.
        fn start(workers: usize, drive_reactor: bool) -> Smol {
            let ex: &'static Executor<'static> = Box::leak(Box::new(Executor::new()));
            let (stop, stop_rx) = smol::channel::unbounded::<()>();
            let threads = (0..workers)
                .map(|i| {
                    let stop_rx = stop_rx.clone();
                    std::thread::Builder::new()
                        .name(format!("smol-worker-{i}"))
                        .spawn(move || {
                            // Returns once `stop` is dropped (recv then fails).
                            let _ = if drive_reactor {
                                smol::block_on(ex.run(stop_rx.recv()))
                            } else {
                                futures_lite::future::block_on(ex.run(stop_rx.recv()))
                            };
                        })
                        .expect("failed to start a smol worker thread")
                })
                .collect();
            Smol {
                ex,
                stop: Some(stop),
                threads,
            }
        }
    }

    impl Drop for Smol {
        fn drop(&mut self) {
            drop(self.stop.take());
            for thread in self.threads.drain(..) {
                let _ = thread.join();
            }
        }
    }

    impl Spawner for SmolSpawner {
        fn spawn_detached<F>(self, fut: F)
        where
            F: Future<Output = ()> + Send + 'static,
        {
            self.0.spawn(fut).detach();
        }

        fn yield_now() -> impl Future<Output = ()> + Send {
            futures_lite::future::yield_now()
        }
    }
}

/// One criterion group named after the workload `$name`, with the ids `ours`, `tokio` and
/// `smol`: each runtime is built once per id, outside the timed loop, by
/// `BenchRuntime::$build(WORKERS)` (`new`, or `with_drivers` for I/O and timers), and every
/// iteration runs `$name::<Runtime>(&rt)`. Expands in a bench file, which has `criterion`.
#[macro_export]
macro_rules! workload_group {
    ($c:expr, $name:ident, $build:ident) => {{
        let mut group = $c.benchmark_group(stringify!($name));
        group.sampling_mode(criterion::SamplingMode::Flat);
        $crate::bench_on!(group, $crate::ours::Ours, $crate::ours::ID, $name, $build);
        $crate::bench_on!(
            group,
            $crate::tokio_rt::Tokio,
            $crate::tokio_rt::ID,
            $name,
            $build
        );
        $crate::bench_on!(
            group,
            $crate::smol_rt::Smol,
            $crate::smol_rt::ID,
            $name,
            $build
        );
        group.finish();
    }};
}

/// One id of a `workload_group!` (see there).
#[doc(hidden)]
#[macro_export]
macro_rules! bench_on {
    ($group:ident, $rt:ty, $id:expr, $name:ident, $build:ident) => {
        $group.bench_function($id, |b| {
            let rt = <$rt as $crate::BenchRuntime>::$build($crate::WORKERS);
            b.iter(|| $name::<$rt>(&rt));
        });
    };
}
