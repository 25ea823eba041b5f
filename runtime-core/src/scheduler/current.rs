//! The current-thread scheduler: every task runs on the thread that calls `block_on`.
//!
//! The core (a local run queue) is taken by one `block_on` at a time; tasks woken on that
//! thread go to the local queue, others to a shared injection queue under a mutex (which also
//! closes it at shutdown). When both queues are empty and the `block_on` future has not been
//! woken, the thread parks until a remote wake or the future's waker unparks it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::ptr::NonNull;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::slow_poll::PollSlot;
use super::{Config, SchedulerContext};
use crate::blocking::Spawner;
use crate::context;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::{self, WorkerMetricsBlock};
use crate::park::{self, Parker};
use crate::task::list::OwnedTasks;
use crate::task::raw::Header;
use crate::task::{self, JoinHandle, Notified, Schedule, SpawnMeta, Task};
use crate::unhandled::UnhandledPanics;

pub(crate) struct Handle {
    inject: Mutex<Inject>,
    owned: OwnedTasks,
    /// The core, while no `block_on` holds it.
    core: Mutex<Option<Box<Core>>>,
    /// `block_on` callers waiting for the core.
    core_waiters: Mutex<Vec<Waker>>,
    /// The driving thread parks here.
    driver_waker: StdArc<DriverWaker>,
    pub(crate) blocking: Spawner,
    /// The reactor and timers.
    pub(crate) driver: crate::driver::Handle,
    /// `spawn_blocking` tasks not yet finished (the paused clock waits for them).
    blocking_in_flight: AtomicUsize,
    config: Config,
    /// What the driving thread polls now, for the slow-poll monitor.
    poll: PollSlot,
    /// A thread drives the scheduler and is not parked: the monitor watches it (see
    /// `driver::Watch`; set, then the driver is nudged, after every wake).
    driving_awake: AtomicBool,
    /// `UnhandledPanic` handling, and whether `ShutdownRuntime` fired.
    panics: UnhandledPanics,
    /// The one worker's counters (the driving thread's), written only while driving.
    worker_metrics: WorkerMetricsBlock,
}

struct Inject {
    queue: VecDeque<Notified>,
    closed: bool,
}

pub(crate) struct Core {
    local: VecDeque<Notified>,
    tick: u32,
}

/// Wakes the driving thread; `woken` records that the `block_on` future itself was woken.
struct DriverWaker {
    parker: Parker,
    woken: AtomicBool,
}

impl Wake for DriverWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        self.woken.store(true, Release);
        self.parker.unpark();
    }
}

/// The driving thread's view, reachable from `schedule` while tasks run.
pub(crate) struct CoreContext {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

impl CoreContext {
    pub(crate) fn handle_arc(&self) -> &Arc<Handle> {
        &self.handle
    }
}

impl Handle {
    pub(crate) fn new(
        config: Config,
        blocking: Spawner,
        driver: crate::driver::Handle,
    ) -> Arc<Handle> {
        Arc::new(Handle {
            inject: Mutex::new(Inject {
                queue: VecDeque::new(),
                closed: false,
            }),
            owned: OwnedTasks::new(1),
            core: Mutex::new(Some(Box::new(Core {
                local: VecDeque::new(),
                tick: 0,
            }))),
            core_waiters: Mutex::new(Vec::new()),
            driving_awake: AtomicBool::new(false),
            driver_waker: StdArc::new(DriverWaker {
                parker: Parker::new(),
                woken: AtomicBool::new(false),
            }),
            blocking,
            driver,
            blocking_in_flight: AtomicUsize::new(0),
            panics: UnhandledPanics::new(
                config.unhandled_panic,
                config.unhandled_panic_hook.clone(),
            ),
            config,
            poll: PollSlot::default(),
            worker_metrics: metrics::worker_block(),
        })
    }

    #[track_caller]
    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, meta: SpawnMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_owned(future, me.clone(), meta);
        match me.owned.insert(task) {
            Ok(()) => Handle::schedule(me, notified),
            Err(task) => {
                drop(notified);
                task.shutdown();
            }
        }
        join
    }

    fn schedule(me: &Arc<Self>, task: Notified) {
        if let Some(SchedulerContext::Current(cx)) = context::current_scheduler() {
            // SAFETY: the context lives on the driving thread's stack while installed.
            let cx = unsafe { cx.as_ref() };
            if Arc::ptr_eq(&cx.handle, me) {
                if let Ok(mut core) = cx.core.try_borrow_mut() {
                    if let Some(core) = core.as_mut() {
                        core.local.push_back(task);
                        return;
                    }
                }
            }
        }
        // `me` may live inside the task: once queued the task may run and be freed, so keep
        // our own references for what follows the push.
        let me = me.clone();
        let mut inject = me.inject.lock();
        if inject.closed {
            drop(inject);
            drop(task);
            return;
        }
        inject.queue.push_back(task);
        drop(inject);
        // The driver thread unparks us once at the end of its batch of wakes.
        if !context::defer_wakeup(Arc::as_ptr(&me).cast()) {
            me.driver_waker.parker.unpark();
        }
    }

    pub(crate) fn unpark_driving_thread(&self) {
        self.driver_waker.parker.unpark();
    }

    /// Counts a `spawn_blocking` task in (see `advance_paused_clock`).
    pub(crate) fn blocking_started(&self) {
        self.blocking_in_flight.fetch_add(1, SeqCst);
    }

    /// Counts a `spawn_blocking` task out, after its waiter was woken, and wakes the driving
    /// thread so a paused clock may move again.
    pub(crate) fn blocking_finished(&self) {
        self.blocking_in_flight.fetch_sub(1, SeqCst);
        self.unpark_driving_thread();
    }

    /// With the clock paused and nothing to run, jumps the clock to the next timer and wakes
    /// what it fires. Returns false if time cannot move (not paused, blocking work in flight,
    /// a task queued meanwhile, or no timer).
    fn advance_paused_clock(&self) -> bool {
        let time = &self.driver.time;
        if !time.clock.is_paused() {
            return false;
        }
        // Counter first, wake-ups second: a blocking task wakes its waiter before it counts
        // itself out (and then unparks us), so if we read zero its wake-up is already visible.
        if self.blocking_in_flight.load(SeqCst) != 0
            || self.driver_waker.woken.load(Acquire)
            || !self.inject.lock().queue.is_empty()
        {
            return false;
        }
        let mut wakers = Vec::new();
        if !time.advance_to_next_timer(&mut wakers) {
            return false;
        }
        wakers.into_iter().for_each(Waker::wake);
        true
    }

    fn pop_inject(&self) -> Option<Notified> {
        self.inject.lock().queue.pop_front()
    }

    fn take_core(&self) -> Option<Box<Core>> {
        self.core.lock().take()
    }

    fn put_core(&self, core: Box<Core>) {
        *self.core.lock() = Some(core);
        let waiters = std::mem::take(&mut *self.core_waiters.lock());
        for waker in waiters {
            waker.wake();
        }
    }

    pub(crate) fn block_on<F: Future>(me: &Arc<Self>, rt: &super::Handle, future: F) -> F::Output {
        let _driving = context::enter_driving(rt.clone());
        let mut future = std::pin::pin!(future);
        loop {
            me.panics.check();
            if let Some(core) = me.take_core() {
                return Handle::drive(me, core, future);
            }
            // Another thread drives the scheduler: wait for our future or for the core.
            let polled = park::block_on(std::future::poll_fn(|cx| {
                if let Poll::Ready(output) = future.as_mut().poll(cx) {
                    return Poll::Ready(Some(output));
                }
                me.core_waiters.lock().push(cx.waker().clone());
                if me.core.lock().is_some() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            }));
            if let Some(output) = polled {
                return output;
            }
        }
    }

    /// Runs tasks and the `block_on` future on this thread until the future completes.
    fn drive<F: Future>(
        me: &Arc<Self>,
        core: Box<Core>,
        mut future: std::pin::Pin<&mut F>,
    ) -> F::Output {
        struct PutBack<'a> {
            handle: &'a Arc<Handle>,
            cx: &'a CoreContext,
        }
        impl Drop for PutBack<'_> {
            fn drop(&mut self) {
                self.handle.driving_awake.store(false, SeqCst);
                if let Some(core) = self.cx.core.borrow_mut().take() {
                    self.handle.put_core(core);
                }
            }
        }
        let cx = CoreContext {
            handle: me.clone(),
            core: RefCell::new(Some(core)),
        };
        let _put_back = PutBack {
            handle: me,
            cx: &cx,
        };
        me.set_driving_awake();
        let waker = Waker::from(me.driver_waker.clone());
        let mut future_cx = Context::from_waker(&waker);
        me.driver_waker.woken.store(true, Release);
        context::set_scheduler(SchedulerContext::Current(NonNull::from(&cx)), || loop {
            // `UnhandledPanic::ShutdownRuntime` fired: `block_on` panics (the core goes back).
            me.panics.check();
            if me.driver_waker.woken.swap(false, AcqRel) {
                if let Poll::Ready(output) = future.as_mut().poll(&mut future_cx) {
                    return output;
                }
            }
            let mut ran_dry = false;
            crate::task::stats::refresh_coarse_clock();
            for _ in 0..me.config.event_interval {
                let task = {
                    let mut core = cx.core.borrow_mut();
                    let core = core.as_mut().expect("the core is held while driving");
                    core.tick = core.tick.wrapping_add(1);
                    if core.tick % me.config.global_queue_interval == 0 {
                        me.pop_inject().or_else(|| core.local.pop_front())
                    } else {
                        core.local.pop_front().or_else(|| me.pop_inject())
                    }
                };
                match task {
                    Some(task) => {
                        me.worker_metrics.incr_polls();
                        me.poll.begin(task.0.as_ptr().as_ptr());
                        task.run();
                        me.poll.end();
                        if me.panics.has_shut_down() {
                            break;
                        }
                    }
                    None => {
                        ran_dry = true;
                        break;
                    }
                }
            }
            // A woken `block_on` future waits for the tasks already queued (up to
            // `event_interval` of them), so `yield_now` in it lets them run first.
            if let Some(core) = cx.core.borrow().as_ref() {
                me.worker_metrics.set_local_queue_depth(core.local.len());
            }
            if ran_dry && !me.driver_waker.woken.load(Acquire) && !me.advance_paused_clock() {
                me.worker_metrics.incr_parks();
                me.driving_awake.store(false, SeqCst);
                me.driver_waker.parker.park();
                me.set_driving_awake();
            }
        })
    }

    /// Cancels every task and closes the queues. Called when the runtime is dropped.
    pub(crate) fn shutdown(me: &Arc<Self>) {
        let core = me.take_core();
        me.owned.close_and_shutdown_all();
        if let Some(mut core) = core {
            while let Some(task) = core.local.pop_front() {
                drop(task);
            }
            *me.core.lock() = Some(core);
        }
        let queued = {
            let mut inject = me.inject.lock();
            inject.closed = true;
            std::mem::take(&mut inject.queue)
        };
        drop(queued);
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }

    /// The scheduler's side of `Handle::metrics`.
    pub(crate) fn metrics(me: &Arc<Self>) -> metrics::Gauges {
        let local_queue_depth = Handle::local_queue_depth(me);
        metrics::Gauges {
            alive_tasks: me.owned.len(),
            global_queue_depth: me.inject.lock().queue.len(),
            workers: vec![me.worker_metrics.snapshot(local_queue_depth)],
        }
    }

    /// The local queue's depth: exact on the driving thread or while nobody drives the
    /// scheduler, else the depth the driving thread last published.
    fn local_queue_depth(me: &Arc<Self>) -> usize {
        if let Some(SchedulerContext::Current(cx)) = context::current_scheduler() {
            // SAFETY: the context lives on the driving thread's stack while installed.
            let cx = unsafe { cx.as_ref() };
            if Arc::ptr_eq(&cx.handle, me) {
                if let Ok(core) = cx.core.try_borrow() {
                    if let Some(core) = core.as_ref() {
                        return core.local.len();
                    }
                }
            }
        }
        if let Some(core) = me.core.lock().as_ref() {
            return core.local.len();
        }
        me.worker_metrics.published_local_queue_depth()
    }

    pub(crate) fn tasks(&self) -> Vec<crate::task::TaskInfo> {
        self.owned.snapshot()
    }

    pub(crate) fn check_slow_polls(&self) {
        // One thread: no stand-in to start, so whether it is stuck does not matter here.
        let _stuck = self.poll.check(0, &self.config.slow_poll, &self.owned);
    }

    /// The driving thread is (again) running tasks: tell the slow-poll monitor.
    fn set_driving_awake(&self) {
        self.driving_awake.store(true, SeqCst);
        self.driver.worker_notified();
    }

    /// Whether the slow-poll monitor should watch the driving thread.
    pub(super) fn is_driving_awake(&self) -> bool {
        self.driving_awake.load(SeqCst)
    }

    pub(super) fn slow_poll_threshold(&self) -> std::time::Duration {
        self.config.slow_poll.threshold
    }

    /// `UnhandledPanic::ShutdownRuntime` fired: cancel every task (on this thread, inside the
    /// runtime so that their drops find it) and wake whoever drives or waits to drive.
    fn shutdown_on_unhandled_panic(me: &Arc<Self>) {
        let _enter = context::try_current_handle()
            .is_none()
            .then(|| context::set_handle(super::Handle::Current(me.clone())));
        me.owned.close_and_shutdown_all();
        me.unpark_driving_thread();
        let waiters = std::mem::take(&mut *me.core_waiters.lock());
        for waker in waiters {
            waker.wake();
        }
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        Handle::schedule(self, task);
    }

    fn release(&self, task: &Header) -> Option<Task> {
        self.owned.remove(task)
    }

    fn unhandled_panic(&self, error: &crate::task::JoinError) {
        if self.panics.unhandled(error) {
            Handle::shutdown_on_unhandled_panic(self);
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("current::Handle")
            .field("owned", &self.owned)
            .finish()
    }
}
