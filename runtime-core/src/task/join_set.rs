//! `JoinSet`: a set of spawned tasks whose outputs come back in the order the tasks finish
//! (Tokio's `JoinSet`; asyncio's `asyncio.wait(..., FIRST_COMPLETED)` in a loop).
//!
//! The set owns one `JoinHandle` per task, in a slab (`slots`, with a free list). Each slot has
//! its own waker, which is the waker the set polls that slot's handle with, so it is the one the
//! task stores as its join waker. Waking it pushes the slot's index onto a shared ready queue
//! and wakes whoever waits in `join_next`. `join_next` pops indices from that queue and polls
//! only those handles: a task that finishes is looked at once or twice (once when spawned, to
//! register the waker, and once when it completes), so draining `n` tasks costs O(n) in all,
//! not O(n) per call.
//!
//! The ready queue and the waiting waker sit behind one mutex (through the crate's loom facade),
//! shared by the set and by the slot wakers. Each slot carries a generation number, bumped when
//! the slot is emptied: a late wake from a task that already left the set is ignored, even if the
//! slot has been reused. A `queued` flag per slot keeps an index in the queue at most once per
//! wake-up, so the queue never grows beyond the wake-ups that happened.
//!
//! Dropping the set aborts every task in it; `detach_all` lets them run on instead.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::{AbortHandle, Id, JoinError, JoinHandle, SpawnMeta};
use crate::coop;
use crate::loom::sync::{Arc, Mutex};
use crate::Handle;

/// A collection of tasks spawned on a runtime, awaited in the order they complete.
///
/// All tasks must have the same output type `T`. `join_next` returns the output of whichever
/// task finishes first; the set is empty again once every output was taken. Dropping the set
/// aborts all tasks still in it.
///
/// ```
/// use runtime::task::JoinSet;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut set = JoinSet::new();
///     for i in 0..10u32 {
///         set.spawn(async move { i * i });
///     }
///     let mut sum = 0;
///     while let Some(result) = set.join_next().await {
///         sum += result.unwrap();
///     }
///     assert_eq!(sum, 285);
///     assert!(set.is_empty());
/// }
/// ```
pub struct JoinSet<T> {
    /// The tasks, by slot index; `None` is a free slot (listed in `free`).
    slots: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    ready: Arc<ReadyQueue>,
}

/// One task of the set: its handle and the waker its handle is polled with.
struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
}

/// The slots whose tasks woke their join waker, and the waker of the `join_next` caller.
struct ReadyQueue {
    inner: Mutex<Ready>,
}

#[derive(Default)]
struct Ready {
    /// Slot indices to poll, oldest wake first. May hold stale indices (see `pop`).
    queue: VecDeque<usize>,
    /// Per slot (same indices as `JoinSet::slots`).
    slots: Vec<SlotState>,
    /// The waker of the task waiting in `join_next`, if it is waiting.
    waiter: Option<Waker>,
}

#[derive(Clone, Copy, Default)]
struct SlotState {
    /// Bumped each time the slot is emptied; wakers of earlier occupants carry an older one.
    generation: u64,
    /// The slot's index is in `queue` and has not been popped since the last wake.
    queued: bool,
}

impl Ready {
    /// The next slot to poll, skipping indices whose slot was emptied or already popped.
    fn pop(&mut self) -> Option<usize> {
        while let Some(index) = self.queue.pop_front() {
            let slot = &mut self.slots[index];
            if slot.queued {
                slot.queued = false;
                return Some(index);
            }
        }
        None
    }

    /// Queues `index` unless it is queued already; returns the waiter to wake.
    fn push(&mut self, index: usize) -> Option<Waker> {
        let slot = &mut self.slots[index];
        if slot.queued {
            return None;
        }
        slot.queued = true;
        self.queue.push_back(index);
        self.waiter.take()
    }
}

/// The waker of one slot: queues the slot and wakes the `join_next` caller.
struct SlotWaker {
    ready: Arc<ReadyQueue>,
    index: usize,
    generation: u64,
}

impl Wake for SlotWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        let waiter = {
            let mut ready = self.ready.inner.lock();
            if ready.slots[self.index].generation != self.generation {
                // The task left the set; the slot is empty or somebody else's now.
                return;
            }
            ready.push(self.index)
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = runtime::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: Arc::new(ReadyQueue {
                inner: Mutex::new(Ready::default()),
            }),
        }
    }

    /// The number of tasks in the set (running, or finished with an output not yet taken).
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     assert_eq!(set.len(), 2);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 1);
    /// }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the set holds no task.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     assert!(set.is_empty());
    ///     set.spawn(async {});
    ///     assert!(!set.is_empty());
    /// }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a spawned task to the set and returns a handle that can abort it.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        let generation = {
            let mut ready = self.ready.inner.lock();
            if ready.slots.len() <= index {
                ready.slots.resize(index + 1, SlotState::default());
            }
            // Polled once by the next `join_next`, which registers the slot's waker.
            let waiter = ready.push(index);
            // No `join_next` can be waiting: it borrows the set mutably, as we do.
            drop(waiter);
            ready.slots[index].generation
        };
        let waker = Waker::from(StdArc::new(SlotWaker {
            ready: self.ready.clone(),
            index,
            generation,
        }));
        self.slots[index] = Some(Entry { handle, waker });
        self.len += 1;
        abort
    }

    /// Empties slot `index`, returning its entry; late wakes of its task are ignored from now on.
    fn remove(&mut self, index: usize) -> Entry<T> {
        {
            let mut ready = self.ready.inner.lock();
            let slot = &mut ready.slots[index];
            slot.generation = slot.generation.wrapping_add(1);
            slot.queued = false;
        }
        let entry = self.slots[index]
            .take()
            .expect("a queued JoinSet slot holds a task");
        self.free.push(index);
        self.len -= 1;
        entry
    }

    /// Polls the ready slots' handles until one is finished; `None` when none is ready. With
    /// `waiter`, registers it (under the same lock that wakes use) before giving up.
    fn poll_ready(&mut self, waiter: Option<&Waker>) -> Option<(Id, Result<T, JoinError>)> {
        loop {
            let index = {
                let mut ready = self.ready.inner.lock();
                match ready.pop() {
                    Some(index) => index,
                    None => {
                        let replaced = match waiter {
                            Some(waiter) => match &ready.waiter {
                                Some(current) if current.will_wake(waiter) => None,
                                _ => ready.waiter.replace(waiter.clone()),
                            },
                            None => None,
                        };
                        drop(ready);
                        // A waker's drop may release a task: not under the lock.
                        drop(replaced);
                        return None;
                    }
                }
            };
            let entry = self.slots[index]
                .as_mut()
                .expect("a queued JoinSet slot holds a task");
            let mut cx = Context::from_waker(&entry.waker);
            // The set already charged the caller's budget once for this call; the handle's own
            // check must not send us round the loop with the slot re-queued.
            let polled = coop::unconstrained(|| Pin::new(&mut entry.handle).poll(&mut cx));
            if let Poll::Ready(result) = polled {
                let entry = self.remove(index);
                return Some((entry.handle.id(), result));
            }
            // Woken but not finished (a spurious wake, or the first poll of a new task): the
            // slot's waker is registered with the task now; look at the next one.
        }
    }

    /// Waits for one of the tasks to finish and returns its output; `None` if the set is empty.
    ///
    /// Outputs come in the order the tasks finish. A task that was aborted gives
    /// `Err(JoinError)` with `is_cancelled()`, a task that panicked one with `is_panic()`.
    ///
    /// Cancel-safe: a task's output is removed from the set only in the poll that returns it,
    /// so if the `join_next` future is dropped, nothing is lost: the next call returns it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::task::JoinSet;
    ///
    /// #[runtime::main(flavor = "current_thread", start_paused = true)]
    /// async fn main() {
    ///     let mut set = JoinSet::new();
    ///     for secs in [3, 1, 2] {
    ///         set.spawn(async move {
    ///             runtime::time::sleep(Duration::from_secs(secs)).await;
    ///             secs
    ///         });
    ///     }
    ///     let mut order = Vec::new();
    ///     while let Some(result) = set.join_next().await {
    ///         order.push(result.unwrap());
    ///     }
    ///     assert_eq!(order, [1, 2, 3]);
    /// }
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Like `join_next`, but also returns the finished task's id (the id `spawn`'s
    /// `AbortHandle` reports; a `JoinError` carries it too).
    ///
    /// Cancel-safe, like `join_next`.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     let id = set.spawn(async { "hello" }).id();
    ///     let (finished, output) = set.join_next_with_id().await.unwrap().unwrap();
    ///     assert_eq!((finished, output), (id, "hello"));
    /// }
    /// ```
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// Polls for the next task to finish: `Ready(None)` if the set is empty, `Pending` (with the
    /// context's waker registered) if no task has finished yet.
    ///
    /// Only the most recent context's waker is woken, as for any future. This is `join_next`
    /// for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async { 5 });
    ///     let output = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(output.unwrap().unwrap(), 5);
    ///     assert!(poll_fn(|cx| set.poll_join_next(cx)).await.is_none());
    /// }
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|next| next.map(|result| result.map(|(_, output)| output)))
    }

    /// `poll_join_next`, also returning the finished task's id.
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     let id = set.spawn(async { 5 }).id();
    ///     let next = poll_fn(|cx| set.poll_join_next_with_id(cx)).await;
    ///     assert_eq!(next.unwrap().unwrap(), (id, 5));
    /// }
    /// ```
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        let restore = std::task::ready!(coop::poll_proceed(cx));
        match self.poll_ready(Some(cx.waker())) {
            Some((id, result)) => {
                restore.made_progress();
                Poll::Ready(Some(result.map(|output| (id, output))))
            }
            None => Poll::Pending,
        }
    }

    /// Returns the output of a task that has already finished, without waiting; `None` if no
    /// task has finished yet or the set is empty.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     assert!(set.try_join_next().is_none());
    ///     set.spawn(async { 1 });
    ///     // Spawned tasks first run when the runtime gets to them.
    ///     assert!(set.try_join_next().is_none());
    ///     runtime::task::yield_now().await;
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
    /// }
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|result| result.map(|(_, output)| output))
    }

    /// `try_join_next`, also returning the finished task's id.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     let id = set.spawn(async { 1 }).id();
    ///     runtime::task::yield_now().await;
    ///     assert_eq!(set.try_join_next_with_id().unwrap().unwrap(), (id, 1));
    /// }
    /// ```
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        if self.len == 0 {
            return None;
        }
        self.poll_ready(None)
            .map(|(id, result)| result.map(|output| (id, output)))
    }

    /// Waits for every task and returns their outputs, in the order the tasks finished.
    ///
    /// If a task panicked, `join_all` resumes that panic in the caller; if a task was aborted,
    /// it panics with the `JoinError`'s message. Either way the set is dropped by the
    /// unwinding, which aborts the tasks still in it (as in Tokio). To handle failures
    /// yourself, call `join_next` in a loop.
    ///
    /// Not cancel-safe: the set is moved into the future, so dropping it drops the set, which
    /// aborts the remaining tasks and loses the outputs collected so far.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let set: runtime::task::JoinSet<u32> = (1..=4).map(|i| async move { i }).collect();
    ///     let mut outputs = set.join_all().await;
    ///     outputs.sort();
    ///     assert_eq!(outputs, [1, 2, 3, 4]);
    /// }
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len);
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => panic!("{error}"),
            }
        }
        outputs
    }

    /// Aborts every task in the set. They stay in the set: `join_next` then returns each one's
    /// outcome (a cancelled `JoinError`, or its output if it had already finished).
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.abort_all();
    ///     while let Some(result) = set.join_next().await {
    ///         assert!(result.unwrap_err().is_cancelled());
    ///     }
    /// }
    /// ```
    pub fn abort_all(&mut self) {
        for entry in self.slots.iter().flatten() {
            entry.handle.abort();
        }
    }

    /// Aborts every task and waits until they have all stopped; the set is empty afterwards.
    /// Outputs (and panics) of tasks that finished before the abort are dropped.
    ///
    /// Cancel-safe in the sense that dropping it early leaves the set holding the tasks not yet
    /// reaped, all aborted; awaiting `shutdown` again finishes the job.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// }
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Removes every task from the set without aborting it: they run on, detached, and their
    /// outputs are dropped.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (tx, rx) = runtime::sync::oneshot::channel();
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async move { tx.send("still ran").unwrap() });
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    ///     drop(set);
    ///     assert_eq!(rx.await.unwrap(), "still ran");
    /// }
    /// ```
    pub fn detach_all(&mut self) {
        let entries = self.take_all();
        // Dropping a JoinHandle detaches its task.
        drop(entries);
    }

    /// Empties the set, returning the entries; the slot wakers' late wakes are ignored.
    fn take_all(&mut self) -> Vec<Entry<T>> {
        {
            let mut ready = self.ready.inner.lock();
            ready.queue.clear();
            for slot in ready.slots.iter_mut() {
                slot.generation = slot.generation.wrapping_add(1);
                slot.queued = false;
            }
        }
        self.free.clear();
        self.len = 0;
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns a task on the current runtime into the set; returns a handle that can abort it.
    ///
    /// The task starts when a worker picks it up, never inside `spawn`.
    ///
    /// # Panics
    /// Outside a runtime, like `runtime::spawn`.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     let abort = set.spawn(std::future::pending::<()>());
    ///     abort.abort();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::scheduler::spawn_current(
            future,
            SpawnMeta::new(None),
        ))
    }

    /// Spawns a task on the runtime behind `handle` into the set.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let outputs = rt.block_on(async move {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn_on(async { 7 }, &handle);
    ///     set.join_all().await
    /// });
    /// assert_eq!(outputs, [7]);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.inner.spawn(future, SpawnMeta::new(None)))
    }

    /// Runs a blocking function on the current runtime's blocking pool, as a task of the set.
    ///
    /// Aborting it only helps before it starts: a running blocking function is not interrupted.
    ///
    /// # Panics
    /// Outside a runtime.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn_blocking(|| (1..=10).sum::<u32>());
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 55);
    /// }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let meta = SpawnMeta::new(None);
        self.insert(crate::context::with_current_handle(|handle| {
            handle.spawn_blocking(f, meta)
        }))
    }

    /// Runs a blocking function on the blocking pool of the runtime behind `handle`, as a task
    /// of the set.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let outputs = rt.block_on(async move {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn_blocking_on(|| 7, &handle);
    ///     set.join_all().await
    /// });
    /// assert_eq!(outputs, [7]);
    /// ```
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(handle.inner.spawn_blocking(f, SpawnMeta::new(None)))
    }

    /// A builder that spawns a task into this set with a name (Tokio's `JoinSet::build_task`).
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("worker_1").spawn(async { runtime::task::name() });
    ///     let name = set.join_next().await.unwrap().unwrap();
    ///     assert_eq!(name.as_deref(), Some("worker_1"));
    /// }
    /// ```
    pub fn build_task(&mut self) -> Builder<'_, T> {
        Builder {
            set: self,
            builder: super::Builder::new(),
        }
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
        // Dropping the handles detaches the (now aborted) tasks; they are cancelled when their
        // runtime gets to them.
        drop(self.take_all());
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

/// Collects futures into a set, spawning each on the current runtime.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// use runtime::task::JoinSet;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let set: JoinSet<_> = ["a", "b"].into_iter().map(|s| async move { s.len() }).collect();
///     assert_eq!(set.join_all().await, [1, 1]);
/// }
/// ```
impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> JoinSet<T> {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

/// Spawns each future on the current runtime into the set.
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut set = runtime::task::JoinSet::new();
///     set.extend((0..3).map(|i| async move { i }));
///     assert_eq!(set.len(), 3);
///     set.shutdown().await;
/// }
/// ```
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for future in iter {
            self.spawn(future);
        }
    }
}

/// Spawns a named task into a `JoinSet`; made by `JoinSet::build_task`.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut set = runtime::task::JoinSet::new();
///     set.build_task()
///         .name("failing")
///         .spawn(async { panic!("boom") });
///     let error = set.join_next().await.unwrap().unwrap_err();
///     assert!(error.to_string().contains("failing"));
/// }
/// ```
#[must_use = "a builder does nothing until you spawn with it"]
pub struct Builder<'a, T> {
    set: &'a mut JoinSet<T>,
    builder: super::Builder,
}

impl<'a, T: Send + 'static> Builder<'a, T> {
    /// Names the task.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("fetch").spawn(async {});
    ///     set.shutdown().await;
    /// }
    /// ```
    pub fn name(self, name: &str) -> Builder<'a, T> {
        Builder {
            set: self.set,
            builder: self.builder.name(name),
        }
    }

    /// Spawns the task on the current runtime into the set.
    ///
    /// # Panics
    /// Outside a runtime.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("one").spawn(async { 1 });
    ///     assert_eq!(set.join_all().await, [1]);
    /// }
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.set.insert(self.builder.spawn(future))
    }

    /// Spawns the task on the runtime behind `handle` into the set.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// rt.block_on(async move {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("one").spawn_on(async { 1 }, &handle);
    ///     assert_eq!(set.join_all().await, [1]);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.set.insert(self.builder.spawn_on(future, handle))
    }

    /// Runs a blocking function on the current runtime's blocking pool, as a named task of the
    /// set.
    ///
    /// # Panics
    /// Outside a runtime.
    ///
    /// ```
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("sum").spawn_blocking(|| 1 + 1);
    ///     assert_eq!(set.join_all().await, [2]);
    /// }
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.set.insert(self.builder.spawn_blocking(f))
    }
}

impl<T> fmt::Debug for Builder<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("set", &self.set)
            .field("builder", &self.builder)
            .finish()
    }
}
