//! Which workers sleep, and the rule for waking one: at most one worker is woken per
//! notification, and none while another is already searching for work.
//!
//! One atomic word counts unparked and searching workers; the list of sleepers sits behind a
//! mutex that is only taken on the slow paths (parking, and actually waking somebody).
//! Producers publish work, then (after a SeqCst fence) read the word; a worker that stops
//! searching updates the word (SeqCst), and the last searcher to park re-checks every queue.
//! One of the two always sees the other, so no wake-up is lost.

use crossbeam_utils::CachePadded;

use crate::loom::sync::atomic::{fence, AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

const SEARCHING_MASK: usize = (1 << 16) - 1;
const UNPARKED_SHIFT: usize = 16;
const UNPARKED_ONE: usize = 1 << UNPARKED_SHIFT;

pub(crate) struct Idle {
    /// `unparked << 16 | searching`. Written on every park, wake and search: on its own cache
    /// line, so that the read-mostly fields around it (in `Shared`) do not miss with it.
    state: CachePadded<AtomicUsize>,
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}

fn searching(state: usize) -> usize {
    state & SEARCHING_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARKED_SHIFT
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            state: CachePadded::new(AtomicUsize::new(workers << UNPARKED_SHIFT)),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    /// Picks a sleeping worker to wake for new work, marking it unparked and searching, or
    /// `None` if a worker is already searching or nobody sleeps.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(SeqCst);
        if !self.should_notify() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_notify() {
            return None;
        }
        let index = sleepers.pop()?;
        self.state.fetch_add(UNPARKED_ONE | 1, SeqCst);
        Some(index)
    }

    fn should_notify(&self) -> bool {
        let state = self.state.load(SeqCst);
        searching(state) == 0 && unparked(state) < self.workers
    }

    /// A worker goes to sleep. Returns true if it was the last searcher (it must then re-check
    /// the queues, since a producer may have skipped waking anyone because of it).
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = UNPARKED_ONE | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(index);
        is_searching && searching(prev) == 1
    }

    /// A worker wants to steal. At most half the workers search at once.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * searching(state) >= self.workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searching worker found work. Returns true if it was the last searcher (it must then
    /// wake another worker to keep looking).
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        searching(prev) == 1
    }

    /// Workers not parked.
    pub(crate) fn num_unparked(&self) -> usize {
        unparked(self.state.load(SeqCst))
    }

    /// True if `index` is still in the sleepers list (woken spuriously, or by shutdown).
    pub(crate) fn is_sleeping(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }
}

impl std::fmt::Debug for Idle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.load(SeqCst);
        f.debug_struct("Idle")
            .field("unparked", &unparked(state))
            .field("searching", &searching(state))
            .finish()
    }
}
