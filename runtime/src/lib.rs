//! `runtime`: a multi-threaded, work-stealing async runtime with asyncio's batteries.
//!
//! This facade re-exports the public items of the workspace crates (`runtime-core`, `runtime-io`,
//! `runtime-sync`, `runtime-macros`) under one name, so that a program depends on `runtime` alone.
//!
//! ```
//! #[runtime::main(worker_threads = 2)]
//! async fn main() {
//!     let handle = runtime::spawn(async { 6 * 7 });
//!     assert_eq!(handle.await.unwrap(), 42);
//! }
//! ```

pub use runtime_core::{
    run, spawn, spawn_blocking, Builder, EnterGuard, Handle, Runtime, RuntimeFlavor,
    RuntimeMetrics, SlowPoll, TryCurrentError, UnhandledPanic, UnhandledPanicReport,
};

/// `#[runtime::main]`: turns `async fn main` into a `fn main` that builds a runtime and blocks on the body.
///
/// Arguments: `flavor = "multi_thread" | "current_thread"` (default multi-thread),
/// `worker_threads = N` (multi-thread only), `start_paused = bool` (current-thread only).
pub use runtime_macros::main;

/// `#[runtime::test]`: an async test run on a fresh runtime (current-thread flavor unless told otherwise).
pub use runtime_macros::test;

/// `runtime::join!(a, b, ...)`: awaits the futures concurrently, in the caller's task, and
/// gives a tuple of their outputs (asyncio's `gather` for a fixed list).
///
/// ```
/// use std::time::Duration;
/// use runtime::time::{sleep, Instant};
///
/// async fn after(secs: u64, value: &str) -> &str {
///     sleep(Duration::from_secs(secs)).await;
///     value
/// }
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let start = Instant::now();
///     let (a, b, n) = runtime::join!(after(2, "a"), after(1, "b"), async { 3 });
///     assert_eq!((a, b, n), ("a", "b", 3));
///     assert_eq!(start.elapsed(), Duration::from_secs(2));
/// }
/// ```
pub use runtime_macros::join;

/// `runtime::try_join!(a, b, ...)`: awaits futures of `Result`s concurrently: `Ok` of a tuple
/// of the values, or the first `Err` (in completion order), the others then dropped.
///
/// ```
/// use std::time::Duration;
/// use runtime::time::{sleep, Instant};
///
/// async fn step(secs: u64, ok: bool) -> Result<u64, String> {
///     sleep(Duration::from_secs(secs)).await;
///     if ok { Ok(secs) } else { Err(format!("step {secs} failed")) }
/// }
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     assert_eq!(runtime::try_join!(step(1, true), step(2, true)), Ok((1, 2)));
///
///     let start = Instant::now();
///     let failed = runtime::try_join!(step(10, true), step(1, false));
///     assert_eq!(failed, Err("step 1 failed".to_string()));
///     assert_eq!(start.elapsed(), Duration::from_secs(1)); // the 10 s step was dropped
/// }
/// ```
pub use runtime_macros::try_join;

/// `runtime::select! { pattern = future => handler, ... }`: runs the handler of the first
/// future to complete, dropping the others (Tokio's `select!`, with `biased;`, `, if`
/// preconditions and `else`).
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::{mpsc, CancellationToken};
/// use runtime::time::sleep;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let (tx, mut rx) = mpsc::channel(8);
///     let token = CancellationToken::new();
///     let worker = {
///         let token = token.clone();
///         runtime::spawn(async move {
///             let mut sum = 0;
///             loop {
///                 runtime::select! {
///                     _ = token.cancelled() => break,
///                     Some(n) = rx.recv() => sum += n,
///                     _ = sleep(Duration::from_secs(60)) => println!("idle for a minute"),
///                 }
///             }
///             sum
///         })
///     };
///     for n in 1..=3 {
///         tx.send(n).await.unwrap();
///     }
///     sleep(Duration::from_secs(1)).await;
///     token.cancel();
///     assert_eq!(worker.await.unwrap(), 6);
/// }
/// ```
pub use runtime_macros::select;

/// Support for the expansions of `join!`, `try_join!` and `select!`: not a public API.
#[doc(hidden)]
pub mod __private {
    pub use runtime_sync::future::__private::*;
}
/// `runtime::stream! { ... yield x; ... }`: an async generator, a stream of the yielded values
/// (see the [`stream`](mod@stream) module).
pub use runtime_macros::stream;

/// `runtime::try_stream! { ... }`: a fallible async generator; `yield x` yields `Ok(x)`, and `?`
/// on an error yields `Err(e)` as the last item (see the [`stream`](mod@stream) module).
pub use runtime_macros::try_stream;

/// Tasks: spawning, joining, aborting, naming (asyncio's `create_task`, `Task`, `cancel`).
pub mod task {
    pub use runtime_core::task::{
        block_in_place, id, join_set, name, spawn, spawn_blocking, try_id, yield_now, AbortHandle,
        Builder, GroupClosed, GroupError, Id, JoinError, JoinHandle, JoinSet, TaskGroup, TaskInfo,
        TaskState,
    };
}

/// Combinators over many futures (asyncio's `gather`, `wait` and `as_completed`): they work on
/// any futures, not only this runtime's. See also the macros [`join!`], [`try_join!`] and
/// [`select!`].
pub mod future {
    pub use runtime_sync::future::{
        as_completed, join_all, race, select, try_join_all, wait, AsCompleted, Either, JoinAll,
        Race, ReturnWhen, Select, TryJoinAll, Wait,
    };
}

/// Time: sleeping, intervals, timeouts (asyncio's `sleep` and `wait_for`), and the paused clock
/// for tests.
pub mod time {
    pub use runtime_core::time::{
        advance, interval, interval_at, pause, resume, sleep, sleep_until, Instant, Interval,
        MissedTickBehavior, Sleep,
    };
    pub use runtime_sync::timeout::{error, timeout, timeout_at, FutureExt, Timeout};
}

/// Streams: async iteration, combinators and async generators (`async for`, async
/// comprehensions); the generator macros are [`stream!`](macro@crate::stream) and
/// [`try_stream!`](macro@crate::try_stream).
pub mod stream {
    pub use runtime_sync::stream::*;

    /// Support for the generator macros' expansion: not public API.
    #[doc(hidden)]
    pub mod __private {
        pub use runtime_sync::stream::generator::{channel, Generator, Receiver, Yield, Yielder};
    }
}

/// Synchronization: semaphores, asyncio's queues, locks, events, channels, cancellation tokens,
/// rate limiting and retry. They rely on wakers only, so they also work on other executors.
pub mod sync {
    pub use runtime_sync::{mpsc, mutex, oneshot, queue, rwlock, semaphore};

    pub use runtime_sync::{
        retry, retry_if, AcquireError, Backoff, Barrier, BarrierWaitResult, CancellationToken,
        DropGuard, DropGuardRef, Event, LifoQueue, MappedMutexGuard, Mutex, MutexGuard, Notify,
        OwnedMutexGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, OwnedSemaphorePermit,
        PriorityQueue, Queue, RateLimiter, RunUntilCancelledFuture, RunUntilCancelledFutureOwned,
        RwLock, RwLockReadGuard, RwLockWriteGuard, Semaphore, SemaphorePermit, TryAcquireError,
        TryLockError, WaitForCancellationFuture, WaitForCancellationFutureOwned,
    };

    /// The named futures of the sync primitives (Tokio's `tokio::sync::futures`).
    pub mod futures {
        pub use runtime_sync::{BarrierWait, EventWait, Notified, OwnedNotified};
    }
}

/// Networking: TCP, UDP and Unix-domain sockets, and host name lookup (aiohttp's transport layer).
pub mod net {
    pub use runtime_io::net::{
        lookup_host, tcp, unix, TcpListener, TcpStream, ToSocketAddrs, UdpSocket, UnixDatagram,
        UnixListener, UnixStream,
    };
}

/// Files and directories (aiofiles): Tokio's `tokio::fs`, every operation on the blocking pool.
pub mod fs {
    pub use runtime_io::fs::{
        canonicalize, copy, create_dir, create_dir_all, metadata, read, read_dir, read_to_string,
        remove_dir, remove_dir_all, remove_file, rename, set_permissions, symlink_metadata,
        try_exists, write, DirEntry, File, OpenOptions, ReadDir,
    };
}

/// Signal handling: `ctrl_c` and Unix signal listeners, delivered through the reactor.
pub mod signal {
    pub use runtime_io::signal::ctrl_c;

    /// Unix signals: `signal(SignalKind)` creates a `Signal` listener.
    pub mod unix {
        pub use runtime_io::signal::unix::{signal, Signal, SignalKind};
    }
}

/// I/O traits and helpers (`futures-io` and `futures-util`), and `AsyncFd` for raw descriptors.
pub mod io {
    pub use runtime_io::io::{
        copy, copy_buf, empty, repeat, sink, split, AsyncBufRead, AsyncBufReadExt, AsyncFd,
        AsyncFdReadyGuard, AsyncFdReadyMutGuard, AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt,
        AsyncWrite, AsyncWriteExt, BufReader, BufWriter, Cursor, Empty, Error, ErrorKind, Interest,
        IoSlice, IoSliceMut, ReadHalf, Ready, Repeat, Result, ReuniteError, SeekFrom, Sink,
        TryIoError, WriteHalf,
    };
}

#[cfg(feature = "hyper")]
pub mod compat;
