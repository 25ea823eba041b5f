//! The driver thread's standby: a condvar wait the workers can cut short.
//!
//! The driver announces itself (`standing_by`) and then re-checks its condition (are workers
//! still awake?) before it waits; a worker changes the condition and then reads the
//! announcement, with a SeqCst fence between the write and the read on both sides, so one of
//! them sees the other and the last worker to park never leaves the driver waiting without a
//! call back. The flag under the
//! mutex keeps a call back that lands before the wait from being lost.

use std::time::Duration;

use crate::loom::sync::atomic::{fence, AtomicBool, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};

/// See the module docs.
#[derive(Debug, Default)]
pub struct Standby {
    standing_by: AtomicBool,
    called_back: Mutex<bool>,
    condvar: Condvar,
}

impl Standby {
    /// Nobody standing by.
    pub fn new() -> Standby {
        Standby::default()
    }

    /// Driver side: waits at most `limit` while `keep_waiting()` holds, or until `call_back`.
    /// Returns true if the wait ran out (nobody called back).
    pub fn wait(&self, limit: Duration, keep_waiting: impl Fn() -> bool) -> bool {
        let mut called_back = self.called_back.lock();
        self.standing_by.store(true, SeqCst);
        fence(SeqCst);
        let mut timed_out = false;
        // Re-check after announcing ourselves: a condition change from now on calls us back.
        if !*called_back && keep_waiting() {
            (called_back, timed_out) = self.condvar.wait_timeout(called_back, limit);
        }
        self.standing_by.store(false, SeqCst);
        *called_back = false;
        timed_out
    }

    /// True while the driver stands by.
    pub fn is_standing_by(&self) -> bool {
        self.standing_by.load(SeqCst)
    }

    /// Worker side, after changing the condition: ends the driver's wait if it stands by.
    pub fn call_back(&self) {
        fence(SeqCst);
        if self.standing_by.load(SeqCst) {
            *self.called_back.lock() = true;
            self.condvar.notify_one();
        }
    }
}
