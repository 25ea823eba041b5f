//! `runtime::join!` and `runtime::try_join!`: tuples in argument order, concurrency on the
//! paused clock, futures of different types and `IntoFuture`s, the first error in completion
//! order with the others dropped at once, `?` on the result, poll order (`biased;` and the
//! rotation), and many futures.

use std::cell::RefCell;
use std::future::{ready, Future, IntoFuture};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use runtime::task::yield_now;
use runtime::time::{sleep, Instant};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

async fn after<T>(n: u64, value: T) -> T {
    sleep(secs(n)).await;
    value
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// A future that sleeps `n` seconds then returns `value`, and sets `dropped` when dropped
/// before finishing.
fn guarded<T>(n: u64, value: T, dropped: &Arc<AtomicBool>) -> impl Future<Output = T> {
    let guard = DropFlag(dropped.clone());
    async move {
        sleep(secs(n)).await;
        std::mem::forget(guard);
        value
    }
}

#[runtime::test(start_paused = true)]
async fn join_returns_a_tuple_in_argument_order_concurrently() {
    let start = Instant::now();
    let (a, b, c) = runtime::join!(after(3, "a"), after(1, 2u8), after(2, ['c']));
    assert_eq!((a, b, c), ("a", 2, ['c']));
    assert_eq!(start.elapsed(), secs(3));
}

#[runtime::test]
async fn join_of_one_and_of_none() {
    let (one,) = runtime::join!(async { 1 });
    assert_eq!(one, 1);
    let unit: () = runtime::join!();
    assert_eq!(unit, ());
    // A trailing comma is allowed.
    assert_eq!(runtime::join!(ready(1), ready(2),), (1, 2));
}

/// A type that is `IntoFuture` but not a future.
struct Later(u32);

impl IntoFuture for Later {
    type Output = u32;
    type IntoFuture = std::future::Ready<u32>;

    fn into_future(self) -> Self::IntoFuture {
        ready(self.0)
    }
}

#[runtime::test]
async fn join_takes_handles_and_into_futures() {
    let handle = runtime::spawn(async { "spawned" });
    let (spawned, later) = runtime::join!(handle, Later(5));
    assert_eq!(spawned.unwrap(), "spawned");
    assert_eq!(later, 5);
}

#[runtime::test]
async fn join_evaluates_each_future_once_in_order() {
    let log = RefCell::new(Vec::new());
    let make = |name: &'static str| {
        log.borrow_mut().push(name);
        ready(name)
    };
    let outputs = runtime::join!(make("a"), make("b"), make("c"));
    assert_eq!(outputs, ("a", "b", "c"));
    assert_eq!(*log.borrow(), ["a", "b", "c"]);
}

/// Records `name` in `log` each time it is polled; ready at its `ready_at`-th poll.
struct Recorder {
    name: usize,
    polls: usize,
    ready_at: usize,
    log: Rc<RefCell<Vec<usize>>>,
}

impl Future for Recorder {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.log.borrow_mut().push(self.name);
        self.polls += 1;
        if self.polls >= self.ready_at {
            Poll::Ready(self.name)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn recorder(name: usize, ready_at: usize, log: &Rc<RefCell<Vec<usize>>>) -> Recorder {
    Recorder {
        name,
        polls: 0,
        ready_at,
        log: log.clone(),
    }
}

#[runtime::test]
async fn biased_join_polls_in_argument_order_and_never_after_completion() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let outputs = runtime::join!(
        biased;
        recorder(0, 2, &log),
        recorder(1, 1, &log),
        recorder(2, 3, &log),
    );
    assert_eq!(outputs, (0, 1, 2));
    // Poll 1: 0 1 2 (1 completes); poll 2: 0 2 (0 completes); poll 3: 2.
    assert_eq!(*log.borrow(), [0, 1, 2, 0, 2, 2]);
}

#[runtime::test]
async fn unbiased_join_rotates_the_first_future_polled() {
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime::join!(
        recorder(0, 3, &log),
        recorder(1, 3, &log),
        recorder(2, 3, &log)
    );
    // Each poll starts one further on: 0 1 2, then 1 2 0, then 2 0 1.
    assert_eq!(*log.borrow(), [0, 1, 2, 1, 2, 0, 2, 0, 1]);
}

#[runtime::test(start_paused = true)]
async fn join_of_many_futures() {
    let start = Instant::now();
    let outputs = runtime::join!(
        after(1, 1),
        after(2, 2),
        after(3, 3),
        after(4, 4),
        after(5, 5),
        after(6, 6),
        after(7, 7),
        after(8, 8),
        after(9, 9),
        after(10, 10),
        after(11, 11),
        after(12, 12),
        after(13, 13),
        after(14, 14),
        after(15, 15),
        after(16, 16),
        after(17, 17),
        after(18, 18),
        after(19, 19),
        after(20, 20),
    );
    assert_eq!(outputs.0 + outputs.9 + outputs.19, 1 + 10 + 20);
    assert_eq!(start.elapsed(), secs(20));
}

#[runtime::test(start_paused = true)]
async fn try_join_returns_every_value_when_all_succeed() {
    let start = Instant::now();
    let result = runtime::try_join!(after(2, Ok::<_, String>("a")), after(1, Ok(1)), async {
        yield_now().await;
        Ok(())
    },);
    assert_eq!(result, Ok(("a", 1, ())));
    assert_eq!(start.elapsed(), secs(2));
    let empty: Result<(), String> = runtime::try_join!();
    assert_eq!(empty, Ok(()));
}

#[runtime::test(start_paused = true)]
async fn try_join_short_circuits_on_the_first_error_and_drops_the_others() {
    let slow_ok = Arc::new(AtomicBool::new(false));
    let slow_err = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let result: Result<(u8, u8, u8), &str> = runtime::try_join!(
        guarded(10, Ok(1), &slow_ok),
        guarded(5, Err("slow error"), &slow_err),
        after(2, Err("fast error")),
    );
    // The first error in completion order, at its time.
    assert_eq!(result, Err("fast error"));
    assert_eq!(start.elapsed(), secs(2));
    assert!(
        slow_ok.load(SeqCst),
        "the unfinished Ok future was not dropped"
    );
    assert!(
        slow_err.load(SeqCst),
        "the unfinished Err future was not dropped"
    );
}

#[runtime::test(start_paused = true)]
async fn try_join_result_works_with_the_question_mark() {
    async fn both() -> Result<u32, std::io::Error> {
        let (a, b) = runtime::try_join!(after(1, Ok::<u32, std::io::Error>(1)), after(2, Ok(2)))?;
        Ok(a + b)
    }
    async fn failing() -> Result<u32, std::io::Error> {
        let (a, b) = runtime::try_join!(
            after(1, Ok::<u32, std::io::Error>(1)),
            after(2, Err::<u32, _>(std::io::ErrorKind::TimedOut.into())),
        )?;
        Ok(a + b)
    }
    assert_eq!(both().await.unwrap(), 3);
    assert_eq!(
        failing().await.unwrap_err().kind(),
        std::io::ErrorKind::TimedOut
    );
}

#[runtime::test]
async fn biased_try_join_polls_in_argument_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let ok = |future: Recorder| async move { Ok::<_, ()>(future.await) };
    let outputs = runtime::try_join!(
        biased;
        ok(recorder(0, 2, &log)),
        ok(recorder(1, 2, &log)),
    );
    assert_eq!(outputs, Ok((0, 1)));
    assert_eq!(*log.borrow(), [0, 1, 0, 1]);
}

#[runtime::test]
async fn join_names_do_not_clash_with_the_callers() {
    // The expansion's locals are hygienic: these names in the caller's code are untouched.
    let __future_0 = 10;
    let __cx = 20;
    let __output = 30;
    let (a, b) = runtime::join!(async { __future_0 + 1 }, async { __cx + __output });
    assert_eq!((a, b), (11, 50));
}
