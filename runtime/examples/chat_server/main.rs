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

use std::process::ExitCode;

#[path = "../common/listen.rs"]
mod listen;

#[runtime::main]
async fn main() -> ExitCode {
    let listener = match listen::bind_from_args("chat_server", "127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let ctrl_c = listen::ctrl_c("chat_server");
    let summary = server::serve(listener, ctrl_c).await;
    eprintln!(
        "chat_server: served {} connections ({} cut off at shutdown)",
        summary.connections, summary.cut_off
    );
    ExitCode::SUCCESS
}
