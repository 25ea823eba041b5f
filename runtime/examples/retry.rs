//! Retry with exponential backoff: `runtime::sync::retry` with a `Backoff` replaces the
//! cheatsheet's hand-written `retry_with_backoff` loop; `retry_if` stops early on errors that
//! retrying cannot fix.
//!
//! Run it with `cargo run --release --example retry`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::sync::{retry, retry_if, Backoff};

pub const TITLE: &str = "Retry with exponential backoff";
pub const ABOUT: &str = "\
asyncio: a hand-written retry_with_backoff(coro_func, max_retries=3, base_delay=1)
runtime: sync::retry(Backoff::exponential(base).max_retries(n).max_delay(d).jitter(b), op)
Base 0.2 s: attempt 1 at 0 s, 2 at 0.2 s (waited 0.2 s), 3 at 0.6 s (waited 0.4 s).";

/// The simulated API: fails on the first `failures` calls, then succeeds (deterministic here,
/// random in the cheatsheet).
async fn unstable_api_call(t: Clock, attempt: u32, failures: u32) -> Result<&'static str, String> {
    if attempt <= failures {
        println!("{t} attempt {attempt} failed: API Error");
        Err("API Error".to_owned())
    } else {
        println!("{t} attempt {attempt} succeeded");
        Ok("Success")
    }
}

pub async fn run() {
    let t = Clock::start();

    let mut attempts = 0;
    let backoff = Backoff::exponential(Duration::from_millis(200)).max_retries(3);
    let result = retry(backoff, || {
        attempts += 1;
        unstable_api_call(t, attempts, 2)
    })
    .await;
    println!("{t} result: {result:?}");

    // Out of retries: the last error comes back.
    let mut attempts = 0;
    let backoff = Backoff::exponential(Duration::from_millis(100)).max_retries(2);
    let result = retry(backoff, || {
        attempts += 1;
        unstable_api_call(t, attempts, u32::MAX)
    })
    .await;
    println!("{t} gave up after {attempts} attempts: {result:?}");

    // Only some errors are worth another try.
    let mut attempts = 0;
    let result: Result<(), &str> = retry_if(
        Backoff::exponential(Duration::from_millis(100)),
        || {
            attempts += 1;
            async { Err("404 Not Found") }
        },
        |error: &&str| !error.starts_with("404"),
    )
    .await;
    println!("{t} retry_if: {result:?} after {attempts} attempt, no waiting");
    note("The cheatsheet's max_retries=3 counts attempts; Backoff::max_retries counts the");
    note("retries after the first attempt, so max_retries(2) is the same 3 attempts.");
    note("Backoff::jitter(true) spreads retries of many clients; max_delay caps the wait.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
