//! Parking a thread until it is woken: the worker parker and `block_on`'s waker.
//!
//! A three-state word (empty, parked, notified) in front of a mutex and condvar: an `unpark`
//! that arrives before `park` is remembered, so no wake-up is lost, and the common case
//! (already notified) costs one atomic swap without touching the lock.

use std::future::Future;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

#[derive(Debug)]
pub(crate) struct Parker {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            state: AtomicUsize::new(EMPTY),
            lock: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }

    /// Blocks until `unpark` is called (or returns at once if it already was).
    pub(crate) fn park(&self) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // A swap, not a store: it reads (and so synchronizes with) any `unpark` that
                // landed since the failed exchange, whose writes the caller must see.
                let state = self.state.swap(EMPTY, SeqCst);
                debug_assert_eq!(state, NOTIFIED);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        loop {
            guard = self.condvar.wait(guard);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    /// Wakes the parked thread, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock waits until the parker is inside `wait`.
                drop(self.lock.lock());
                self.condvar.notify_one();
            }
            actual => panic!("inconsistent park state: {actual}"),
        }
    }
}

/// A `Parker` shared with wakers.
#[derive(Debug)]
pub(crate) struct ThreadWaker(Parker);

impl Wake for ThreadWaker {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.unpark();
    }
}

/// Drives `future` to completion on this thread, parking it between polls: the `blocking_*`
/// methods of the sync primitives (`Mutex::blocking_lock`, `Receiver::blocking_recv`, ...).
///
/// # Panics
/// On a thread that drives a runtime (a worker, or inside `block_on`), naming `what`: blocking
/// there would stall the runtime, maybe forever (on a current-thread runtime, the task that
/// would wake it can never run). `block_in_place` and `spawn_blocking` threads may block.
#[track_caller]
pub fn block_on_outside_runtime<F: Future>(what: &str, future: F) -> F::Output {
    if crate::context::is_driving() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called on a \
             thread that drives a runtime (an async task or `block_on`). Call it from a plain \
             thread or `spawn_blocking`, or `.await` the async version."
        );
    }
    block_on(future)
}

/// Polls `future` on this thread, parking between polls until its waker fires.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let parker = StdArc::new(ThreadWaker(Parker::new()));
    let waker = Waker::from(parker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        parker.0.park();
    }
}
