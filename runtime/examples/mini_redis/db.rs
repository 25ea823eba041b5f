//! The keyspace of mini_redis: byte-string keys to byte-string values, with optional expiry.
//!
//! The map is split into [`SHARDS`] shards by a hash of the key, each a `std::sync::Mutex` over
//! a `HashMap`, so connections on different worker threads rarely contend. A lock is only held
//! for a map operation (and the copy of a value into a reply buffer), never across an `.await`.
//!
//! Expiry follows redis: a key past its deadline is treated as missing and removed when it is
//! next touched (lazy expiry), and [`Db::sweep`], which the server calls periodically, removes the
//! expired keys nobody touches. Deadlines are read from `runtime::time::Instant`, so a paused
//! test clock drives them. Each shard counts its keys with a deadline, so a sweep skips shards
//! that have none (a SET-only workload never pays for it).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use runtime::time::Instant;

/// The number of shards (a power of two).
pub const SHARDS: usize = 16;

#[derive(Debug)]
struct Entry {
    value: Vec<u8>,
    expires_at: Option<Instant>,
}

impl Entry {
    fn is_expired(&self, now: Instant) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[derive(Debug, Default)]
struct Shard {
    map: HashMap<Vec<u8>, Entry>,
    /// How many entries of `map` have a deadline.
    volatile: usize,
}

impl Shard {
    /// The live entry of `key`; an expired one is removed first.
    fn live(&mut self, key: &[u8], now: Instant) -> Option<&mut Entry> {
        if self.map.get(key)?.is_expired(now) {
            self.remove(key);
            return None;
        }
        self.map.get_mut(key)
    }

    fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.map.remove(key)?;
        if entry.expires_at.is_some() {
            self.volatile -= 1;
        }
        Some(entry)
    }

    fn insert(&mut self, key: &[u8], value: Vec<u8>, expires_at: Option<Instant>) {
        let entry = Entry { value, expires_at };
        if expires_at.is_some() {
            self.volatile += 1;
        }
        // Reuse the stored key when it is already there (no key allocation on overwrite).
        if let Some(old) = self.map.get_mut(key) {
            if old.expires_at.is_some() {
                self.volatile -= 1;
            }
            *old = entry;
        } else {
            self.map.insert(key.to_vec(), entry);
        }
    }
}

/// What SET does about an existing key (its NX / XX options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetCondition {
    /// Always set.
    Always,
    /// Only if the key does not exist (NX).
    IfMissing,
    /// Only if the key exists (XX).
    IfExists,
}

/// What SET does about the key's time to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    /// No deadline (a previous one is dropped).
    Persist,
    /// Expire after this long.
    After(Duration),
    /// Keep the key's current deadline (KEEPTTL).
    Keep,
}

/// Why INCR failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrError {
    /// The value is not a decimal 64-bit integer.
    NotAnInteger,
    /// The result does not fit in 64 bits.
    Overflow,
}

/// The sharded keyspace. Share it with an `Arc`.
#[derive(Debug)]
pub struct Db {
    shards: Box<[Mutex<Shard>]>,
}

impl Default for Db {
    fn default() -> Self {
        Db::new()
    }
}

/// FNV-1a over the key: only picks the shard (each shard's `HashMap` hashes with its own
/// randomly keyed SipHash, so a chosen-key flood lands in one shard but does not degrade it).
fn shard_of(key: &[u8]) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in key {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (hash as usize) & (SHARDS - 1)
}

impl Db {
    /// An empty keyspace.
    pub fn new() -> Db {
        Db {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    fn shard(&self, key: &[u8]) -> MutexGuard<'_, Shard> {
        // A panic while a shard is locked cannot leave it inconsistent (every update is one
        // map operation), so a poisoned lock is used as is.
        self.shards[shard_of(key)]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Calls `f` with the value of `key` (while its shard is locked: keep `f` short, e.g. copy
    /// the value into a reply), or with `None` if there is no live value.
    pub fn with_value<R>(&self, key: &[u8], f: impl FnOnce(Option<&[u8]>) -> R) -> R {
        let now = Instant::now();
        let mut shard = self.shard(key);
        f(shard.live(key, now).map(|entry| entry.value.as_slice()))
    }

    /// A copy of the value of `key`, if it has a live one.
    #[allow(dead_code)] // used by the tests
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.with_value(key, |value| value.map(<[u8]>::to_vec))
    }

    /// Sets `key` to `value` unless `condition` says otherwise; returns whether it was set.
    pub fn set(&self, key: &[u8], value: &[u8], condition: SetCondition, ttl: Ttl) -> bool {
        self.set_and_get(key, value, condition, ttl, false).0
    }

    /// [`Db::set`] that also returns the value the key had before, if `get_old` (SET's GET
    /// option).
    pub fn set_and_get(
        &self,
        key: &[u8],
        value: &[u8],
        condition: SetCondition,
        ttl: Ttl,
        get_old: bool,
    ) -> (bool, Option<Vec<u8>>) {
        let now = Instant::now();
        let mut shard = self.shard(key);
        let existing = shard.live(key, now);
        let exists = existing.is_some();
        let old = match &existing {
            Some(entry) if get_old => Some(entry.value.clone()),
            _ => None,
        };
        let allowed = match condition {
            SetCondition::Always => true,
            SetCondition::IfMissing => !exists,
            SetCondition::IfExists => exists,
        };
        if !allowed {
            return (false, old);
        }
        let expires_at = match ttl {
            Ttl::Persist => None,
            // A deadline beyond what `Instant` can hold is as good as none.
            Ttl::After(after) => now.checked_add(after),
            Ttl::Keep => existing.and_then(|entry| entry.expires_at),
        };
        shard.insert(key, value.to_vec(), expires_at);
        (true, old)
    }

    /// Removes `key`; returns whether it had a live value.
    pub fn del(&self, key: &[u8]) -> bool {
        let now = Instant::now();
        let mut shard = self.shard(key);
        shard
            .remove(key)
            .is_some_and(|entry| !entry.is_expired(now))
    }

    /// Whether `key` has a live value.
    pub fn exists(&self, key: &[u8]) -> bool {
        let now = Instant::now();
        self.shard(key).live(key, now).is_some()
    }

    /// Adds one to the integer value of `key` (a missing key counts as 0), keeping its
    /// deadline; returns the new value.
    pub fn incr(&self, key: &[u8]) -> Result<i64, IncrError> {
        let now = Instant::now();
        let mut shard = self.shard(key);
        let (current, expires_at) = match shard.live(key, now) {
            None => (0, None),
            Some(entry) => {
                let current = if entry.value.len() <= 20 {
                    crate::resp::parse_i64(&entry.value)
                } else {
                    None
                };
                (current.ok_or(IncrError::NotAnInteger)?, entry.expires_at)
            }
        };
        let next = current.checked_add(1).ok_or(IncrError::Overflow)?;
        shard.insert(key, next.to_string().into_bytes(), expires_at);
        Ok(next)
    }

    /// The time `key` has left, `None` if it has no live value or no deadline.
    #[allow(dead_code)] // used by the tests
    pub fn ttl(&self, key: &[u8]) -> Option<Duration> {
        let now = Instant::now();
        let mut shard = self.shard(key);
        let at = shard.live(key, now)?.expires_at?;
        Some(at.saturating_duration_since(now))
    }

    /// Removes every expired key; returns how many were removed. Shards without keys that have
    /// a deadline are skipped without a scan.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let mut removed = 0;
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            if shard.volatile == 0 {
                continue;
            }
            let before = shard.map.len();
            shard.map.retain(|_, entry| !entry.is_expired(now));
            let gone = before - shard.map.len();
            shard.volatile -= gone;
            removed += gone;
        }
        removed
    }

    /// The number of keys stored, expired ones not yet removed included.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).map.len())
            .sum()
    }

    /// Whether no keys are stored (expired ones not yet removed count as stored).
    #[allow(dead_code)] // used by the tests
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
