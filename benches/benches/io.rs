//! Network I/O benchmarks: the same two loopback workloads on ours, Tokio and smol, 2 worker
//! threads each, server and clients on the same runtime.
//!
//! One criterion group per workload, with the ids `ours`, `tokio` and `smol`; each runtime is built
//! inside its own bench closure (outside the timed loop) with [`BenchRuntime::with_drivers`]
//! (Tokio with `enable_all()`; smol's workers run `smol::block_on`, so an idle one polls async-io's
//! reactor as smol's own executor threads do). `cargo run -p benches --release --bin ratios`
//! prints the ratios.
//!
//! The workloads are written once, generic over [`BenchRuntime`] and the [`Net`] trait below,
//! which maps each socket operation to the runtime's own API: `runtime::net`, `tokio::net` (with
//! `tokio::io::{AsyncReadExt, AsyncWriteExt}`), and smol's `Async<std::net::{TcpListener,
//! TcpStream, UdpSocket}>` (with `futures_lite::{AsyncReadExt, AsyncWriteExt}`). Sockets keep
//! their default options everywhere (no `TCP_NODELAY`: in this strict request/response pattern
//! each side has at most one small segment unacknowledged, so Nagle does not hold one back). "Done" is a [`Countdown`] the bench thread waits on
//! ([`benches::wait_done`] fails the run instead of hanging if it never comes).
//!
//! Every iteration is self-contained and everything in it is timed: it binds its own server
//! socket on `127.0.0.1:0`, and ends only when every client has checked every echo *and* every
//! server task has finished, so nothing of one iteration runs on into the next.
//!
//! - `tcp_echo`: a root task binds a `TcpListener`, spawns 32 client tasks, then accepts exactly
//!   32 connections, spawning one echo task per connection (read up to 1 KiB, write it all back,
//!   until EOF). Each client connects, then 500 times writes 64 bytes (a pattern depending on
//!   client and round) and reads 64 bytes back, checks them, and closes. An iteration is a whole
//!   echo session: connect, accept and close are measured with the round trips (reusing
//!   connections set up outside the timed part would leave them out).
//!   Done = 32 clients + 32 server tasks (each sees EOF after its client closes).
//! - `udp_round_trip`: a root task binds the server `UdpSocket`, spawns 8 client tasks, then
//!   itself echoes exactly 8 x 1 000 datagrams (`recv_from`, `send_to` back). Each client binds
//!   its own socket, `connect`s it to the server, then 1 000 times sends 64 bytes and receives
//!   64 bytes back (`send`/`recv`) and checks them. At most 8 datagrams are in flight, so
//!   loopback never drops one. Done = 8 clients + the echo task.
//!
//! Sizes are fixed; shorten a run with `--quick` or by picking groups, never by shrinking them.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use benches::ours::OursSpawner;
use benches::smol_rt::SmolSpawner;
use benches::tokio_rt::TokioSpawner;
use benches::{wait_done, BenchRuntime, Countdown, Spawner};
use criterion::{criterion_group, criterion_main, Criterion};

/// Clients of `tcp_echo`, one connection each.
const TCP_CLIENTS: usize = 32;
/// Round trips per `tcp_echo` client.
const TCP_ROUNDS: usize = 500;
/// Clients (sockets) of `udp_round_trip`.
const UDP_CLIENTS: usize = 8;
/// Round trips per `udp_round_trip` client.
const UDP_ROUNDS: usize = 1_000;
/// Bytes per message, both ways, in both workloads.
const MESSAGE: usize = 64;
/// The read buffer of a `tcp_echo` server task and of the `udp_round_trip` echo task.
const ECHO_BUFFER: usize = 1024;

/// Where servers bind: loopback, a port the kernel picks.
const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A runtime's own sockets, used from tasks running on it.
trait Net: Spawner {
    /// A listening TCP socket.
    type Listener: Send + Sync + 'static;
    /// A connected TCP stream.
    type Stream: Send + 'static;
    /// A UDP socket.
    type Udp: Send + Sync + 'static;

    fn tcp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    fn tcp_local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;

    fn udp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Udp>> + Send;
    fn udp_local_addr(socket: &Self::Udp) -> io::Result<SocketAddr>;
    fn udp_connect(
        socket: &Self::Udp,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<()>> + Send;
    fn send<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    fn recv<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    fn send_to<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    fn recv_from<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> + Send + 'a;
}

impl Net for OursSpawner {
    type Listener = runtime::net::TcpListener;
    type Stream = runtime::net::TcpStream;
    type Udp = runtime::net::UdpSocket;

    fn tcp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send {
        runtime::net::TcpListener::bind(addr)
    }
    fn tcp_local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        listener.accept().await.map(|(stream, _)| stream)
    }
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        runtime::net::TcpStream::connect(addr)
    }
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        futures_lite::AsyncReadExt::read(stream, buf)
    }
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncReadExt::read_exact(stream, buf)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncWriteExt::write_all(stream, buf)
    }

    fn udp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Udp>> + Send {
        runtime::net::UdpSocket::bind(addr)
    }
    fn udp_local_addr(socket: &Self::Udp) -> io::Result<SocketAddr> {
        socket.local_addr()
    }
    fn udp_connect(
        socket: &Self::Udp,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<()>> + Send {
        socket.connect(addr)
    }
    fn send<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send(buf)
    }
    fn recv<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.recv(buf)
    }
    fn send_to<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send_to(buf, addr)
    }
    fn recv_from<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> + Send + 'a {
        socket.recv_from(buf)
    }
}

impl Net for TokioSpawner {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    type Udp = tokio::net::UdpSocket;

    fn tcp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send {
        tokio::net::TcpListener::bind(addr)
    }
    fn tcp_local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        listener.accept().await.map(|(stream, _)| stream)
    }
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        tokio::net::TcpStream::connect(addr)
    }
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(stream, buf)
    }
    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
        tokio::io::AsyncReadExt::read_exact(stream, buf)
            .await
            .map(drop)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        tokio::io::AsyncWriteExt::write_all(stream, buf)
    }

    fn udp_bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Udp>> + Send {
        tokio::net::UdpSocket::bind(addr)
    }
    fn udp_local_addr(socket: &Self::Udp) -> io::Result<SocketAddr> {
        socket.local_addr()
    }
    fn udp_connect(
        socket: &Self::Udp,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<()>> + Send {
        socket.connect(addr)
    }
    fn send<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send(buf)
    }
    fn recv<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.recv(buf)
    }
    fn send_to<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send_to(buf, addr)
    }
    fn recv_from<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> + Send + 'a {
        socket.recv_from(buf)
    }
}

impl Net for SmolSpawner {
    type Listener = smol::Async<std::net::TcpListener>;
    type Stream = smol::Async<std::net::TcpStream>;
    type Udp = smol::Async<std::net::UdpSocket>;

    async fn tcp_bind(addr: SocketAddr) -> io::Result<Self::Listener> {
        smol::Async::<std::net::TcpListener>::bind(addr)
    }
    fn tcp_local_addr(listener: &Self::Listener) -> io::Result<SocketAddr> {
        listener.get_ref().local_addr()
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        listener.accept().await.map(|(stream, _)| stream)
    }
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        smol::Async::<std::net::TcpStream>::connect(addr)
    }
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        futures_lite::AsyncReadExt::read(stream, buf)
    }
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncReadExt::read_exact(stream, buf)
    }
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncWriteExt::write_all(stream, buf)
    }

    async fn udp_bind(addr: SocketAddr) -> io::Result<Self::Udp> {
        smol::Async::<std::net::UdpSocket>::bind(addr)
    }
    fn udp_local_addr(socket: &Self::Udp) -> io::Result<SocketAddr> {
        socket.get_ref().local_addr()
    }
    fn udp_connect(
        socket: &Self::Udp,
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<()>> + Send {
        // `connect` on a UDP socket only sets the peer; it never blocks.
        let result = socket.get_ref().connect(addr);
        async move { result }
    }
    fn send<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send(buf)
    }
    fn recv<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.recv(buf)
    }
    fn send_to<'a>(
        socket: &'a Self::Udp,
        buf: &'a [u8],
        addr: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        socket.send_to(buf, addr)
    }
    fn recv_from<'a>(
        socket: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> + Send + 'a {
        socket.recv_from(buf)
    }
}

/// The message `client` sends in `round`: a pattern that differs per client and per round, so
/// an echo delivered to the wrong client or out of order fails the check.
fn message(client: usize, round: usize) -> [u8; MESSAGE] {
    let seed = client.wrapping_mul(131).wrapping_add(round.wrapping_mul(7));
    std::array::from_fn(|i| seed.wrapping_add(i) as u8)
}

/// One `tcp_echo` client: connect, `TCP_ROUNDS` checked round trips, close.
async fn tcp_client<S: Net>(addr: SocketAddr, client: usize) {
    let mut stream = S::connect(addr).await.expect("tcp_echo: connect failed");
    let mut echo = [0u8; MESSAGE];
    for round in 0..TCP_ROUNDS {
        let sent = message(client, round);
        S::write_all(&mut stream, &sent)
            .await
            .expect("tcp_echo: client write failed");
        S::read_exact(&mut stream, &mut echo)
            .await
            .expect("tcp_echo: client read failed");
        assert_eq!(echo, sent, "tcp_echo: wrong echo");
    }
}

/// One `tcp_echo` server task: echo everything until EOF.
async fn tcp_echo_server<S: Net>(mut stream: S::Stream) {
    let mut buf = [0u8; ECHO_BUFFER];
    loop {
        let n = S::read(&mut stream, &mut buf)
            .await
            .expect("tcp_echo: server read failed");
        if n == 0 {
            return;
        }
        S::write_all(&mut stream, &buf[..n])
            .await
            .expect("tcp_echo: server write failed");
    }
}

/// The root task of one `tcp_echo` iteration: bind, spawn the clients, accept and serve them.
async fn tcp_echo_root<S: Net>(spawner: S, done: Arc<Countdown>) {
    let listener = S::tcp_bind(LOOPBACK).await.expect("tcp_echo: bind failed");
    let addr = S::tcp_local_addr(&listener).expect("tcp_echo: no local address");
    for client in 0..TCP_CLIENTS {
        let done = done.clone();
        spawner.spawn_detached(async move {
            tcp_client::<S>(addr, client).await;
            done.count_down();
        });
    }
    for _ in 0..TCP_CLIENTS {
        let stream = S::accept(&listener).await.expect("tcp_echo: accept failed");
        let done = done.clone();
        spawner.spawn_detached(async move {
            tcp_echo_server::<S>(stream).await;
            done.count_down();
        });
    }
}

/// 32 clients x 500 round trips of 64 bytes against an echo server, connects included.
fn tcp_echo<R>(rt: &R)
where
    R: BenchRuntime,
    R::Spawner: Net,
{
    let (done, rx) = Countdown::new(2 * TCP_CLIENTS);
    rt.spawn_detached(tcp_echo_root(rt.spawner(), done));
    wait_done(&rx, "tcp_echo");
}

/// One `udp_round_trip` client: bind, connect, `UDP_ROUNDS` checked round trips.
async fn udp_client<S: Net>(server: SocketAddr, client: usize) {
    let socket = S::udp_bind(LOOPBACK)
        .await
        .expect("udp_round_trip: client bind failed");
    S::udp_connect(&socket, server)
        .await
        .expect("udp_round_trip: connect failed");
    let mut echo = [0u8; ECHO_BUFFER];
    for round in 0..UDP_ROUNDS {
        let sent = message(client, round);
        let n = S::send(&socket, &sent)
            .await
            .expect("udp_round_trip: send failed");
        assert_eq!(n, MESSAGE, "udp_round_trip: short send");
        let n = S::recv(&socket, &mut echo)
            .await
            .expect("udp_round_trip: recv failed");
        assert_eq!(&echo[..n], &sent[..], "udp_round_trip: wrong echo");
    }
}

/// The root task of one `udp_round_trip` iteration: bind, spawn the clients, echo every datagram.
async fn udp_root<S: Net>(spawner: S, done: Arc<Countdown>) {
    let server = S::udp_bind(LOOPBACK)
        .await
        .expect("udp_round_trip: server bind failed");
    let addr = S::udp_local_addr(&server).expect("udp_round_trip: no local address");
    for client in 0..UDP_CLIENTS {
        let done = done.clone();
        spawner.spawn_detached(async move {
            udp_client::<S>(addr, client).await;
            done.count_down();
        });
    }
    let mut buf = [0u8; ECHO_BUFFER];
    for _ in 0..UDP_CLIENTS * UDP_ROUNDS {
        let (n, from) = S::recv_from(&server, &mut buf)
            .await
            .expect("udp_round_trip: server recv failed");
        S::send_to(&server, &buf[..n], from)
            .await
            .expect("udp_round_trip: server send failed");
    }
    done.count_down();
}

/// 8 client sockets x 1 000 round trips of 64 bytes to an echo socket.
fn udp_round_trip<R>(rt: &R)
where
    R: BenchRuntime,
    R::Spawner: Net,
{
    let (done, rx) = Countdown::new(UDP_CLIENTS + 1);
    rt.spawn_detached(udp_root(rt.spawner(), done));
    wait_done(&rx, "udp_round_trip");
}

fn io_benches(c: &mut Criterion) {
    benches::workload_group!(c, tcp_echo, with_drivers);
    benches::workload_group!(c, udp_round_trip, with_drivers);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = io_benches
}
criterion_main!(benches);
