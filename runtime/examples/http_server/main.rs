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

use runtime::net::TcpListener;

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_string());
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("listening on {}", listener.local_addr()?);

    let shutdown = async {
        match runtime::signal::ctrl_c().await {
            Ok(()) => eprintln!("shutting down: finishing the requests in flight"),
            Err(err) => {
                eprintln!("cannot listen for Ctrl-C ({err}); serving until killed");
                std::future::pending::<()>().await;
            }
        }
    };
    let served = server::serve(listener, shutdown).await?;
    eprintln!("served {served} connections; bye");
    Ok(())
}
