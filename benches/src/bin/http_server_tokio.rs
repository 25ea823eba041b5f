//! `http_server_tokio`: the Tokio twin of `runtime/examples/http_server`, raced against it by
//! `benches/load/http.sh`.
//!
//! Same application (`routes.rs` is included from the example, so the request handling is the
//! very same code), same shape: one task per connection, HTTP/1 or HTTP/2 by the client's
//! preface (hyper-util's `auto` builder), nodelay sockets, graceful shutdown on Ctrl-C. The
//! runtime is Tokio's multi-thread one with its default worker count (one per core), as ours.
//!
//! ```text
//! cargo run --release -p benches --bin http_server_tokio -- 127.0.0.1:3001
//! ```

#[path = "../../../runtime/examples/http_server/routes.rs"]
mod routes;

use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3001".to_string());
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("listening on {}", listener.local_addr()?);

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut served = 0u64;
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    served += 1;
                    let _ = stream.set_nodelay(true);
                    let connection = builder
                        .serve_connection(TokioIo::new(stream), service_fn(routes::handle))
                        .into_owned();
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(err) = connection.await {
                            let _ = err; // clients hanging up mid-request are routine under load
                        }
                    });
                }
                Err(err) => {
                    eprintln!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut ctrl_c => break,
        }
    }
    drop(listener);
    eprintln!("shutting down: finishing the requests in flight");
    graceful.shutdown().await;
    eprintln!("served {served} connections; bye");
    Ok(())
}
