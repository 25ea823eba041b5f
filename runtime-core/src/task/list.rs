//! The runtime's list of owned tasks: every spawned, unfinished task, so that shutdown can
//! find and cancel the ones parked on wakers nobody will ever call.
//!
//! An intrusive doubly-linked list through the task headers, split into shards by task id,
//! each behind its own mutex. Insertion and removal are O(1) under one uncontended lock.

use std::ptr::NonNull;

use crossbeam_utils::CachePadded;

use super::raw::{Header, RawTask};
use super::Task;
use super::{stats, TaskInfo};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

pub(crate) struct OwnedTasks {
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    mask: usize,
    /// Tasks in the list, for metrics and tests. Written on every spawn and completion: on its
    /// own cache line (see `Idle::state`).
    count: CachePadded<AtomicUsize>,
}

struct Shard {
    head: Option<NonNull<Header>>,
    closed: bool,
}

// SAFETY: the shard's pointers are only followed under its mutex.
unsafe impl Send for Shard {}

impl OwnedTasks {
    pub(crate) fn new(workers: usize) -> OwnedTasks {
        let shards = (workers * 4).next_power_of_two().clamp(4, 1 << 12);
        OwnedTasks {
            shards: (0..shards)
                .map(|_| {
                    CachePadded::new(Mutex::new(Shard {
                        head: None,
                        closed: false,
                    }))
                })
                .collect(),
            mask: shards - 1,
            count: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    fn shard(&self, header: &Header) -> &Mutex<Shard> {
        // One batch of ids (one spawning thread, for a while) shares a shard.
        &self.shards[header.id.batch() as usize & self.mask]
    }

    /// Adds the task; gives it back if the list is closed (the runtime is shutting down).
    pub(crate) fn insert(&self, task: Task) -> Result<(), Task> {
        let ptr = task.raw().as_ptr();
        let mut shard = self.shard(task.raw().header()).lock();
        if shard.closed {
            return Err(task);
        }
        // SAFETY: list links are only touched under this shard's lock; the old head is alive
        // because it is in the list (the list holds a reference to it).
        unsafe {
            let header = ptr.as_ref();
            header.owned_prev.with_mut(|p| *p = None);
            header.owned_next.with_mut(|n| *n = shard.head);
            if let Some(old) = shard.head {
                old.as_ref().owned_prev.with_mut(|p| *p = Some(ptr));
            }
        }
        shard.head = Some(ptr);
        drop(shard);
        std::mem::forget(task);
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Removes the task if it is in the list, returning the list's reference.
    pub(crate) fn remove(&self, header: &Header) -> Option<Task> {
        let ptr = NonNull::from(header);
        let mut shard = self.shard(header).lock();
        // SAFETY: links are read and written under the shard lock; neighbours are in the list
        // and therefore alive.
        unsafe {
            let prev = header.owned_prev.with(|p| *p);
            let next = header.owned_next.with(|n| *n);
            match prev {
                Some(prev) => prev.as_ref().owned_next.with_mut(|n| *n = next),
                None if shard.head == Some(ptr) => shard.head = next,
                None => return None,
            }
            if let Some(next) = next {
                next.as_ref().owned_prev.with_mut(|p| *p = prev);
            }
            header.owned_prev.with_mut(|p| *p = None);
            header.owned_next.with_mut(|n| *n = None);
        }
        drop(shard);
        self.count.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: the list's reference is handed to the caller.
        Some(Task(unsafe { RawTask::from_raw(ptr) }))
    }

    fn pop(&self, shard: &Mutex<Shard>) -> Option<Task> {
        let mut shard = shard.lock();
        let head = shard.head?;
        // SAFETY: under the shard lock; head is in the list and alive.
        unsafe {
            let next = head.as_ref().owned_next.with(|n| *n);
            if let Some(next) = next {
                next.as_ref().owned_prev.with_mut(|p| *p = None);
            }
            head.as_ref().owned_next.with_mut(|n| *n = None);
            shard.head = next;
        }
        drop(shard);
        self.count.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: the list's reference is handed to the caller.
        Some(Task(unsafe { RawTask::from_raw(head) }))
    }

    /// Closes the list to new tasks and cancels every task in it (running ones are marked and
    /// cancelled by their runner when their poll returns). Futures are dropped on this thread,
    /// outside the locks.
    pub(crate) fn close_and_shutdown_all(&self) {
        for shard in self.shards.iter() {
            shard.lock().closed = true;
        }
        for shard in self.shards.iter() {
            while let Some(task) = self.pop(shard) {
                task.shutdown();
            }
        }
    }

    /// Calls `f` with every task in the list, one shard lock at a time, until it returns
    /// `false`. Under the shard lock each task is alive (the list holds a reference) and `ptr`
    /// has the task's allocation behind it, so `f` may read the header and the statistics.
    fn walk(&self, mut f: impl FnMut(NonNull<Header>) -> bool) {
        for shard in self.shards.iter() {
            let shard = shard.lock();
            let mut next = shard.head;
            while let Some(ptr) = next {
                if !f(ptr) {
                    return;
                }
                // SAFETY: under the shard lock the task is alive and its links are stable.
                next = unsafe { ptr.as_ref().owned_next.with(|n| *n) };
            }
        }
    }

    /// A snapshot of every task in the list.
    pub(crate) fn snapshot(&self) -> Vec<TaskInfo> {
        let now = stats::millis_now();
        let mut tasks = Vec::with_capacity(self.len());
        self.walk(|ptr| {
            // SAFETY: `walk` calls us under the shard lock (see there).
            tasks.push(unsafe { TaskInfo::new(ptr.as_ref(), now) });
            true
        });
        tasks
    }

    /// A snapshot of the task at `task` if it is in the list (found by scanning every shard:
    /// for rare reports only). The pointer is compared, never followed, unless found.
    pub(crate) fn info_of(&self, task: *mut Header) -> Option<TaskInfo> {
        let now = stats::millis_now();
        let mut found = None;
        self.walk(|ptr| {
            if ptr.as_ptr() != task {
                return true;
            }
            // SAFETY: `walk` calls us under the shard lock (see there).
            found = Some(unsafe { TaskInfo::new(ptr.as_ref(), now) });
            false
        });
        found
    }

    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for OwnedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedTasks")
            .field("len", &self.len())
            .finish()
    }
}
