//! The support types of the `stream!` and `try_stream!` generator macros (not public API: the
//! macros' expansion names them by `::runtime::stream::__private::...`).
//!
//! The macro turns the block into an `async move` block in which every `yield value` became
//! `yielder.send(value).await`. The block's future and the receiving end of a one-item slot make
//! up a [`Generator`], which is the stream:
//!
//! - `Generator::poll_next` polls the block's future, then looks in the slot: an item there is
//!   the stream's next item; a finished future (and an empty slot) ends the stream; otherwise
//!   the block is waiting on something else (a timer, a socket), which has registered the waker.
//! - `Yield` (the future of `send`) puts its value in the slot at its first poll and returns
//!   `Pending` without registering a waker: the generator's `poll_next`, which is polling it,
//!   sees the item at once and returns it. The next `poll_next` polls the block again, and the
//!   `Yield` is then `Ready`, so the block runs on to its next `yield`. Nothing runs between two
//!   items unless the consumer asks for the next one: the generator is lazy, as in Python.
//!
//! The slot is an `Arc<Mutex<Option<T>>>` shared by the yielder (inside the block's future) and
//! the generator. It is never contended (both ends are touched only from `poll_next`), but the
//! lock makes the pair `Send` and `Sync` exactly when `T: Send`, with no `unsafe`. The block's
//! future is boxed, so that a `Generator` is `Unpin` and `next()` works on it without pinning.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::{FusedStream, Stream};
use runtime_core::loom::sync::{Arc, Mutex};

/// The one-item slot between a [`Yielder`] and its [`Generator`].
type Slot<T> = Arc<Mutex<Option<T>>>;

/// A new yielder and the slot its generator reads: the first step of the macros' expansion.
///
/// ```
/// use runtime::stream::{StreamExt, __private::{channel, Generator}};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     // What `runtime::stream! { yield 1; yield 2; }` expands to.
///     let (yielder, slot) = channel();
///     let generator = Generator::new(slot, async move {
///         yielder.send(1).await;
///         yielder.send(2).await;
///     });
///     assert_eq!(generator.collect::<Vec<i32>>().await, [1, 2]);
/// }
/// ```
pub fn channel<T>() -> (Yielder<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(None));
    (Yielder { slot: slot.clone() }, Receiver { slot })
}

/// The sending end, captured by the generator's block: each `yield value` becomes
/// `yielder.send(value).await`.
pub struct Yielder<T> {
    slot: Slot<T>,
}

impl<T> Yielder<T> {
    /// Hands `value` to the consumer and waits until it asks for the next item.
    ///
    /// Cancel-safety: if the `Yield` future is dropped after its first poll, the value is still
    /// yielded (it is already in the slot); dropped before, it is not.
    ///
    /// ```
    /// use runtime::stream::{StreamExt, __private::{channel, Generator}};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let (yielder, slot) = channel();
    ///     let mut generator = Generator::new(slot, async move { yielder.send("hi").await });
    ///     assert_eq!(generator.next().await, Some("hi"));
    ///     assert_eq!(generator.next().await, None);
    /// }
    /// ```
    pub fn send(&self, value: T) -> Yield<'_, T> {
        Yield {
            slot: &self.slot,
            value: Some(value),
        }
    }
}

impl<T> fmt::Debug for Yielder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yielder").finish_non_exhaustive()
    }
}

/// The receiving end of [`channel`], consumed by [`Generator::new`].
pub struct Receiver<T> {
    slot: Slot<T>,
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The future of [`Yielder::send`]: `Pending` once (the value is handed over), then `Ready`.
#[must_use = "a yield does nothing unless `.await`ed"]
pub struct Yield<'a, T> {
    slot: &'a Mutex<Option<T>>,
    value: Option<T>,
}

// The value is never pinned: it is moved into the slot.
impl<T> Unpin for Yield<'_, T> {}

impl<T> Future for Yield<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let Some(value) = this.value.take() else {
            // Handed over at the previous poll, and the generator has taken it since: it
            // polls the block again only after returning the item.
            return Poll::Ready(());
        };
        let mut slot = this.slot.lock();
        if slot.is_none() {
            *slot = Some(value);
        } else {
            // Another yield of the same poll (two yields joined by a macro) got there first:
            // it is returned now, and this one is handed over at the next poll.
            this.value = Some(value);
        }
        // No waker: the generator's `poll_next`, which is polling us, returns the item at
        // once, and its next call polls us again.
        Poll::Pending
    }
}

impl<T> fmt::Debug for Yield<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yield")
            .field("handed_over", &self.value.is_none())
            .finish()
    }
}

/// The stream of `stream!` and `try_stream!`: the generator block's future (boxed, so the
/// stream is `Unpin`) and the slot its yields fill.
///
/// It is `Send` when the block's future and the items are. Dropping it drops the block's
/// future, and with it everything the block captured or was holding across a `yield`.
///
/// ```
/// use runtime::stream::{StreamExt, __private::{channel, Generator}};
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (yielder, slot) = channel();
///     let generator = Generator::new(slot, async move {
///         for i in 0..3 {
///             yielder.send(i * 10).await;
///         }
///     });
///     assert_eq!(generator.collect::<Vec<_>>().await, [0, 10, 20]);
/// }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Generator<T, F> {
    slot: Slot<T>,
    /// `None` once the block has finished.
    future: Option<Pin<Box<F>>>,
}

impl<T, F: Future<Output = ()>> Generator<T, F> {
    /// The stream that runs `future` (the generator block) and yields what it sends through the
    /// yielder paired with `receiver`.
    pub fn new(receiver: Receiver<T>, future: F) -> Generator<T, F> {
        Generator {
            slot: receiver.slot,
            future: Some(Box::pin(future)),
        }
    }
}

impl<T, F: Future<Output = ()>> Stream for Generator<T, F> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if let Some(future) = &mut this.future {
            if future.as_mut().poll(cx).is_ready() {
                // Dropping the finished block now frees what it captured.
                this.future = None;
            }
        }
        match this.slot.lock().take() {
            Some(item) => Poll::Ready(Some(item)),
            None if this.future.is_none() => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

impl<T, F: Future<Output = ()>> FusedStream for Generator<T, F> {
    fn is_terminated(&self) -> bool {
        self.future.is_none() && self.slot.lock().is_none()
    }
}

impl<T, F> fmt::Debug for Generator<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("finished", &self.future.is_none())
            .finish_non_exhaustive()
    }
}
