//! `#[runtime::main]` and `#[runtime::test]`: each flavor and argument builds a runtime that
//! really runs the body, and the usual test attributes (`should_panic`, a `Result` return
//! type) keep working on an async test.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[runtime::test]
async fn default_flavor_runs_spawned_tasks_on_the_test_thread() {
    assert!(runtime::Handle::try_current().is_ok());
    assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);

    // The default flavor of a test is current-thread: tasks run on the thread that blocks.
    let here = thread::current().id();
    let there = runtime::spawn(async { thread::current().id() })
        .await
        .unwrap();
    assert_eq!(here, there);
}

#[runtime::test(flavor = "current_thread")]
async fn explicit_current_thread_flavor() {
    let handles: Vec<_> = (0..10)
        .map(|i| runtime::spawn(async move { i * i }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    assert_eq!(sum, 285);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_flavor_runs_tasks_on_two_workers() {
    assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);

    // Two tasks that each block their thread until the other has started can only both finish
    // if two worker threads run them at once.
    let (to_b, from_a) = mpsc::channel();
    let (to_a, from_b) = mpsc::channel();
    let a = runtime::spawn(async move {
        to_b.send(thread::current().id()).unwrap();
        from_b.recv_timeout(Duration::from_secs(10))
    });
    let b = runtime::spawn(async move {
        to_a.send(thread::current().id()).unwrap();
        from_a.recv_timeout(Duration::from_secs(10))
    });
    let b_thread = a.await.unwrap().expect("task a never heard from task b");
    let a_thread = b.await.unwrap().expect("task b never heard from task a");
    assert_ne!(a_thread, b_thread);
}

#[runtime::test(start_paused = true)]
async fn start_paused_builds_a_runtime_that_runs_tasks() {
    runtime::task::yield_now().await;
    assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
}

#[runtime::test(flavor = "current_thread", start_paused = false)]
async fn start_paused_false_is_accepted() {
    assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
}

#[runtime::test]
async fn returning_a_result_allows_the_question_mark() -> Result<(), Box<dyn std::error::Error>> {
    let n: i32 = "40".parse()?;
    let m = runtime::spawn(async move { n + 2 })
        .await
        .map_err(|error| error.to_string())?;
    assert_eq!(m, 42);
    Ok(())
}

#[runtime::test]
async fn an_early_return_ends_the_test() {
    let n = runtime::spawn(async { 3 }).await.unwrap();
    if n == 3 {
        return;
    }
    unreachable!("the body continued after `return`");
}

#[runtime::test]
#[should_panic(expected = "boom from the body")]
async fn should_panic_sees_a_panic_of_the_body() {
    runtime::task::yield_now().await;
    panic!("boom from the body");
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "boom on a multi-thread runtime")]
async fn should_panic_works_on_the_multi_thread_flavor() {
    assert_eq!(runtime::spawn(async { 1 }).await.unwrap(), 1);
    panic!("boom on a multi-thread runtime");
}

/// `#[runtime::main]` on a function other than `main`: the default (multi-thread) flavor,
/// a `Result` return type with `?`, and the visibility kept.
#[runtime::main]
pub(crate) async fn fallible_entry() -> Result<u32, std::num::ParseIntError> {
    let n: u32 = "6".parse()?;
    Ok(runtime::spawn(async move { n * 7 }).await.unwrap())
}

/// The same, where `?` returns the error early.
#[runtime::main]
async fn failing_entry() -> Result<u32, std::num::ParseIntError> {
    let n: u32 = "six".parse()?;
    unreachable!("parsed {n}");
}

#[runtime::main(flavor = "current_thread")]
async fn current_thread_entry() -> std::thread::ThreadId {
    runtime::spawn(async { thread::current().id() })
        .await
        .unwrap()
}

#[runtime::main(worker_threads = 3)]
async fn three_worker_entry() -> u32 {
    let handles: Vec<_> = (1..=4).map(|i| runtime::spawn(async move { i })).collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    sum
}

#[test]
fn main_blocks_on_the_body_and_returns_its_output() {
    assert_eq!(fallible_entry(), Ok(42));
    assert!(failing_entry().is_err());
    assert_eq!(three_worker_entry(), 10);
    assert_eq!(current_thread_entry(), thread::current().id());
    // The runtime is gone once the function returns.
    assert!(runtime::Handle::try_current().is_err());
}
