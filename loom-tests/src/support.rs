//! Helpers shared by the models: every piece of shared state here is a loom primitive, so loom
//! sees (and permutes) each access the models make next to the runtime's own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex as StdMutex, Once};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Condvar, Mutex};
use runtime_core::{Builder, Runtime};

/// The allocator of every model binary: the system allocator, but freed memory is poisoned
/// and held back for a while before it is really freed (a small quarantine, as AddressSanitizer
/// does).
///
/// Loom only sees its own objects; a use after free of plain heap memory (a task cell, the
/// scheduler's handle) usually reads the old bytes, or bytes of a new allocation that reused
/// the block, and goes unnoticed. Poisoned and not yet reused, those bytes make the late
/// reader fail loudly (loom rejects the garbage object reference, or an index is out of
/// bounds), so such a bug fails the model instead of passing silently.
#[derive(Debug)]
pub struct PoisonOnFree;

/// The byte freed memory is filled with.
pub const POISON: u8 = 0xA5;

/// How many freed blocks wait in the quarantine before they are returned to the system.
const QUARANTINE: usize = 4096;

/// A freed block not yet returned: `(address, size, align)`.
type Quarantined = (usize, usize, usize);

/// The quarantine, used as a ring: the blocks and the next slot to reuse.
static QUARANTINED: StdMutex<([Quarantined; QUARANTINE], usize)> =
    StdMutex::new(([(0, 0, 0); QUARANTINE], 0));

// SAFETY: allocation is forwarded to `System`; a freed block is only written (poisoned) while
// the caller still owns it, then kept untouched until it is handed back to `System` with the
// layout it was allocated with.
unsafe impl GlobalAlloc for PoisonOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes owned by the caller.
        unsafe { std::ptr::write_bytes(ptr, POISON, layout.size()) };
        let evicted = {
            // std's Mutex never allocates, so taking it here cannot recurse into us.
            let mut ring = QUARANTINED.lock().unwrap_or_else(|e| e.into_inner());
            let (slots, next) = &mut *ring;
            let slot = *next % QUARANTINE;
            *next = next.wrapping_add(1);
            std::mem::replace(
                &mut slots[slot],
                (ptr as usize, layout.size(), layout.align()),
            )
        };
        let (address, size, align) = evicted;
        if address != 0 {
            // SAFETY: the block was allocated by `System` with this size and alignment (both
            // recorded from its `Layout`) and nobody may use it after its `dealloc`.
            unsafe {
                System.dealloc(
                    address as *mut u8,
                    Layout::from_size_align_unchecked(size, align),
                )
            };
        }
    }
}

#[global_allocator]
static ALLOCATOR: PoisonOnFree = PoisonOnFree;

std::thread_local! {
    /// The first panic seen on this OS thread since the last check. Loom runs every thread of a
    /// model as a coroutine on the test's OS thread, so a plain thread-local sees them all, and
    /// tests running in parallel do not see each other's panics.
    static PANICKED: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let mut message = info.to_string();
            if message.contains(&u64::from_ne_bytes([POISON; 8]).to_string())
                || message.to_ascii_lowercase().contains("a5a5a5a5")
            {
                message.push_str(
                    "\n(0xA5A5A5A5A5A5A5A5 is the poison `PoisonOnFree` writes over freed \
                     memory: something read memory after it was freed)",
                );
                eprintln!("{message}");
            }
            let _ = PANICKED.try_with(|p| {
                p.borrow_mut().get_or_insert(message);
            });
            previous(info);
        }));
    });
}

/// `loom::model`, failing the execution if anything panicked in it, even if the panic was
/// caught.
///
/// The runtime catches panics from futures and drops (`catch_unwind` in the task harness), and
/// loom reports a data race or a causality violation by panicking at the access, so without
/// this a race found inside a task's poll or drop would be swallowed and the model would pass.
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    record_panics();
    PANICKED.with(|p| p.borrow_mut().take());
    loom::model(checked(f));
}

/// As `model`, but exploring up to `bound` preemptions per execution whatever
/// `LOOM_MAX_PREEMPTIONS` says (a larger value in the environment still wins).
///
/// For the few small models whose bug needs two preemptions to show. `LOOM_LOG` is not wired
/// up here (that is `loom::model`'s doing); the other `LOOM_*` settings still apply.
pub fn model_with_preemptions<F>(bound: usize, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    record_panics();
    PANICKED.with(|p| p.borrow_mut().take());
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(builder.preemption_bound.map_or(bound, |b| b.max(bound)));
    builder.check(checked(f));
}

fn checked<F>(f: F) -> impl Fn() + Sync + Send + 'static
where
    F: Fn() + Sync + Send + 'static,
{
    move || {
        f();
        if let Some(message) = PANICKED.with(|p| p.borrow_mut().take()) {
            panic!("a panic was caught inside the runtime during this execution: {message}");
        }
    }
}

/// A multi-thread runtime with `workers` worker threads (each one a loom thread).
pub fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("build a multi-thread runtime")
}

/// A current-thread runtime: tasks run on the thread inside `block_on`.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .build()
        .expect("build a current-thread runtime")
}

/// Counts how many `DropGuard`s made from it were created and dropped.
#[derive(Debug, Clone, Default)]
pub struct DropCount {
    created: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl DropCount {
    pub fn new() -> DropCount {
        DropCount::default()
    }

    /// A new guard (counted as created now, as dropped when it drops).
    pub fn guard(&self) -> DropGuard {
        self.created.fetch_add(1, SeqCst);
        DropGuard {
            dropped: self.dropped.clone(),
        }
    }

    pub fn created(&self) -> usize {
        self.created.load(SeqCst)
    }

    pub fn dropped(&self) -> usize {
        self.dropped.load(SeqCst)
    }
}

/// Adds one to its counter's `dropped` when dropped.
#[derive(Debug)]
pub struct DropGuard {
    dropped: Arc<AtomicUsize>,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, SeqCst);
    }
}

/// A one-shot flag a thread can block on (loom mutex + condvar, so loom sees the wait).
#[derive(Debug, Default)]
pub struct Latch {
    set: Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    pub fn new() -> Latch {
        Latch::default()
    }

    pub fn set(&self) {
        *self.set.lock().unwrap() = true;
        self.cv.notify_all();
    }

    pub fn wait(&self) {
        let mut set = self.set.lock().unwrap();
        while !*set {
            set = self.cv.wait(set).unwrap();
        }
    }
}

/// How the waking side uses the waker it took from the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeMode {
    /// `Waker::wake` (consumes the waker's reference).
    ByVal,
    /// `Waker::wake_by_ref`, then the waker is dropped.
    ByRef,
}

/// A hand-written readiness source: a `ready` flag and one stored waker.
///
/// The poller checks `ready` and stores its waker under the same lock; `fire` sets `ready`
/// before taking the waker, so whichever side comes second sees the other, and a lost
/// wake-up can only come from the runtime.
#[derive(Debug, Default)]
pub struct WakeSlot {
    ready: AtomicBool,
    waker: Mutex<Option<Waker>>,
    /// If present, set each time a poll stores a waker (the task is then parked on the slot).
    registered: Option<Latch>,
}

impl WakeSlot {
    pub fn new() -> Arc<WakeSlot> {
        Arc::new(WakeSlot::default())
    }

    /// A slot whose pending polls also set a latch, for `wait_registered`.
    pub fn with_registration() -> Arc<WakeSlot> {
        Arc::new(WakeSlot {
            registered: Some(Latch::new()),
            ..WakeSlot::default()
        })
    }

    /// A future that completes once `fire` was called on `slot`.
    pub fn wait(slot: &Arc<WakeSlot>) -> WaitReady {
        WaitReady { slot: slot.clone() }
    }

    /// Marks the slot ready, then takes the stored waker (if any) and wakes it.
    pub fn fire(&self, mode: WakeMode) {
        self.ready.store(true, SeqCst);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            match mode {
                WakeMode::ByVal => waker.wake(),
                WakeMode::ByRef => {
                    waker.wake_by_ref();
                    drop(waker);
                }
            }
        }
    }

    /// Blocks until some poll has stored a waker in the slot.
    ///
    /// # Panics
    /// If the slot was not made by `with_registration`.
    pub fn wait_registered(&self) {
        self.registered
            .as_ref()
            .expect("WakeSlot::with_registration")
            .wait();
    }
}

/// The future returned by `WakeSlot::wait`.
#[derive(Debug)]
pub struct WaitReady {
    slot: Arc<WakeSlot>,
}

impl Future for WaitReady {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut waker = self.slot.waker.lock().unwrap();
        if self.slot.ready.load(SeqCst) {
            return Poll::Ready(());
        }
        *waker = Some(cx.waker().clone());
        drop(waker);
        if let Some(registered) = &self.slot.registered {
            registered.set();
        }
        Poll::Pending
    }
}

/// A waker that counts its wakes, and whose clones are loom `Arc` references, so the model can
/// tell how many copies are still alive (`CountingWaker::alive`) and loom reports a copy that
/// is never dropped as a leaked `Arc`.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    pub fn new() -> Arc<CountingWaker> {
        Arc::new(CountingWaker::default())
    }

    /// A new waker (one more reference to `this`).
    pub fn waker(this: &Arc<CountingWaker>) -> Waker {
        let ptr = Arc::into_raw(this.clone()).cast::<()>();
        // SAFETY: `ptr` comes from `Arc::into_raw` and the vtable treats it as such: every
        // `RawWaker` made from it owns one strong reference, given back by `wake` or `drop`.
        unsafe { Waker::from_raw(RawWaker::new(ptr, &COUNTING_WAKER_VTABLE)) }
    }

    /// How many times a waker made from this was woken (`wake` or `wake_by_ref`).
    pub fn wakes(&self) -> usize {
        self.wakes.load(SeqCst)
    }

    /// How many wakers made from `this` (and their clones) are still alive.
    pub fn alive(this: &Arc<CountingWaker>) -> usize {
        Arc::strong_count(this) - 1
    }
}

static COUNTING_WAKER_VTABLE: RawWakerVTable = RawWakerVTable::new(
    counting_waker_clone,
    counting_waker_wake,
    counting_waker_wake_by_ref,
    counting_waker_drop,
);

unsafe fn counting_waker_clone(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` is a live `Arc<CountingWaker>` reference (the waker being cloned owns one).
    unsafe { Arc::increment_strong_count(ptr.cast::<CountingWaker>()) };
    RawWaker::new(ptr, &COUNTING_WAKER_VTABLE)
}

unsafe fn counting_waker_wake(ptr: *const ()) {
    // SAFETY: the waker owns one reference, which `wake` consumes.
    let this = unsafe { Arc::from_raw(ptr.cast::<CountingWaker>()) };
    this.wakes.fetch_add(1, SeqCst);
}

unsafe fn counting_waker_wake_by_ref(ptr: *const ()) {
    // SAFETY: the waker owns one reference and outlives this call.
    let this = unsafe { &*ptr.cast::<CountingWaker>() };
    this.wakes.fetch_add(1, SeqCst);
}

unsafe fn counting_waker_drop(ptr: *const ()) {
    // SAFETY: the waker owns one reference, released here.
    unsafe { Arc::decrement_strong_count(ptr.cast::<CountingWaker>()) };
}

/// Which half of a `race` runs on a spawned thread.
///
/// The spawned half starts first and the other half runs on the model's main thread right
/// after. With one preemption loom runs the spawned half in one piece inside any gap of the
/// main half, but not the other way round, so a race in which either half can land inside the
/// other is modelled in both shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spawned {
    /// `first` runs on the spawned thread, `second` on the main thread.
    First,
    /// `second` runs on the spawned thread, `first` on the main thread.
    Second,
}

/// Runs `first` and `second` concurrently, one on a spawned loom thread (see `Spawned`) and
/// the other on the calling thread, and returns both results once both are done.
pub fn race<F, S, RF, RS>(spawned: Spawned, first: F, second: S) -> (RF, RS)
where
    F: FnOnce() -> RF + Send + 'static,
    S: FnOnce() -> RS + Send + 'static,
    RF: Send + 'static,
    RS: Send + 'static,
{
    match spawned {
        Spawned::First => {
            let first = loom::thread::spawn(first);
            let second = second();
            (first.join().unwrap(), second)
        }
        Spawned::Second => {
            let second = loom::thread::spawn(second);
            let first = first();
            (first, second.join().unwrap())
        }
    }
}

/// Polls `future` once with `waker`.
pub fn poll<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Unparks the loom thread blocked in `block_on`.
struct Unpark(loom::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on the current loom thread until it completes, parking in between. A wake
/// that comes before the park leaves the thread's token set, so the park returns at once; a
/// wake that never comes leaves the thread parked, a deadlock loom reports.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(std::sync::Arc::new(Unpark(loom::thread::current())));
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = poll(future.as_mut(), &waker) {
            return output;
        }
        loom::thread::park();
    }
}
