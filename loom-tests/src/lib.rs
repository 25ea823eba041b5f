//! Loom models of the runtime: run with `RUSTFLAGS="--cfg loom"` (see `.ci/run`).
//!
//! The models live in `tests/`; this library is empty on purpose, it only anchors the crate.
