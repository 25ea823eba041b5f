//! Multi-producer, single-consumer channels, with Tokio's `mpsc` API: [`channel`] (bounded,
//! senders wait for space) and [`unbounded_channel`] (sending never waits).
//!
//! Senders are cloned for each producer; the single receiver takes the items in the order
//! they were sent (per sender; the order between senders is the order they got in). When
//! every sender is dropped, the receiver gets the remaining items and then `None`; when the
//! receiver is dropped, later sends fail and hand their value back, and the buffered items
//! are dropped.
//!
//! # How it works
//!
//! Each channel is one shared allocation with its state under one lock: the buffer (a
//! `VecDeque`, allocated up front for a bounded channel), the receiver's waker, the senders
//! waiting for space, and the closed flags. An uncontended send or receive is one lock
//! acquisition and no allocation; `recv_many` drains a batch under one acquisition.
//!
//! A bounded channel's space is counted in slots. A send takes a free slot and fills it; a
//! sender that finds none queues, and each slot freed later (an item received, a
//! [`Permit`] dropped) is handed directly to the first queued sender, so waiting senders are
//! served in FIFO order and a cancelled waiter passes on a slot it was given. Wakers are
//! woken after the lock is released.
//!
//! # Cancellation
//!
//! - `recv`, `recv_many`: cancel-safe; a cancelled call took nothing.
//! - `reserve`, `reserve_owned`: cancel-safe; a cancelled call holds no slot.
//! - `send`: a cancelled call did not send: its value is dropped with the future. Use
//!   `reserve` then [`Permit::send`] to keep the value when the wait is cancelled.
//!
//! ```
//! use runtime::sync::mpsc;
//!
//! #[runtime::main(flavor = "current_thread")]
//! async fn main() {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     for id in 0..3 {
//!         let tx = tx.clone();
//!         runtime::spawn(async move { tx.send(id).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut ids = Vec::new();
//!     while let Some(id) = rx.recv().await {
//!         ids.push(id);
//!     }
//!     ids.sort();
//!     assert_eq!(ids, [0, 1, 2]);
//! }
//! ```

mod bounded;
mod chan;
pub mod error;
mod unbounded;

pub use bounded::{channel, OwnedPermit, Permit, Receiver, Sender, WeakSender};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};
