//! The time driver: the wheel under one lock, the clock, and the tick the driver thread sleeps
//! until, so that only a timer due earlier than that interrupts the thread's wait.
//!
//! Ticks are whole milliseconds since the driver's origin. A deadline rounds up to its tick and
//! the current time rounds down, so a timer never fires before its deadline and, once the
//! thread is awake, at most 1 ms after it.

use std::ptr::NonNull;
use std::task::Waker;
use std::time::{Duration, Instant as StdInstant};

use super::clock::Clock;
use super::entry::TimerEntry;
use super::wheel::Wheel;
use crate::loom::sync::atomic::{AtomicU64, Ordering::*};
use crate::loom::sync::Mutex;

const NANOS_PER_TICK: u128 = 1_000_000;

#[derive(Debug)]
pub(crate) struct TimeDriver {
    origin: StdInstant,
    pub(crate) clock: Clock,
    wheel: Mutex<Wheel>,
    /// The tick the driver thread wakes at (`u64::MAX`: no timer; 0: the clock is paused and the
    /// thread does not watch time). Written under the wheel lock.
    next_wake: AtomicU64,
}

/// The current time on this thread's runtime clock (the system clock outside a runtime).
pub(crate) fn now() -> StdInstant {
    crate::context::with_handle_ref(|handle| match handle {
        Some(handle) => handle.driver().time.clock.now(),
        None => StdInstant::now(),
    })
}

impl TimeDriver {
    pub(crate) fn new(clock: Clock) -> TimeDriver {
        TimeDriver {
            origin: clock.origin(),
            clock,
            wheel: Mutex::new(Wheel::new()),
            next_wake: AtomicU64::new(u64::MAX),
        }
    }

    /// The tick a deadline falls in, rounded up.
    fn tick_for(&self, deadline: StdInstant) -> u64 {
        let nanos = deadline.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(nanos.div_ceil(NANOS_PER_TICK)).unwrap_or(u64::MAX - 1)
    }

    /// The current tick, rounded down.
    fn now_tick(&self) -> u64 {
        let nanos = self
            .clock
            .now()
            .saturating_duration_since(self.origin)
            .as_nanos();
        u64::try_from(nanos / NANOS_PER_TICK).unwrap_or(u64::MAX - 1)
    }

    fn instant_for(&self, tick: u64) -> StdInstant {
        self.origin
            .checked_add(Duration::from_millis(tick))
            .unwrap_or_else(|| self.origin + Duration::from_secs(86_400 * 365 * 30))
    }

    /// Files `entry` for `deadline` with `waker`. Returns false if the deadline's tick has
    /// already been processed (the entry counts as fired). Calls `unpark` if the driver thread
    /// must wake earlier than planned.
    ///
    /// # Safety
    /// `entry` is pinned, unlinked, and calls `deregister` before it is freed.
    pub(crate) unsafe fn register(
        &self,
        entry: NonNull<TimerEntry>,
        deadline: StdInstant,
        waker: &Waker,
        unpark: impl FnOnce(),
    ) -> bool {
        let when = self.tick_for(deadline);
        let mut wheel = self.wheel.lock();
        // SAFETY: we hold the wheel lock; the entry is the caller's and pinned.
        let entry_ref = unsafe { entry.as_ref() };
        // SAFETY: as above.
        unsafe {
            entry_ref.with_inner(|e| {
                e.when = when;
                e.waker = Some(waker.clone());
            });
        }
        // SAFETY: the caller's contract.
        if !unsafe { wheel.insert(entry) } {
            // SAFETY: we hold the wheel lock.
            let waker = unsafe { entry_ref.with_inner(|e| e.waker.take()) };
            entry_ref.set_fired(true);
            drop(wheel);
            drop(waker);
            return false;
        }
        entry_ref.set_fired(false);
        if when < self.next_wake.load(Relaxed) {
            self.next_wake.store(when, Relaxed);
            drop(wheel);
            unpark();
        }
        true
    }

    /// Replaces the waker of a filed entry. Returns false if it has fired meanwhile.
    ///
    /// # Safety
    /// `entry` was registered here and is live.
    pub(crate) unsafe fn update_waker(&self, entry: &TimerEntry, waker: &Waker) -> bool {
        let _wheel = self.wheel.lock();
        if entry.is_fired() {
            return false;
        }
        // SAFETY: we hold the wheel lock.
        unsafe {
            entry.with_inner(|e| match &e.waker {
                Some(current) if current.will_wake(waker) => {}
                _ => e.waker = Some(waker.clone()),
            });
        }
        true
    }

    /// Unlinks `entry` if it is still filed (its `Sleep` is dropped or reset).
    ///
    /// # Safety
    /// `entry` was registered here and is live.
    pub(crate) unsafe fn deregister(&self, entry: NonNull<TimerEntry>) {
        let mut wheel = self.wheel.lock();
        // SAFETY: the caller's contract; we hold the lock.
        let waker = unsafe {
            wheel.remove(entry);
            entry.as_ref().with_inner(|e| e.waker.take())
        };
        drop(wheel);
        drop(waker);
    }

    /// Fires every entry due at `now` into `wakers`; returns the next tick with work.
    fn fire_due(&self, wheel: &mut Wheel, now: u64, wakers: &mut Vec<Waker>) -> Option<u64> {
        // SAFETY: filed entries are live (they deregister before being freed) and we hold the
        // lock (`wheel` is borrowed from its guard).
        unsafe {
            wheel.poll(now, |entry| {
                let entry = entry.as_ref();
                wakers.extend(entry.with_inner(|e| e.waker.take()));
                // Last touch: once `fired` is visible the owner may free the entry.
                entry.set_fired(true);
            });
        }
        wheel.next_deadline()
    }

    /// The driver thread's step: fires what is due on the real clock and returns how long it
    /// may wait for the next timer (`None`: no timer, or the clock is paused).
    pub(crate) fn process(&self, wakers: &mut Vec<Waker>) -> Option<Duration> {
        if self.clock.is_paused() {
            let _wheel = self.wheel.lock();
            self.next_wake.store(0, Relaxed);
            return None;
        }
        let now = self.now_tick();
        let mut wheel = self.wheel.lock();
        let next = self.fire_due(&mut wheel, now, wakers);
        self.next_wake.store(next.unwrap_or(u64::MAX), Relaxed);
        drop(wheel);
        next.map(|tick| {
            self.instant_for(tick)
                .saturating_duration_since(StdInstant::now())
        })
    }

    /// True if the next timer is due on the real clock (cheap: one load and a clock read).
    pub(crate) fn is_due(&self) -> bool {
        let next = self.next_wake.load(Relaxed);
        next != 0 && next != u64::MAX && next <= self.now_tick()
    }

    /// Paused clock, runtime idle: jumps the clock to the next timer and fires what is due.
    /// Returns false if there is no timer to jump to.
    pub(crate) fn advance_to_next_timer(&self, wakers: &mut Vec<Waker>) -> bool {
        let mut wheel = self.wheel.lock();
        let Some(next) = wheel.next_deadline() else {
            return false;
        };
        self.clock.advance_to(self.instant_for(next));
        let now = self.now_tick().max(next);
        self.fire_due(&mut wheel, now, wakers);
        true
    }

    /// Fires what is due at the clock's current time (after `advance`).
    pub(crate) fn fire_now(&self, wakers: &mut Vec<Waker>) {
        let now = self.now_tick();
        let mut wheel = self.wheel.lock();
        self.fire_due(&mut wheel, now, wakers);
    }

    /// Number of filed timers.
    pub(crate) fn num_timers(&self) -> usize {
        self.wheel.lock().len()
    }
}
