#![cfg(loom)]
//! Models `runtime_sync::Mutex` and `RwLock`: threads lock through `loom::future::block_on`,
//! and every access to the data goes through the lock's cell, a loom `UnsafeCell` under
//! `--cfg loom`, so loom reports any two accesses the lock failed to order (a writer next to
//! a reader or another writer). The counts at the end catch lost updates and leaked permits.

use std::sync::Arc;

use loom_tests::support::{block_on, model_with_preemptions};
use runtime_sync::{Mutex, RwLock};

/// The locks are sync primitives (DESIGN: two preemptions).
const PREEMPTIONS: usize = 2;

/// Two threads lock, increment and unlock while the main thread tries `try_lock`: both
/// increments land, and the mutex is free at the end.
#[test]
fn two_threads_lock_and_unlock() {
    model_with_preemptions(PREEMPTIONS, || {
        let mutex = Arc::new(Mutex::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let mutex = mutex.clone();
                loom::thread::spawn(move || {
                    let mut guard = block_on(mutex.lock());
                    *guard += 1;
                })
            })
            .collect();
        if let Ok(mut guard) = mutex.try_lock() {
            *guard += 10;
        }
        for thread in threads {
            thread.join().unwrap();
        }
        let value = *mutex.try_lock().expect("the mutex is left locked");
        assert!(value == 2 || value == 12, "lost update: {value}");
    });
}

/// A writer and a reader (owned guard) on a two-reader `RwLock`: the reader sees the value
/// before or after the write, never in between, and the lock is free at the end.
#[test]
fn a_writer_and_a_reader() {
    model_with_preemptions(PREEMPTIONS, || {
        let lock = Arc::new(RwLock::with_max_readers((0, 0), 2));
        let writer = {
            let lock = lock.clone();
            loom::thread::spawn(move || {
                let mut guard = block_on(lock.write());
                guard.0 = 1;
                guard.1 = 1;
            })
        };
        let seen = {
            let guard = block_on(lock.clone().read_owned());
            *guard
        };
        assert!(seen == (0, 0) || seen == (1, 1), "torn read: {seen:?}");
        writer.join().unwrap();
        assert_eq!(*lock.try_write().expect("the lock is left held"), (1, 1));
    });
}
