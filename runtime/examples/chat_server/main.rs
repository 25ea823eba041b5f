//! A line-based TCP chat server: the first line a client sends is its name, every further
//! line goes to all the other clients as `<name>: <line>`, and joins and leaves are announced.
//!
//! ```text
//! cargo run --release --example chat_server -- 127.0.0.1:7001
//! nc 127.0.0.1 7001     # in two or more terminals: type a name, then chat
//! ```
//!
//! The first argument is the address to listen on (default `127.0.0.1:0`, any free port); the
//! server prints `listening on <addr>` with the address it got. Ctrl-C stops it gracefully:
//! clients read `* server shutting down`, then their connection closes. The protocol and the
//! limits (8 KiB lines, slow readers disconnected) are described in `server.rs`, which the test
//! `tests/example_chat_server.rs` includes.

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
            eprintln!("chat_server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("listening on {local}"),
        Err(e) => {
            eprintln!("chat_server: cannot read the bound address: {e}");
            return ExitCode::FAILURE;
        }
    }
    let _ = std::io::stdout().flush();

    let ctrl_c = async {
        if let Err(e) = runtime::signal::ctrl_c().await {
            // Without a way to hear Ctrl-C, run until killed rather than stop at once.
            eprintln!("chat_server: cannot listen for Ctrl-C ({e}); stop it with a kill");
            std::future::pending::<()>().await;
        }
        eprintln!("chat_server: shutting down");
    };
    let summary = server::serve(listener, ctrl_c).await;
    eprintln!(
        "chat_server: served {} connections ({} cut off at shutdown)",
        summary.connections, summary.cut_off
    );
    ExitCode::SUCCESS
}
