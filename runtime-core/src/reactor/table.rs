//! The registration table: maps the key the poller hands back to a readiness slot.
//!
//! A key is a slot index plus the generation the index had when the source registered. Removing
//! a registration bumps its index's generation, so an event the poller reported for a source
//! that has since gone (or whose index now belongs to a new source) is recognised and dropped.
//! The reactor looks up a whole batch of events under one lock acquisition.

use std::io;
use std::task::Waker;

use super::ready::Ready;
use super::slot::ScheduledIo;
use crate::loom::sync::{Arc, Mutex};

/// Bits of a key that hold the index; the rest hold the generation.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Indices stop one short of the mask so no key equals `usize::MAX` (the poller's own key).
const MAX_ENTRIES: usize = INDEX_MASK;
const GENERATION_MASK: usize = usize::MAX >> INDEX_BITS;

/// Registered sources by key.
#[derive(Debug, Default)]
pub struct RegistrationTable {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: Vec<Entry>,
    free: Vec<usize>,
    closed: bool,
}

#[derive(Debug)]
struct Entry {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

fn key_of(index: usize, generation: usize) -> usize {
    index | (generation << INDEX_BITS)
}

fn split(key: usize) -> (usize, usize) {
    (key & INDEX_MASK, key >> INDEX_BITS)
}

impl RegistrationTable {
    /// An empty table.
    pub fn new() -> RegistrationTable {
        RegistrationTable::default()
    }

    /// Takes a free index for a new source: returns its key and its fresh readiness slot.
    pub fn insert(&self) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let mut inner = self.inner.lock();
        if inner.closed {
            return Err(super::slot::shut_down_error());
        }
        let io = Arc::new(ScheduledIo::new());
        let index = match inner.free.pop() {
            Some(index) => index,
            None if inner.entries.len() < MAX_ENTRIES => {
                inner.entries.push(Entry {
                    generation: 0,
                    io: None,
                });
                inner.entries.len() - 1
            }
            None => {
                return Err(io::Error::other(
                    "too many I/O sources registered with one runtime",
                ))
            }
        };
        let entry = &mut inner.entries[index];
        entry.io = Some(io.clone());
        Ok((key_of(index, entry.generation), io))
    }

    /// Frees `key`'s index; later events carrying the key are ignored.
    pub fn remove(&self, key: usize) {
        let (index, generation) = split(key);
        let mut inner = self.inner.lock();
        let Some(entry) = inner.entries.get_mut(index) else {
            return;
        };
        if entry.generation != generation || entry.io.is_none() {
            return;
        }
        let io = entry.io.take();
        entry.generation = (entry.generation + 1) & GENERATION_MASK;
        inner.free.push(index);
        drop(inner);
        drop(io);
    }

    /// Records readiness for each `(key, ready)` whose registration is still current, and
    /// collects the wakers to wake.
    pub fn dispatch(
        &self,
        events: impl IntoIterator<Item = (usize, Ready)>,
        wakers: &mut Vec<Waker>,
    ) {
        let inner = self.inner.lock();
        for (key, ready) in events {
            let (index, generation) = split(key);
            let Some(entry) = inner.entries.get(index) else {
                continue;
            };
            if entry.generation != generation {
                continue;
            }
            if let Some(io) = &entry.io {
                io.set_readiness(ready, wakers);
            }
        }
    }

    /// Closes the table: every live slot fails from now on, new registrations are refused.
    pub fn shutdown(&self, wakers: &mut Vec<Waker>) {
        let mut inner = self.inner.lock();
        inner.closed = true;
        for entry in &inner.entries {
            if let Some(io) = &entry.io {
                io.shutdown(wakers);
            }
        }
    }

    /// Number of live registrations.
    pub fn len(&self) -> usize {
        let inner = self.inner.lock();
        inner.entries.len() - inner.free.len()
    }

    /// True if nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
