//! `runtime-core`: tasks, the work-stealing scheduler, the blocking pool, the driver thread
//! (reactor and timer wheel), time, and the runtime context (`Runtime`, `Builder`, `Handle`).
//!
//! Users reach these items through the `runtime` facade crate. How a task flows: `spawn`
//! allocates it once (`task::raw`), links it into the runtime's owned list and queues it; a
//! worker pops it and polls it; its waker queues it again; the `JoinHandle` reads its output.

mod blocking;
mod builder;
mod context;
pub mod coop;
#[doc(hidden)]
pub mod driver;
mod handle;
#[doc(hidden)]
pub mod loom;
mod metrics;
mod park;
pub mod reactor;
mod report;
mod runtime;
mod scheduler;
pub mod task;
pub mod time;
mod unhandled;

pub use builder::{Builder, RuntimeFlavor, UnhandledPanic};
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use metrics::RuntimeMetrics;
#[doc(hidden)]
pub use park::block_on_outside_runtime;
pub use runtime::{run, Runtime};
#[doc(hidden)]
pub use scheduler::lifo_slot::{IntoRawPtr, LifoSlot};
pub use scheduler::slow_poll::SlowPoll;
pub use task::{spawn, spawn_blocking};
pub use unhandled::UnhandledPanicReport;
