//! `sync::Semaphore`: FIFO order, partial grants of `acquire_many`, cancellation (before and
//! after the waiter was served), `add_permits`, `close`, `forget`, owned permits, a bound on
//! holders under load, and a timeout racing an acquire's completion.
//!
//! Futures are polled by hand where the test needs to see a waiter's state between steps
//! (plain `#[test]`s: the semaphore needs no runtime, only wakers).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use runtime::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, TryAcquireError};
use runtime::time::{sleep, timeout, Instant};

/// A waker that counts its wakes.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counter() -> (Arc<Counter>, Waker) {
    let counter = Arc::new(Counter::default());
    (counter.clone(), Waker::from(counter))
}

fn wakes(counter: &Counter) -> usize {
    counter.0.load(SeqCst)
}

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

#[runtime::test]
async fn waiters_are_served_in_fifo_order() {
    let semaphore = Arc::new(Semaphore::new(1));
    let order = Arc::new(StdMutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for id in 1..=3 {
        let (semaphore, order) = (semaphore.clone(), order.clone());
        tasks.push(runtime::spawn(async move {
            for _ in 0..2 {
                let permit = semaphore.acquire().await.unwrap();
                order.lock().unwrap().push(id);
                runtime::task::yield_now().await;
                drop(permit);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [1, 2, 3, 1, 2, 3]);
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn a_waiter_cancelled_before_it_is_served_passes_its_place_and_permits_on() {
    let semaphore = Semaphore::new(3);
    let mut held = semaphore.try_acquire_many(3).unwrap();
    let (_, waker) = counter();
    let (second_counter, second_waker) = counter();

    let mut first = semaphore.acquire_many(2);
    let mut second = semaphore.acquire();
    assert!(poll(&mut first, &waker).is_pending());
    assert!(poll(&mut second, &second_waker).is_pending());

    // One permit back: the front waiter collects it (a partial grant) and keeps waiting.
    drop(held.split(1).unwrap());
    assert_eq!(semaphore.available_permits(), 0);
    assert!(poll(&mut first, &waker).is_pending());
    assert_eq!(wakes(&second_counter), 0);

    // Cancelling it hands its collected permit to the next waiter.
    drop(first);
    assert_eq!(wakes(&second_counter), 1);
    let permit = match poll(&mut second, &second_waker) {
        Poll::Ready(permit) => permit.unwrap(),
        Poll::Pending => panic!("the cancelled waiter's permit was not passed on"),
    };
    drop(permit);
    drop(held);
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn a_waiter_cancelled_after_it_was_served_passes_the_permit_on() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    let (first_counter, first_waker) = counter();
    let (second_counter, second_waker) = counter();

    let mut first = semaphore.acquire();
    let mut second = semaphore.acquire();
    assert!(poll(&mut first, &first_waker).is_pending());
    assert!(poll(&mut second, &second_waker).is_pending());

    drop(held);
    assert_eq!(wakes(&first_counter), 1, "the front waiter is served");
    assert_eq!(wakes(&second_counter), 0);
    // Served but never polled again: dropping it must not lose the permit.
    drop(first);
    assert_eq!(wakes(&second_counter), 1);
    assert!(matches!(
        poll(&mut second, &second_waker),
        Poll::Ready(Ok(_))
    ));
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn a_cancelled_last_waiter_reopens_the_fast_path() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    let (_, waker) = counter();
    let mut waiter = semaphore.acquire();
    assert!(poll(&mut waiter, &waker).is_pending());
    drop(waiter);
    drop(held);
    assert_eq!(semaphore.available_permits(), 1);
    assert!(semaphore.try_acquire().is_ok());
}

#[test]
fn an_acquire_many_waiter_holds_back_newcomers() {
    let semaphore = Semaphore::new(2);
    let held = semaphore.try_acquire().unwrap();
    let (_, waker) = counter();

    let mut many = semaphore.acquire_many(2);
    assert!(poll(&mut many, &waker).is_pending());
    // It took the free permit: nothing is left for a newcomer to overtake it with.
    assert_eq!(semaphore.available_permits(), 0);
    assert_eq!(
        semaphore.try_acquire().unwrap_err(),
        TryAcquireError::NoPermits
    );
    let mut newcomer = semaphore.acquire();
    assert!(poll(&mut newcomer, &waker).is_pending());

    drop(held);
    let permits = match poll(&mut many, &waker) {
        Poll::Ready(permits) => permits.unwrap(),
        Poll::Pending => panic!("acquire_many not served first"),
    };
    assert_eq!(permits.num_permits(), 2);
    assert!(poll(&mut newcomer, &waker).is_pending());
    drop(permits);
    assert!(matches!(poll(&mut newcomer, &waker), Poll::Ready(Ok(_))));
    assert_eq!(semaphore.available_permits(), 2);
}

#[runtime::test]
async fn acquire_many_of_zero_is_ready_at_once() {
    let semaphore = Semaphore::new(0);
    let none = semaphore.acquire_many(0).await.unwrap();
    assert_eq!(none.num_permits(), 0);
    assert_eq!(semaphore.try_acquire_many(0).unwrap().num_permits(), 0);
}

#[test]
fn add_permits_serves_waiters_in_order_then_fills_the_count() {
    let semaphore = Semaphore::new(0);
    let (first_counter, first_waker) = counter();
    let (second_counter, second_waker) = counter();
    let mut first = semaphore.acquire();
    let mut second = semaphore.acquire_many(2);
    assert!(poll(&mut first, &first_waker).is_pending());
    assert!(poll(&mut second, &second_waker).is_pending());

    semaphore.add_permits(2);
    assert_eq!(wakes(&first_counter), 1);
    assert_eq!(wakes(&second_counter), 0, "the second got one of its two");
    assert_eq!(semaphore.available_permits(), 0);

    semaphore.add_permits(2);
    assert_eq!(wakes(&second_counter), 1);
    assert_eq!(semaphore.available_permits(), 1);
    let Poll::Ready(Ok(a)) = poll(&mut first, &first_waker) else {
        panic!("first not served")
    };
    let Poll::Ready(Ok(b)) = poll(&mut second, &second_waker) else {
        panic!("second not served")
    };
    assert_eq!((a.num_permits(), b.num_permits()), (1, 2));
    drop((a, b));
    assert_eq!(semaphore.available_permits(), 4);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn more_than_max_permits_panics() {
    let semaphore = Semaphore::new(Semaphore::MAX_PERMITS);
    semaphore.add_permits(1);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn new_with_more_than_max_permits_panics() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
fn close_fails_waiters_returns_their_grants_and_keeps_held_permits_valid() {
    let semaphore = Semaphore::new(2);
    let held = semaphore.try_acquire().unwrap();
    let (first_counter, first_waker) = counter();
    let (second_counter, second_waker) = counter();
    let mut many = semaphore.acquire_many(2); // collects the free permit, waits for one more
    let mut one = semaphore.acquire();
    assert!(poll(&mut many, &first_waker).is_pending());
    assert!(poll(&mut one, &second_waker).is_pending());
    assert_eq!(semaphore.available_permits(), 0);

    semaphore.close();
    assert!(semaphore.is_closed());
    assert_eq!((wakes(&first_counter), wakes(&second_counter)), (1, 1));
    assert!(matches!(
        poll(&mut many, &first_waker),
        Poll::Ready(Err(AcquireError { .. }))
    ));
    assert!(matches!(poll(&mut one, &second_waker), Poll::Ready(Err(_))));
    // The partial grant went back to the count.
    assert_eq!(semaphore.available_permits(), 1);

    assert_eq!(
        semaphore.try_acquire().unwrap_err(),
        TryAcquireError::Closed
    );
    let mut late = semaphore.acquire();
    assert!(matches!(poll(&mut late, &first_waker), Poll::Ready(Err(_))));
    drop(held);
    assert_eq!(semaphore.available_permits(), 2);
    semaphore.add_permits(1);
    assert_eq!(semaphore.available_permits(), 3);
}

#[runtime::test]
async fn close_wakes_a_waiting_task_with_an_error() {
    let semaphore = Arc::new(Semaphore::new(0));
    let waiter = {
        let semaphore = semaphore.clone();
        runtime::spawn(async move { semaphore.acquire().await.map(|_| ()) })
    };
    runtime::task::yield_now().await;
    semaphore.close();
    let error = waiter.await.unwrap().unwrap_err();
    assert_eq!(error.to_string(), "semaphore closed");
}

#[test]
fn forget_keeps_permits_out_and_forget_permits_removes_free_ones() {
    let semaphore = Arc::new(Semaphore::new(5));
    semaphore.try_acquire().unwrap().forget();
    assert_eq!(semaphore.available_permits(), 4);
    semaphore
        .clone()
        .try_acquire_many_owned(2)
        .unwrap()
        .forget();
    assert_eq!(semaphore.available_permits(), 2);
    assert_eq!(Arc::strong_count(&semaphore), 1, "forget drops the Arc");
    assert_eq!(semaphore.forget_permits(5), 2);
    assert_eq!(semaphore.available_permits(), 0);
}

#[test]
fn split_and_merge_move_permits_between_permits() {
    let semaphore = Semaphore::new(4);
    let mut permit = semaphore.try_acquire_many(3).unwrap();
    assert!(permit.split(4).is_none());
    let one = permit.split(1).unwrap();
    assert_eq!((permit.num_permits(), one.num_permits()), (2, 1));
    drop(one);
    assert_eq!(semaphore.available_permits(), 2);
    permit.merge(semaphore.try_acquire_many(2).unwrap());
    assert_eq!(permit.num_permits(), 4);
    drop(permit);
    assert_eq!(semaphore.available_permits(), 4);
}

#[test]
#[should_panic(expected = "different semaphores")]
fn merging_permits_of_two_semaphores_panics() {
    let (a, b) = (Semaphore::new(1), Semaphore::new(1));
    let mut permit = a.try_acquire().unwrap();
    permit.merge(b.try_acquire().unwrap());
}

#[runtime::test]
async fn owned_permits_move_between_tasks() {
    let semaphore = Arc::new(Semaphore::new(2));
    let mut permits: OwnedSemaphorePermit = semaphore.clone().acquire_many_owned(2).await.unwrap();
    let one = permits.split(1).unwrap();
    assert!(Arc::ptr_eq(one.semaphore(), &semaphore));
    let waiter = {
        let semaphore = semaphore.clone();
        runtime::spawn(async move { semaphore.acquire_owned().await.unwrap() })
    };
    runtime::spawn(async move { drop(one) }).await.unwrap();
    let got = waiter.await.unwrap();
    assert_eq!(got.num_permits(), 1);
    permits.merge(got);
    assert_eq!(permits.num_permits(), 2);
    assert!(semaphore.clone().try_acquire_owned().is_err());
    drop(permits);
    assert_eq!(semaphore.available_permits(), 2);
    assert_eq!(Arc::strong_count(&semaphore), 1);
}

#[test]
fn debug_shows_the_count() {
    let semaphore = Semaphore::new(2);
    let permit = semaphore.try_acquire().unwrap();
    let text = format!("{semaphore:?} {permit:?}");
    assert!(text.contains("permits: 1"), "{text}");
    let mut acquire = semaphore.acquire_many(2);
    let (_, waker) = counter();
    assert!(poll(&mut acquire, &waker).is_pending());
    assert!(format!("{acquire:?}").contains("queued: true"));
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_holders_than_permits_under_load() {
    const PERMITS: usize = 4;
    const TASKS: usize = 64;
    const ROUNDS: usize = 50;
    let semaphore = Arc::new(Semaphore::new(PERMITS));
    let holders = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (semaphore, holders, most, finished) = (
            semaphore.clone(),
            holders.clone(),
            most.clone(),
            finished.clone(),
        );
        tasks.push(runtime::spawn(async move {
            for round in 0..ROUNDS {
                let many = (task + round) % 3 == 0;
                let permit = if many {
                    semaphore.acquire_many(2).await.unwrap()
                } else {
                    semaphore.acquire().await.unwrap()
                };
                let weight = permit.num_permits();
                let now = holders.fetch_add(weight, SeqCst) + weight;
                assert!(now <= PERMITS, "{now} permits held at once");
                most.fetch_max(now, SeqCst);
                runtime::task::yield_now().await;
                holders.fetch_sub(weight, SeqCst);
                drop(permit);
            }
            finished.fetch_add(1, SeqCst);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(finished.load(SeqCst), TASKS);
    assert_eq!(semaphore.available_permits(), PERMITS);
    assert!(most.load(SeqCst) <= PERMITS);
}

/// How the waiter meets its deadline.
#[derive(Debug, Clone, Copy)]
enum Deadline {
    /// `time::timeout`, which polls the acquire first.
    Timeout,
    /// The deadline checked before the acquire (as a biased select would), so a waiter served
    /// in the same instant is dropped with its permit.
    CheckedFirst,
}

/// Waits for a permit until `deadline`; `Some` if it got one.
async fn acquire_until(semaphore: &Semaphore, deadline: Deadline) -> Option<()> {
    let at = Instant::now() + Duration::from_secs(1);
    match deadline {
        Deadline::Timeout => timeout(Duration::from_secs(1), semaphore.acquire())
            .await
            .ok()
            .map(|permit| drop(permit.unwrap())),
        Deadline::CheckedFirst => {
            let mut expired = Box::pin(runtime::time::sleep_until(at));
            let mut acquire = semaphore.acquire();
            std::future::poll_fn(|cx| {
                if expired.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Pin::new(&mut acquire).poll(cx).map(|permit| {
                    drop(permit.unwrap());
                    Some(())
                })
            })
            .await
        }
    }
}

/// The holder gives its permit back at the very instant the waiter's deadline passes. The
/// waiter runs in the test's own future or in a spawned task (so the release lands before or
/// after the waiter sees its deadline); afterwards the permit is back, whoever won.
async fn release_at_the_deadline(waiter_spawned: bool, deadline: Deadline) -> Option<()> {
    let semaphore = Arc::new(Semaphore::new(1));
    let permit = semaphore.clone().try_acquire_owned().unwrap();
    let start = Instant::now();
    let hold = async move {
        sleep(Duration::from_secs(1)).await;
        drop(permit);
    };
    let got = if waiter_spawned {
        let semaphore = semaphore.clone();
        let waiter = runtime::spawn(async move { acquire_until(&semaphore, deadline).await });
        runtime::task::yield_now().await; // the waiter queues and arms its deadline first
        hold.await;
        waiter.await.unwrap()
    } else {
        let holder = runtime::spawn(hold);
        let got = acquire_until(&semaphore, deadline).await;
        holder.await.unwrap();
        got
    };
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(
        semaphore.available_permits(),
        1,
        "waiter spawned: {waiter_spawned}, {deadline:?}, got a permit: {got:?}"
    );
    assert!(semaphore.try_acquire().is_ok());
    got
}

#[runtime::test(start_paused = true)]
async fn a_timeout_racing_the_release_loses_no_permit() {
    let mut outcomes = Vec::new();
    for waiter_spawned in [false, true] {
        for deadline in [Deadline::Timeout, Deadline::CheckedFirst] {
            outcomes.push(
                release_at_the_deadline(waiter_spawned, deadline)
                    .await
                    .is_some(),
            );
        }
    }
    // Both endings happen: the deadline wins and the release wins. With the waiter spawned,
    // the release lands before the waiter's task is polled at that instant, so `timeout` (the
    // acquire polled first) gets the permit and the deadline checked first drops a waiter
    // that had already been served: its permit must have gone back.
    assert!(
        outcomes.contains(&true) && outcomes.contains(&false),
        "{outcomes:?}"
    );
}
