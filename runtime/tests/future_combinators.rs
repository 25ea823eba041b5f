//! `runtime::future`: `join_all` (argument order, errors kept in place), `try_join_all` (the
//! first error in completion order, the rest dropped then, also over large sets), `race`,
//! `select`, `wait` with each `ReturnWhen` (pending tasks left running), `as_completed`
//! (completion order), the combinators on futures of no runtime (driven by hand), and wake-ups
//! that poll only the woken futures.

use std::future::{poll_fn, ready, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use runtime::future::{
    as_completed, join_all, race, select, try_join_all, wait, Either, ReturnWhen,
};
use runtime::sync::oneshot;
use runtime::task::JoinHandle;
use runtime::time::{sleep, Instant};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Records whether its owner completed or was dropped before completing.
#[derive(Clone, Default)]
struct Probe {
    completed: Arc<AtomicBool>,
    dropped: Arc<AtomicBool>,
}

impl Probe {
    /// Sleeps `n` seconds, then returns `value`; marks `completed`, and `dropped` on drop.
    fn after<T>(&self, n: u64, value: T) -> impl Future<Output = T> {
        let guard = DropFlag(self.dropped.clone());
        let completed = self.completed.clone();
        async move {
            let _guard = guard;
            sleep(secs(n)).await;
            completed.store(true, SeqCst);
            value
        }
    }

    fn cancelled(&self) -> bool {
        self.dropped.load(SeqCst) && !self.completed.load(SeqCst)
    }

    fn completed(&self) -> bool {
        self.completed.load(SeqCst)
    }
}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

fn spawn_after<T: Send + 'static>(n: u64, value: T) -> JoinHandle<T> {
    runtime::spawn(async move {
        sleep(secs(n)).await;
        value
    })
}

// ---------------------------------------------------------------------------------------------
// join_all

#[runtime::test(start_paused = true)]
async fn join_all_keeps_argument_order_and_runs_concurrently() {
    let start = Instant::now();
    let handles = [3, 1, 2].map(|n| spawn_after(n, n));
    let outputs: Vec<u64> = join_all(handles)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(outputs, [3, 1, 2]);
    assert_eq!(start.elapsed(), secs(3));

    // Plain futures too, not only handles.
    let start = Instant::now();
    let probe = Probe::default();
    let outputs = join_all([3, 1, 2].map(|n| probe.after(n, n * 10))).await;
    assert_eq!(outputs, [30, 10, 20]);
    assert_eq!(start.elapsed(), secs(3));

    assert!(join_all(Vec::<JoinHandle<()>>::new()).await.is_empty());
}

#[runtime::test(start_paused = true)]
async fn join_all_keeps_errors_in_place() {
    // gather(..., return_exceptions=True) over futures of Results.
    let start = Instant::now();
    let probe = Probe::default();
    let outputs = join_all([
        probe.after(3, Ok(1)),
        probe.after(1, Err("second failed")),
        probe.after(2, Ok(3)),
    ])
    .await;
    assert_eq!(outputs, [Ok(1), Err("second failed"), Ok(3)]);
    // Nothing short-circuits: the slowest one still ran to the end.
    assert_eq!(start.elapsed(), secs(3));

    // Over handles: a panicked and an aborted task give their JoinError in place.
    let ok = spawn_after(2, "ok");
    let panicked = runtime::spawn(async {
        sleep(secs(1)).await;
        panic!("boom");
    });
    let aborted = runtime::spawn(std::future::pending::<&str>());
    aborted.abort();
    let outputs = join_all([ok, panicked, aborted]).await;
    assert_eq!(outputs[0].as_ref().unwrap(), &"ok");
    assert!(outputs[1].as_ref().unwrap_err().is_panic());
    assert!(outputs[2].as_ref().unwrap_err().is_cancelled());
}

// ---------------------------------------------------------------------------------------------
// try_join_all

#[runtime::test(start_paused = true)]
async fn try_join_all_returns_the_values_in_argument_order() {
    let probe = Probe::default();
    let start = Instant::now();
    let values = try_join_all([3, 1, 2].map(|n| probe.after(n, Ok::<_, String>(n)))).await;
    assert_eq!(values, Ok(vec![3, 1, 2]));
    assert_eq!(start.elapsed(), secs(3));
    assert_eq!(
        try_join_all(Vec::<std::future::Ready<Result<(), ()>>>::new()).await,
        Ok(vec![])
    );
}

#[runtime::test(start_paused = true)]
async fn try_join_all_returns_the_first_error_in_completion_order_and_drops_the_rest() {
    let slow_error = Probe::default();
    let fast_error = Probe::default();
    let slow_ok = Probe::default();
    let fast_ok = Probe::default();
    let start = Instant::now();
    let result = try_join_all([
        slow_error.after(5, Err("slow error")),
        fast_error.after(2, Err("fast error")),
        slow_ok.after(10, Ok(1)),
        fast_ok.after(1, Ok(2)),
    ])
    .await;
    // The error of the second argument, which finished first, not the first argument's.
    assert_eq!(result, Err("fast error"));
    assert_eq!(start.elapsed(), secs(2));
    assert!(fast_ok.completed());
    assert!(
        slow_error.cancelled(),
        "the slow error's future was not dropped"
    );
    assert!(slow_ok.cancelled(), "the slow future was not dropped");
}

#[runtime::test(start_paused = true)]
async fn try_join_all_over_a_large_set_reports_errors_in_completion_order() {
    // Over many futures, the last argument fails first; the others would fail later.
    let probes: Vec<Probe> = (0..100).map(|_| Probe::default()).collect();
    let start = Instant::now();
    let futures = probes.iter().enumerate().map(|(index, probe)| {
        let n = if index == 99 { 1 } else { 2 + index as u64 };
        probe.after(n, Err::<(), _>(index))
    });
    assert_eq!(try_join_all(futures).await, Err(99));
    assert_eq!(start.elapsed(), secs(1));
    assert!(probes[..99].iter().all(Probe::cancelled));
}

#[runtime::test(start_paused = true)]
async fn try_join_all_drops_the_rest_before_it_returns() {
    // The others are dropped when the error arrives, not when the caller drops the future.
    let probe = Probe::default();
    let mut all = pin!(try_join_all([
        probe.after(10, Ok(())),
        Probe::default().after(1, Err("failed")),
    ]));
    assert_eq!(all.as_mut().await, Err("failed"));
    assert!(probe.cancelled());
}

// ---------------------------------------------------------------------------------------------
// race and select

#[runtime::test(start_paused = true)]
async fn race_returns_the_first_output_and_drops_the_others() {
    let probes: Vec<Probe> = (0..3).map(|_| Probe::default()).collect();
    let start = Instant::now();
    let winner = race(
        [(3, "a"), (1, "b"), (2, "c")]
            .iter()
            .zip(&probes)
            .map(|(&(n, name), probe)| probe.after(n, name)),
    )
    .await;
    assert_eq!(winner, "b");
    assert_eq!(start.elapsed(), secs(1));
    assert!(probes[1].completed());
    assert!(probes[0].cancelled());
    assert!(probes[2].cancelled());

    // A race of handles detaches the losers, which keep running.
    let counter = Arc::new(AtomicUsize::new(0));
    let handles = [2, 1].map(|n| {
        let counter = counter.clone();
        runtime::spawn(async move {
            sleep(secs(n)).await;
            counter.fetch_add(1, SeqCst);
            n
        })
    });
    assert_eq!(race(handles).await.unwrap(), 1);
    sleep(secs(5)).await;
    assert_eq!(counter.load(SeqCst), 2);
}

#[test]
#[should_panic(expected = "`race` needs at least one future")]
fn race_of_nothing_panics() {
    drop(race(Vec::<std::future::Ready<()>>::new()));
}

#[runtime::test(start_paused = true)]
async fn select_returns_the_first_and_drops_the_loser() {
    let slow = Probe::default();
    let start = Instant::now();
    match select(slow.after(5, "slow"), sleep(secs(1))).await {
        Either::Left(text) => panic!("{text} won"),
        Either::Right(()) => {}
    }
    assert_eq!(start.elapsed(), secs(1));
    assert!(slow.cancelled());

    let fast = Probe::default();
    let output = select(fast.after(1, 7), std::future::pending::<()>()).await;
    assert!(matches!(output, Either::Left(7)));

    // Both ready at once: the first argument wins.
    assert!(matches!(select(ready(1), ready(2)).await, Either::Left(1)));

    // Passing the loser by reference keeps it.
    let kept = Probe::default();
    let mut kept_future = pin!(kept.after(3, "kept"));
    let first = select(kept_future.as_mut(), sleep(secs(1))).await;
    assert!(matches!(first, Either::Right(())));
    assert!(!kept.dropped.load(SeqCst));
    assert_eq!(kept_future.await, "kept");
    assert_eq!(start.elapsed(), secs(5));
}

// ---------------------------------------------------------------------------------------------
// wait

#[runtime::test(start_paused = true)]
async fn wait_first_completed_returns_one_and_leaves_the_rest_running() {
    let finished = Arc::new(AtomicUsize::new(0));
    let handles = [3, 1, 2].map(|n| {
        let finished = finished.clone();
        runtime::spawn(async move {
            sleep(secs(n)).await;
            finished.fetch_add(1, SeqCst);
            n
        })
    });
    let start = Instant::now();
    let (done, pending) = wait(handles, ReturnWhen::FirstCompleted).await;
    assert_eq!(start.elapsed(), secs(1));
    assert_eq!(
        done.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|handle| !handle.is_finished()));

    // The pending tasks keep running without being awaited, and complete afterwards.
    sleep(secs(5)).await;
    assert_eq!(finished.load(SeqCst), 3);
    assert!(pending.iter().all(JoinHandle::is_finished));
    // In argument order.
    let outputs: Vec<u64> = join_all(pending)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(outputs, [3, 2]);
}

#[runtime::test(start_paused = true)]
async fn wait_first_completed_returns_every_task_done_by_then() {
    let handles = [2, 1, 1, 3].map(|n| spawn_after(n, n));
    let (done, pending) = wait(handles, ReturnWhen::FirstCompleted).await;
    assert_eq!(
        done.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [1, 1]
    );
    assert_eq!(pending.len(), 2);
}

#[runtime::test(start_paused = true)]
async fn wait_first_exception_returns_at_the_first_panic() {
    let a = spawn_after(1, "a");
    let b = runtime::spawn(async {
        sleep(secs(2)).await;
        panic!("b failed");
    });
    let c = spawn_after(5, "c");
    let start = Instant::now();
    let (done, pending) = wait([a, b, c], ReturnWhen::FirstException).await;
    assert_eq!(start.elapsed(), secs(2));
    assert_eq!(done.len(), 2);
    assert_eq!(done[0].as_ref().unwrap(), &"a");
    let error = done.into_iter().nth(1).unwrap().unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        *error.into_panic().downcast::<&str>().unwrap(),
        "b failed",
        "the panic payload"
    );
    // c is left running, and completes.
    assert_eq!(pending.len(), 1);
    let c = pending.into_iter().next().unwrap();
    assert_eq!(c.await.unwrap(), "c");
    assert_eq!(start.elapsed(), secs(5));
}

#[runtime::test(start_paused = true)]
async fn wait_first_exception_returns_at_a_cancelled_task_or_when_all_are_done() {
    let cancelled = runtime::spawn(async {
        sleep(secs(10)).await;
        0
    });
    let abort = cancelled.abort_handle();
    let canceller = runtime::spawn(async move {
        sleep(secs(1)).await;
        abort.abort();
    });
    let slow = spawn_after(5, 5);
    let start = Instant::now();
    let (done, pending) = wait([cancelled, slow], ReturnWhen::FirstException).await;
    assert_eq!(start.elapsed(), secs(1));
    assert!(done[0].as_ref().unwrap_err().is_cancelled());
    assert_eq!(pending.len(), 1);
    canceller.await.unwrap();

    // With no failure, FIRST_EXCEPTION waits for all.
    let start = Instant::now();
    let (done, pending) = wait(
        [2, 1].map(|n| spawn_after(n, n)),
        ReturnWhen::FirstException,
    )
    .await;
    assert_eq!(start.elapsed(), secs(2));
    assert_eq!(
        done.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(pending.is_empty());
}

#[runtime::test(start_paused = true)]
async fn wait_all_completed_waits_for_every_task() {
    let bad = runtime::spawn(async {
        sleep(secs(1)).await;
        panic!("bad");
    });
    let good = spawn_after(3, "good");
    let start = Instant::now();
    let (done, pending) = wait([good, bad], ReturnWhen::AllCompleted).await;
    assert_eq!(start.elapsed(), secs(3));
    assert!(pending.is_empty());
    // Completion order.
    assert!(done[0].as_ref().unwrap_err().is_panic());
    assert_eq!(done[1].as_ref().unwrap(), &"good");

    let (done, pending) = wait(Vec::<JoinHandle<()>>::new(), ReturnWhen::AllCompleted).await;
    assert!(done.is_empty() && pending.is_empty());
}

#[runtime::test(start_paused = true)]
async fn wait_over_borrowed_handles_keeps_them_with_the_caller() {
    let mut handles = [2, 1].map(|n| spawn_after(n, n));
    let (done, pending) = wait(handles.iter_mut(), ReturnWhen::FirstCompleted).await;
    assert_eq!(
        done.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(pending.len(), 1);
    drop(pending);
    let [slow, _] = handles;
    assert_eq!(slow.await.unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// as_completed

#[runtime::test(start_paused = true)]
async fn as_completed_yields_in_completion_order() {
    let start = Instant::now();
    let mut outputs = as_completed([3, 1, 2].map(|n| spawn_after(n, n)));
    assert_eq!(outputs.size_hint(), (3, Some(3)));
    let mut seen = Vec::new();
    while let Some(output) = outputs.next().await {
        seen.push((output.unwrap(), start.elapsed()));
    }
    assert_eq!(seen, [(1, secs(1)), (2, secs(2)), (3, secs(3))]);
    assert!(outputs.is_empty());
    assert!(outputs.next().await.is_none());
}

#[runtime::test(start_paused = true)]
async fn dropping_as_completed_drops_the_rest() {
    let probes: Vec<Probe> = (0..3).map(|_| Probe::default()).collect();
    let mut outputs = as_completed(probes.iter().zip([3, 1, 2]).map(|(p, n)| p.after(n, n)));
    assert_eq!(outputs.next().await, Some(1));
    drop(outputs);
    assert!(probes[0].cancelled() && probes[2].cancelled());
    assert!(probes[1].completed());
}

// ---------------------------------------------------------------------------------------------
// Any futures, any executor; polling only what was woken

/// Counts its wake-ups.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn the_combinators_work_without_a_runtime() {
    // Driven by hand with a waker of our own: no runtime, no timers.
    let counting = Arc::new(CountingWaker::default());
    let waker = Waker::from(counting.clone());
    let mut cx = Context::from_waker(&waker);

    let (senders, receivers): (Vec<_>, Vec<_>) = (0..3).map(|_| oneshot::channel::<u32>()).unzip();
    let mut all = pin!(join_all(receivers));
    assert!(all.as_mut().poll(&mut cx).is_pending());
    for (index, sender) in senders.into_iter().enumerate().rev() {
        sender.send(index as u32).unwrap();
    }
    assert!(
        counting.0.load(SeqCst) >= 1,
        "the sends woke the combinator"
    );
    let Poll::Ready(outputs) = all.as_mut().poll(&mut cx) else {
        panic!("join_all not ready after every send");
    };
    assert_eq!(
        outputs.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [0, 1, 2]
    );

    let (first, first_rx) = oneshot::channel::<&str>();
    let (_second, second_rx) = oneshot::channel::<&str>();
    let mut fastest = pin!(race([first_rx, second_rx]));
    assert!(fastest.as_mut().poll(&mut cx).is_pending());
    first.send("first").unwrap();
    assert!(matches!(
        fastest.as_mut().poll(&mut cx),
        Poll::Ready(Ok("first"))
    ));
}

#[runtime::test]
async fn a_wake_up_polls_only_the_woken_future() {
    // 200 futures completed one at a time: polling all of them on every wake-up would take
    // 200 * 200 / 2 polls.
    const COUNT: usize = 200;
    let polls = Arc::new(AtomicUsize::new(0));
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..COUNT).map(|_| oneshot::channel::<usize>()).unzip();
    let futures = receivers.into_iter().map(|mut receiver| {
        let polls = polls.clone();
        poll_fn(move |cx| {
            polls.fetch_add(1, SeqCst);
            Pin::new(&mut receiver).poll(cx)
        })
    });
    let feeder = runtime::spawn(async move {
        for (index, sender) in senders.into_iter().enumerate() {
            sender.send(index).unwrap();
            runtime::task::yield_now().await;
        }
    });
    let outputs = join_all(futures).await;
    feeder.await.unwrap();
    assert!(outputs.into_iter().map(Result::unwrap).eq(0..COUNT));
    let polls = polls.load(SeqCst);
    assert!(polls <= 3 * COUNT, "{polls} polls for {COUNT} futures");
}
