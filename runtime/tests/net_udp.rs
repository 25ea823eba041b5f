//! UDP: `send_to`/`recv_from` round trips, connected `send`/`recv` (and the kernel's filtering
//! of other senders), the `try_` methods and readiness, truncation of long datagrams, one
//! socket shared by a receiving and a sending task, std conversions, and thousands of
//! datagrams arriving in order on loopback (sent in acknowledged windows, so that none is
//! dropped for want of receive buffer).

use std::future::{poll_fn, Future};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;

use runtime::net::UdpSocket;
use runtime::Handle;

mod common;
use common::Gate;

fn on_both<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    common::current_thread().block_on(body());
    common::multi_thread().block_on(body());
}

async fn bound() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.unwrap()
}

/// Polls `fut` once with the current task's waker.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

#[test]
fn send_to_recv_from_round_trip() {
    on_both(|| async {
        let a = bound().await;
        let b = bound().await;
        let a_addr = a.local_addr().unwrap();
        let b_addr = b.local_addr().unwrap();
        assert_ne!(a_addr, b_addr);

        assert_eq!(a.send_to(b"ping", b_addr).await.unwrap(), 4);
        let mut buf = [0u8; 64];
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], a_addr));

        // Any address form works as the target, including a string.
        let target = format!("127.0.0.1:{}", a_addr.port());
        assert_eq!(b.send_to(b"pong!", target.as_str()).await.unwrap(), 5);
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"pong!"[..], b_addr));

        // An empty datagram is a datagram.
        assert_eq!(a.send_to(b"", b_addr).await.unwrap(), 0);
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((n, from), (0, a_addr));

        // Not connected: no peer, and `send` fails.
        let error = a.peer_addr().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotConnected, "{error:?}");
        assert!(a.send(b"nowhere").await.is_err());
    });
}

#[test]
fn connected_send_and_recv() {
    on_both(|| async {
        let a = bound().await;
        let b = bound().await;
        let intruder = bound().await;
        let a_addr = a.local_addr().unwrap();
        let b_addr = b.local_addr().unwrap();
        a.connect(b_addr).await.unwrap();
        b.connect(a_addr).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b_addr);
        assert_eq!(b.peer_addr().unwrap(), a_addr);

        assert_eq!(a.send(b"hello b").await.unwrap(), 7);
        let mut buf = [0u8; 64];
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello b");

        // A connected socket only receives from its peer: the intruder's datagram, sent
        // first, is filtered out by the kernel.
        intruder.send_to(b"intruder", a_addr).await.unwrap();
        b.send(b"legit").await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"legit");
        let error = a.try_recv(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");
    });
}

#[test]
fn try_methods_and_readiness() {
    on_both(|| async {
        let a = bound().await;
        let b = bound().await;
        let a_addr = a.local_addr().unwrap();
        let b_addr = b.local_addr().unwrap();
        let mut buf = [0u8; 64];

        let error = b.try_recv(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");
        let error = b.try_recv_from(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");
        let error = b.try_peek_from(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        // `readable` waits until a datagram comes.
        let mut readable = pin!(b.readable());
        assert!(poll_once(&mut readable).await.is_pending());

        a.writable().await.unwrap();
        let n = loop {
            match a.try_send_to(b"one", b_addr) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => a.writable().await.unwrap(),
                Err(e) => panic!("try_send_to: {e:?}"),
            }
        };
        assert_eq!(n, 3);
        a.send_to(b"two", b_addr).await.unwrap();

        readable.await.unwrap();
        // Peeking leaves the datagram queued.
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"one"[..], a_addr));
        let (n, from) = loop {
            match b.try_recv_from(&mut buf) {
                Ok(got) => break got,
                Err(e) if e.kind() == ErrorKind::WouldBlock => b.readable().await.unwrap(),
                Err(e) => panic!("try_recv_from: {e:?}"),
            }
        };
        assert_eq!((&buf[..n], from), (&b"one"[..], a_addr));
        let n = loop {
            match b.try_recv(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => b.readable().await.unwrap(),
                Err(e) => panic!("try_recv: {e:?}"),
            }
        };
        assert_eq!(&buf[..n], b"two");
        let error = b.try_recv(&mut buf).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        // Connected try_send.
        b.connect(a_addr).await.unwrap();
        b.writable().await.unwrap();
        assert_eq!(b.try_send(b"three").unwrap(), 5);
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"three");
    });
}

#[test]
fn long_datagram_is_truncated_and_the_next_one_is_whole() {
    on_both(|| async {
        let a = bound().await;
        let b = bound().await;
        let b_addr = b.local_addr().unwrap();
        let long: Vec<u8> = (0..100u8).collect();
        a.send_to(&long, b_addr).await.unwrap();
        a.send_to(b"next", b_addr).await.unwrap();
        let mut small = [0u8; 10];
        let (n, _) = b.recv_from(&mut small).await.unwrap();
        assert_eq!(&small[..n], &long[..10]);
        let mut buf = [0u8; 64];
        let (n, _) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"next");
    });
}

#[test]
fn one_socket_shared_by_a_receiver_and_a_sender_task() {
    common::multi_thread().block_on(async {
        let socket = Arc::new(bound().await);
        let peer = bound().await;
        let peer_addr = peer.local_addr().unwrap();
        let socket_addr = socket.local_addr().unwrap();

        // The receiver is parked in `recv_from` before another task sends through the same
        // socket: the write readiness must not disturb (or consume) the reader's wait.
        let parked = Gate::default();
        let receiver = runtime::spawn({
            let socket = socket.clone();
            let parked = parked.clone();
            async move {
                let mut buf = [0u8; 64];
                let mut parked = Some(parked);
                let (n, from) = {
                    let mut recv = pin!(socket.recv_from(&mut buf));
                    poll_fn(|cx| {
                        let poll = recv.as_mut().poll(cx);
                        if poll.is_pending() {
                            if let Some(gate) = parked.take() {
                                gate.open();
                            }
                        }
                        poll
                    })
                    .await
                    .unwrap()
                };
                (buf[..n].to_vec(), from)
            }
        });
        parked.wait().await;
        let sender = runtime::spawn({
            let socket = socket.clone();
            async move { socket.send_to(b"question", peer_addr).await.unwrap() }
        });
        assert_eq!(sender.await.unwrap(), 8);
        let mut buf = [0u8; 64];
        let (n, from) = peer.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"question"[..], socket_addr));
        peer.send_to(b"answer", from).await.unwrap();
        let (got, from) = receiver.await.unwrap();
        assert_eq!((got.as_slice(), from), (&b"answer"[..], peer_addr));
    });
}

#[test]
fn std_conversions() {
    let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = std_socket.local_addr().unwrap();
    let other = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = common::current_thread().block_on(async move {
        let before = Handle::current().num_io_sources();
        let socket = UdpSocket::from_std(std_socket).unwrap();
        assert_eq!(Handle::current().num_io_sources(), before + 1);
        other.send_to(b"std", addr).unwrap();
        let mut buf = [0u8; 8];
        let (n, _) = socket.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"std");
        let back = socket.into_std().unwrap();
        assert_eq!(Handle::current().num_io_sources(), before);
        (back, other)
    });
    let (back, other) = back;
    // SAFETY: F_GETFL on a descriptor we own; no memory is passed.
    let flags = unsafe { libc::fcntl(back.as_raw_fd(), libc::F_GETFL) };
    assert_ne!(
        flags & libc::O_NONBLOCK,
        0,
        "into_std keeps non-blocking mode"
    );
    back.set_nonblocking(false).unwrap();
    other.send_to(b"blocking", addr).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = back.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"blocking");
}

const DATAGRAMS: u32 = 3_000;
const WINDOW: u32 = 32;

fn datagram(seq: u32) -> Vec<u8> {
    let len = 4 + (seq as usize * 7) % 500;
    let mut d: Vec<u8> = (0..len).map(|i| (seq as usize + i) as u8).collect();
    d[..4].copy_from_slice(&seq.to_le_bytes());
    d
}

/// Sends `DATAGRAMS` datagrams in windows of `WINDOW`, waiting for the receiver to acknowledge
/// each window (with the next sequence number it expects) before sending the next.
async fn send_all(socket: &UdpSocket, to: Option<SocketAddr>) {
    let mut ack = [0u8; 4];
    let mut seq = 0;
    while seq < DATAGRAMS {
        let end = (seq + WINDOW).min(DATAGRAMS);
        for s in seq..end {
            let d = datagram(s);
            let n = match to {
                Some(to) => socket.send_to(&d, to).await.unwrap(),
                None => socket.send(&d).await.unwrap(),
            };
            assert_eq!(n, d.len());
        }
        let n = match to {
            Some(to) => {
                let (n, from) = socket.recv_from(&mut ack).await.unwrap();
                assert_eq!(from, to);
                n
            }
            None => socket.recv(&mut ack).await.unwrap(),
        };
        assert_eq!(n, 4);
        assert_eq!(
            u32::from_le_bytes(ack),
            end,
            "acknowledged the wrong window"
        );
        seq = end;
    }
}

/// Receives every datagram, checking order and content; acknowledges each window.
async fn receive_all(socket: &UdpSocket, from: SocketAddr, connected: bool) {
    let mut buf = vec![0u8; 1024];
    for seq in 0..DATAGRAMS {
        let n = if connected {
            socket.recv(&mut buf).await.unwrap()
        } else {
            let (n, sender) = socket.recv_from(&mut buf).await.unwrap();
            assert_eq!(sender, from);
            n
        };
        let expected = datagram(seq);
        assert!(n >= 4, "datagram {seq}: only {n} bytes");
        let got_seq = u32::from_le_bytes(buf[..4].try_into().unwrap());
        assert_eq!(got_seq, seq, "out of order or lost");
        assert!(buf[..n] == expected[..], "datagram {seq}: content differs");
        if (seq + 1) % WINDOW == 0 || seq + 1 == DATAGRAMS {
            let ack = (seq + 1).to_le_bytes();
            if connected {
                socket.send(&ack).await.unwrap();
            } else {
                socket.send_to(&ack, from).await.unwrap();
            }
        }
    }
}

#[test]
fn many_datagrams_arrive_in_order() {
    for connected in [false, true] {
        common::multi_thread().block_on(async move {
            let sender = Arc::new(bound().await);
            let receiver = Arc::new(bound().await);
            let sender_addr = sender.local_addr().unwrap();
            let receiver_addr = receiver.local_addr().unwrap();
            if connected {
                sender.connect(receiver_addr).await.unwrap();
                receiver.connect(sender_addr).await.unwrap();
            }
            let rx = runtime::spawn({
                let receiver = receiver.clone();
                async move { receive_all(&receiver, sender_addr, connected).await }
            });
            let tx = runtime::spawn(async move {
                let to = (!connected).then_some(receiver_addr);
                send_all(&sender, to).await
            });
            tx.await.unwrap();
            rx.await.unwrap();
            let mut buf = [0u8; 8];
            let error = receiver.try_recv(&mut buf).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::WouldBlock, "extra datagrams");
        });
    }
}
