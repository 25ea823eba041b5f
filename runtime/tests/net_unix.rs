//! Unix-domain sockets: a listener echoing to many clients through a socket path in the temp
//! dir, address-in-use / not-found / refused errors, `UnixStream::pair` with split halves and
//! end-of-file, `UnixDatagram::pair` and datagram sockets bound to paths, too-long paths
//! (`InvalidInput`, as documented), and the close-on-exec and non-blocking flags.

use std::future::{poll_fn, Future};
use std::io::ErrorKind;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::Poll;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{UnixDatagram, UnixListener, UnixStream};
use runtime::Handle;

mod common;

fn on_both<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    common::current_thread().block_on(body());
    common::multi_thread().block_on(body());
}

/// A unique socket path in the temp dir, removed (if present) on creation and on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "runtime-net-unix-{}-{}-{tag}.sock",
            std::process::id(),
            NEXT.fetch_add(1, SeqCst)
        ));
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }
}

impl std::ops::Deref for TempPath {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Polls `fut` once with the current task's waker.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
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

const CLIENTS: usize = 50;

#[test]
fn listener_echoes_to_many_clients() {
    on_both(|| async {
        let path = TempPath::new("echo");
        let handle = Handle::current();
        let before = handle.num_io_sources();
        let listener = UnixListener::bind(&*path).unwrap();
        assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));

        let server = runtime::spawn(async move {
            let mut echoes = Vec::new();
            for _ in 0..CLIENTS {
                let (stream, peer) = listener.accept().await.unwrap();
                assert!(peer.is_unnamed(), "a connecting client has no name");
                echoes.push(runtime::spawn(async move {
                    let (mut reader, mut writer) = stream.into_split();
                    let n = runtime::io::copy(&mut reader, &mut writer).await.unwrap();
                    writer.close().await.unwrap();
                    n
                }));
            }
            let mut total = 0;
            for echo in echoes {
                total += echo.await.unwrap();
            }
            (listener, total)
        });

        let clients: Vec<_> = (0..CLIENTS)
            .map(|id| {
                let path = path.to_path_buf();
                runtime::spawn(async move {
                    let mut stream = UnixStream::connect(&path).await.unwrap();
                    assert_eq!(stream.peer_addr().unwrap().as_pathname(), Some(&*path));
                    let mut sent = 0;
                    for round in 0..20usize {
                        let msg: Vec<u8> = (0..1 + (id * 13 + round * 29) % 300)
                            .map(|i| (id ^ round ^ i) as u8)
                            .collect();
                        stream.write_all(&msg).await.unwrap();
                        let mut got = vec![0u8; msg.len()];
                        stream.read_exact(&mut got).await.unwrap();
                        assert_eq!(got, msg, "client {id} round {round}");
                        sent += msg.len() as u64;
                    }
                    stream.shutdown(Shutdown::Write).unwrap();
                    let mut rest = Vec::new();
                    stream.read_to_end(&mut rest).await.unwrap();
                    assert!(rest.is_empty());
                    sent
                })
            })
            .collect();
        let mut sent = 0;
        for client in clients {
            sent += client.await.unwrap();
        }
        let (listener, echoed) = server.await.unwrap();
        assert_eq!(echoed, sent);
        assert_eq!(handle.num_io_sources(), before + 1);
        drop(listener);
        assert_eq!(handle.num_io_sources(), before);
    });
}

#[test]
fn bind_and_connect_errors() {
    on_both(|| async {
        let path = TempPath::new("errors");

        // Nothing at the path.
        let error = UnixStream::connect(&*path).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error:?}");

        let listener = UnixListener::bind(&*path).unwrap();
        let error = UnixListener::bind(&*path).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error:?}");
        let error = UnixDatagram::bind(&*path).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error:?}");

        // Dropping the listener leaves the socket file behind (as std does): nobody listens.
        drop(listener);
        assert!(path.exists());
        let error = UnixStream::connect(&*path).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error:?}");
        let error = UnixListener::bind(&*path).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AddrInUse, "{error:?}");
        std::fs::remove_file(&*path).unwrap();
        let _again = UnixListener::bind(&*path).unwrap();
    });
}

#[test]
fn too_long_paths_are_invalid_input() {
    on_both(|| async {
        let before = Handle::current().num_io_sources();
        // sun_path holds 108 bytes on Linux.
        let long = std::env::temp_dir().join("x".repeat(200));
        let error = UnixListener::bind(&long).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
        let error = UnixStream::connect(&long).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
        let error = UnixDatagram::bind(&long).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
        let socket = UnixDatagram::unbound().unwrap();
        let error = socket.connect(&long).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
        let error = socket.send_to(b"x", &long).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error:?}");
        drop(socket);
        assert!(!long.exists());
        assert_eq!(Handle::current().num_io_sources(), before);
    });
}

#[test]
fn stream_pair_both_ways_split_and_eof() {
    on_both(|| async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        assert!(a.peer_addr().unwrap().is_unnamed());

        a.write_all(b"a to b").await.unwrap();
        b.write_all(b"b to a").await.unwrap();
        let mut buf = [0u8; 6];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"a to b");
        a.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"b to a");

        // Borrowed halves: more than the socket buffer, written and read back at once.
        let payload: Vec<u8> = (0..600_000u32).map(|i| (i % 253) as u8).collect();
        let echo = runtime::spawn(async move {
            let (mut reader, mut writer) = b.into_split();
            let n = runtime::io::copy(&mut reader, &mut writer).await.unwrap();
            // Reuniting skips the write half's shutdown-on-drop: shut down by hand.
            let b = reader.reunite(writer).expect("halves of one stream");
            b.shutdown(Shutdown::Write).unwrap();
            (n, b)
        });
        let (mut reader, mut writer) = UnixStream::split(&mut a);
        let write = async {
            writer.write_all(&payload).await.unwrap();
            writer.close().await.unwrap();
        };
        let mut echoed = Vec::new();
        let read = reader.read_to_end(&mut echoed);
        let ((), n) = futures_util::future::join(write, read).await;
        assert_eq!(n.unwrap(), payload.len());
        assert!(echoed == payload, "echoed bytes differ");
        let (n, _b) = echo.await.unwrap();
        assert_eq!(n, payload.len() as u64);
    });
}

#[test]
fn pending_read_sees_peer_close() {
    on_both(|| async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut buf = [0u8; 8];
        let mut read = a.read(&mut buf);
        assert!(poll_once(&mut read).await.is_pending());
        drop(b);
        assert_eq!(read.await.unwrap(), 0);
        let error = a.write_all(b"to nobody").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe, "{error:?}");
    });
}

#[test]
fn datagram_pair() {
    on_both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let mut buf = [0u8; 256];
        let error = b.try_recv(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        let mut recv = Box::pin(b.recv(&mut buf));
        assert!(poll_once(&mut recv).await.is_pending());
        for i in 0..100u8 {
            let msg = vec![i; 1 + i as usize];
            assert_eq!(a.send(&msg).await.unwrap(), msg.len());
        }
        let n = recv.await.unwrap();
        assert_eq!(&buf[..n], &[0u8][..]);
        for i in 1..100u8 {
            let n = b.recv(&mut buf[..]).await.unwrap();
            assert_eq!(&buf[..n], &vec![i; 1 + i as usize][..], "datagram {i}");
        }
        let error = b.try_recv(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        b.send(b"back").await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"back");
    });
}

#[test]
fn datagram_sockets_bound_to_paths() {
    on_both(|| async {
        let server_path = TempPath::new("dgram-server");
        let client_path = TempPath::new("dgram-client");
        let server = UnixDatagram::bind(&*server_path).unwrap();
        let client = UnixDatagram::bind(&*client_path).unwrap();
        assert_eq!(
            server.local_addr().unwrap().as_pathname(),
            Some(&*server_path)
        );

        assert_eq!(client.send_to(b"hello", &*server_path).await.unwrap(), 5);
        let mut buf = [0u8; 64];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(from.as_pathname(), Some(&*client_path));
        server
            .send_to(b"hi client", from.as_pathname().unwrap())
            .await
            .unwrap();
        let (n, from) = client.recv_from(&mut buf).await.unwrap();
        assert_eq!(
            (&buf[..n], from.as_pathname()),
            (&b"hi client"[..], Some(&*server_path))
        );

        // An unbound sender shows up unnamed.
        let anonymous = UnixDatagram::unbound().unwrap();
        anonymous.send_to(b"who?", &*server_path).await.unwrap();
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"who?");
        assert!(from.is_unnamed());

        // Connected: `send` and `recv`.
        client.connect(&*server_path).unwrap();
        assert_eq!(
            client.peer_addr().unwrap().as_pathname(),
            Some(&*server_path)
        );
        client.send(b"connected").await.unwrap();
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(
            (&buf[..n], from.as_pathname()),
            (&b"connected"[..], Some(&*client_path))
        );

        // Sending to a path nobody is bound to.
        let nobody = TempPath::new("dgram-nobody");
        let error = anonymous.send_to(b"lost", &*nobody).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error:?}");
    });
}

#[test]
fn sockets_are_close_on_exec_and_non_blocking() {
    on_both(|| async {
        let path = TempPath::new("flags");
        let listener = UnixListener::bind(&*path).unwrap();
        assert_cloexec_nonblocking(listener.as_raw_fd(), "Unix listener");
        let client = UnixStream::connect(&*path).await.unwrap();
        assert_cloexec_nonblocking(client.as_raw_fd(), "connected Unix stream");
        let (server, _) = listener.accept().await.unwrap();
        assert_cloexec_nonblocking(server.as_raw_fd(), "accepted Unix stream");
        let (a, b) = UnixStream::pair().unwrap();
        assert_cloexec_nonblocking(a.as_raw_fd(), "Unix stream pair");
        assert_cloexec_nonblocking(b.as_raw_fd(), "Unix stream pair");
        let (a, b) = UnixDatagram::pair().unwrap();
        assert_cloexec_nonblocking(a.as_raw_fd(), "Unix datagram pair");
        assert_cloexec_nonblocking(b.as_raw_fd(), "Unix datagram pair");
        let dgram_path = TempPath::new("flags-dgram");
        let bound = UnixDatagram::bind(&*dgram_path).unwrap();
        assert_cloexec_nonblocking(bound.as_raw_fd(), "bound Unix datagram");
        let unbound = UnixDatagram::unbound().unwrap();
        assert_cloexec_nonblocking(unbound.as_raw_fd(), "unbound Unix datagram");
    });
}
