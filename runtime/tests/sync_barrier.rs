//! `sync::Barrier`: tasks released together generation after generation, one leader per
//! generation, `n == 0` as 1, and a cancelled `wait` taking its arrival back.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use runtime::sync::{Barrier, BarrierWaitResult};

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// `n` tasks go through `generations` generations; each checks, once released, that all `n`
/// had arrived in its generation. Returns the number of leaders per generation.
async fn run_generations(n: usize, generations: usize) -> Vec<usize> {
    let barrier = Arc::new(Barrier::new(n));
    let arrived: Arc<Vec<AtomicUsize>> =
        Arc::new((0..generations).map(|_| AtomicUsize::new(0)).collect());
    let leaders: Arc<Vec<AtomicUsize>> =
        Arc::new((0..generations).map(|_| AtomicUsize::new(0)).collect());
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (barrier, arrived, leaders) = (barrier.clone(), arrived.clone(), leaders.clone());
            runtime::spawn(async move {
                for generation in 0..generations {
                    arrived[generation].fetch_add(1, SeqCst);
                    let result = barrier.wait().await;
                    // Nobody is released before everybody arrived in this generation.
                    assert_eq!(arrived[generation].load(SeqCst), n);
                    if result.is_leader() {
                        leaders[generation].fetch_add(1, SeqCst);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    leaders.iter().map(|count| count.load(SeqCst)).collect()
}

#[runtime::test]
async fn n_tasks_are_released_together_with_one_leader_per_generation() {
    assert_eq!(run_generations(5, 3).await, [1, 1, 1]);
}

#[runtime::test]
async fn the_last_arrival_leads_and_the_others_wait() {
    let barrier = Barrier::new(3);
    let mut first = pin!(barrier.wait());
    let mut second = pin!(barrier.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    let third = barrier.wait().await;
    assert!(third.is_leader());
    assert_eq!(
        poll_once(first.as_mut()).map(|r| r.is_leader()),
        Poll::Ready(false)
    );
    assert_eq!(
        poll_once(second.as_mut()).map(|r| r.is_leader()),
        Poll::Ready(false)
    );
    // Polled again, the result is the same.
    assert_eq!(
        poll_once(second.as_mut()).map(|r| r.is_leader()),
        Poll::Ready(false)
    );
}

#[runtime::test]
async fn zero_and_one_release_every_wait_as_leader() {
    for n in [0, 1] {
        let barrier = Barrier::new(n);
        for _ in 0..3 {
            let result: BarrierWaitResult = barrier.wait().await;
            assert!(result.is_leader());
        }
    }
}

#[runtime::test]
async fn a_cancelled_wait_takes_its_arrival_back() {
    let barrier = Barrier::new(2);
    let mut cancelled = Box::pin(barrier.wait());
    assert!(poll_once(cancelled.as_mut()).is_pending());
    drop(cancelled);
    // The barrier still needs two waiting tasks.
    let mut first = pin!(barrier.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    let second = barrier.wait().await;
    assert!(second.is_leader());
    assert!(poll_once(first.as_mut()).is_ready());
}

#[runtime::test]
async fn a_wait_dropped_after_its_release_changes_nothing() {
    let barrier = Barrier::new(2);
    let mut released = Box::pin(barrier.wait());
    assert!(poll_once(released.as_mut()).is_pending());
    assert!(barrier.wait().await.is_leader());
    drop(released);
    // The next generation still needs two.
    let mut first = pin!(barrier.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(barrier.wait().await.is_leader());
    assert!(poll_once(first.as_mut()).is_ready());
}

#[runtime::test]
async fn an_unpolled_wait_has_not_arrived() {
    let barrier = Barrier::new(2);
    let unpolled = barrier.wait();
    let mut first = pin!(barrier.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    drop(unpolled);
    assert!(barrier.wait().await.is_leader());
    assert!(poll_once(first.as_mut()).is_ready());
    assert_eq!(format!("{barrier:?}"), "Barrier { n: 2, arrived: 0 }");
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_generations_on_two_workers() {
    assert_eq!(run_generations(4, 300).await, vec![1; 300]);
}
