//! The pool's threads and queue.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc as StdArc;
use std::time::{Duration, Instant};

use crate::context;
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::thread;
use crate::scheduler;
use crate::task::Notified;

pub(crate) type Callback = StdArc<dyn Fn() + Send + Sync>;

/// How pool threads are made.
#[derive(Clone)]
pub(crate) struct ThreadConfig {
    pub(crate) name: StdArc<dyn Fn() -> String + Send + Sync>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_start: Option<Callback>,
    pub(crate) on_stop: Option<Callback>,
    /// Threads for blocking work (worker threads are not counted).
    pub(crate) max_blocking: usize,
    pub(crate) keep_alive: Duration,
}

enum Job {
    Task(Notified),
    /// A scheduler worker; runs even when the pool is at its blocking cap.
    Worker(Box<dyn FnOnce() + Send>),
}

struct State {
    queue: VecDeque<Job>,
    threads: usize,
    /// Worker jobs submitted and not finished: each has, or is about to get, its own thread,
    /// which does not count against the blocking cap.
    worker_jobs: usize,
    idle: usize,
    /// Idle threads told to look at the queue, not yet awake.
    notified: usize,
    shutdown: bool,
    handles: HashMap<usize, thread::JoinHandle<()>>,
    next_id: usize,
}

struct Inner {
    state: Mutex<State>,
    condvar: Condvar,
    /// Signalled when a thread exits.
    exited: Condvar,
    config: ThreadConfig,
}

/// Gauges of the pool for `RuntimeMetrics`.
pub(crate) struct PoolMetrics {
    /// Threads not running a scheduler worker (busy with blocking work or idle).
    pub(crate) threads: usize,
    /// Threads waiting for a job.
    pub(crate) idle_threads: usize,
    /// Jobs waiting for a thread.
    pub(crate) queue_depth: usize,
}

/// A cloneable handle that queues jobs on the pool.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

/// The pool owned by a `Runtime`; shut down when the runtime is.
pub(crate) struct BlockingPool {
    spawner: Spawner,
}

impl BlockingPool {
    pub(crate) fn new(config: ThreadConfig) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    state: Mutex::new(State {
                        queue: VecDeque::new(),
                        threads: 0,
                        worker_jobs: 0,
                        idle: 0,
                        notified: 0,
                        shutdown: false,
                        handles: HashMap::new(),
                        next_id: 0,
                    }),
                    condvar: Condvar::new(),
                    exited: Condvar::new(),
                    config,
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Stops the pool: queued tasks are cancelled, idle threads exit, and running ones are
    /// waited for (at most `timeout`). Returns true if every thread exited.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let inner = &self.spawner.inner;
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut state = inner.state.lock();
        if !state.shutdown {
            state.shutdown = true;
            inner.condvar.notify_all();
        }
        while state.threads > 0 {
            match deadline {
                None => state = inner.exited.wait(state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    state = inner.exited.wait_timeout(state, deadline - now).0;
                }
            }
        }
        let handles: Vec<_> = state.handles.drain().map(|(_, h)| h).collect();
        let queued: Vec<Job> = state.queue.drain(..).collect();
        drop(state);
        for job in queued {
            if let Job::Task(task) = job {
                task.shutdown();
            }
        }
        for handle in handles {
            let _ = handle.join();
        }
        true
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl Spawner {
    /// Queues a blocking task; after shutdown it is cancelled instead.
    pub(crate) fn spawn_task(&self, task: Notified, rt: &scheduler::Handle) {
        if let Err((Job::Task(task), _)) = self.spawn(Job::Task(task), rt) {
            task.shutdown();
        }
    }

    /// Starts a scheduler worker on a pool thread.
    pub(crate) fn spawn_worker(
        &self,
        worker: Box<dyn FnOnce() + Send>,
        rt: &scheduler::Handle,
    ) -> io::Result<()> {
        self.spawn(Job::Worker(worker), rt).map_err(|(_, e)| e)
    }

    fn spawn(&self, job: Job, rt: &scheduler::Handle) -> Result<(), (Job, io::Error)> {
        let inner = &self.inner;
        let mut state = inner.state.lock();
        if state.shutdown {
            return Err((job, io::Error::other("the runtime is shutting down")));
        }
        let is_worker = matches!(job, Job::Worker(_));
        if is_worker {
            state.worker_jobs += 1;
        }
        if state.idle > 0 {
            state.idle -= 1;
            state.notified += 1;
            state.queue.push_back(job);
            inner.condvar.notify_one();
            return Ok(());
        }
        let blocking_threads = state.threads.saturating_sub(state.worker_jobs);
        if !is_worker && blocking_threads >= inner.config.max_blocking {
            // Every thread is busy and we are at the cap: the job waits for one.
            state.queue.push_back(job);
            return Ok(());
        }
        let id = state.next_id;
        state.next_id += 1;
        let mut builder = thread::Builder::new().name((inner.config.name)());
        if let Some(size) = inner.config.stack_size {
            builder = builder.stack_size(size);
        }
        let spawner = self.clone();
        let rt = rt.clone();
        match builder.spawn(move || spawner.run_thread(id, rt)) {
            Ok(handle) => {
                state.threads += 1;
                state.handles.insert(id, handle);
                state.queue.push_back(job);
                Ok(())
            }
            Err(error) if state.threads > 0 && !is_worker => {
                // Another thread will get to it.
                let _ = error;
                state.queue.push_back(job);
                Ok(())
            }
            Err(error) => {
                if is_worker {
                    state.worker_jobs -= 1;
                }
                Err((job, error))
            }
        }
    }

    fn run_thread(&self, id: usize, rt: scheduler::Handle) {
        let inner = &self.inner;
        if let Some(on_start) = &inner.config.on_start {
            on_start();
        }
        let _handle = context::set_handle(rt);
        let mut state = inner.state.lock();
        'work: loop {
            while let Some(job) = state.queue.pop_front() {
                let is_worker = matches!(job, Job::Worker(_));
                drop(state);
                match job {
                    Job::Task(task) => task.run(),
                    Job::Worker(run) => run(),
                }
                state = inner.state.lock();
                if is_worker {
                    state.worker_jobs -= 1;
                }
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            loop {
                let (next, timed_out) = inner.condvar.wait_timeout(state, inner.config.keep_alive);
                state = next;
                if state.notified > 0 {
                    state.notified -= 1;
                    continue 'work;
                }
                if state.shutdown {
                    state.idle -= 1;
                    break 'work;
                }
                if timed_out {
                    // Idle too long: leave, detaching our own join handle.
                    state.idle -= 1;
                    drop(state.handles.remove(&id));
                    break 'work;
                }
            }
        }
        // Cancel what nobody will run.
        if state.shutdown {
            while let Some(job) = state.queue.pop_front() {
                drop(state);
                if let Job::Task(task) = job {
                    task.shutdown();
                }
                state = inner.state.lock();
            }
        }
        state.threads -= 1;
        drop(state);
        if let Some(on_stop) = &inner.config.on_stop {
            on_stop();
        }
        let state = inner.state.lock();
        inner.exited.notify_all();
        drop(state);
    }

    /// Threads alive in the pool (workers included).
    pub(crate) fn num_threads(&self) -> usize {
        self.inner.state.lock().threads
    }

    /// The pool's side of `RuntimeMetrics`, read under the pool's lock.
    pub(crate) fn metrics(&self) -> PoolMetrics {
        let state = self.inner.state.lock();
        PoolMetrics {
            threads: state.threads.saturating_sub(state.worker_jobs),
            idle_threads: state.idle,
            queue_depth: state.queue.len(),
        }
    }
}

impl std::fmt::Debug for Spawner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spawner").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingPool").finish_non_exhaustive()
    }
}
