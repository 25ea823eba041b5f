//! The hierarchical timing wheel: six levels of 64 slots, 1 ms per level-0 slot, so a level-n
//! slot spans 64^n ms and the wheel covers 2^36 ms (about two years) ahead; later deadlines sit
//! in the top level and are re-filed when their slot comes round.
//!
//! An entry is filed at the level of the highest bit in which its deadline differs from the
//! current tick, so every entry of level n is due within the current level-(n+1) slot and the
//! first non-empty level holds the earliest slot. Processing a slot fires the entries that are
//! due and files the rest again, at a lower level. Each level keeps a bitmap of occupied
//! slots; each slot is an intrusive doubly linked list, so removing an entry is O(1).

use std::ptr::NonNull;

use super::entry::{with_inner, Position, TimerEntry};

const LEVELS: usize = 6;
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
/// The farthest a deadline is filed ahead of the current tick.
const MAX_SPAN: u64 = (1 << (SLOT_BITS as usize * LEVELS)) - 1;

/// A slot's list of entries.
#[derive(Debug, Default)]
struct List {
    head: Option<NonNull<TimerEntry>>,
    tail: Option<NonNull<TimerEntry>>,
}

impl List {
    /// # Safety
    /// `entry` is live, pinned and unlinked; the wheel lock is held.
    unsafe fn push_back(&mut self, entry: NonNull<TimerEntry>) {
        let tail = self.tail;
        // SAFETY: the caller's contract.
        unsafe {
            with_inner(entry, |e| {
                e.prev = tail;
                e.next = None;
            });
        }
        match tail {
            // SAFETY: linked entries are live while linked.
            Some(tail) => unsafe { with_inner(tail, |t| t.next = Some(entry)) },
            None => self.head = Some(entry),
        }
        self.tail = Some(entry);
    }

    /// # Safety
    /// `entry` is linked in this list; the wheel lock is held.
    unsafe fn remove(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: the caller's contract.
        let (prev, next) = unsafe { with_inner(entry, |e| (e.prev.take(), e.next.take())) };
        match prev {
            // SAFETY: linked neighbours are live.
            Some(prev) => unsafe { with_inner(prev, |p| p.next = next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(next) => unsafe { with_inner(next, |n| n.prev = prev) },
            None => self.tail = prev,
        }
    }

    /// # Safety
    /// The wheel lock is held.
    unsafe fn pop_front(&mut self) -> Option<NonNull<TimerEntry>> {
        let head = self.head?;
        // SAFETY: `head` is linked here.
        unsafe { self.remove(head) };
        Some(head)
    }

    fn is_empty(&self) -> bool {
        self.head.is_none()
    }
}

#[derive(Debug)]
struct Level {
    occupied: u64,
    slots: [List; SLOTS],
}

/// The wheel. Every method runs under the time driver's lock.
#[derive(Debug)]
pub(crate) struct Wheel {
    /// The tick up to which every deadline has been processed.
    elapsed: u64,
    levels: [Level; LEVELS],
    len: usize,
}

// SAFETY: the raw entry pointers are only followed under the wheel's lock (the `Mutex` the wheel
// lives in), and entries are `Send + Sync`.
unsafe impl Send for Wheel {}

fn level_for(elapsed: u64, when: u64) -> usize {
    let masked = ((elapsed ^ when) | (SLOTS as u64 - 1)).min(MAX_SPAN);
    let significant = 63 - masked.leading_zeros() as usize;
    significant / SLOT_BITS as usize
}

fn slot_span(level: usize) -> u64 {
    1 << (SLOT_BITS as usize * level)
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level {
                occupied: 0,
                slots: std::array::from_fn(|_| List::default()),
            }),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Files `entry` for its `when`. Returns false (filing nothing) if that tick has passed.
    ///
    /// # Safety
    /// `entry` is live, pinned, unlinked and stays so until removed or fired.
    pub(crate) unsafe fn insert(&mut self, entry: NonNull<TimerEntry>) -> bool {
        // SAFETY: the caller's contract.
        let when = unsafe { with_inner(entry, |e| e.when) };
        if when <= self.elapsed {
            return false;
        }
        let filed = when.min(self.elapsed + MAX_SPAN);
        let level = level_for(self.elapsed, filed);
        let slot = ((filed >> (SLOT_BITS as usize * level)) as usize) & (SLOTS - 1);
        // SAFETY: the caller's contract.
        unsafe {
            with_inner(entry, |e| {
                e.position = Position::Slot {
                    level: level as u8,
                    slot: slot as u8,
                }
            });
            self.levels[level].slots[slot].push_back(entry);
        }
        self.levels[level].occupied |= 1 << slot;
        self.len += 1;
        true
    }

    /// Unlinks `entry` if it is filed here.
    ///
    /// # Safety
    /// `entry` is live and, if linked, linked in this wheel.
    pub(crate) unsafe fn remove(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: the caller's contract.
        let position = unsafe {
            with_inner(entry, |e| {
                std::mem::replace(&mut e.position, Position::Unlinked)
            })
        };
        if let Position::Slot { level, slot } = position {
            let (level, slot) = (level as usize, slot as usize);
            let list = &mut self.levels[level].slots[slot];
            // SAFETY: its position says it is in this list.
            unsafe { list.remove(entry) };
            if list.is_empty() {
                self.levels[level].occupied &= !(1 << slot);
            }
            self.len -= 1;
        }
    }

    /// The earliest occupied slot: `(level, slot, tick at which it starts)`.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for (index, level) in self.levels.iter().enumerate() {
            if level.occupied == 0 {
                continue;
            }
            let span = slot_span(index);
            let level_span = span * SLOTS as u64;
            let now_slot = ((self.elapsed / span) % SLOTS as u64) as u32;
            let distance = level.occupied.rotate_right(now_slot).trailing_zeros();
            let slot = (now_slot + distance) as usize % SLOTS;
            let level_start = self.elapsed - self.elapsed % level_span;
            let mut start = level_start + slot as u64 * span;
            if start <= self.elapsed {
                // Only a far-future entry parked in the top level wraps round.
                start += level_span;
            }
            return Some((index, slot, start));
        }
        None
    }

    /// The tick at which `poll` next has work (an entry fires or moves down a level).
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.next_slot()
            .map(|(_, _, start)| start.max(self.elapsed + 1))
    }

    /// Advances to `now`, calling `fire` on each entry that is due (already unlinked).
    ///
    /// # Safety
    /// Entries filed here are live (they unlink themselves before they are freed).
    pub(crate) unsafe fn poll(&mut self, now: u64, mut fire: impl FnMut(NonNull<TimerEntry>)) {
        while let Some((level, slot, start)) = self.next_slot() {
            if start > now {
                break;
            }
            let mut list = std::mem::take(&mut self.levels[level].slots[slot]);
            self.levels[level].occupied &= !(1 << slot);
            self.elapsed = self.elapsed.max(start);
            // SAFETY: every entry in the list is live and was filed here.
            while let Some(entry) = unsafe { list.pop_front() } {
                self.len -= 1;
                // SAFETY: as above.
                let when = unsafe {
                    with_inner(entry, |e| {
                        e.position = Position::Unlinked;
                        e.when
                    })
                };
                // SAFETY: as above; `when > now >= elapsed` files it at a lower level.
                if when <= now || !unsafe { self.insert(entry) } {
                    fire(entry);
                }
            }
        }
        self.elapsed = self.elapsed.max(now);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_highest_differing_bit() {
        assert_eq!(level_for(0, 1), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(0, 4095), 1);
        assert_eq!(level_for(0, 4096), 2);
        assert_eq!(level_for(0, u64::MAX), LEVELS - 1);
        assert_eq!(level_for(100, 101), 0);
        assert_eq!(level_for(63, 64), 1);
    }

    fn fired_ticks(deadlines: &[u64], steps: &[u64]) -> Vec<(u64, u64)> {
        let entries: Vec<Box<TimerEntry>> = deadlines
            .iter()
            .map(|_| Box::new(TimerEntry::new()))
            .collect();
        let mut wheel = Wheel::new();
        for (entry, &when) in entries.iter().zip(deadlines) {
            let ptr = NonNull::from(&**entry);
            // SAFETY: boxed entries stay put and outlive the wheel's use of them.
            unsafe {
                with_inner(ptr, |e| e.when = when);
                assert!(wheel.insert(ptr));
            }
        }
        let mut fired = Vec::new();
        for &now in steps {
            // SAFETY: as above.
            unsafe {
                wheel.poll(now, |ptr| {
                    let when = with_inner(ptr, |e| e.when);
                    fired.push((when, now));
                });
            }
        }
        assert_eq!(wheel.len(), deadlines.len() - fired.len());
        fired
    }

    #[test]
    fn fires_at_or_after_the_deadline_never_before() {
        let deadlines = [1, 5, 63, 64, 65, 200, 4095, 4096, 300_000];
        let steps: Vec<u64> = (0..=300_001).step_by(7).collect();
        for (when, at) in fired_ticks(&deadlines, &steps) {
            assert!(at >= when, "{when} fired early at {at}");
            assert!(at < when + 7, "{when} fired late at {at}");
        }
    }

    #[test]
    fn stepping_by_next_deadline_fires_each_entry_on_its_tick() {
        let deadlines = [
            3,
            70,
            70,
            130,
            5000,
            262_145,
            1 << 36,
            1 << 37,
            946_080_000_000,
        ];
        let entries: Vec<Box<TimerEntry>> = deadlines
            .iter()
            .map(|_| Box::new(TimerEntry::new()))
            .collect();
        let mut wheel = Wheel::new();
        for (entry, &when) in entries.iter().zip(&deadlines) {
            let ptr = NonNull::from(&**entry);
            // SAFETY: boxed entries outlive the wheel's use of them.
            unsafe {
                with_inner(ptr, |e| e.when = when);
                assert!(wheel.insert(ptr));
            }
        }
        let mut fired = Vec::new();
        while let Some(next) = wheel.next_deadline() {
            // SAFETY: as above.
            unsafe { wheel.poll(next, |ptr| fired.push((with_inner(ptr, |e| e.when), next))) };
        }
        let expected: Vec<(u64, u64)> = deadlines.iter().map(|&d| (d, d)).collect();
        assert_eq!(fired, expected);
    }

    #[test]
    fn removed_entries_do_not_fire() {
        let entries: Vec<Box<TimerEntry>> = (0..3).map(|_| Box::new(TimerEntry::new())).collect();
        let mut wheel = Wheel::new();
        for (i, entry) in entries.iter().enumerate() {
            let ptr = NonNull::from(&**entry);
            // SAFETY: boxed entries outlive the wheel's use of them.
            unsafe {
                with_inner(ptr, |e| e.when = 10);
                assert!(wheel.insert(ptr));
                if i == 1 {
                    wheel.remove(ptr);
                }
            }
        }
        let mut count = 0;
        // SAFETY: as above.
        unsafe { wheel.poll(10, |_| count += 1) };
        assert_eq!(count, 2);
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn a_passed_tick_is_refused() {
        let entry = Box::new(TimerEntry::new());
        let ptr = NonNull::from(&*entry);
        let mut wheel = Wheel::new();
        // SAFETY: the entry outlives the wheel's use of it.
        unsafe {
            wheel.poll(50, |_| {});
            with_inner(ptr, |e| e.when = 50);
            assert!(!wheel.insert(ptr));
        }
    }
}
