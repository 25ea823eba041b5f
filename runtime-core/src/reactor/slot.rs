//! One registered source's readiness slot: the readiness bits the reactor last saw, an event
//! counter (the tick), a shut-down bit, one waker per direction for the `poll_*` methods (the
//! last task to poll is woken), and a list of waiters for `readiness` futures (every waiting
//! task is woken, so several tasks may await one socket).
//!
//! The reactor ORs new bits in and bumps the tick with one atomic update, then takes the wakers
//! of the directions that became ready under the waiter lock. A task that finds its direction
//! not ready stores its waker under that lock and re-reads the bits before returning `Pending`,
//! so an event lands either before the re-read (seen) or after the store (woken). An operation
//! that would block clears the bits only if the tick is still the one it read, so an event that
//! arrived in between is never erased.

use std::io;
use std::task::{Context, Poll, Waker};

use super::ready::{Interest, Ready, ReadyEvent};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;

const READY_MASK: usize = 0xff;
const TICK_SHIFT: u32 = 8;
const TICK_MASK: usize = 0xff << TICK_SHIFT;
const SHUTDOWN: usize = 1 << 16;

/// The readiness slot of one registration.
#[derive(Debug)]
pub struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// Waiters of `readiness` futures, by id.
    list: Vec<Waiter>,
    next_id: u64,
}

#[derive(Debug)]
struct Waiter {
    id: u64,
    interest: Interest,
    waker: Waker,
}

impl Waiters {
    /// Moves the wakers `ready` satisfies into `wakers`.
    fn take_ready(&mut self, ready: Ready, wakers: &mut Vec<Waker>) {
        if !ready.intersection(Interest::READABLE.mask()).is_empty() {
            wakers.extend(self.reader.take());
        }
        if !ready.intersection(Interest::WRITABLE.mask()).is_empty() {
            wakers.extend(self.writer.take());
        }
        let mut index = 0;
        while index < self.list.len() {
            if ready
                .intersection(self.list[index].interest.mask())
                .is_empty()
            {
                index += 1;
            } else {
                wakers.push(self.list.swap_remove(index).waker);
            }
        }
    }
}

fn tick_of(word: usize) -> u8 {
    ((word & TICK_MASK) >> TICK_SHIFT) as u8
}

pub(crate) fn shut_down_error() -> io::Error {
    io::Error::other("the runtime that owns this I/O source has shut down")
}

impl Default for ScheduledIo {
    fn default() -> Self {
        ScheduledIo::new()
    }
}

impl ScheduledIo {
    /// A slot with no readiness and no waiters.
    pub fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Reactor side: records `ready` and moves the wakers it satisfies into `wakers` (woken by
    /// the caller once its locks are released).
    pub fn set_readiness(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut current = self.readiness.load(Acquire);
        loop {
            let tick = tick_of(current).wrapping_add(1);
            let next = (current & !(READY_MASK | TICK_MASK))
                | ((current & READY_MASK) | ready.bits())
                | ((tick as usize) << TICK_SHIFT);
            match self
                .readiness
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.waiters.lock().take_ready(ready, wakers);
    }

    /// Marks the slot dead (the reactor is gone): every poll now fails; waiters are handed out.
    pub fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.waiters.lock().take_ready(Ready::ALL, wakers);
    }

    /// Drops the stored wakers (the registration is going away).
    pub fn clear_wakers(&self) {
        let waiters = std::mem::take(&mut *self.waiters.lock());
        drop(waiters);
    }

    /// The readiness for `interest` right now, if any.
    pub fn ready_now(&self, interest: Interest) -> io::Result<Option<ReadyEvent>> {
        let word = self.readiness.load(Acquire);
        if word & SHUTDOWN != 0 {
            return Err(shut_down_error());
        }
        let ready = Ready::from_bits(word).intersection(interest.mask());
        if ready.is_empty() {
            Ok(None)
        } else {
            Ok(Some(ReadyEvent {
                ready,
                tick: tick_of(word),
            }))
        }
    }

    /// Task side: ready for `interest`, or `Pending` with the task's waker stored.
    pub fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
    ) -> Poll<io::Result<ReadyEvent>> {
        if let Some(event) = self.ready_now(interest).transpose() {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let store = |slot: &mut Option<Waker>| match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        };
        if interest.is_readable() {
            store(&mut waiters.reader);
        }
        if interest.is_writable() {
            store(&mut waiters.writer);
        }
        // Re-read under the lock: an event set before our store is seen here, one set after it
        // takes the waker we just stored.
        match self.ready_now(interest).transpose() {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Like `poll_ready`, but the waker joins the waiter list under `*id` (assigned on the
    /// first call), so every task waiting this way is woken. Call `remove_waiter` with the id
    /// when the waiting future is dropped.
    pub fn poll_ready_waiter(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        id: &mut Option<u64>,
    ) -> Poll<io::Result<ReadyEvent>> {
        if let Some(event) = self.ready_now(interest).transpose() {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let waiter_id = *id.get_or_insert_with(|| {
            waiters.next_id += 1;
            waiters.next_id
        });
        match waiters.list.iter_mut().find(|w| w.id == waiter_id) {
            Some(waiter) if waiter.waker.will_wake(cx.waker()) => {}
            Some(waiter) => waiter.waker = cx.waker().clone(),
            None => waiters.list.push(Waiter {
                id: waiter_id,
                interest,
                waker: cx.waker().clone(),
            }),
        }
        match self.ready_now(interest).transpose() {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Leaves the waiter list (no-op if an event already took the entry).
    pub fn remove_waiter(&self, id: u64) {
        let mut waiters = self.waiters.lock();
        if let Some(index) = waiters.list.iter().position(|w| w.id == id) {
            let waiter = waiters.list.swap_remove(index);
            drop(waiters);
            drop(waiter);
        }
    }

    /// After an operation would block: clears `event`'s bits unless a newer event arrived.
    pub fn clear_readiness(&self, event: ReadyEvent) {
        let clear = event.ready.clearable().bits();
        let mut current = self.readiness.load(Acquire);
        while tick_of(current) == event.tick {
            match self
                .readiness
                .compare_exchange_weak(current, current & !clear, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }
}
