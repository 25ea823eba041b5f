//! The blocking pool: threads for `spawn_blocking` work and for the scheduler's workers.
//!
//! A queue under one mutex and a condvar. A job goes to an idle thread if there is one, else a
//! new thread starts while the pool is below its cap; idle threads exit after `keep_alive`.
//! Worker threads of the multi-thread scheduler run as pool jobs too: a worker whose core is
//! handed away by `block_in_place` simply returns to the pool.

mod pool;
mod task;

pub(crate) use pool::{BlockingPool, PoolMetrics, Spawner, ThreadConfig};
pub(crate) use task::{BlockingSchedule, BlockingTask};

use crate::context;
use crate::scheduler::SchedulerContext;

/// Runs a blocking closure in place on a worker thread, after handing the worker's queue to a
/// new thread so the other tasks keep running (unlike `spawn_blocking`, `f` may borrow).
///
/// Outside a runtime, or inside `block_on` on a non-worker thread, `f` simply runs.
///
/// # Panics
/// On the current-thread flavor, whose only thread cannot be handed over: use
/// `spawn_blocking` there.
///
/// ```
/// #[runtime::main(worker_threads = 2)]
/// async fn main() {
///     let n = runtime::spawn(async {
///         runtime::task::block_in_place(|| {
///             std::thread::sleep(std::time::Duration::from_millis(5));
///             42
///         })
///     })
///     .await
///     .unwrap();
///     assert_eq!(n, 42);
/// }
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    match context::current_scheduler() {
        Some(SchedulerContext::Multi(worker)) => crate::scheduler::multi::block_in_place(worker, f),
        Some(SchedulerContext::Current(_)) => panic!(
            "`block_in_place` cannot be used on the current-thread runtime (its one thread \
             would block every task); use `runtime::spawn_blocking` instead"
        ),
        None => context::exit_driving(f),
    }
}
