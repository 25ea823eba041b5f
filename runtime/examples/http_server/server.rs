//! The accept loop of `http_server`: one task per connection, HTTP/1 or HTTP/2 as the client
//! speaks (see `sniff.rs`), every request answered by `routes::handle`.
//!
//! Graceful shutdown: when the `shutdown` future completes, the listener is closed, every
//! connection is told to finish (hyper completes the requests in flight, then closes idle
//! keep-alive connections and sends HTTP/2 `GOAWAY`; a connection that has not sent a byte yet
//! is simply closed), and [`serve`] returns once the last connection task has ended.

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::time::Duration;

use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use runtime::compat::hyper::{HyperExecutor, HyperIo, HyperTimer};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::CancellationToken;
use runtime::task::JoinSet;

use crate::routes;
use crate::sniff::{sniff, Protocol};

/// How long an HTTP/1 connection may take to send a request's headers (and any connection, to
/// send its first bytes).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `listener` until `shutdown` completes, then drains the connections (see the module
/// docs). Returns the number of connections served.
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<u64> {
    let stop = CancellationToken::new();
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut served = 0;
    loop {
        runtime::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    served += 1;
                    connections.spawn(serve_connection(stream, stop.clone()));
                }
                // Out of descriptors, or a connection reset before we took it: the listener is
                // fine, so say so and go on after a breath.
                Err(err) => {
                    eprintln!("accept failed: {err}");
                    runtime::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
        // Reap the connections that ended, so the set holds only live ones.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    stop.cancel();
    while connections.join_next().await.is_some() {}
    Ok(served)
}

/// Serves one connection until it closes, or until `stop` and then its in-flight requests end.
async fn serve_connection(stream: TcpStream, stop: CancellationToken) {
    // Responses are written whole; don't let Nagle hold their last segment back.
    let _ = stream.set_nodelay(true);
    // Until its first bytes arrive, hyper is not in charge of the connection yet, so neither its
    // header-read timeout nor its graceful shutdown covers it: a client that connects and stays
    // silent gets the same timeout here, and a shutdown closes it (no request is in flight).
    let sniffed = runtime::select! {
        biased;
        sniffed = runtime::time::timeout(HEADER_READ_TIMEOUT, sniff(stream)) => sniffed,
        () = stop.cancelled() => return,
    };
    let (protocol, stream) = match sniffed {
        Ok(Ok(sniffed)) => sniffed,
        Ok(Err(_)) | Err(_) => return,
    };
    let io = HyperIo::new(stream);
    let service = service_fn(routes::handle);
    let result = match protocol {
        Protocol::Http1 => {
            let connection = http1::Builder::new()
                .timer(HyperTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(io, service);
            until_stopped(connection, &stop, |c| c.graceful_shutdown()).await
        }
        Protocol::Http2 => {
            let connection = http2::Builder::new(HyperExecutor::new())
                .timer(HyperTimer::new())
                .serve_connection(io, service);
            until_stopped(connection, &stop, |c| c.graceful_shutdown()).await
        }
    };
    if let Err(err) = result {
        // A client that hangs up mid-request is routine under load; anything else is worth a line.
        if !err.is_incomplete_message() && !err.is_closed() && !err.is_canceled() {
            eprintln!("connection error: {err}");
        }
    }
}

/// Drives `connection` to its end; if `stop` fires first, asks it to shut down gracefully and
/// drives it on until it has.
async fn until_stopped<C>(
    connection: C,
    stop: &CancellationToken,
    graceful_shutdown: impl FnOnce(Pin<&mut C>),
) -> Result<(), hyper::Error>
where
    C: Future<Output = Result<(), hyper::Error>>,
{
    let mut connection = pin!(connection);
    runtime::select! {
        result = connection.as_mut() => return result,
        () = stop.cancelled() => {}
    }
    graceful_shutdown(connection.as_mut());
    connection.await
}
