//! `Barrier`: lets a fixed number of tasks wait for each other, generation after generation
//! (Tokio's `Barrier`, asyncio's `Barrier`).
//!
//! A mutex guards the count of tasks that have arrived in the current generation and a
//! `WaitList` of the tasks parked in it. Each `wait` counts itself in at its first poll; the
//! one that completes the count is the generation's leader: it resets the count (the barrier is
//! reusable at once), takes every parked task off the list and wakes it, and completes without
//! parking. A parked task completes once it finds itself off the list.
//!
//! Cancellation differs from Tokio on purpose: a `wait` dropped while parked takes its arrival
//! back (asyncio does the same), so a timed-out or cancelled task does not count towards a
//! generation it never joins. A `wait` dropped after its generation was released changes
//! nothing.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use runtime_core::loom::sync::Mutex;

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// Lets `n` tasks wait until all of them have reached the same point; reusable (Tokio's
/// `Barrier`).
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Barrier;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let barrier = Arc::new(Barrier::new(3));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = barrier.clone();
///             runtime::spawn(async move { barrier.wait().await.is_leader() })
///         })
///         .collect();
///     let mut leaders = 0;
///     for task in tasks {
///         leaders += usize::from(task.await.unwrap());
///     }
///     assert_eq!(leaders, 1);
/// }
/// ```
pub struct Barrier {
    /// Tasks per generation (at least 1).
    n: usize,
    state: Mutex<State>,
}

struct State {
    /// Tasks counted in the current generation (always less than `n` between calls).
    arrived: usize,
    /// The tasks parked in the current generation.
    waiters: WaitList<()>,
}

impl Barrier {
    /// A barrier that releases its waiters `n` at a time. `Barrier::new(0)` behaves as
    /// `Barrier::new(1)`: every `wait` completes at once, as its generation's leader.
    ///
    /// ```
    /// use runtime::sync::Barrier;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let barrier = Barrier::new(1);
    ///     assert!(barrier.wait().await.is_leader());
    /// }
    /// ```
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits until `n` tasks have called `wait` in this generation. Exactly one of them (the
    /// last to arrive) gets a result whose `is_leader` is `true`.
    ///
    /// The task counts itself in at its first poll. Cancel-safe: dropping the future before it
    /// completes takes its arrival back (unlike Tokio, where a cancelled `wait` stays
    /// counted), so the generation still needs `n` tasks that are waiting; dropping it after
    /// its generation was released changes nothing.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use runtime::sync::Barrier;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let barrier = Arc::new(Barrier::new(2));
    ///     let other = {
    ///         let barrier = barrier.clone();
    ///         runtime::spawn(async move { barrier.wait().await })
    ///     };
    ///     let mine = barrier.wait().await;
    ///     let theirs = other.await.unwrap();
    ///     assert!(mine.is_leader() != theirs.is_leader());
    /// }
    /// ```
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            state: WaitState::Init,
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arrived = self.state.lock().arrived;
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("arrived", &arrived)
            .finish()
    }
}

/// What `Barrier::wait` returns: whether this task was its generation's leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the one (per generation) that completed the count.
    ///
    /// ```
    /// use runtime::sync::Barrier;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     assert!(Barrier::new(1).wait().await.is_leader());
    /// }
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

#[derive(Debug)]
enum WaitState {
    Init,
    Waiting(WaiterId),
    /// Released; the result is returned again if the future is polled again.
    Done(BarrierWaitResult),
}

/// The future of `Barrier::wait`.
///
/// Cancel-safe: see `Barrier::wait`.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    state: WaitState,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = self.get_mut();
        let barrier = this.barrier;
        match this.state {
            WaitState::Init => {
                let mut wakers = WakeBatch::new();
                let mut state = barrier.state.lock();
                state.arrived += 1;
                if state.arrived < barrier.n {
                    let id = state.waiters.push_back((), cx.waker());
                    this.state = WaitState::Waiting(id);
                    return Poll::Pending;
                }
                state.arrived = 0;
                state.waiters.unlink_where(&mut wakers, |_| true);
                this.state = WaitState::Done(BarrierWaitResult(true));
                Poll::Ready(BarrierWaitResult(true))
            }
            WaitState::Waiting(id) => {
                let mut state = barrier.state.lock();
                if state.waiters.is_linked(id) {
                    state.waiters.set_waker(id, cx.waker());
                    return Poll::Pending;
                }
                state.waiters.remove(id);
                this.state = WaitState::Done(BarrierWaitResult(false));
                Poll::Ready(BarrierWaitResult(false))
            }
            WaitState::Done(result) => Poll::Ready(result),
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if let WaitState::Waiting(id) = self.state {
            let mut state = self.barrier.state.lock();
            if state.waiters.is_linked(id) {
                // Still parked in the current generation: take the arrival back.
                state.arrived -= 1;
            }
            state.waiters.remove(id);
        }
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("barrier", self.barrier)
            .field("state", &self.state)
            .finish()
    }
}
