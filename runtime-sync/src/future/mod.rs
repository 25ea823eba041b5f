//! Combinators over many futures: asyncio's `gather`, `wait` and `as_completed`, and the
//! `race`/`select` of the futures ecosystem.
//!
//! | asyncio                                   | here                                      |
//! |-------------------------------------------|-------------------------------------------|
//! | `await gather(*aws, return_exceptions=True)` | [`join_all`]`(handles).await`          |
//! | `await gather(*aws)` (fail fast)          | [`try_join_all`]`(futures).await`         |
//! | `await wait(tasks, return_when=...)`      | [`wait`]`(handles, ReturnWhen::...).await`|
//! | `for f in as_completed(aws)`              | [`as_completed`]`(futures)` (a `Stream`)  |
//! | first of two / first of many              | [`select`]`(a, b)`, [`race`]`(futures)`   |
//!
//! The macros `runtime::join!`, `runtime::try_join!` and `runtime::select!` cover a fixed
//! number of futures of different types, pinned on the stack.
//!
//! How: they work on any futures (they rely on wakers only, not on this runtime). The
//! combinators over an iterator keep their futures in a `futures_util` `FuturesUnordered`, tagged
//! with their position where the output order matters, so a wake-up polls only the futures
//! that were woken, not the whole set: a `join_all` over 10 000 futures costs O(1) per
//! completion, not O(10 000). `FuturesUnordered` also yields back to the executor after polling
//! every future once or after two futures asked to be polled again, which is how these
//! combinators respect the cooperative budget: the leaf futures inside (a `JoinHandle`, a
//! socket, a channel) spend it, and the set stops polling when they report it spent.
//!
//! Dropping a combinator drops the futures it still holds: for futures that is cancellation,
//! for `JoinHandle`s it detaches the tasks (they keep running, as when a `JoinHandle` is
//! dropped). Use `JoinHandle::abort` (or a `JoinSet`) to cancel tasks.

mod as_completed;
mod indexed;
mod join_all;
mod select;
mod wait;

#[doc(hidden)]
pub mod __private;

pub use as_completed::{as_completed, AsCompleted};
pub use futures_util::future::Either;
pub use join_all::{join_all, try_join_all, JoinAll, TryJoinAll};
pub use select::{race, select, Race, Select};
pub use wait::{wait, ReturnWhen, Wait};
