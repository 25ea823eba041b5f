//! The echo server's logic: accept TCP connections and send every byte back until the client
//! closes its side.
//!
//! Each connection is one task (no thread per connection), with one reusable buffer of
//! [`BUF_SIZE`] bytes and `TCP_NODELAY` set so small echoes leave at once. The tasks live in a
//! `JoinSet`, reaped as they finish so that the set stays as large as the number of open
//! connections.
//!
//! Graceful stop: when the `shutdown` future completes, [`serve`] drops the listener (no new
//! connections), then lets the open connections finish on their own for up to a grace period
//! ([`GRACE`] by default); whatever is still open after it is cut off (its task aborted, which
//! closes the socket). `serve` returns a [`Summary`] once every connection task is gone.

use std::future::Future;
use std::io;
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::task::JoinSet;

/// Size of each connection's buffer: one read of up to this many bytes, then one write of them.
pub const BUF_SIZE: usize = 16 * 1024;

/// How long open connections may run on after the shutdown signal before they are cut off.
pub const GRACE: Duration = Duration::from_secs(5);

/// How long to pause accepting after an accept error such as running out of file descriptors,
/// so that a failing `accept` does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What a server did, returned by [`serve`] when it has stopped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Connections accepted.
    pub connections: u64,
    /// Bytes echoed back by the connections that ended on their own (cut-off ones not counted).
    pub bytes: u64,
    /// Connections that ended with an I/O error (for example a reset by the peer).
    pub failed: u64,
    /// Connections still open when the grace period ran out, and cut off.
    pub cut_off: u64,
}

/// Serves `listener` until `shutdown` completes, then drains the open connections for up to
/// [`GRACE`]; see [`serve_with_grace`].
pub async fn serve(listener: TcpListener, shutdown: impl Future) -> Summary {
    serve_with_grace(listener, shutdown, GRACE).await
}

/// Serves `listener` until `shutdown` completes; then stops accepting, waits up to `grace` for
/// the open connections to end, aborts the rest and returns what happened.
///
/// Accept errors (a reset before `accept`, too many open files) are reported on stderr and
/// do not stop the server.
pub async fn serve_with_grace(
    listener: TcpListener,
    shutdown: impl Future,
    grace: Duration,
) -> Summary {
    let mut summary = Summary::default();
    let mut connections: JoinSet<io::Result<u64>> = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        runtime::select! {
            biased;
            _ = &mut shutdown => break,
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                record(&mut summary, done);
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    summary.connections += 1;
                    connections.spawn(echo(stream));
                }
                Err(e) => {
                    eprintln!("echo_server: accept failed: {e}");
                    runtime::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }

    // Stop accepting: connection attempts from now on are refused.
    drop(listener);
    let drain = async {
        while let Some(done) = connections.join_next().await {
            record(&mut summary, done);
        }
    };
    if runtime::time::timeout(grace, drain).await.is_err() {
        summary.cut_off = connections.len() as u64;
        connections.shutdown().await;
    }
    summary
}

/// Adds the outcome of one finished connection task to `summary`.
fn record(summary: &mut Summary, done: Result<io::Result<u64>, runtime::task::JoinError>) {
    match done {
        Ok(Ok(bytes)) => summary.bytes += bytes,
        Ok(Err(_)) => summary.failed += 1,
        // Connection tasks do not panic, and are aborted only after the drain loop.
        Err(e) => eprintln!("echo_server: connection task failed: {e}"),
    }
}

/// Echoes everything read from `stream` back to it until end-of-file; returns the byte count.
///
/// On end-of-file the write side is shut down too, so the client reads end-of-file after the
/// last echoed byte.
pub async fn echo(mut stream: TcpStream) -> io::Result<u64> {
    // Not fatal: the echo is still correct, only maybe delayed by Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; BUF_SIZE];
    let mut total = 0u64;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            stream.close().await?;
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}
