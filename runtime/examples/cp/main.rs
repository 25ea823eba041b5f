//! `cp SRC DST` on `runtime::fs`, with a progress line.
//!
//! ```text
//! cargo run --release --example cp -- SRC DST
//! ```
//!
//! Copies the file `SRC` to `DST` (into it, if `DST` is a directory) in 256 KiB chunks, keeps
//! the permission bits, and syncs the copy to disk. While it runs, one line shows the bytes
//! copied out of the total, the percentage and the rate, rewritten in place with `\r` at most
//! ten times a second; a summary follows. Any error (no such `SRC`, `SRC` is a directory, the
//! directory of `DST` does not exist, ...) is printed as `cp: <what went wrong>` and the exit
//! status is 1. The copy itself is in `copy.rs`, which `tests/example_cp.rs` includes.

mod copy;

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cp SRC DST";

/// Shortest time between two progress lines.
const REDRAW: Duration = Duration::from_millis(100);

/// Bytes in a (decimal) megabyte, as in MB/s.
const MB: f64 = 1e6;

#[runtime::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src, dst) = match args.as_slice() {
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [src, dst] => (src, dst),
        _ => {
            eprintln!("cp: expected two paths\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };

    let start = Instant::now();
    let mut last_drawn: Option<Instant> = None;
    let mut drawn = false;
    let result = copy::copy(src, dst, |copied, total| {
        let now = Instant::now();
        let due = last_drawn.is_none_or(|at| now.duration_since(at) >= REDRAW);
        if due || copied == total {
            last_drawn = Some(now);
            drawn = true;
            draw(copied, total, now.duration_since(start));
        }
    })
    .await;
    if drawn {
        println!();
    }

    match result {
        Ok(bytes) => {
            let elapsed = start.elapsed();
            println!(
                "copied {bytes} bytes in {:.3} s ({:.1} MB/s)",
                elapsed.as_secs_f64(),
                rate(bytes, elapsed)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cp: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Rewrites the progress line: `  12.6 / 100.0 MB  12.6%  845.2 MB/s`.
fn draw(copied: u64, total: u64, elapsed: Duration) {
    let percent = if total == 0 {
        100.0
    } else {
        copied as f64 * 100.0 / total as f64
    };
    let mut out = std::io::stdout().lock();
    let _ = write!(
        out,
        "\r{:8.1} / {:.1} MB {:5.1}% {:8.1} MB/s",
        copied as f64 / MB,
        total as f64 / MB,
        percent,
        rate(copied, elapsed)
    );
    let _ = out.flush();
}

/// Megabytes per second for `bytes` in `elapsed`.
fn rate(bytes: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        bytes as f64 / MB / secs
    } else {
        0.0
    }
}
