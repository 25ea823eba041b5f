//! What the server examples' `main`s share: bind the address given as the first argument (or a
//! default), print `listening on <addr>` with the address bound, and a shutdown future that
//! completes on Ctrl-C.
//!
//! A server example includes it with `#[path = "../common/listen.rs"] mod listen;`.

use std::io::Write;
use std::process::ExitCode;

use runtime::net::TcpListener;

/// Binds the first command-line argument (else `default`) and prints where it listens; on
/// failure, says why (prefixed with the example's `name`) and gives the exit code to return.
pub async fn bind_from_args(name: &str, default: &str) -> Result<TcpListener, ExitCode> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_string());
    let listener = TcpListener::bind(addr.as_str()).await.map_err(|e| {
        eprintln!("{name}: cannot listen on {addr}: {e}");
        ExitCode::FAILURE
    })?;
    let local = listener.local_addr().map_err(|e| {
        eprintln!("{name}: cannot read the bound address: {e}");
        ExitCode::FAILURE
    })?;
    println!("listening on {local}");
    let _ = std::io::stdout().flush();
    Ok(listener)
}

/// Completes on Ctrl-C. If Ctrl-C cannot be listened for, says so and never completes (the
/// server then runs until killed rather than stopping at once).
pub async fn ctrl_c(name: &str) {
    if let Err(e) = runtime::signal::ctrl_c().await {
        eprintln!("{name}: cannot listen for Ctrl-C ({e}); stop it with a kill");
        std::future::pending::<()>().await;
    }
    eprintln!("{name}: shutting down");
}
