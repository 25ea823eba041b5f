//! TCP behaviour: half-close, peer reset, refused connects, address in use, split halves,
//! readiness with `try_read`/`try_write`, socket options and addresses, std conversions, bad
//! addresses, `lookup_host`, readers dropped or aborted while waiting (no waker kept, the freed
//! registration reused cleanly), and the close-on-exec and non-blocking flags of every socket.

use std::future::{poll_fn, Future};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{lookup_host, TcpListener, TcpStream, UdpSocket};
use runtime::Handle;

mod common;
use common::Gate;

/// Runs the test body on a current-thread runtime, then on a 2-worker multi-thread runtime.
fn on_both<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    common::current_thread().block_on(body());
    common::multi_thread().block_on(body());
}

/// A listener on loopback with a connected (client, server) pair.
async fn pair() -> (TcpListener, TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, peer) = listener.accept().await.unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    (listener, client, server)
}

/// A waker that counts its wake-ups and forwards each to the task waiting in `woken`.
#[derive(Default)]
struct CountingWaker {
    wakes: AtomicUsize,
    forward: Mutex<Option<Waker>>,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, SeqCst);
        let forward = self.forward.lock().unwrap().take();
        if let Some(waker) = forward {
            waker.wake();
        }
    }
}

impl CountingWaker {
    fn wakes(&self) -> usize {
        self.wakes.load(SeqCst)
    }

    /// Ready once this waker has been woken at least once.
    async fn woken(&self) {
        poll_fn(|cx| {
            if self.wakes() > 0 {
                return Poll::Ready(());
            }
            *self.forward.lock().unwrap() = Some(cx.waker().clone());
            if self.wakes() > 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// Polls `fut` once with `waker`.
fn poll_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

/// Polls `fut` once with the current task's waker.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// Runs `inner`, opening `gate` the first time it returns `Pending`.
struct OpenOnPending<F> {
    inner: Pin<Box<F>>,
    gate: Option<Gate>,
}

impl<F: Future> Future for OpenOnPending<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let poll = self.inner.as_mut().poll(cx);
        if poll.is_pending() {
            if let Some(gate) = self.gate.take() {
                gate.open();
            }
        }
        poll
    }
}

fn assert_cloexec_nonblocking(fd: RawFd, what: &str) {
    // SAFETY: F_GETFD on a descriptor we own; no memory is passed.
    let fd_flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    assert!(fd_flags >= 0, "{what}: F_GETFD failed");
    assert_ne!(
        fd_flags & libc::FD_CLOEXEC,
        0,
        "{what} is not close-on-exec"
    );
    // SAFETY: F_GETFL on a descriptor we own; no memory is passed.
    let fl_flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    assert!(fl_flags >= 0, "{what}: F_GETFL failed");
    assert_ne!(fl_flags & libc::O_NONBLOCK, 0, "{what} is not non-blocking");
}

fn is_nonblocking(fd: RawFd) -> bool {
    // SAFETY: F_GETFL on a descriptor we own; no memory is passed.
    let fl_flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    assert!(fl_flags >= 0);
    fl_flags & libc::O_NONBLOCK != 0
}

/// An address nothing listens on (a port just freed).
fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[test]
fn half_close_then_reply() {
    on_both(|| async {
        for use_shutdown in [false, true] {
            let (_listener, mut client, mut server) = pair().await;
            let server = runtime::spawn(async move {
                let mut request = Vec::new();
                server.read_to_end(&mut request).await.unwrap();
                assert_eq!(request, b"request");
                // Our read side saw end-of-file; the write side still works.
                server.write_all(b"the reply").await.unwrap();
            });

            client.write_all(b"request").await.unwrap();
            if use_shutdown {
                client.shutdown(Shutdown::Write).unwrap();
            } else {
                client.close().await.unwrap();
            }
            // Writing after shutting down the write side fails.
            let error = client.write_all(b"more").await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::BrokenPipe, "{error:?}");

            let mut reply = Vec::new();
            client.read_to_end(&mut reply).await.unwrap();
            assert_eq!(reply, b"the reply");
            server.await.unwrap();
        }
    });
}

#[test]
fn peer_reset_fails_pending_read_then_writes() {
    on_both(|| async {
        let (_listener, mut client, server) = pair().await;

        // The client is already waiting in `read` when the reset arrives.
        let mut buf = [0u8; 16];
        let mut read = client.read(&mut buf);
        assert!(poll_once(&mut read).await.is_pending());

        server.set_linger(Some(Duration::ZERO)).unwrap();
        assert_eq!(server.linger().unwrap(), Some(Duration::ZERO));
        drop(server); // RST instead of FIN

        let error = read.await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error:?}");

        let mut write_error = None;
        for _ in 0..1000 {
            if let Err(e) = client.write_all(b"after the reset").await {
                write_error = Some(e);
                break;
            }
        }
        let error = write_error.expect("writes to a reset connection kept succeeding");
        assert!(
            matches!(
                error.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ),
            "{error:?}"
        );
    });
}

#[test]
fn connect_to_closed_port_is_refused() {
    on_both(|| async {
        let addr = closed_port();
        let before = Handle::current().num_io_sources();
        let error = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error:?}");
        // The failed attempt's socket was deregistered.
        assert_eq!(Handle::current().num_io_sources(), before);
    });
}

#[test]
fn bind_address_in_use() {
    on_both(|| async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = first.local_addr().unwrap();
        let error = TcpListener::bind(addr).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error:?}");
        // The first listener is unaffected.
        let _client = TcpStream::connect(addr).await.unwrap();
        first.accept().await.unwrap();
    });
}

/// Echoes one connection until end-of-file.
fn spawn_echo(server: TcpStream) -> runtime::task::JoinHandle<u64> {
    runtime::spawn(async move {
        let (mut reader, mut writer) = server.into_split();
        let n = runtime::io::copy(&mut reader, &mut writer).await.unwrap();
        writer.close().await.unwrap();
        n
    })
}

#[test]
fn split_borrowed_halves_read_and_write_at_once() {
    on_both(|| async {
        let (_listener, mut client, server) = pair().await;
        let echo = spawn_echo(server);
        let local = client.local_addr().unwrap();
        let peer = client.peer_addr().unwrap();

        // Far more than the socket buffers hold: writing alone would stall.
        let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        // Called by path: with `AsyncReadExt` in scope, `client.split()` resolves to the
        // extension trait's by-value `split`, not this borrowing one.
        let (mut reader, mut writer) = TcpStream::split(&mut client);
        assert_eq!(reader.local_addr().unwrap(), local);
        assert_eq!(writer.peer_addr().unwrap(), peer);
        let write = async {
            writer.write_all(&payload).await.unwrap();
            writer.close().await.unwrap();
        };
        let mut echoed = Vec::new();
        let read = reader.read_to_end(&mut echoed);
        let ((), n) = futures_util::future::join(write, read).await;
        assert_eq!(n.unwrap(), payload.len());
        assert!(echoed == payload, "echoed bytes differ");
        assert_eq!(echo.await.unwrap(), payload.len() as u64);
    });
}

#[test]
fn into_split_halves_in_tasks_then_reunite() {
    on_both(|| async {
        let (_listener, client, mut server) = pair().await;
        let (mut reader, mut writer) = client.into_split();

        let writer = runtime::spawn(async move {
            writer.write_all(b"ping").await.unwrap();
            writer
        })
        .await
        .unwrap();
        let mut ping = [0u8; 4];
        server.read_exact(&mut ping).await.unwrap();
        assert_eq!(&ping, b"ping");

        server.write_all(b"pong").await.unwrap();
        let reader = runtime::spawn(async move {
            let mut pong = [0u8; 4];
            reader.read_exact(&mut pong).await.unwrap();
            assert_eq!(&pong, b"pong");
            reader
        })
        .await
        .unwrap();

        // Halves of two different streams do not reunite, and come back intact.
        let (_l2, other, _other_server) = pair().await;
        let (other_reader, other_writer) = other.into_split();
        let runtime::net::tcp::ReuniteError(reader, other_writer) =
            reader.reunite(other_writer).unwrap_err();
        let runtime::net::tcp::ReuniteError(other_reader, writer) =
            other_reader.reunite(writer).unwrap_err();
        drop((other_reader, other_writer));

        let mut client = reader
            .reunite(writer)
            .expect("halves of one stream reunite");
        client.write_all(b"again").await.unwrap();
        let mut again = [0u8; 5];
        server.read_exact(&mut again).await.unwrap();
        assert_eq!(&again, b"again");

        // Dropping an owned write half shuts the write side down: the peer reads end-of-file,
        // and the read half still works.
        let (mut reader, writer) = client.into_split();
        drop(writer);
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        server.write_all(b"still readable").await.unwrap();
        drop(server);
        let mut last = Vec::new();
        reader.read_to_end(&mut last).await.unwrap();
        assert_eq!(last, b"still readable");
    });
}

/// `readable()` on a drained stream waits. The docs allow a false positive (an event the
/// driver read before the drain, delivered after it): then `try_read` must say `WouldBlock`,
/// which clears it, and a new wait must sleep. Only a few such leftovers can exist.
async fn assert_waits_for_data(stream: &TcpStream) {
    let mut buf = [0u8; 16];
    for _ in 0..10 {
        let mut readable = pin!(stream.readable());
        match poll_once(&mut readable).await {
            Poll::Pending => return,
            Poll::Ready(result) => {
                result.unwrap();
                let error = stream.try_read(&mut buf).unwrap_err();
                assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");
            }
        }
    }
    panic!("readable() keeps returning at once on a drained stream");
}

#[test]
fn readiness_with_try_read_and_try_write() {
    on_both(|| async {
        let (_listener, client, server) = pair().await;
        let mut buf = [0u8; 64];

        // Nothing sent yet.
        let error = server.try_read(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        // `readable` waits (nothing arrived), and is woken by the reactor when data comes.
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        let mut readable = pin!(server.readable());
        assert!(poll_with(&mut readable, &waker).is_pending());

        client.writable().await.unwrap();
        let n = loop {
            match client.try_write(b"hello") {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => client.writable().await.unwrap(),
                Err(e) => panic!("try_write: {e:?}"),
            }
        };
        assert_eq!(n, 5);

        counter.woken().await;
        assert!(matches!(
            poll_with(&mut readable, &waker),
            Poll::Ready(Ok(()))
        ));
        let n = loop {
            match server.try_read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => server.readable().await.unwrap(),
                Err(e) => panic!("try_read: {e:?}"),
            }
        };
        assert_eq!(&buf[..n], b"hello");

        // Drained: `WouldBlock` again, and `readable` waits again.
        let error = server.try_read(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");
        assert_waits_for_data(&server).await;

        // End-of-file makes the stream readable and `try_read` returns 0.
        drop(client);
        server.readable().await.unwrap();
        let n = loop {
            match server.try_read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => server.readable().await.unwrap(),
                Err(e) => panic!("try_read: {e:?}"),
            }
        };
        assert_eq!(n, 0);
    });
}

#[test]
fn options_and_addresses() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback());
        assert_ne!(addr.port(), 0);

        let client = TcpStream::connect(addr).await.unwrap();
        let (server, peer) = listener.accept().await.unwrap();
        assert_eq!(client.peer_addr().unwrap(), addr);
        assert_eq!(server.local_addr().unwrap(), addr);
        assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
        assert_eq!(peer, client.local_addr().unwrap());

        for stream in [&client, &server] {
            stream.set_nodelay(true).unwrap();
            assert!(stream.nodelay().unwrap());
            stream.set_nodelay(false).unwrap();
            assert!(!stream.nodelay().unwrap());
            stream.set_ttl(42).unwrap();
            assert_eq!(stream.ttl().unwrap(), 42);
        }
        assert!(client.take_error().unwrap().is_none());
    });
}

#[test]
fn std_conversions_round_trip() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let mut std_client = std::net::TcpStream::connect(addr).unwrap();
    let (std_server, _) = std_listener.accept().unwrap();
    assert!(!is_nonblocking(std_server.as_raw_fd()));

    let rt = common::current_thread();
    let (std_server, std_listener, mut std_client) = rt.block_on(async move {
        let handle = Handle::current();
        let before = handle.num_io_sources();

        // std -> runtime: made non-blocking and registered.
        let mut server = TcpStream::from_std(std_server).unwrap();
        assert!(is_nonblocking(server.as_raw_fd()));
        let listener = TcpListener::from_std(std_listener).unwrap();
        assert!(is_nonblocking(listener.as_raw_fd()));
        assert_eq!(handle.num_io_sources(), before + 2);

        std_client.write_all(b"from std").unwrap();
        let mut buf = [0u8; 8];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"from std");
        server.write_all(b"from async").await.unwrap();
        let mut buf = [0u8; 10];
        std_client.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"from async");

        // The listener still accepts after from_std, and into_std hands it back.
        let second = std::net::TcpStream::connect(addr).unwrap();
        let (accepted, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, second.local_addr().unwrap());
        drop((accepted, second));

        // runtime -> std: deregistered, still non-blocking as documented.
        let std_server = server.into_std().unwrap();
        let std_listener = listener.into_std().unwrap();
        assert_eq!(handle.num_io_sources(), before);
        assert!(is_nonblocking(std_server.as_raw_fd()));
        (std_server, std_listener, std_client)
    });
    drop(rt);

    // Blocking mode works after set_nonblocking(false), outside any runtime.
    std_server.set_nonblocking(false).unwrap();
    assert!(!is_nonblocking(std_server.as_raw_fd()));
    let mut std_server = std_server;
    std_client.write_all(b"blocking").unwrap();
    let mut buf = [0u8; 8];
    std_server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"blocking");
    std_server.write_all(b"back").unwrap();
    let mut buf = [0u8; 4];
    std_client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"back");
    std_client.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    std_server.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());

    std_listener.set_nonblocking(false).unwrap();
    let third = std::net::TcpStream::connect(addr).unwrap();
    let (_accepted, peer) = std_listener.accept().unwrap();
    assert_eq!(peer, third.local_addr().unwrap());
}

#[test]
fn bad_addresses_are_invalid_input() {
    on_both(|| async {
        let before = Handle::current().num_io_sources();
        for bad in ["not an address", "127.0.0.1", "127.0.0.1:99999", ""] {
            let error = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "connect {bad:?}");
            let error = TcpListener::bind(bad).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "bind {bad:?}");
            let error = UdpSocket::bind(bad).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "udp bind {bad:?}");
            let error = lookup_host(bad).await.err().unwrap();
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "lookup {bad:?}");
        }
        let none: &[SocketAddr] = &[];
        let error = TcpStream::connect(none).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert_eq!(Handle::current().num_io_sources(), before);
    });
}

#[test]
fn lookup_host_localhost_is_loopback() {
    on_both(|| async {
        let addrs: Vec<SocketAddr> = lookup_host("localhost:80").await.unwrap().collect();
        assert!(!addrs.is_empty(), "localhost resolved to nothing");
        for addr in &addrs {
            assert!(addr.ip().is_loopback(), "{addr} is not a loopback address");
            assert_eq!(addr.port(), 80);
        }
        let addrs: Vec<SocketAddr> = lookup_host(("localhost", 8080)).await.unwrap().collect();
        assert!(addrs
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));

        // A host name works for connect too.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        assert_eq!(client.peer_addr().unwrap().port(), port);
    });
}

#[test]
fn aborted_reader_releases_its_registration() {
    on_both(|| async {
        let handle = Handle::current();
        let (_listener, client, mut server) = pair().await;
        let with_pair = handle.num_io_sources();

        let waiting = Gate::default();
        let reader = runtime::spawn({
            let waiting = waiting.clone();
            async move {
                let mut client = client;
                let mut buf = [0u8; 8];
                OpenOnPending {
                    inner: Box::pin(client.read(&mut buf)),
                    gate: Some(waiting),
                }
                .await
                .map(|n| buf[..n].to_vec())
            }
        });
        waiting.wait().await; // the task is parked in `read`
        reader.abort();
        let error = reader.await.unwrap_err();
        assert!(error.is_cancelled(), "{error:?}");

        // The client stream went with the task: deregistered and closed.
        assert_eq!(handle.num_io_sources(), with_pair - 1);
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    });
}

#[test]
fn dropped_reader_keeps_no_waker_and_its_slot_is_reused_cleanly() {
    on_both(|| async {
        let handle = Handle::current();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = handle.num_io_sources();

        let old = Arc::new(CountingWaker::default());
        {
            let mut client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let waker = Waker::from(old.clone());
            let mut buf = [0u8; 8];
            let mut read = client.read(&mut buf);
            assert!(poll_with(&mut read, &waker).is_pending());
            drop(read);
            drop(waker);
            assert!(
                Arc::strong_count(&old) >= 2,
                "a pending read must leave its waker with the reactor"
            );
            drop(client);
            drop(server);
        }
        assert_eq!(handle.num_io_sources(), base);
        assert_eq!(
            Arc::strong_count(&old),
            1,
            "the waker of a dropped reader outlived its stream"
        );

        // A new connection takes the freed registration slots.
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        assert_eq!(handle.num_io_sources(), base + 2);
        let new = Arc::new(CountingWaker::default());
        let waker = Waker::from(new.clone());
        let mut buf = [0u8; 8];
        let mut read = client.read(&mut buf);
        assert!(poll_with(&mut read, &waker).is_pending());
        server.write_all(b"fresh").await.unwrap();
        new.woken().await;
        match poll_with(&mut read, &waker) {
            Poll::Ready(Ok(n)) => assert_eq!(&buf[..n], b"fresh"),
            other => panic!("the new reader was woken but its read gives {other:?}"),
        }
        assert_eq!(old.wakes(), 0, "the old reader was woken");
        assert_eq!(Arc::strong_count(&old), 1);
    });
}

#[test]
fn sockets_are_close_on_exec_and_non_blocking() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        assert_cloexec_nonblocking(listener.as_raw_fd(), "TCP listener");
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        assert_cloexec_nonblocking(client.as_raw_fd(), "connected TCP stream");
        let (server, _) = listener.accept().await.unwrap();
        assert_cloexec_nonblocking(server.as_raw_fd(), "accepted TCP stream");

        let v6 = TcpListener::bind("[::1]:0").await;
        if let Ok(v6) = v6 {
            assert_cloexec_nonblocking(v6.as_raw_fd(), "IPv6 TCP listener");
        }

        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_cloexec_nonblocking(udp.as_raw_fd(), "UDP socket");
    });
}

#[test]
fn several_tasks_wait_for_one_stream_to_become_readable() {
    on_both(|| async {
        let (_listener, mut client, server) = pair().await;
        let server = Arc::new(server);
        let mut waiters = Vec::new();
        for _ in 0..3 {
            let parked = Gate::default();
            let server = server.clone();
            waiters.push(runtime::spawn(OpenOnPending {
                inner: Box::pin(async move { server.readable().await }),
                gate: Some(parked.clone()),
            }));
            parked.wait().await;
        }
        // All three are parked in `readable()`; one arrival wakes them all.
        client.write_all(b"x").await.unwrap();
        for waiter in waiters {
            waiter.await.unwrap().unwrap();
        }
        let mut buf = [0u8; 4];
        assert_eq!(server.try_read(&mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'x');
    });
}

/// With `runtime::io::AsyncReadExt` in scope, `stream.split()` is the socket's own borrowing
/// split (as in Tokio), not a lock-based one from an extension trait.
#[runtime::test]
async fn split_with_the_read_ext_trait_in_scope_borrows_the_stream() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    let (mut reader, mut writer): (
        runtime::net::tcp::ReadHalf<'_>,
        runtime::net::tcp::WriteHalf<'_>,
    ) = client.split();
    writer.write_all(b"ping").await.unwrap();
    let mut got = [0u8; 4];
    server.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"ping");
    server.write_all(b"pong").await.unwrap();
    reader.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"pong");
    assert_eq!(reader.peer_addr().unwrap(), server.local_addr().unwrap());
}
