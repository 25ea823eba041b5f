//! Behaviour tests of the sockets that need crate internals or exact error kinds.

use std::future::Future;
use std::io;

use crate::io::{AsyncReadExt, AsyncWriteExt};

use super::{
    lookup_host, TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream,
};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    runtime_core::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

fn multi_thread<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = runtime_core::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    rt.block_on(async move { runtime_core::spawn(future).await.expect("task") })
}

#[test]
fn tcp_echo_many_connections_multi_thread() {
    multi_thread(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = runtime_core::spawn(async move {
            for _ in 0..8 {
                let (stream, _) = listener.accept().await.unwrap();
                runtime_core::spawn(async move {
                    let (mut reader, mut writer) = stream.into_split();
                    futures_util::io::copy(&mut reader, &mut writer)
                        .await
                        .unwrap();
                });
            }
        });
        let clients: Vec<_> = (0..8u8)
            .map(|i| {
                runtime_core::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let payload = vec![i; 256 * 1024];
                    // Our `AsyncReadExt` has no `split`: this is the socket's borrowing one.
                    let (mut reader, mut writer) = stream.split();
                    let write = async {
                        writer.write_all(&payload).await.unwrap();
                        writer.close().await.unwrap();
                    };
                    let mut echoed = Vec::new();
                    let read = reader.read_to_end(&mut echoed);
                    let ((), n) = futures_util::future::join(write, read).await;
                    assert_eq!(n.unwrap(), payload.len());
                    assert_eq!(echoed, payload);
                })
            })
            .collect();
        for client in clients {
            client.await.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn connect_refused_is_reported() {
    block_on(async {
        let addr = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let error = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn connect_tries_every_address_and_reports_the_last_error() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let good = listener.local_addr().unwrap();
        let stream = TcpStream::connect(&[closed, good][..]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), good);
        let error = TcpStream::connect(&[good, closed][..]).await;
        assert!(error.is_ok());
        let error = TcpStream::connect(&[closed, closed][..]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn empty_and_malformed_addresses_are_invalid_input() {
    block_on(async {
        let empty: &[std::net::SocketAddr] = &[];
        let kinds = [
            TcpStream::connect(empty).await.unwrap_err().kind(),
            TcpListener::bind(empty).await.unwrap_err().kind(),
            UdpSocket::bind(empty).await.unwrap_err().kind(),
            TcpStream::connect("127.0.0.1").await.unwrap_err().kind(),
            TcpListener::bind("localhost:http")
                .await
                .unwrap_err()
                .kind(),
        ];
        assert!(
            kinds
                .iter()
                .all(|kind| *kind == io::ErrorKind::InvalidInput),
            "{kinds:?}"
        );
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let error = socket.send_to(b"x", empty).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    });
}

#[test]
fn host_names_resolve_on_the_blocking_pool() {
    block_on(async {
        let addrs: Vec<_> = lookup_host("localhost:80").await.unwrap().collect();
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|addr| addr.ip().is_loopback() && addr.port() == 80));
        let listener = TcpListener::bind(("localhost", 0)).await.unwrap();
        assert!(listener.local_addr().unwrap().ip().is_loopback());
    });
}

#[test]
fn sockets_need_a_runtime() {
    let error = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(UdpSocket::from_std)
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::Other);
    assert!(UnixStream::pair().is_err());
}

#[test]
fn unix_paths_too_long_are_invalid_input() {
    block_on(async {
        let long = "x".repeat(200);
        assert_eq!(
            UnixListener::bind(&long).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixStream::connect(&long).await.unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixDatagram::bind(&long).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let socket = UnixDatagram::unbound().unwrap();
        assert_eq!(
            socket.connect(&long).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            socket.send_to(b"x", &long).await.unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    });
}

#[test]
fn into_std_and_back() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let listener = TcpListener::from_std(listener.into_std().unwrap()).unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut client = TcpStream::from_std(client.into_std().unwrap()).unwrap();
        let mut server = server;
        client.write_all(b"again").await.unwrap();
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"again");
    });
}

#[test]
fn owned_write_half_drop_shuts_down_and_reunite_checks_origin() {
    block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (c, _d) = UnixStream::pair().unwrap();
        let (read_a, write_a) = a.into_split();
        let (read_c, write_c) = c.into_split();
        let error = read_a.reunite(write_c).unwrap_err();
        let (read_a, write_c) = (error.0, error.1);
        let _c = read_c.reunite(write_c).unwrap();
        drop(write_a);
        let mut rest = Vec::new();
        assert_eq!(b.read_to_end(&mut rest).await.unwrap(), 0);
        drop(read_a);
    });
}

#[test]
fn connected_udp_survives_an_icmp_refusal() {
    // In a task (not `block_on`'s own future), so a spinning receive stops at the end of the
    // cooperative budget and the test fails instead of hanging.
    block_on(async {
        runtime_core::spawn(async {
            let closed = {
                let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                socket.local_addr().unwrap()
            };
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            socket.connect(closed).await.unwrap();
            socket.send(b"anyone?").await.unwrap();
            let mut buf = [0u8; 16];
            let error = socket.recv(&mut buf).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
            // Nothing more will arrive: the next receive must wait (one readiness check), not
            // spin through the task's whole cooperative budget.
            let mut recv = std::pin::pin!(socket.recv(&mut buf));
            let outcome = std::future::poll_fn(|cx| {
                let pending = recv.as_mut().poll(cx).is_pending();
                std::task::Poll::Ready((pending, runtime_core::coop::has_budget_remaining()))
            })
            .await;
            assert_eq!(outcome, (true, true), "(recv pending, budget left)");
        })
        .await
        .unwrap();
    });
}

#[test]
fn two_tasks_accepting_on_one_listener_are_both_woken() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    block_on(async {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let polled = Arc::new(AtomicUsize::new(0));
        let acceptors: Vec<_> = (0..2)
            .map(|_| {
                let listener = Arc::clone(&listener);
                let polled = Arc::clone(&polled);
                runtime_core::spawn(async move {
                    let mut accept = std::pin::pin!(listener.accept());
                    std::future::poll_fn(|cx| {
                        polled.fetch_add(1, Ordering::SeqCst);
                        accept.as_mut().poll(cx)
                    })
                    .await
                    .map(drop)
                })
            })
            .collect();
        while polled.load(Ordering::SeqCst) < 2 {
            runtime_core::task::yield_now().await;
        }
        let _a = TcpStream::connect(addr).await.unwrap();
        let _b = TcpStream::connect(addr).await.unwrap();
        let both = futures_util::future::join_all(acceptors);
        let deadline = runtime_core::time::sleep(std::time::Duration::from_secs(2));
        futures_util::pin_mut!(both, deadline);
        match futures_util::future::select(both, deadline).await {
            futures_util::future::Either::Left((results, _)) => {
                assert!(results.into_iter().all(|r| r.unwrap().is_ok()));
            }
            futures_util::future::Either::Right(_) => panic!("an acceptor was never woken"),
        }
    });
}

#[test]
fn types_and_futures_are_send_sync_unpin() {
    fn socket<T: Send + Sync + Unpin + std::fmt::Debug>() {}
    fn send<T: Send>(_: &T) {}
    socket::<TcpListener>();
    socket::<TcpStream>();
    socket::<UdpSocket>();
    socket::<UnixListener>();
    socket::<UnixStream>();
    socket::<UnixDatagram>();
    socket::<super::tcp::OwnedReadHalf>();
    socket::<super::tcp::OwnedWriteHalf>();
    socket::<super::tcp::ReadHalf<'static>>();
    socket::<super::tcp::WriteHalf<'static>>();
    socket::<super::unix::OwnedReadHalf>();
    socket::<super::unix::OwnedWriteHalf>();

    send(&TcpStream::connect("localhost:1"));
    send(&TcpListener::bind(String::from("127.0.0.1:0")));
    send(&UdpSocket::bind(("localhost", 0)));
    send(&UnixStream::connect("/nonexistent"));
    send(&lookup_host("localhost:80"));
    let listener: Option<&TcpListener> = None;
    if let Some(listener) = listener {
        send(&listener.accept());
    }
}

/// Set in the child process that `accept_error_keeps_readiness` starts.
const EMFILE_CHILD: &str = "RUNTIME_IO_TEST_EMFILE_CHILD";

#[test]
fn accept_error_keeps_readiness() {
    // The child lowers its descriptor limit, which must not disturb the tests running in
    // parallel in this process.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "net::tests::accept_error_keeps_readiness_child"])
        .args(["--nocapture", "--test-threads=1"])
        .env(EMFILE_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Does its work only in the child process `accept_error_keeps_readiness` starts.
#[test]
fn accept_error_keeps_readiness_child() {
    if std::env::var_os(EMFILE_CHILD).is_none() {
        return;
    }
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        // Completes through the backlog: the connection waits there to be accepted.
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();

        let limit = libc::rlimit {
            rlim_cur: 256,
            rlim_max: 256,
        };
        // SAFETY: `setrlimit` reads the struct we pass; it only lowers this process's limit.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
        let mut files = Vec::new();
        let error = loop {
            match std::fs::File::open("/dev/null") {
                Ok(file) => files.push(file),
                Err(error) => break error,
            }
        };
        assert_eq!(error.raw_os_error(), Some(libc::EMFILE));

        let error = listener.accept().await.unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EMFILE));
        // Still out of descriptors: the retry fails at once again, without waiting.
        let error = listener.accept().await.unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EMFILE));

        // A descriptor frees up; no new connection (so no new edge) arrives, yet the pending
        // one is accepted at once because the error did not clear the readiness.
        files.truncate(files.len() - 4);
        let accept = listener.accept();
        let deadline = runtime_core::time::sleep(std::time::Duration::from_secs(5));
        futures_util::pin_mut!(accept, deadline);
        match futures_util::future::select(accept, deadline).await {
            futures_util::future::Either::Left((accepted, _)) => {
                accepted.unwrap();
            }
            futures_util::future::Either::Right(_) => panic!("accept waited for a new edge"),
        }
    });
}
