//! TCP under load: an echo server on a 2-worker runtime serves 1 000 clients that are all
//! connected at once, each doing 100 round trips of messages of 1..=200 bytes that encode the
//! client and the round; every byte is checked, the server's byte count must match, and the
//! reactor's registrations go back to the listener alone (then none) once everything is done.

use std::collections::HashSet;
use std::future::poll_fn;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::Handle;

mod common;

const CLIENTS: usize = 1_000;
const ROUNDS: usize = 100;
const MAX_LEN: usize = 200;

/// The message client `client` sends in round `round`: 1..=200 bytes, starting with the client
/// id (u32) and the round (u16) in little endian (cut short for short messages), then bytes
/// that depend on both and on their position.
fn message(client: usize, round: usize) -> Vec<u8> {
    let len = 1 + (client * 37 + round * 11) % MAX_LEN;
    let mut header = [0u8; 6];
    header[..4].copy_from_slice(&(client as u32).to_le_bytes());
    header[4..].copy_from_slice(&(round as u16).to_le_bytes());
    (0..len)
        .map(|i| match header.get(i) {
            Some(&b) => b,
            None => (client as u8).wrapping_mul(31) ^ (round as u8).wrapping_mul(7) ^ (i as u8),
        })
        .collect()
}

/// The soft `RLIMIT_NOFILE` must allow `needed` descriptors; raises it up to the hard limit
/// if it is lower, and fails with a clear message if the hard limit is too low.
fn ensure_open_file_limit(needed: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit: {}", std::io::Error::last_os_error());
    if limit.rlim_cur == libc::RLIM_INFINITY || limit.rlim_cur >= needed {
        return;
    }
    assert!(
        limit.rlim_max == libc::RLIM_INFINITY || limit.rlim_max >= needed,
        "this test keeps {CLIENTS} TCP connections open at once (both ends in this process) \
         and needs about {needed} file descriptors, but the hard RLIMIT_NOFILE is {}; \
         raise it (e.g. `ulimit -Hn {needed}` as root) and run again",
        limit.rlim_max
    );
    limit.rlim_cur = if limit.rlim_max == libc::RLIM_INFINITY {
        needed
    } else {
        limit.rlim_max
    };
    // SAFETY: `limit` is a valid rlimit whose soft value does not exceed the hard one.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(
        rc,
        0,
        "setrlimit(RLIMIT_NOFILE, {}): {}",
        limit.rlim_cur,
        std::io::Error::last_os_error()
    );
}

fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| dir.count() as u64)
        .unwrap_or(64)
}

/// A one-use async barrier for `n` parties.
struct Barrier {
    n: usize,
    state: Mutex<(usize, Vec<Waker>)>,
}

impl Barrier {
    fn new(n: usize) -> Self {
        Barrier {
            n,
            state: Mutex::new((0, Vec::new())),
        }
    }

    async fn wait(&self) {
        {
            let mut state = self.state.lock().unwrap();
            state.0 += 1;
            assert!(state.0 <= self.n, "more parties than the barrier is for");
            if state.0 == self.n {
                for waker in state.1.drain(..) {
                    waker.wake();
                }
                return;
            }
        }
        poll_fn(|cx| {
            let mut state = self.state.lock().unwrap();
            if state.0 == self.n {
                Poll::Ready(())
            } else {
                state.1.push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }
}

/// Echoes until end-of-file; returns the number of bytes echoed.
async fn echo(mut stream: TcpStream) -> usize {
    stream.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 4096];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await.expect("server read");
        if n == 0 {
            return total;
        }
        stream.write_all(&buf[..n]).await.expect("server write");
        total += n;
    }
}

async fn client(id: usize, addr: std::net::SocketAddr, barrier: Arc<Barrier>) -> usize {
    let mut stream = TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("client {id}: connect: {e}"));
    stream.set_nodelay(true).unwrap();
    // Every client holds its connection open before any starts talking: 1 000 at once.
    barrier.wait().await;
    let mut sent = 0;
    let mut got = [0u8; MAX_LEN];
    for round in 0..ROUNDS {
        let msg = message(id, round);
        stream
            .write_all(&msg)
            .await
            .unwrap_or_else(|e| panic!("client {id} round {round}: write: {e}"));
        let got = &mut got[..msg.len()];
        stream
            .read_exact(got)
            .await
            .unwrap_or_else(|e| panic!("client {id} round {round}: read: {e}"));
        assert_eq!(got, &msg[..], "client {id} round {round}: echo differs");
        sent += msg.len();
    }
    // Half-close: the server sees end-of-file, finishes, and closes; nothing extra arrives.
    stream.close().await.unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(
        rest.is_empty(),
        "client {id}: {} unexpected bytes after the last echo",
        rest.len()
    );
    sent
}

#[test]
fn tcp_echo_1000_clients_100_round_trips() {
    ensure_open_file_limit(2 * CLIENTS as u64 + open_fds() + 64);

    // Every length 1..=200 is used by some (client, round).
    let lengths: HashSet<usize> = (0..CLIENTS)
        .flat_map(|c| (0..ROUNDS).map(move |r| message(c, r).len()))
        .collect();
    assert_eq!(lengths, (1..=MAX_LEN).collect());

    let rt = common::multi_thread();
    rt.block_on(async {
        let handle = Handle::current();
        let before = handle.num_io_sources();

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(handle.num_io_sources(), before + 1);

        let server = runtime::spawn(async move {
            let mut connections = Vec::with_capacity(CLIENTS);
            for _ in 0..CLIENTS {
                let (stream, peer) = listener.accept().await.expect("accept");
                assert_eq!(stream.peer_addr().unwrap(), peer);
                connections.push(runtime::spawn(echo(stream)));
            }
            let mut echoed = 0;
            for connection in connections {
                echoed += connection.await.expect("echo task");
            }
            (listener, echoed)
        });

        let barrier = Arc::new(Barrier::new(CLIENTS));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| runtime::spawn(client(id, addr, barrier.clone())))
            .collect();
        let mut sent = 0;
        for (id, c) in clients.into_iter().enumerate() {
            sent += c
                .await
                .unwrap_or_else(|e| panic!("client {id} failed: {e}"));
        }
        let expected: usize = (0..CLIENTS)
            .flat_map(|c| (0..ROUNDS).map(move |r| message(c, r).len()))
            .sum();
        assert_eq!(sent, expected);

        let (listener, echoed) = server.await.expect("server task");
        assert_eq!(echoed, expected, "the server echoed a different byte count");

        // Every connection (both ends) is gone; only the listener is still registered.
        assert_eq!(handle.num_io_sources(), before + 1);
        drop(listener);
        assert_eq!(handle.num_io_sources(), before);
    });
}
