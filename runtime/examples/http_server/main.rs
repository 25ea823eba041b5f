//! `http_server`: hyper 1.x on this runtime, serving HTTP/1.1 and HTTP/2 (cleartext) on one port.
//!
//! ```text
//! cargo run --release --example http_server -- 127.0.0.1:3000
//! curl http://127.0.0.1:3000/            # Hello, World!
//! curl http://127.0.0.1:3000/json        # {"message":"Hello, World!"}
//! curl --data hi http://127.0.0.1:3000/echo
//! curl --http2-prior-knowledge http://127.0.0.1:3000/
//! ```
//!
//! Ctrl-C stops accepting, lets the requests in flight finish, and exits when the last
//! connection has closed. `routes.rs` is the application (plain hyper, no runtime);
//! `server.rs` the accept loop and graceful shutdown; `sniff.rs` picks HTTP/1 or HTTP/2.

mod routes;
mod server;
mod sniff;

use std::process::ExitCode;

#[path = "../common/listen.rs"]
mod listen;

#[runtime::main]
async fn main() -> ExitCode {
    let listener = match listen::bind_from_args("http_server", "127.0.0.1:3000").await {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let shutdown = async {
        listen::ctrl_c("http_server").await;
        eprintln!("http_server: finishing the requests in flight");
    };
    match server::serve(listener, shutdown).await {
        Ok(served) => {
            eprintln!("http_server: served {served} connections");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("http_server: {e}");
            ExitCode::FAILURE
        }
    }
}
