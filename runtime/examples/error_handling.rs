//! Error handling: errors are values. `try/except/finally` is a `match` on a `Result` (with
//! `?` to pass errors up and `From` to convert them), each task's error comes back through
//! its handle, and a finished task's result can be looked at later.
//!
//! Run it with `cargo run --release --example error_handling`.

#[path = "common/mod.rs"]
mod common;

use std::fmt;
use std::time::Duration;

use common::{note, Clock};
use runtime::task::JoinSet;
use runtime::time::error::Elapsed;
use runtime::time::{sleep, timeout};

pub const TITLE: &str = "Error handling";
pub const ABOUT: &str = "\
asyncio: try: await f() except ValueError / except TimeoutError / finally / task.result()
runtime: match f().await { Ok(..) / Err(..) } / ? and From / handle.await / task::JoinSet
An error is a value: it comes back where the future or task is awaited, never lost.";

/// The errors of this example: asyncio's `ValueError` and `TimeoutError`.
#[derive(Debug)]
enum AppError {
    Value(String),
    Timeout(Elapsed),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Value(message) => write!(f, "ValueError: {message}"),
            AppError::Timeout(elapsed) => write!(f, "timed out: {elapsed}"),
        }
    }
}

impl From<Elapsed> for AppError {
    fn from(elapsed: Elapsed) -> AppError {
        AppError::Timeout(elapsed)
    }
}

async fn might_fail() -> Result<u32, AppError> {
    sleep(Duration::from_millis(200)).await;
    Err(AppError::Value("Something went wrong".into()))
}

/// `?` passes an error up: the first for the timeout, the second for `might_fail`'s own.
async fn with_timeout() -> Result<u32, AppError> {
    let value = timeout(Duration::from_secs(1), might_fail()).await??;
    Ok(value)
}

async fn task_that_fails(n: u32) -> Result<u32, String> {
    sleep(Duration::from_millis(200)).await;
    if n % 2 == 0 {
        return Err(format!("Task {n} failed"));
    }
    Ok(n)
}

pub async fn run() {
    let t = Clock::start();

    match with_timeout().await {
        Ok(result) => println!("{t} result: {result}"),
        Err(AppError::Value(message)) => println!("{t} caught error: {message}"),
        Err(AppError::Timeout(_)) => println!("{t} operation timed out"),
    }
    println!("{t} cleanup (`finally`: code after the match, or a guard's Drop)");

    // Handling multiple task errors: each handle gives its task's own Result.
    let tasks: Vec<_> = (0..5).map(|n| runtime::spawn(task_that_fails(n))).collect();
    let mut results = Vec::new();
    for task in tasks {
        match task.await.expect("the task ran to the end") {
            Ok(result) => results.push(Some(result)),
            Err(error) => {
                println!("{t} error: {error}");
                results.push(None);
            }
        }
    }
    println!("{t} results: {results:?}");

    // Or take them as they finish, with a JoinSet (dropping it aborts what is left).
    let mut set = JoinSet::new();
    for n in 0..5 {
        set.spawn(task_that_fails(n));
    }
    let mut failures = 0;
    while let Some(joined) = set.join_next().await {
        failures += usize::from(joined.expect("the task ran to the end").is_err());
    }
    println!("{t} JoinSet: {failures} of 5 tasks failed");

    // Task exception retrieval: a task's outcome waits in its handle until someone looks.
    let task = runtime::spawn(async {
        sleep(Duration::from_millis(100)).await;
        Err::<(), _>(AppError::Value("Task failed".into()))
    });
    sleep(Duration::from_millis(200)).await;
    if task.is_finished() {
        if let Ok(Err(error)) = task.await {
            println!("{t} task raised: {error}");
        }
    }
    note("A panicking task does not take the program down: its handle gives Err(JoinError)");
    note("with is_panic(); TaskGroup turns a child's failure into an error of the group.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
