//! The cheatsheet's "Creating Tasks", "Gathering Multiple Coroutines", `asyncio.wait` and
//! "Error Handling" on the paused clock: what runs concurrently finishes together, results keep
//! their places, errors come back where they are awaited.

use std::time::Duration;

use runtime::future::{join_all, try_join_all, wait, ReturnWhen};
use runtime::task::{GroupError, JoinSet, TaskGroup};
use runtime::time::{sleep, Instant};

fn secs(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

async fn fetch_user(user_id: u32) -> String {
    sleep(secs(1)).await;
    format!("User {user_id}")
}

async fn might_fail(n: u32) -> Result<u32, String> {
    sleep(secs(u64::from(n))).await;
    if n == 2 {
        return Err(format!("Error with {n}"));
    }
    Ok(n * 2)
}

#[runtime::test(start_paused = true)]
async fn three_named_1s_tasks_finish_together_at_1s() {
    let start = Instant::now();
    let tasks: Vec<_> = (1..=3)
        .map(|id| {
            runtime::task::Builder::new()
                .name(&format!("fetch_task_{id}"))
                .spawn(async move {
                    let data = fetch_user(id).await;
                    (data, runtime::task::name().unwrap().to_string())
                })
        })
        .collect();
    assert_eq!(tasks[0].name(), Some("fetch_task_1"));
    assert!(tasks.iter().all(|task| !task.is_finished()));
    for (id, task) in (1..=3).zip(tasks) {
        let (data, name) = task.await.unwrap();
        assert_eq!(
            (data, name),
            (format!("User {id}"), format!("fetch_task_{id}"))
        );
        assert_eq!(start.elapsed(), secs(1));
    }
}

#[runtime::test(start_paused = true)]
async fn a_task_is_not_done_until_it_is() {
    let start = Instant::now();
    let mut task = runtime::spawn(async {
        sleep(secs(2)).await;
        "Done"
    });
    assert!(!task.is_finished());
    sleep(Duration::from_millis(500)).await;
    assert!(!task.is_finished());
    assert_eq!((&mut task).await.unwrap(), "Done");
    assert!(task.is_finished());
    assert_eq!(start.elapsed(), secs(2));
}

#[runtime::test(start_paused = true)]
async fn three_1s_fetches_gathered_take_1s_in_argument_order() {
    let start = Instant::now();
    let users = join_all([fetch_user(1), fetch_user(2), fetch_user(3)]).await;
    assert_eq!(users, ["User 1", "User 2", "User 3"]);
    assert_eq!(start.elapsed(), secs(1));

    let start = Instant::now();
    let (user, doubled) = runtime::join!(fetch_user(4), async {
        sleep(secs(1)).await;
        21 * 2
    });
    assert_eq!((user.as_str(), doubled), ("User 4", 42));
    assert_eq!(start.elapsed(), secs(1));
}

#[runtime::test(start_paused = true)]
async fn gather_with_an_error_returns_it_in_place() {
    // return_exceptions=True: every outcome, in its place, when the slowest is done.
    let start = Instant::now();
    let results = join_all([might_fail(1), might_fail(2), might_fail(3)]).await;
    assert_eq!(results, [Ok(2), Err("Error with 2".to_owned()), Ok(6)]);
    assert_eq!(start.elapsed(), secs(3));

    // The default: the error as soon as it happens; the rest are dropped.
    let start = Instant::now();
    let first_error = try_join_all([might_fail(1), might_fail(2), might_fail(3)]).await;
    assert_eq!(first_error, Err("Error with 2".to_owned()));
    assert_eq!(start.elapsed(), secs(2));
}

#[runtime::test(start_paused = true)]
async fn wait_first_completed_returns_one_done_and_leaves_the_rest_running() {
    let start = Instant::now();
    let tasks = [1, 2, 3].map(|n| runtime::spawn(might_fail(n)));
    let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted).await;
    assert_eq!(start.elapsed(), secs(1));
    assert_eq!(done.len(), 1);
    assert_eq!(*done[0].as_ref().unwrap(), Ok(2));
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|task| !task.is_finished()));

    // Still running: awaited, they finish at their own times.
    let (done, pending) = wait(pending, ReturnWhen::AllCompleted).await;
    assert_eq!(start.elapsed(), secs(3));
    let results: Vec<_> = done.into_iter().map(Result::unwrap).collect();
    assert_eq!(results, [Err("Error with 2".to_owned()), Ok(6)]);
    assert!(pending.is_empty());
}

#[runtime::test(start_paused = true)]
async fn each_task_error_comes_back_through_its_own_handle() {
    let start = Instant::now();
    let tasks: Vec<_> = (0..5)
        .map(|n| {
            runtime::spawn(async move {
                sleep(secs(1)).await;
                if n % 2 == 0 {
                    return Err(format!("Task {n} failed"));
                }
                Ok(n)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap().ok());
    }
    assert_eq!(results, [None, Some(1), None, Some(3), None]);
    assert_eq!(start.elapsed(), secs(1));

    // In completion order, with a JoinSet.
    let mut set = JoinSet::new();
    for n in [3, 1, 2] {
        set.spawn(might_fail(n));
    }
    let mut finished = Vec::new();
    while let Some(result) = set.join_next().await {
        finished.push((result.unwrap(), start.elapsed()));
    }
    let expected = [
        (Ok(2), secs(2)),
        (Err("Error with 2".to_owned()), secs(3)),
        (Ok(6), secs(4)),
    ];
    assert_eq!(finished, expected);
}

#[runtime::test(start_paused = true)]
async fn a_finished_tasks_error_waits_in_its_handle() {
    let start = Instant::now();
    let task = runtime::spawn(might_fail(2));
    sleep(secs(3)).await;
    assert!(task.is_finished());
    assert_eq!(task.await.unwrap(), Err("Error with 2".to_owned()));
    assert_eq!(start.elapsed(), secs(3));

    // A panic is an error of the handle, not of the program.
    let error = runtime::spawn(async { panic!("Task failed") })
        .await
        .unwrap_err();
    assert!(error.is_panic());
}

#[runtime::test(start_paused = true)]
async fn a_task_group_aborts_the_siblings_of_the_first_child_to_fail() {
    let start = Instant::now();
    let group = TaskGroup::new();
    for n in 1..=3 {
        group.spawn(async move {
            sleep(secs(n)).await;
            if n == 2 {
                return Err(format!("child {n} failed"));
            }
            Ok(n)
        });
    }
    match group.join().await {
        Err(GroupError::Failed(error)) => assert_eq!(error, "child 2 failed"),
        other => panic!("expected the child's error, got {other:?}"),
    }
    // Child 3 (due at 3 s) was aborted when child 2 failed at 2 s.
    assert_eq!(start.elapsed(), secs(2));
}
