//! Loom models of the runtime: run with `RUSTFLAGS="--cfg loom"` (see `.ci/run`).
//!
//! The models live in `tests/`, one file per behaviour; this library only holds the helpers
//! they share (`support`, compiled under `--cfg loom` only):
//!
//! - `support::model` wraps `loom::model` and fails an execution in which anything panicked,
//!   even if the runtime caught the panic (loom reports races by panicking at the access, and
//!   the task harness runs polls and drops under `catch_unwind`).
//! - Every model binary allocates through `support::PoisonOnFree`, which poisons and
//!   quarantines freed memory, so a use after free of a task or of the scheduler fails the
//!   model instead of reading stale bytes unnoticed (loom only tracks its own objects).
//! - Drop counters, a latch and a hand-written readiness source (`WakeSlot`) built on loom
//!   primitives.
//!
//! The CI runs these with `LOOM_MAX_PREEMPTIONS=1`: loom then runs one side of a race in one
//! piece inside any gap of the other, but not both ways at once. Where the order matters, a
//! model comes in two shapes: one where the main thread starts its half while the other
//! thread is mid-way (it waits on a latch the other thread sets), and one where it is the
//! other way round (the racing operation runs on a thread that is already running).

#[cfg(loom)]
pub mod support;
