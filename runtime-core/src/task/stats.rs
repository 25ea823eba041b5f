//! Per-task poll statistics for `Handle::tasks()`: how many times a task was polled and when its
//! last poll started, on a coarse process-wide clock.
//!
//! Reading the system clock on every poll would cost about as much as polling a small task, so a
//! poll stamps a coarse clock instead: milliseconds since the first runtime of the process
//! started, refreshed by the driver thread each time it wakes (at least every millisecond while
//! a multi-thread worker is busy), by a multi-thread worker when it wakes from sleep (the driver
//! may then be in a longer wait) and by the current-thread scheduler every `event_interval`
//! polls. Busy multi-thread workers only read it: were they to write it too, its cache line
//! would bounce between them on every refresh. A stamp is therefore about a millisecond behind.
//! These are observations, not synchronization: plain relaxed atomics (outside the loom facade on purpose, since no model
//! depends on them).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static EPOCH: OnceLock<Instant> = OnceLock::new();
static COARSE_MS: AtomicU32 = AtomicU32::new(0);

/// Milliseconds since the epoch, read from the system clock (wraps after 49 days; every use
/// takes differences with `wrapping_sub`).
pub(crate) fn millis_now() -> u32 {
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u32
}

/// Sets the coarse clock to the system clock.
pub(crate) fn refresh_coarse_clock() {
    COARSE_MS.store(millis_now(), Relaxed);
}

/// The time from the stamp `since` to `now` (both in milliseconds since the epoch), or `None`
/// if `since` is ahead of `now` (a stamp taken after `now` was read, or a wrapped one).
pub(crate) fn elapsed(since: u32, now: u32) -> Option<Duration> {
    let elapsed = now.wrapping_sub(since);
    (elapsed <= u32::MAX / 2).then(|| Duration::from_millis(u64::from(elapsed)))
}

/// The coarse clock: `millis_now` as of its last refresh.
pub(crate) fn coarse_now() -> u32 {
    COARSE_MS.load(Relaxed)
}

/// The statistics of one task, kept in its header: the poll count (high 32 bits) and the
/// coarse clock when the last poll started, or when the task was spawned (low 32 bits). One
/// word, so a poll records both with one load and one store, and a reader sees a consistent
/// pair.
#[derive(Debug)]
pub(crate) struct PollStats(AtomicU64);

impl PollStats {
    pub(crate) fn new() -> PollStats {
        PollStats(AtomicU64::new(u64::from(coarse_now())))
    }

    /// Called by the thread that is about to poll the task (one at a time: the task's state
    /// machine orders successive polls, so a load and a store make an exact count).
    pub(crate) fn record_poll(&self) {
        let polls = (self.0.load(Relaxed) >> 32).wrapping_add(1) as u32;
        self.0
            .store(u64::from(polls) << 32 | u64::from(coarse_now()), Relaxed);
    }

    /// Polls so far (wraps at 2^32).
    pub(crate) fn polls(&self) -> u32 {
        (self.0.load(Relaxed) >> 32) as u32
    }

    /// The time since the last poll started (or since the spawn), given `now` from
    /// [`millis_now`].
    pub(crate) fn since_last_poll(&self, now: u32) -> Duration {
        // A stamp a little ahead of `now` (another thread refreshed the clock after we read it)
        // means "just now".
        elapsed(self.0.load(Relaxed) as u32, now).unwrap_or(Duration::ZERO)
    }
}
