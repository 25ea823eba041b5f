//! The `echo_server` example's logic (`examples/echo_server/server.rs`, included as is): 50
//! concurrent clients get every byte of their varied payloads back (one of 1 MiB, written while
//! the echo is read), and the shutdown future stops the server, which then lets open
//! connections finish, or cuts them off once the grace period is over.

#[path = "../examples/echo_server/server.rs"]
mod server;

use std::net::SocketAddr;
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::oneshot;

const CLIENTS: usize = 50;

/// Client `client`'s payload length: sizes around the server's buffer size and a few odd
/// ones, with client 0 sending 1 MiB.
fn payload_len(client: usize) -> usize {
    const LENGTHS: [usize; 10] = [
        0,
        1,
        7,
        1000,
        server::BUF_SIZE - 1,
        server::BUF_SIZE,
        server::BUF_SIZE + 1,
        3 * server::BUF_SIZE + 17,
        100_000,
        250_001,
    ];
    if client == 0 {
        1 << 20
    } else {
        LENGTHS[client % LENGTHS.len()] + client
    }
}

/// Bytes that depend on the client and on the position, so a misplaced or foreign byte shows.
fn payload(client: usize) -> Vec<u8> {
    let mut state = (client as u32).wrapping_mul(2_654_435_761) | 1;
    (0..payload_len(client))
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

/// Sends `client`'s payload in pieces of varying sizes while reading the echo concurrently,
/// half-closes, and checks that exactly the payload comes back before end-of-file.
async fn client(client: usize, addr: SocketAddr) -> usize {
    let data = payload(client);
    let stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("client {client}: connect: {e}"));
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        let mut rest = &data[..];
        let mut piece = 1 + client * 97;
        while !rest.is_empty() {
            let n = piece.min(rest.len());
            writer.write_all(&rest[..n]).await?;
            rest = &rest[n..];
            piece = piece * 3 % 70_000 + 1;
        }
        writer.close().await
    };
    let read = async {
        let mut echoed = Vec::with_capacity(data.len());
        reader.read_to_end(&mut echoed).await.map(|_| echoed)
    };
    let (written, echoed) = runtime::join!(write, read);
    written.unwrap_or_else(|e| panic!("client {client}: write: {e}"));
    let echoed = echoed.unwrap_or_else(|e| panic!("client {client}: read: {e}"));
    assert_eq!(echoed.len(), data.len(), "client {client}: echo length");
    if let Some(at) = echoed.iter().zip(&data).position(|(a, b)| a != b) {
        panic!("client {client}: echo differs first at byte {at}");
    }
    data.len()
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_get_every_byte_back_then_shutdown_stops_the_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = runtime::spawn(server::serve(listener, stopped));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| runtime::spawn(client(id, addr)))
        .collect();
    let mut sent = 0;
    for (id, c) in clients.into_iter().enumerate() {
        sent += c.await.unwrap_or_else(|e| panic!("client {id}: {e}"));
    }
    assert_eq!(sent, (0..CLIENTS).map(payload_len).sum::<usize>());

    stop.send(()).unwrap();
    let summary = server
        .await
        .expect("serve returns after the shutdown signal");
    assert_eq!(
        summary,
        server::Summary {
            connections: CLIENTS as u64,
            bytes: sent as u64,
            failed: 0,
            cut_off: 0,
        }
    );
}

/// A shutdown future that, when the server polls it to completion, tells the test so.
fn observed_shutdown() -> (
    oneshot::Sender<()>,
    oneshot::Receiver<()>,
    impl std::future::Future<Output = ()>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let (seen_tx, seen) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
        let _ = seen_tx.send(());
    };
    (stop, seen, shutdown)
}

/// One round trip on `stream`: `msg` goes out and comes back.
async fn round_trip(stream: &mut TcpStream, msg: &[u8]) {
    stream.write_all(msg).await.unwrap();
    let mut back = vec![0u8; msg.len()];
    stream.read_exact(&mut back).await.unwrap();
    assert_eq!(back, msg);
}

// Current-thread: once the shutdown future has completed, the server task runs on to its
// drain before the test task is polled again, so the listener is closed by then.
#[runtime::test]
async fn after_shutdown_open_connections_finish_and_new_ones_are_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, seen, shutdown) = observed_shutdown();
    let server = runtime::spawn(server::serve_with_grace(
        listener,
        shutdown,
        Duration::from_secs(3600),
    ));

    let mut open = TcpStream::connect(addr).await.unwrap();
    round_trip(&mut open, b"before the shutdown").await;

    stop.send(()).unwrap();
    seen.await.unwrap();
    let refused = TcpStream::connect(addr).await;
    assert!(
        refused.is_err(),
        "a connection was accepted after the shutdown"
    );

    // The open connection is still served, and the server waits for it.
    round_trip(&mut open, b"after the shutdown").await;
    assert!(!server.is_finished());

    open.close().await.unwrap();
    let mut rest = Vec::new();
    open.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());

    let summary = server.await.unwrap();
    assert_eq!(
        summary,
        server::Summary {
            connections: 1,
            bytes: (b"before the shutdown".len() + b"after the shutdown".len()) as u64,
            failed: 0,
            cut_off: 0,
        }
    );
}

#[runtime::test]
async fn connections_still_open_after_the_grace_period_are_cut_off() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, seen, shutdown) = observed_shutdown();
    let server = runtime::spawn(server::serve_with_grace(listener, shutdown, Duration::ZERO));

    let mut idle = TcpStream::connect(addr).await.unwrap();
    round_trip(&mut idle, b"accepted").await;

    stop.send(()).unwrap();
    seen.await.unwrap();
    let summary = server.await.unwrap();
    assert_eq!(
        summary,
        server::Summary {
            connections: 1,
            bytes: 0,
            failed: 0,
            cut_off: 1,
        }
    );

    // The server closed the connection when it cut it off.
    let mut rest = Vec::new();
    let read = idle.read_to_end(&mut rest).await;
    assert!(rest.is_empty());
    if let Err(e) = read {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
}
