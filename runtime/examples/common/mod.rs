//! What the examples share: a clock that stamps each printed line with the time since its
//! section started, and `show`, which prints a section's heading and what it shows, runs it and
//! says how long it took (wall clock).
//!
//! An example includes this file with `#[path = "common/mod.rs"] mod common;`; the tour
//! includes the examples themselves, so each section is written once.
#![allow(dead_code)] // each example uses its own subset

use std::fmt;
use std::future::Future;
use std::time::Duration;

use runtime::time::Instant;

/// The left column of the examples' output, before the `│`.
const GUTTER: usize = 10;

/// The time since a section started, printed as the left column of its lines: `  1.00s │`.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = format!("{:.2}s", self.elapsed().as_secs_f64());
        write!(f, "{secs:>GUTTER$} │")
    }
}

/// Prints an explanation line without a time stamp, indented like the stamped lines.
pub fn note(text: &str) {
    println!("{:GUTTER$} │ {text}", "");
}

/// Prints `heading` and `about`, runs `section`, prints its wall-clock time and returns it.
pub async fn show(heading: &str, about: &str, section: impl Future<Output = ()>) -> Duration {
    println!();
    println!(
        "── {heading} {}",
        "─".repeat(76usize.saturating_sub(heading.chars().count()))
    );
    for line in about.lines() {
        println!("   {line}");
    }
    println!("{:GUTTER$} │", "");
    let started = Instant::now();
    section.await;
    let took = started.elapsed();
    println!("   took {:.2} s", took.as_secs_f64());
    took
}
