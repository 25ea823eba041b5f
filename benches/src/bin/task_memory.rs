//! Memory per parked task: resident bytes that one idle task costs on ours, Tokio and smol.
//!
//! Run with `cargo run -p benches --release --bin task_memory`. With no argument the binary
//! re-executes itself once per runtime (`task_memory ours`, `task_memory tokio`, `task_memory smol`),
//! so that memory one runtime freed cannot be reused by the next, and prints a markdown table.
//!
//! Each child builds its runtime with 2 workers, runs one task to warm it up, reads the resident
//! set from `/proc/self/statm` (resident pages times the page size), then spawns 200 000 tasks
//! from the main thread, keeping their join handles in a `Vec` (part of the cost). Each task awaits
//! a future that counts its first poll and then stays `Pending` forever without registering its
//! waker, so nothing but the task itself (and its handle) is measured. Once every task has been
//! polled once the resident set is read again, and (after - before) / tasks is the figure. The
//! tasks are then released: the handles are dropped and the runtime shut down.

use std::future::Future;
use std::pin::Pin;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use benches::ours::Ours;
use benches::smol_rt::Smol;
use benches::tokio_rt::Tokio;
use benches::{BenchRuntime, RUNTIME_IDS, WORKERS};

/// Parked tasks per runtime.
const TASKS: usize = 200_000;
/// Our target, in bytes per parked task.
const OURS_TARGET: f64 = 160.0;
/// How long a child waits for all tasks to be polled once.
const POLL_DEADLINE: Duration = Duration::from_secs(60);
/// The line prefix a child prints its result with.
const RESULT_TAG: &str = "task_memory-result";

/// Tasks that have been polled at least once.
static POLLED: AtomicUsize = AtomicUsize::new(0);

/// Counts its first poll, then is `Pending` forever; it never stores the waker.
struct Park {
    polled: bool,
}

impl Future for Park {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if !self.polled {
            self.polled = true;
            POLLED.fetch_add(1, Ordering::Release);
        }
        Poll::Pending
    }
}

/// The resident set size of this process, in bytes.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("cannot read /proc/self/statm");
    let resident_pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("unexpected /proc/self/statm format");
    resident_pages * page_size()
}

/// The system's page size in bytes.
fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant; it has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).expect("sysconf(_SC_PAGESIZE) failed")
}

/// Measures one runtime in this process and prints `RESULT_TAG id tasks before after`.
fn measure<R: BenchRuntime>(id: &str) -> Result<(), String> {
    let rt = R::new(WORKERS);
    // Warm up: the first spawn and join may set up lazily allocated state.
    rt.block_on(rt.spawn(async {}));

    let before = rss_bytes();
    let mut handles: Vec<R::Join<()>> = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        handles.push(rt.spawn(Park { polled: false }));
    }
    let start = Instant::now();
    while POLLED.load(Ordering::Acquire) < TASKS {
        if start.elapsed() > POLL_DEADLINE {
            return Err(format!(
                "{id}: only {} of {TASKS} tasks were polled within {POLL_DEADLINE:?}",
                POLLED.load(Ordering::Acquire)
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let after = rss_bytes();
    println!("{RESULT_TAG} {id} {TASKS} {before} {after}");

    // Release: dropping the handles detaches (ours, Tokio) or cancels (smol) the tasks, and
    // dropping the runtime drops whatever is left.
    drop(handles);
    drop(rt);
    Ok(())
}

/// One child's figures.
struct Row {
    id: String,
    tasks: u64,
    before: u64,
    after: u64,
}

impl Row {
    fn bytes_per_task(&self) -> f64 {
        (self.after as f64 - self.before as f64) / self.tasks as f64
    }
}

/// Parses a child's result line.
fn parse_row(stdout: &str) -> Option<Row> {
    let line = stdout.lines().find(|l| l.starts_with(RESULT_TAG))?;
    let mut fields = line.split_whitespace().skip(1);
    let id = fields.next()?.to_string();
    let tasks = fields.next()?.parse().ok()?;
    let before = fields.next()?.parse().ok()?;
    let after = fields.next()?.parse().ok()?;
    Some(Row {
        id,
        tasks,
        before,
        after,
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Runs one child per runtime and prints the table.
fn parent() -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("task_memory: cannot find my own executable: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut rows = Vec::new();
    let mut failed = false;
    for id in RUNTIME_IDS {
        let output = match Command::new(&exe).arg(id).output() {
            Ok(output) => output,
            Err(err) => {
                eprintln!("task_memory: cannot run the {id} child: {err}");
                failed = true;
                continue;
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        match parse_row(&stdout) {
            Some(row) if output.status.success() => rows.push(row),
            _ => {
                eprintln!(
                    "task_memory: the {id} child failed ({}):\n{}{}",
                    output.status,
                    stdout,
                    String::from_utf8_lossy(&output.stderr)
                );
                failed = true;
            }
        }
    }

    println!("Resident memory per parked task ({TASKS} tasks, {WORKERS} workers, one process per runtime)\n");
    println!("| runtime | RSS before | RSS after | bytes per parked task |");
    println!("|---|---:|---:|---:|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {:.1} |",
            row.id,
            mib(row.before),
            mib(row.after),
            row.bytes_per_task()
        );
    }
    if let Some(ours) = rows.iter().find(|r| r.id == benches::ours::ID) {
        let per_task = ours.bytes_per_task();
        let verdict = if per_task <= OURS_TARGET {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "\nours: {per_task:.1} bytes per parked task; target <= {OURS_TARGET} bytes: {verdict}"
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        None => return parent(),
        Some(id) if id == benches::ours::ID => measure::<Ours>(id),
        Some(id) if id == benches::tokio_rt::ID => measure::<Tokio>(id),
        Some(id) if id == benches::smol_rt::ID => measure::<Smol>(id),
        Some(other) => Err(format!(
            "unknown runtime {other:?}; expected one of {RUNTIME_IDS:?}, or no argument for all"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("task_memory: {err}");
            ExitCode::FAILURE
        }
    }
}
