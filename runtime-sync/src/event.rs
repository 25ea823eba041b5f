//! `Event`: a flag that tasks wait on until it is set (asyncio's `Event`).
//!
//! The flag and a generation live in one atomic word: bit 0 is the flag, the bits above count
//! the `clear`s that reset a set flag. `is_set` is one load; `set` is one `fetch_or`, and if the
//! flag was already set that is all it does (no lock). `clear` moves a set flag to the next
//! generation.
//!
//! A waiter that finds the flag clear queues in a `WaitList` under a mutex, recording the
//! generation it saw. The `set` that turns the flag on for that generation then takes, under
//! the lock, every waiter queued in that generation or an earlier one and wakes it. A woken
//! waiter completes because it was taken off the queue, not because it re-reads the flag, so a
//! `clear` right after the `set` does not strand it. A waiter that queued after a `clear` (in a
//! later generation) is left for the next `set`, even if the `set` that came before the
//! `clear` takes the lock only after it queued.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use runtime_core::loom::sync::atomic::{AtomicUsize, Ordering};
use runtime_core::loom::sync::Mutex;

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// Bit 0 of the word: the flag.
const SET: usize = 1;

/// The generation in a state word (the count of `clear`s that reset the flag).
fn generation(word: usize) -> usize {
    word >> 1
}

/// Whether a waiter queued in generation `queued` is released by the `set` of generation
/// `released` (the same or a later generation; generations have one bit less than a `usize`
/// and are compared modulo their range, so the counter may wrap).
fn released_by(queued: usize, released: usize) -> bool {
    released.wrapping_sub(queued) & (usize::MAX >> 1) <= usize::MAX >> 2
}

/// A flag that tasks can wait on (asyncio's `Event`): `set` wakes every waiting task, `clear`
/// resets the flag, and `wait` completes at once while the flag is set.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Event;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let ready = Arc::new(Event::new());
///     let waiters: Vec<_> = (0..3)
///         .map(|_| {
///             let ready = ready.clone();
///             runtime::spawn(async move { ready.wait().await })
///         })
///         .collect();
///     ready.set();
///     for waiter in waiters {
///         waiter.await.unwrap();
///     }
///     assert!(ready.is_set());
/// }
/// ```
pub struct Event {
    /// The flag (bit 0) and the generation (the bits above).
    state: AtomicUsize,
    /// The waiting tasks, each with the generation it saw when it queued.
    waiters: Mutex<WaitList<usize>>,
}

impl Event {
    /// A new event, not set.
    ///
    /// ```
    /// let event = runtime::sync::Event::new();
    /// assert!(!event.is_set());
    /// ```
    pub fn new() -> Event {
        Event {
            state: AtomicUsize::new(0),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Whether the flag is set (one atomic load).
    ///
    /// ```
    /// let event = runtime::sync::Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// Sets the flag and wakes every task waiting for it. Waits that start while the flag is
    /// set complete at once. Setting a set event does nothing (one atomic operation, no lock).
    ///
    /// ```
    /// use runtime::sync::Event;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let event = Event::new();
    ///     event.set();
    ///     event.wait().await; // ready at once
    /// }
    /// ```
    pub fn set(&self) {
        let word = self.state.fetch_or(SET, Ordering::AcqRel);
        if word & SET != 0 {
            return;
        }
        let released = generation(word);
        let mut wakers = WakeBatch::new();
        let mut waiters = self.waiters.lock();
        waiters.unlink_where(&mut wakers, |&mut queued| released_by(queued, released));
    }

    /// Resets the flag: waits that start from now on block until the next `set`. Tasks that a
    /// `set` already woke still complete their `wait`.
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use std::future::Future;
    /// use runtime::sync::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// let mut wait = pin!(event.wait());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(wait.as_mut().poll(&mut cx).is_pending());
    /// ```
    pub fn clear(&self) {
        let mut word = self.state.load(Ordering::Relaxed);
        while word & SET != 0 {
            // Clearing bit 0 and adding one to the generation is `word + 1`.
            match self.state.compare_exchange_weak(
                word,
                word.wrapping_add(1),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => word = actual,
            }
        }
    }

    /// Waits until the flag is set: ready at the first poll if it is set, otherwise once a
    /// `set` wakes it (even if a `clear` follows before the task runs).
    ///
    /// Cancel-safe: dropping the future only takes it off the queue; nothing is lost.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Event;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let event = Arc::new(Event::new());
    ///     let waiter = {
    ///         let event = event.clone();
    ///         runtime::spawn(async move { event.wait().await })
    ///     };
    ///     runtime::task::yield_now().await; // the waiter queues
    ///     event.set();
    ///     event.clear(); // the queued waiter was already woken
    ///     waiter.await.unwrap();
    /// }
    /// ```
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            state: WaitState::Init,
        }
    }
}

impl Default for Event {
    fn default() -> Event {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}

#[derive(Debug)]
enum WaitState {
    Init,
    Waiting(WaiterId),
    Done,
}

/// The future of `Event::wait`.
///
/// Cancel-safe: dropping it only takes it off the event's queue.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct EventWait<'a> {
    event: &'a Event,
    state: WaitState,
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let event = this.event;
        match this.state {
            WaitState::Done => Poll::Ready(()),
            WaitState::Init => {
                if event.is_set() {
                    this.state = WaitState::Done;
                    return Poll::Ready(());
                }
                let mut waiters = event.waiters.lock();
                // Read under the lock: the `set` of this generation takes the lock after it
                // sets the flag, so either we see the flag or it sees us queued.
                let word = event.state.load(Ordering::Acquire);
                if word & SET != 0 {
                    this.state = WaitState::Done;
                    return Poll::Ready(());
                }
                let id = waiters.push_back(generation(word), cx.waker());
                this.state = WaitState::Waiting(id);
                Poll::Pending
            }
            WaitState::Waiting(id) => {
                let mut waiters = event.waiters.lock();
                if waiters.is_linked(id) {
                    waiters.set_waker(id, cx.waker());
                    return Poll::Pending;
                }
                waiters.remove(id);
                this.state = WaitState::Done;
                Poll::Ready(())
            }
        }
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if let WaitState::Waiting(id) = self.state {
            self.event.waiters.lock().remove(id);
        }
    }
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("event", self.event)
            .field("state", &self.state)
            .finish()
    }
}
