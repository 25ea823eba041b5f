//! A TCP echo server: every byte a client sends comes back to it, until the client closes.
//!
//! ```text
//! cargo run --release --example echo_server -- 127.0.0.1:7000
//! ```
//!
//! The first argument is the address to listen on (default `127.0.0.1:0`, any free port); the
//! server prints `listening on <addr>` with the address it got, then serves one task per
//! connection. Ctrl-C stops it gracefully: no new connections, the open ones get up to five
//! seconds to finish (then they are cut off), and a summary goes to stderr (stdout has only
//! the `listening on` line). The logic is in `server.rs`, which the test
//! `tests/example_echo_server.rs` includes.

mod server;

use std::process::ExitCode;

#[path = "../common/listen.rs"]
mod listen;

#[runtime::main]
async fn main() -> ExitCode {
    let listener = match listen::bind_from_args("echo_server", "127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let ctrl_c = async {
        listen::ctrl_c("echo_server").await;
        eprintln!("echo_server: open connections get {:?}", server::GRACE);
    };
    let summary = server::serve(listener, ctrl_c).await;
    eprintln!(
        "echo_server: served {} connections, echoed {} bytes ({} failed, {} cut off at shutdown)",
        summary.connections, summary.bytes, summary.failed, summary.cut_off
    );
    ExitCode::SUCCESS
}
