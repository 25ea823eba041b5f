//! A loom-visible stand-in for `crossbeam_deque` with the subset of its API the scheduler uses.
//!
//! Each queue is a `VecDeque` behind a loom mutex, so loom sees every push, pop and steal as a
//! synchronisation point. Capacity is not bounded; the scheduler does not rely on it.

use std::collections::VecDeque;

use loom::sync::{Arc, Mutex};

/// The result of a steal attempt.
#[derive(Debug)]
pub(crate) enum Steal<T> {
    Empty,
    Success(T),
    #[allow(dead_code)]
    Retry,
}

/// The owner's end of a worker queue.
#[derive(Debug)]
pub(crate) struct Worker<T> {
    queue: Arc<Mutex<VecDeque<T>>>,
}

impl<T> Worker<T> {
    pub(crate) fn new_fifo() -> Worker<T> {
        Worker {
            queue: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    pub(crate) fn push(&self, value: T) {
        self.queue.lock().unwrap().push_back(value);
    }

    pub(crate) fn pop(&self) -> Option<T> {
        self.queue.lock().unwrap().pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.lock().unwrap().is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.lock().unwrap().len()
    }

    pub(crate) fn stealer(&self) -> Stealer<T> {
        Stealer {
            queue: self.queue.clone(),
        }
    }
}

/// The thieves' end of a worker queue.
#[derive(Debug)]
pub(crate) struct Stealer<T> {
    queue: Arc<Mutex<VecDeque<T>>>,
}

impl<T> Stealer<T> {
    /// Moves up to half of the queue into `dest` and returns one more task to run.
    pub(crate) fn steal_batch_and_pop(&self, dest: &Worker<T>) -> Steal<T> {
        let mut src = self.queue.lock().unwrap();
        let Some(first) = src.pop_front() else {
            return Steal::Empty;
        };
        let batch = src.len() / 2;
        let moved: Vec<T> = src.drain(..batch).collect();
        drop(src);
        let mut dst = dest.queue.lock().unwrap();
        dst.extend(moved);
        Steal::Success(first)
    }

    /// Takes one task from the front (the oldest).
    pub(crate) fn steal(&self) -> Steal<T> {
        match self.queue.lock().unwrap().pop_front() {
            Some(value) => Steal::Success(value),
            None => Steal::Empty,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.lock().unwrap().is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.lock().unwrap().len()
    }
}

/// The shared queue for tasks woken from outside a worker.
#[derive(Debug)]
pub(crate) struct Injector<T> {
    queue: Mutex<VecDeque<T>>,
}

impl<T> Injector<T> {
    pub(crate) fn new() -> Injector<T> {
        Injector {
            queue: Mutex::new(VecDeque::new()),
        }
    }

    pub(crate) fn push(&self, value: T) {
        self.queue.lock().unwrap().push_back(value);
    }

    pub(crate) fn steal(&self) -> Steal<T> {
        match self.queue.lock().unwrap().pop_front() {
            Some(value) => Steal::Success(value),
            None => Steal::Empty,
        }
    }

    pub(crate) fn steal_batch_and_pop(&self, dest: &Worker<T>) -> Steal<T> {
        let mut src = self.queue.lock().unwrap();
        let Some(first) = src.pop_front() else {
            return Steal::Empty;
        };
        let batch = src.len().min(4) / 2;
        let moved: Vec<T> = src.drain(..batch).collect();
        drop(src);
        dest.queue.lock().unwrap().extend(moved);
        Steal::Success(first)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.lock().unwrap().is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.lock().unwrap().len()
    }
}
