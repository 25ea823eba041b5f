//! The tour: every section of the Python async/await cheatsheet, in its order, on `runtime`.
//!
//! Each section prints its heading, the asyncio construct and its `runtime` equivalent, then
//! runs on real timers and sockets, stamping each line with the time since the section
//! started; a summary of the wall-clock times ends the tour. Every section is also an example
//! of its own, for readers who want one thing: `cargo run --release --example gather`.
//!
//! Run it with `cargo run --release --example tour`.

// Each section, being an example of its own, loads the shared helpers (`common/`) itself, so
// the tour holds several copies of them: small, and one source file still.
#![allow(clippy::duplicate_mod)]

#[path = "common/mod.rs"]
mod common;

// The sections are the examples themselves; their own `main`s go unused here.
#[allow(dead_code)]
#[path = "basics.rs"]
mod basics;
#[allow(dead_code)]
#[path = "best_practices.rs"]
mod best_practices;
#[allow(dead_code)]
#[path = "comprehensions.rs"]
mod comprehensions;
#[allow(dead_code)]
#[path = "concurrent_requests.rs"]
mod concurrent_requests;
#[allow(dead_code)]
#[path = "context_managers.rs"]
mod context_managers;
#[allow(dead_code)]
#[path = "error_handling.rs"]
mod error_handling;
#[allow(dead_code)]
#[path = "gather.rs"]
mod gather;
#[allow(dead_code)]
#[path = "generators.rs"]
mod generators;
#[allow(dead_code)]
#[path = "producer_consumer.rs"]
mod producer_consumer;
#[allow(dead_code)]
#[path = "rate_limit.rs"]
mod rate_limit;
#[allow(dead_code)]
#[path = "retry.rs"]
mod retry;
#[allow(dead_code)]
#[path = "tasks.rs"]
mod tasks;
#[allow(dead_code)]
#[path = "timeouts.rs"]
mod timeouts;
#[allow(dead_code)]
#[path = "wait.rs"]
mod wait;

use std::future::Future;
use std::time::Duration;

use runtime::time::Instant;

const INTRO: &str = "\
runtime: a tour of the Python async/await cheatsheet

Each section names the asyncio construct and its runtime equivalent, then runs it on real
timers and sockets. The left column is the time since the section started: three concurrent
1 s operations finish at 1.00s, not 3.00s. Each section is an example of its own too:
cargo run --release --example <name>, with the names listed in the summary at the end.";

/// The sections run so far: heading, example name, wall-clock time.
#[derive(Default)]
struct Tour {
    done: Vec<(String, &'static str, Duration)>,
}

impl Tour {
    async fn section(
        &mut self,
        example: &'static str,
        title: &str,
        about: &str,
        run: impl Future<Output = ()>,
    ) {
        let heading = format!("{:>2}. {title}", self.done.len() + 1);
        let took = common::show(&heading, about, run).await;
        self.done.push((heading, example, took));
    }

    fn summary(&self, total: Duration) {
        let width = self
            .done
            .iter()
            .map(|(heading, ..)| heading.len())
            .max()
            .unwrap_or(0);
        println!();
        println!(
            "── Summary: section, example, wall-clock time {}",
            "─".repeat(34)
        );
        for (heading, example, took) in &self.done {
            println!(
                "  {heading:<width$}  {example:<20} {:>6.2} s",
                took.as_secs_f64()
            );
        }
        println!(
            "  {:<width$}  {:<20} {:>6.2} s",
            "    total",
            "",
            total.as_secs_f64()
        );
    }
}

/// Runs the section in module `$module` (the example of the same name).
macro_rules! section {
    ($tour:ident, $module:ident) => {
        $tour
            .section(
                stringify!($module),
                $module::TITLE,
                $module::ABOUT,
                $module::run(),
            )
            .await
    };
}

#[runtime::main]
async fn main() {
    println!("{INTRO}");
    let started = Instant::now();
    let mut tour = Tour::default();
    section!(tour, basics);
    section!(tour, tasks);
    section!(tour, gather);
    section!(tour, timeouts);
    section!(tour, wait);
    section!(tour, context_managers);
    section!(tour, generators);
    section!(tour, comprehensions);
    section!(tour, concurrent_requests);
    section!(tour, producer_consumer);
    section!(tour, retry);
    section!(tour, rate_limit);
    section!(tour, error_handling);
    section!(tour, best_practices);
    tour.summary(started.elapsed());
}
