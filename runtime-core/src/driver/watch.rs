//! Whether the slow-poll monitor (the driver thread) is watching: the handshake that keeps a
//! waking worker from going unwatched without costing a driver wake-up per wake.
//!
//! While any worker is awake the driver stands by and looks every millisecond; when all sleep
//! it waits in the poller, first for a bounded watch period (a worker woken meanwhile is seen
//! when that wait ends), then, still with nobody awake, with no bound. Only that unbounded
//! wait is announced (`unwatched`), and only then does the thread that wakes a worker nudge
//! the driver, so a busy runtime nudges at most once per watch period instead of once per
//! worker wake.
//!
//! The driver announces itself and then re-checks the workers; a notifier marks a worker awake
//! and then reads the announcement, with a SeqCst fence between the write and the read on both
//! sides, so at least one of them sees the other: either the driver does not wait unwatched, or
//! the notifier nudges it.

use crate::loom::sync::atomic::{fence, AtomicBool, Ordering::SeqCst};

/// See the module docs.
#[derive(Debug, Default)]
pub struct Watch {
    unwatched: AtomicBool,
}

impl Watch {
    /// Watching (the driver has not announced an unbounded wait).
    pub fn new() -> Watch {
        Watch::default()
    }

    /// Driver side, before an unbounded wait: announces it, then re-checks `any_awake`. Returns
    /// true if the wait may begin; false (announcement withdrawn) if a worker is awake.
    pub fn begin_unwatched(&self, any_awake: impl Fn() -> bool) -> bool {
        self.unwatched.store(true, SeqCst);
        fence(SeqCst);
        if any_awake() {
            self.unwatched.store(false, SeqCst);
            return false;
        }
        true
    }

    /// Driver side, once its wait ended (for whatever reason): watching again.
    pub fn end_unwatched(&self) {
        self.unwatched.store(false, SeqCst);
    }

    /// Notifier side, after marking a worker awake: true if the driver waits unwatched and
    /// this caller is the one to nudge it (the announcement is taken, so one nudge per wait).
    pub fn take_unwatched(&self) -> bool {
        fence(SeqCst);
        self.unwatched.load(SeqCst) && self.unwatched.swap(false, SeqCst)
    }

    /// True while the driver waits unwatched.
    pub fn is_unwatched(&self) -> bool {
        self.unwatched.load(SeqCst)
    }
}
