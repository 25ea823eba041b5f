//! The runtime's clock: real time, or a paused clock that only moves when told to.
//!
//! Until the first `pause`, `now` is `std::time::Instant::now()` behind one relaxed load. Once
//! paused, the time is `base` plus the real time elapsed since `unfrozen` (none while paused), so
//! `advance` moves `base` and `resume` starts the real clock again from where it stopped.
//! Pausing rounds the time up to the next whole millisecond since the clock's origin (the
//! timer wheel's tick grid), so that a paused runtime's sleeps land exactly on their deadlines.

use std::time::{Duration, Instant as StdInstant};

use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Mutex;

#[derive(Debug)]
pub(crate) struct Clock {
    /// Tick zero of the timer wheel.
    origin: StdInstant,
    /// Set once `pause` has ever been called: `now` must read `inner`.
    virtual_time: AtomicBool,
    inner: Mutex<Inner>,
    /// Only the current-thread flavor can pause (the idle test is per runtime thread).
    can_pause: bool,
}

#[derive(Debug)]
struct Inner {
    base: StdInstant,
    unfrozen: Option<StdInstant>,
}

impl Clock {
    pub(crate) fn new(can_pause: bool, start_paused: bool) -> Clock {
        let now = StdInstant::now();
        let clock = Clock {
            origin: now,
            virtual_time: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                base: now,
                unfrozen: Some(now),
            }),
            can_pause,
        };
        if start_paused {
            clock.pause().expect("checked by the builder");
        }
        clock
    }

    pub(crate) fn now(&self) -> StdInstant {
        if !self.virtual_time.load(Acquire) {
            return StdInstant::now();
        }
        let inner = self.inner.lock();
        match inner.unfrozen {
            Some(since) => inner.base + since.elapsed(),
            None => inner.base,
        }
    }

    /// Tick zero of the timer wheel.
    pub(crate) fn origin(&self) -> StdInstant {
        self.origin
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.virtual_time.load(Acquire) && self.inner.lock().unfrozen.is_none()
    }

    pub(crate) fn pause(&self) -> Result<(), &'static str> {
        if !self.can_pause {
            return Err(
                "`time::pause` needs the current-thread flavor: on the multi-thread \
                        flavor other workers keep running while the clock stands still",
            );
        }
        let mut inner = self.inner.lock();
        let Some(since) = inner.unfrozen.take() else {
            return Err("the clock is already paused");
        };
        let now = inner.base + since.elapsed();
        let nanos = now.saturating_duration_since(self.origin).as_nanos();
        let whole_ms = u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX);
        inner.base = self
            .origin
            .checked_add(Duration::from_millis(whole_ms))
            .unwrap_or(now);
        self.virtual_time.store(true, Release);
        Ok(())
    }

    pub(crate) fn resume(&self) -> Result<(), &'static str> {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_some() {
            return Err("the clock is not paused");
        }
        inner.unfrozen = Some(StdInstant::now());
        Ok(())
    }

    /// Moves a paused clock forward.
    pub(crate) fn advance(&self, by: Duration) -> Result<(), &'static str> {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_some() {
            return Err("`time::advance` needs a paused clock: call `time::pause()` first");
        }
        inner.base = inner.base.checked_add(by).unwrap_or(inner.base);
        Ok(())
    }

    /// Moves a paused clock forward to `to` (no-op if it is already there).
    pub(crate) fn advance_to(&self, to: StdInstant) {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_none() && to > inner.base {
            inner.base = to;
        }
    }
}
