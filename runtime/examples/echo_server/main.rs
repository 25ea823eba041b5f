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

use std::io::Write;
use std::process::ExitCode;

use runtime::net::TcpListener;

#[runtime::main]
async fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = match TcpListener::bind(addr.as_str()).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("echo_server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("listening on {local}"),
        Err(e) => {
            eprintln!("echo_server: cannot read the bound address: {e}");
            return ExitCode::FAILURE;
        }
    }
    let _ = std::io::stdout().flush();

    let ctrl_c = async {
        if let Err(e) = runtime::signal::ctrl_c().await {
            // Without a way to hear Ctrl-C, run until killed rather than stop at once.
            eprintln!("echo_server: cannot listen for Ctrl-C ({e}); stop it with a kill");
            std::future::pending::<()>().await;
        }
        eprintln!(
            "echo_server: shutting down (open connections get {:?})",
            server::GRACE
        );
    };
    let summary = server::serve(listener, ctrl_c).await;
    eprintln!(
        "echo_server: served {} connections, echoed {} bytes ({} failed, {} cut off at shutdown)",
        summary.connections, summary.bytes, summary.failed, summary.cut_off
    );
    ExitCode::SUCCESS
}
