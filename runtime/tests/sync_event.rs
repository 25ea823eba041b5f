//! `sync::Event` (asyncio's `Event`): `set` wakes every waiter, a `clear` right after a `set`
//! does not strand the woken waiters, `wait` on a set event is ready at its first poll, a
//! `wait` after `clear` blocks.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

use runtime::sync::Event;
use runtime::task::yield_now;

#[derive(Default)]
struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn ready<F: Future>(future: Pin<&mut F>) -> bool {
    future
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_ready()
}

/// Waits on `event`, counting itself in `queued` once its first poll found the event clear
/// (so it is queued).
async fn wait_counted(event: Arc<Event>, queued: Arc<AtomicUsize>) {
    let mut wait = pin!(event.wait());
    let mut first = true;
    poll_fn(|cx| {
        let poll = wait.as_mut().poll(cx);
        if first && poll.is_pending() {
            queued.fetch_add(1, SeqCst);
        }
        first = false;
        poll
    })
    .await;
}

/// Spawns `n` tasks waiting on `event` and returns once all of them are queued.
async fn spawn_queued_waiters(event: &Arc<Event>, n: usize) -> Vec<runtime::task::JoinHandle<()>> {
    let queued = Arc::new(AtomicUsize::new(0));
    let tasks = (0..n)
        .map(|_| runtime::spawn(wait_counted(event.clone(), queued.clone())))
        .collect();
    while queued.load(SeqCst) < n {
        yield_now().await;
    }
    tasks
}

#[runtime::test]
async fn set_wakes_every_waiter() {
    let event = Arc::new(Event::new());
    let tasks = spawn_queued_waiters(&event, 10).await;
    assert!(tasks.iter().all(|task| !task.is_finished()));
    event.set();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(event.is_set());
}

#[runtime::test]
async fn set_then_clear_before_the_waiters_run_still_wakes_them_all() {
    let event = Arc::new(Event::new());
    let tasks = spawn_queued_waiters(&event, 10).await;
    event.set();
    event.clear();
    assert!(!event.is_set());
    for task in tasks {
        task.await.unwrap();
    }
    // A wait that starts now blocks.
    assert!(!ready(pin!(event.wait())));
}

#[runtime::test]
async fn set_wakes_each_hand_polled_waiter_once() {
    let event = Event::new();
    let counts: Vec<_> = (0..5).map(|_| Arc::new(CountWaker::default())).collect();
    let mut waits: Vec<_> = (0..5).map(|_| Box::pin(event.wait())).collect();
    for (wait, count) in waits.iter_mut().zip(&counts) {
        let waker = Waker::from(count.clone());
        assert!(wait
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
    }
    event.set();
    event.set();
    for (wait, count) in waits.iter_mut().zip(&counts) {
        assert_eq!(count.0.load(SeqCst), 1);
        assert!(ready(wait.as_mut()));
        // Ready again if polled again.
        assert!(ready(wait.as_mut()));
    }
}

#[runtime::test]
async fn wait_on_a_set_event_is_ready_at_its_first_poll() {
    let event = Event::new();
    event.set();
    assert!(event.is_set());
    assert!(ready(pin!(event.wait())));
    // Setting again changes nothing.
    event.set();
    assert!(ready(pin!(event.wait())));
    event.wait().await;
}

#[runtime::test]
async fn clear_then_wait_blocks_until_the_next_set() {
    let event = Event::new();
    event.set();
    event.clear();
    event.clear();
    assert!(!event.is_set());
    let mut wait = pin!(event.wait());
    assert!(!ready(wait.as_mut()));
    assert!(!ready(wait.as_mut()));
    event.set();
    assert!(ready(wait.as_mut()));
}

#[runtime::test]
async fn a_waiter_queued_after_a_clear_waits_for_the_next_set() {
    let event = Event::new();
    let mut early = pin!(event.wait());
    assert!(!ready(early.as_mut()));
    event.set();
    event.clear();
    let mut late = pin!(event.wait());
    assert!(!ready(late.as_mut()));
    assert!(ready(early.as_mut()));
    assert!(!ready(late.as_mut()));
    event.set();
    assert!(ready(late.as_mut()));
}

#[runtime::test]
async fn a_dropped_wait_does_not_disturb_the_others() {
    let event = Event::new();
    let mut kept = pin!(event.wait());
    let mut dropped = Box::pin(event.wait());
    assert!(!ready(kept.as_mut()));
    assert!(!ready(dropped.as_mut()));
    drop(dropped);
    event.set();
    assert!(ready(kept.as_mut()));
    // Dropped after it was woken but before it saw it: nothing to hand on either.
    event.clear();
    let mut woken = Box::pin(event.wait());
    assert!(!ready(woken.as_mut()));
    event.set();
    drop(woken);
    assert!(event.is_set());
}

#[test]
fn default_and_debug() {
    let event = Event::default();
    assert_eq!(format!("{event:?}"), "Event { is_set: false }");
    event.set();
    assert_eq!(format!("{event:?}"), "Event { is_set: true }");
}

/// Rounds of waiters on two workers: each round's setter waits until every waiter is queued,
/// then sets and immediately clears; every waiter must still complete.
#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_set_and_clear_releases_every_queued_waiter() {
    const ROUNDS: usize = 300;
    const WAITERS: usize = 6;
    for _ in 0..ROUNDS {
        let event = Arc::new(Event::new());
        let queued = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..WAITERS)
            .map(|_| runtime::spawn(wait_counted(event.clone(), queued.clone())))
            .collect();
        let setter = {
            let (event, queued) = (event.clone(), queued.clone());
            runtime::spawn(async move {
                while queued.load(SeqCst) < WAITERS {
                    yield_now().await;
                }
                event.set();
                event.clear();
            })
        };
        // Unqueued waiters racing the set on the other worker: they see it set or get
        // released by the following set.
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let event = event.clone();
                runtime::spawn(async move {
                    event.wait().await;
                })
            })
            .collect();
        setter.await.unwrap();
        for task in tasks {
            task.await.unwrap();
        }
        event.set();
        for racer in racers {
            racer.await.unwrap();
        }
    }
}
