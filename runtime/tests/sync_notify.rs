//! `sync::Notify`: stored permits, FIFO and LIFO wake-ups, `notify_waiters` (including
//! `Notified` futures created but not yet polled), hand-on of a dropped notification, `enable`.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

use runtime::sync::futures::Notified;
use runtime::sync::Notify;

/// A waker that counts its wakes.
#[derive(Default)]
struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting() -> (Arc<CountWaker>, Waker) {
    let count = Arc::new(CountWaker::default());
    (count.clone(), Waker::from(count))
}

/// Polls once with `waker`; whether the future completed.
fn poll_with<F: Future>(future: Pin<&mut F>, waker: &Waker) -> bool {
    future.poll(&mut Context::from_waker(waker)).is_ready()
}

fn ready<F: Future>(future: Pin<&mut F>) -> bool {
    poll_with(future, Waker::noop())
}

#[runtime::test]
async fn notify_one_before_notified_stores_a_single_permit() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    notify.notify_one();
    // The stored permit completes the first `notified` at once...
    assert!(ready(pin!(notify.notified())));
    // ...and there was only one.
    let mut second = pin!(notify.notified());
    assert!(!ready(second.as_mut()));
    notify.notify_one();
    second.await;
}

#[runtime::test]
async fn notify_one_wakes_waiters_in_fifo_order() {
    let notify = Notify::new();
    let wakers: Vec<_> = (0..3).map(|_| counting()).collect();
    let mut futures: Vec<Pin<Box<Notified<'_>>>> =
        (0..3).map(|_| Box::pin(notify.notified())).collect();
    for (future, (_, waker)) in futures.iter_mut().zip(&wakers) {
        assert!(!poll_with(future.as_mut(), waker));
    }
    for turn in 0..3 {
        notify.notify_one();
        for (index, (count, _)) in wakers.iter().enumerate() {
            let expected = usize::from(index <= turn);
            assert_eq!(
                count.0.load(SeqCst),
                expected,
                "turn {turn}, waiter {index}"
            );
        }
        assert!(poll_with(futures[turn].as_mut(), &wakers[turn].1));
        for later in &mut futures[turn + 1..] {
            assert!(!later.as_mut().enable());
        }
    }
    // Nobody waits now: the next notification is stored.
    notify.notify_one();
    assert!(ready(pin!(notify.notified())));
}

#[runtime::test]
async fn notify_last_wakes_the_newest_waiter() {
    let notify = Notify::new();
    let mut first = pin!(notify.notified());
    let mut second = pin!(notify.notified());
    let mut third = pin!(notify.notified());
    assert!(!first.as_mut().enable());
    assert!(!second.as_mut().enable());
    assert!(!third.as_mut().enable());
    notify.notify_last();
    assert!(third.as_mut().enable());
    assert!(!second.as_mut().enable());
    notify.notify_one();
    assert!(first.as_mut().enable());
    assert!(!second.as_mut().enable());
}

#[runtime::test]
async fn notify_waiters_wakes_every_waiter_including_unpolled_ones_and_stores_no_permit() {
    let notify = Notify::new();
    let wakers: Vec<_> = (0..3).map(|_| counting()).collect();
    let mut polled: Vec<_> = (0..3).map(|_| Box::pin(notify.notified())).collect();
    for (future, (_, waker)) in polled.iter_mut().zip(&wakers) {
        assert!(!poll_with(future.as_mut(), waker));
    }
    // Created before the call, first polled after it.
    let mut unpolled = pin!(notify.notified());
    notify.notify_waiters();
    for ((count, waker), future) in wakers.iter().zip(&mut polled) {
        assert_eq!(count.0.load(SeqCst), 1);
        assert!(poll_with(future.as_mut(), waker));
    }
    assert!(ready(unpolled.as_mut()));
    // No permit: a `notified` created after the call waits.
    let mut later = pin!(notify.notified());
    assert!(!ready(later.as_mut()));
    notify.notify_one();
    assert!(ready(later.as_mut()));
}

#[runtime::test]
async fn notify_waiters_leaves_a_stored_permit_alone() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_waiters();
    assert!(ready(pin!(notify.notified())));
    assert!(!ready(pin!(notify.notified())));
}

#[runtime::test]
async fn unpolled_notified_futures_wake_from_spawned_tasks() {
    let notify = Arc::new(Notify::new());
    // Created (not polled) before `notify_waiters`, polled for the first time by the tasks.
    let tasks: Vec<_> = (0..10)
        .map(|_| runtime::spawn(notify.clone().notified_owned()))
        .collect();
    notify.notify_waiters();
    for task in tasks {
        task.await.unwrap();
    }
}

#[runtime::test]
async fn a_dropped_notified_waiter_hands_the_notification_on() {
    let notify = Notify::new();
    let (second_count, second_waker) = counting();
    let mut first = Box::pin(notify.notified());
    let mut second = pin!(notify.notified());
    assert!(!first.as_mut().enable());
    assert!(!poll_with(second.as_mut(), &second_waker));
    notify.notify_one();
    assert_eq!(second_count.0.load(SeqCst), 0);
    // `first` was picked but never saw it: dropping it passes the notification on.
    drop(first);
    assert_eq!(second_count.0.load(SeqCst), 1);
    assert!(poll_with(second.as_mut(), &second_waker));
    // Nothing left over.
    assert!(!ready(pin!(notify.notified())));
}

#[runtime::test]
async fn a_dropped_notified_waiter_with_nobody_behind_stores_the_permit() {
    let notify = Notify::new();
    let mut only = Box::pin(notify.notified());
    assert!(!only.as_mut().enable());
    notify.notify_one();
    drop(only);
    assert!(ready(pin!(notify.notified())));
    assert!(!ready(pin!(notify.notified())));
}

#[runtime::test]
async fn a_dropped_notify_last_waiter_hands_on_to_the_newest() {
    let notify = Notify::new();
    let mut first = pin!(notify.notified());
    let mut second = pin!(notify.notified());
    let mut third = Box::pin(notify.notified());
    for future in [first.as_mut(), second.as_mut()] {
        assert!(!future.enable());
    }
    assert!(!third.as_mut().enable());
    notify.notify_last();
    drop(third);
    assert!(second.as_mut().enable());
    assert!(!first.as_mut().enable());
}

#[runtime::test]
async fn a_dropped_unnotified_waiter_takes_nothing() {
    let notify = Notify::new();
    let mut first = Box::pin(notify.notified());
    let mut second = Box::pin(notify.notified());
    assert!(!first.as_mut().enable());
    assert!(!second.as_mut().enable());
    drop(first);
    notify.notify_one();
    assert!(second.as_mut().enable());
    // A waiter that completed and is then dropped hands nothing on.
    drop(second);
    assert!(!ready(pin!(notify.notified())));
}

#[runtime::test]
async fn enable_queues_without_a_waker_and_reports_readiness() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    assert!(!notified.as_mut().enable());
    assert!(!notified.as_mut().enable());
    // The enabled future is queued, so the notification goes to it rather than to a permit.
    notify.notify_one();
    assert!(!ready(pin!(notify.notified())));
    assert!(notified.as_mut().enable());
    assert!(ready(notified.as_mut()));
    // Once ready, it stays ready.
    assert!(notified.as_mut().enable());

    // A stored permit is consumed by `enable`.
    notify.notify_one();
    let mut other = pin!(notify.notified());
    assert!(other.as_mut().enable());
    assert!(!ready(pin!(notify.notified())));
}

#[runtime::test]
async fn a_waker_update_is_the_one_woken() {
    let notify = Notify::new();
    let (old_count, old_waker) = counting();
    let (new_count, new_waker) = counting();
    let mut notified = pin!(notify.notified());
    assert!(!poll_with(notified.as_mut(), &old_waker));
    assert!(!poll_with(notified.as_mut(), &new_waker));
    notify.notify_one();
    assert_eq!(old_count.0.load(SeqCst), 0);
    assert_eq!(new_count.0.load(SeqCst), 1);
}

#[test]
fn const_new_works_in_a_static() {
    static NOTIFY: Notify = Notify::const_new();
    NOTIFY.notify_one();
    assert!(ready(pin!(NOTIFY.notified())));
    assert_eq!(
        format!("{:?}", Notify::new()),
        "Notify { state: \"empty\" }"
    );
}

/// Ping-pong across two workers, the receiving side sometimes dropping its enabled `Notified`
/// (a cancellation) before awaiting a fresh one: a notification lost on the way would hang
/// the test.
#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_ping_pong_with_cancelled_waiters_never_loses_a_notification() {
    const ROUNDS: usize = 5_000;
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let receiver = {
        let (ping, pong) = (ping.clone(), pong.clone());
        runtime::spawn(async move {
            for round in 0..ROUNDS {
                loop {
                    let mut notified = Box::pin(ping.notified());
                    if notified.as_mut().enable() {
                        break;
                    }
                    if round % 3 == 0 {
                        // Cancel: a notification picked for it goes back to the permit.
                        drop(notified);
                        runtime::task::yield_now().await;
                        continue;
                    }
                    notified.await;
                    break;
                }
                pong.notify_one();
            }
        })
    };
    for _ in 0..ROUNDS {
        ping.notify_one();
        pong.notified().await;
    }
    receiver.await.unwrap();
}

/// Many waiters on two workers, each `notify_one` answered by exactly one completion.
#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_each_notify_one_completes_exactly_one_waiter() {
    const WAITERS: usize = 8;
    const PER_WAITER: usize = 500;
    let notify = Arc::new(Notify::new());
    let done = Arc::new(Notify::new());
    let completed = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..WAITERS)
        .map(|_| {
            let (notify, done, completed) = (notify.clone(), done.clone(), completed.clone());
            runtime::spawn(async move {
                for _ in 0..PER_WAITER {
                    notify.notified().await;
                    completed.fetch_add(1, SeqCst);
                    done.notify_one();
                }
            })
        })
        .collect();
    for sent in 1..=WAITERS * PER_WAITER {
        notify.notify_one();
        // Wait until this notification was consumed, so notifications never coalesce.
        while completed.load(SeqCst) < sent {
            done.notified().await;
        }
        assert_eq!(completed.load(SeqCst), sent);
    }
    for task in tasks {
        task.await.unwrap();
    }
}
