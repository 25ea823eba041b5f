//! `sync::CancellationToken`: `cancelled()` waiters woken by `cancel`, the child tree (parents
//! cancel descendants, never the reverse, children of cancelled tokens are born cancelled,
//! dropped children are unlinked), drop guards, `run_until_cancelled`, and a shutdown loop
//! without `select!`.

use std::future::{pending, poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use runtime::sync::{CancellationToken, Notify};
use runtime::task::yield_now;

fn ready<F: Future>(future: Pin<&mut F>) -> bool {
    future
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_ready()
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// Spawns a task waiting on `token.cancelled()` and returns once it is queued.
async fn spawn_waiter(token: &CancellationToken) -> runtime::task::JoinHandle<()> {
    let queued = Arc::new(AtomicBool::new(false));
    let task = {
        let (token, queued) = (token.clone(), queued.clone());
        runtime::spawn(async move {
            let mut cancelled = pin!(token.cancelled());
            let mut first = true;
            poll_fn(|cx| {
                let poll = cancelled.as_mut().poll(cx);
                if first {
                    queued.store(true, SeqCst);
                    first = false;
                }
                poll
            })
            .await;
        })
    };
    while !queued.load(SeqCst) {
        yield_now().await;
    }
    task
}

#[runtime::test]
async fn cancel_wakes_every_cancelled_waiter() {
    let token = CancellationToken::new();
    let mut tasks = Vec::new();
    for _ in 0..5 {
        tasks.push(spawn_waiter(&token).await);
    }
    let owned = runtime::spawn(token.clone().cancelled_owned());
    assert!(tasks.iter().all(|task| !task.is_finished()));
    assert!(!token.is_cancelled());
    token.cancel();
    assert!(token.is_cancelled());
    for task in tasks {
        task.await.unwrap();
    }
    owned.await.unwrap();
    // Ready at the first poll from now on.
    assert!(ready(pin!(token.cancelled())));
}

#[runtime::test]
async fn clones_share_the_token() {
    let token = CancellationToken::default();
    let clone = token.clone();
    let waiter = spawn_waiter(&token).await;
    clone.cancel();
    assert!(token.is_cancelled());
    waiter.await.unwrap();
    assert_eq!(
        format!("{token:?}"),
        "CancellationToken { is_cancelled: true }"
    );
}

#[runtime::test]
async fn cancelling_a_parent_cancels_children_and_grandchildren() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let sibling = root.child_token();
    let grandchild = child.child_token();
    let great_grandchild = grandchild.child_token();
    let waiters = [
        spawn_waiter(&child).await,
        spawn_waiter(&grandchild).await,
        spawn_waiter(&great_grandchild).await,
    ];
    root.cancel();
    for token in [&root, &child, &sibling, &grandchild, &great_grandchild] {
        assert!(token.is_cancelled());
    }
    for waiter in waiters {
        waiter.await.unwrap();
    }
}

#[runtime::test]
async fn cancelling_a_child_leaves_the_parent_and_siblings_alone() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let sibling = root.child_token();
    let grandchild = child.child_token();
    let root_waiter = spawn_waiter(&root).await;
    child.cancel();
    assert!(child.is_cancelled());
    assert!(grandchild.is_cancelled());
    assert!(!root.is_cancelled());
    assert!(!sibling.is_cancelled());
    assert!(!root_waiter.is_finished());
    root.cancel();
    root_waiter.await.unwrap();
    assert!(sibling.is_cancelled());
}

#[runtime::test]
async fn a_child_of_a_cancelled_token_is_born_cancelled() {
    let root = CancellationToken::new();
    let child = root.child_token();
    root.cancel();
    let late_child = root.child_token();
    let late_grandchild = child.child_token();
    assert!(late_child.is_cancelled());
    assert!(late_grandchild.is_cancelled());
    late_child.cancelled().await;
    late_grandchild.child_token().cancelled().await;
}

#[runtime::test]
async fn dropping_children_unlinks_them() {
    let root = CancellationToken::new();
    for _ in 0..1_000 {
        let child = root.child_token();
        let grandchild = child.child_token();
        drop(child);
        // The grandchild moved up to the root when its parent went away.
        assert_eq!(root.linked_children(), 1);
        drop(grandchild);
    }
    assert_eq!(root.linked_children(), 0);
    // A child dropped with a waiter's future still around keeps nothing either.
    let child = root.child_token();
    let owned = child.clone().cancelled_owned();
    drop(child);
    assert_eq!(root.linked_children(), 1);
    drop(owned);
    assert_eq!(root.linked_children(), 0);
}

#[runtime::test]
async fn a_grandchild_survives_its_parent_being_dropped() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    drop(child);
    let waiter = spawn_waiter(&grandchild).await;
    root.cancel();
    assert!(grandchild.is_cancelled());
    waiter.await.unwrap();
}

#[runtime::test]
async fn drop_guard_cancels_unless_disarmed() {
    let token = CancellationToken::new();
    let guard = token.clone().drop_guard();
    let back = guard.disarm();
    drop(back);
    assert!(!token.is_cancelled());
    {
        let guard = token.drop_guard_ref();
        assert!(format!("{guard:?}").starts_with("DropGuardRef"));
    }
    assert!(token.is_cancelled());

    let other = CancellationToken::new();
    let waiter = spawn_waiter(&other).await;
    let guard = other.clone().drop_guard();
    drop(guard);
    waiter.await.unwrap();
}

#[runtime::test]
async fn run_until_cancelled_returns_the_output_or_none() {
    let token = CancellationToken::new();
    assert_eq!(token.run_until_cancelled(async { 5 }).await, Some(5));

    // Cancelled while the future runs: `None`, and the future is dropped.
    let dropped = Arc::new(AtomicBool::new(false));
    let task = {
        let (token, flag) = (token.clone(), DropFlag(dropped.clone()));
        runtime::spawn(async move {
            token
                .run_until_cancelled(async move {
                    let _flag = flag;
                    pending::<u32>().await
                })
                .await
        })
    };
    yield_now().await;
    token.cancel();
    assert_eq!(task.await.unwrap(), None);
    assert!(dropped.load(SeqCst));

    // Cancellation is checked first: a ready future loses to a cancelled token.
    assert_eq!(token.run_until_cancelled(async { 5 }).await, None);
    assert_eq!(
        token.clone().run_until_cancelled_owned(async { 5 }).await,
        None
    );
}

/// A worker loops without `select!`: one `poll_fn` looks at the token first, then at its work
/// signal. It handles every job it was given, then stops when the token is cancelled.
#[runtime::test]
async fn a_shutdown_loop_stops_when_cancelled() {
    let token = CancellationToken::new();
    let jobs = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(Notify::new());
    let handled = Arc::new(Notify::new());
    let worker = {
        let (token, jobs, work, handled) = (
            token.child_token(),
            jobs.clone(),
            work.clone(),
            handled.clone(),
        );
        runtime::spawn(async move {
            let mut done = 0;
            loop {
                let mut cancelled = pin!(token.cancelled());
                let mut notified = pin!(work.notified());
                let stop = poll_fn(|cx| {
                    if cancelled.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(true);
                    }
                    notified.as_mut().poll(cx).map(|()| false)
                })
                .await;
                if stop {
                    return done;
                }
                while jobs.load(SeqCst) > done {
                    done += 1;
                    handled.notify_one();
                }
            }
        })
    };
    for n in 1..=10 {
        jobs.fetch_add(1, SeqCst);
        work.notify_one();
        handled.notified().await;
        assert!(!worker.is_finished(), "job {n}");
    }
    token.cancel();
    assert_eq!(worker.await.unwrap(), 10);
}

/// On two workers, tasks keep making and dropping children and grandchildren while the root is
/// cancelled: once the root reports cancelled every descendant does, every child alive at the
/// cancel gets cancelled, and every `cancelled()` waiter completes.
#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn stress_children_racing_cancel() {
    const ROUNDS: usize = 200;
    for _ in 0..ROUNDS {
        let root = CancellationToken::new();
        let started = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..4)
            .map(|task| {
                let (root, started) = (root.clone(), started.clone());
                runtime::spawn(async move {
                    let mut kept = Vec::new();
                    let mut counted = false;
                    loop {
                        let child = root.child_token();
                        let grandchild = child.child_token();
                        if task % 2 == 0 {
                            drop(child);
                        } else {
                            kept.push(child);
                        }
                        if !counted {
                            started.fetch_add(1, SeqCst);
                            counted = true;
                        }
                        if grandchild.is_cancelled() {
                            // Made after the root was cancelled, or cancelled by the walk
                            // (which marks the root itself last).
                            break;
                        }
                        yield_now().await;
                        if root.is_cancelled() {
                            assert!(grandchild.is_cancelled());
                            grandchild.cancelled().await;
                            break;
                        }
                    }
                    // The root is marked last: once it reports cancelled, so does every
                    // descendant (the walk may still be running when a grandchild sees it).
                    root.cancelled().await;
                    for child in kept {
                        assert!(child.is_cancelled());
                    }
                })
            })
            .collect();
        while started.load(SeqCst) < 4 {
            yield_now().await;
        }
        root.cancel();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(root.linked_children(), 0);
    }
}
