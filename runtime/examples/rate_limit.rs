//! Rate limiting: `runtime::sync::RateLimiter` is the cheatsheet's token bucket (full at the
//! start, refilled continuously, fair to waiting callers), on the runtime's clock.
//!
//! Run it with `cargo run --release --example rate_limit`.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{note, Clock};
use runtime::future::join_all;
use runtime::sync::RateLimiter;

pub const TITLE: &str = "Rate limiting";
pub const ABOUT: &str = "\
asyncio: a hand-written RateLimiter(rate, per_seconds) with acquire()
runtime: sync::RateLimiter::new(rate, per) / limiter.acquire().await / try_acquire()
5 calls a second, 10 calls gathered: a burst of 5 at once, then one every 0.2 s.";

async fn api_call(t: Clock, limiter: &RateLimiter, n: u32) -> u32 {
    limiter.acquire().await;
    println!("{t} API call {n}");
    n
}

pub async fn run() {
    let t = Clock::start();
    let limiter = RateLimiter::new(5, Duration::from_secs(1));

    let calls = join_all((0..10).map(|n| api_call(t, &limiter, n))).await;
    println!(
        "{t} {} calls done; try_acquire() now: {}",
        calls.len(),
        limiter.try_acquire()
    );
    note("Waiting callers are served in the order they asked; a dropped acquire gives way.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
