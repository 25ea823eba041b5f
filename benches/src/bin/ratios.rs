//! Prints the ratio table of the last criterion run: workload | ours | tokio | smol | ours/tokio |
//! ours/smol | best peer | ours/best.
//!
//! Run `cargo bench -p benches` (or some of its benches: `--bench scheduler`, `--bench io`,
//! `--bench timers`) first, then `cargo run -p benches --release --bin ratios`. It reads the
//! median point estimate (in ns) of `<target>/criterion/<group>/<id>/new/estimates.json` for every
//! group that has at least one of the ids `ours`, `tokio`, `smol`, where `<target>` is
//! `$CARGO_TARGET_DIR` or else the workspace's `target/` (a path given as the first argument
//! overrides both). Known workloads come first, in bench order (scheduler, then I/O, then timers),
//! then any other groups by name. Medians are shown in ns/µs/ms/s, ratios to two decimals; a
//! ratio above 1.00 (ours slower) is marked in bold with a ✗. "Best peer" is the fastest id of the
//! group other than `ours`: `tokio` or `smol`, or one of the extra ids some groups have (the sync
//! benches also race each peer's primitives on the other peer's runtime, e.g. `smol+tokio-sync`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use benches::RUNTIME_IDS;

/// The known groups, in the order the table lists them: the scheduler groups, then the I/O
/// groups, then the timer groups, each in the order its bench runs them.
const KNOWN_GROUPS: [&str; 14] = [
    // benches/scheduler.rs
    "spawn_many_local",
    "spawn_many_remote",
    "yield_many",
    "ping_pong",
    "chained_spawn",
    // benches/io.rs
    "tcp_echo",
    "udp_round_trip",
    // benches/timers.rs
    "timers",
    "timer_churn",
    // benches/sync.rs
    "semaphore",
    "mutex",
    "mpsc",
    "queue",
    "oneshot",
];

/// The criterion output directory.
fn criterion_dir() -> PathBuf {
    if let Some(arg) = std::env::args_os().nth(1) {
        return PathBuf::from(arg);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        // This crate lives in `<workspace>/benches`.
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("benches/ has a parent directory")
            .join("target"),
    };
    target.join("criterion")
}

/// The median point estimate, in nanoseconds, of one benchmark, if it has been run.
fn median_ns(dir: &Path, group: &str, id: &str) -> Result<Option<f64>, String> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(format!("{}: {err}", path.display())),
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    json["median"]["point_estimate"]
        .as_f64()
        .map(Some)
        .ok_or_else(|| format!("{}: no median.point_estimate", path.display()))
}

/// The fastest id of `group` other than `ours`, with its median.
fn best_peer(dir: &Path, group: &str) -> Result<Option<(String, f64)>, String> {
    let entries = std::fs::read_dir(dir.join(group)).map_err(|err| format!("{group}: {err}"))?;
    let mut best: Option<(String, f64)> = None;
    for entry in entries {
        let id = entry
            .map_err(|err| format!("{group}: {err}"))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if id == benches::ours::ID || id == "report" {
            continue;
        }
        if let Some(ns) = median_ns(dir, group, &id)? {
            if best.as_ref().is_none_or(|(_, best_ns)| ns < *best_ns) {
                best = Some((id, ns));
            }
        }
    }
    Ok(best)
}

/// A duration in nanoseconds, in the largest unit that keeps it >= 1.
fn format_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// `ours / other` to two decimals, bold with a ✗ when above 1.00.
fn format_ratio(ours: Option<f64>, other: Option<f64>) -> String {
    match (ours, other) {
        (Some(ours), Some(other)) if other > 0.0 => {
            let ratio = ours / other;
            let text = format!("{ratio:.2}");
            if text.parse::<f64>().unwrap_or(ratio) > 1.0 {
                format!("**{text}** ✗")
            } else {
                text
            }
        }
        _ => "-".to_string(),
    }
}

/// The groups to show: the known groups first, then the others by name.
fn groups(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        format!(
            "{}: {err} (run `cargo bench -p benches --bench scheduler` first)",
            dir.display()
        )
    })?;
    let mut others = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| format!("{}: {err}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let has_runtime = RUNTIME_IDS
            .iter()
            .any(|id| entry.path().join(id).join("new").is_dir());
        if has_runtime && !KNOWN_GROUPS.contains(&name.as_str()) {
            others.push(name);
        }
    }
    others.sort();
    let mut groups: Vec<String> = KNOWN_GROUPS
        .iter()
        .filter(|g| dir.join(g).is_dir())
        .map(|g| g.to_string())
        .collect();
    groups.extend(others);
    Ok(groups)
}

fn run() -> Result<(), String> {
    let dir = criterion_dir();
    let groups = groups(&dir)?;
    if groups.is_empty() {
        return Err(format!(
            "no benchmark results under {} (run `cargo bench -p benches --bench scheduler` first)",
            dir.display()
        ));
    }
    println!("| workload | ours | tokio | smol | ours/tokio | ours/smol | best peer | ours/best |");
    println!("|---|---:|---:|---:|---:|---:|---|---:|");
    for group in &groups {
        let [ours, tokio, smol] = [
            median_ns(&dir, group, benches::ours::ID)?,
            median_ns(&dir, group, benches::tokio_rt::ID)?,
            median_ns(&dir, group, benches::smol_rt::ID)?,
        ];
        let cell = |ns: Option<f64>| ns.map_or_else(|| "-".to_string(), format_ns);
        let best = best_peer(&dir, group)?;
        let best_cell = best.as_ref().map_or_else(
            || "-".to_string(),
            |(id, ns)| format!("{id} {}", format_ns(*ns)),
        );
        println!(
            "| {group} | {} | {} | {} | {} | {} | {best_cell} | {} |",
            cell(ours),
            cell(tokio),
            cell(smol),
            format_ratio(ours, tokio),
            format_ratio(ours, smol),
            format_ratio(ours, best.map(|(_, ns)| ns))
        );
    }
    println!(
        "\nMedians of {}; ratio > 1.00 (ours slower) is marked **bold** ✗.",
        dir.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ratios: {err}");
            ExitCode::FAILURE
        }
    }
}
