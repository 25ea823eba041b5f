//! `UdpSocket`: datagrams over UDP through the reactor.
//!
//! A non-blocking `std::net::UdpSocket` inside a `PollEvented`. Each async method runs its
//! system call while the socket is ready and waits for the reactor when the call would block;
//! the `try_` methods never wait, and the `poll_` methods are for hand-written futures. A
//! datagram is sent or received whole in one call, so a cancelled `send`/`recv` either moved
//! one datagram or none.

use std::fmt;
use std::io;
use std::net::{self, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use runtime_core::reactor::{Interest, Ready};
use socket2::{Domain, Protocol, Type};

use crate::net::addr::{self, ToSocketAddrs};
use crate::net::socket;
use crate::poll_evented::PollEvented;

/// A UDP socket.
///
/// Share it between tasks with `Arc` to send and receive at once (all methods take `&self`);
/// the reactor wakes the last task waiting in each direction.
///
/// ```
/// use runtime::net::UdpSocket;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
///
/// let mut buf = [0u8; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///
/// b.connect(from).await?;
/// b.send(b"pong").await?;
/// let n = a.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"pong");
/// # Ok(())
/// # }
/// ```
pub struct UdpSocket {
    io: PollEvented<net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr`, trying each address it resolves to in turn; returns the first
    /// that binds, or the last error (`InvalidInput` if `addr` resolves to nothing).
    ///
    /// # Errors
    /// Resolution or bind errors, or an error outside a runtime.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = addr::resolve(&addr).await?;
        addr::try_each(addrs, |addr| async move { UdpSocket::bind_addr(addr) }).await
    }

    fn bind_addr(addr: SocketAddr) -> io::Result<UdpSocket> {
        let socket =
            socket::new_socket(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        socket.bind(&addr.into())?;
        UdpSocket::new(socket.into())
    }

    fn new(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(socket)?,
        })
    }

    /// Takes over a `std::net::UdpSocket`: sets it non-blocking and registers it with the
    /// current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking, or outside a runtime.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let socket = runtime::net::UdpSocket::from_std(std_socket)?;
    /// # let _ = socket;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(socket)
    }

    /// Deregisters the socket and returns it as a `std::net::UdpSocket`, still non-blocking.
    ///
    /// # Errors
    /// If the reactor fails to deregister it (the socket is closed then).
    pub fn into_std(self) -> io::Result<net::UdpSocket> {
        self.io.into_inner()
    }

    /// Connects the socket to `addr`: `send` and `recv` then talk to that peer only. Tries each
    /// address `addr` resolves to; the last error if none works (`InvalidInput` if none).
    ///
    /// # Errors
    /// Resolution or connect errors.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addrs = addr::resolve(&addr).await?;
        let socket = self.io.get_ref();
        addr::try_each(addrs, |addr| async move { socket.connect(addr) }).await
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    /// As `getsockname(2)`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address the socket is connected to.
    ///
    /// # Errors
    /// `NotConnected` if it is not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Waits until the socket is ready for `interest`; returns the readiness seen (it may be a
    /// false positive).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.readiness(interest).await
    }

    /// Waits until a datagram may be waiting (use with [`try_recv`](Self::try_recv)).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the socket may be writable (use with [`try_send`](Self::try_send)).
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Polls for read readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::READABLE).map_ok(drop)
    }

    /// Polls for write readiness (only the last task to poll is woken).
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Interest::WRITABLE).map_ok(drop)
    }

    /// Sends `buf` as one datagram to the connected peer; returns the bytes sent.
    ///
    /// Cancel-safe: a cancelled send sent nothing.
    ///
    /// # Errors
    /// The send's error (e.g. not connected, or a refusal reported by an earlier datagram).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::WRITABLE, |socket| socket.send(buf))
            .await
    }

    /// Polls a [`send`](Self::send).
    ///
    /// # Errors
    /// The send's error.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::WRITABLE, |socket| socket.send(buf))
    }

    /// Sends `buf` to the connected peer now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the send's error.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |socket| socket.send(buf))
    }

    /// Receives one datagram from the connected peer into `buf` (the excess of a longer
    /// datagram is dropped); returns its length.
    ///
    /// Cancel-safe: a cancelled receive took no datagram.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::READABLE, |socket| socket.recv(buf))
            .await
    }

    /// Polls a [`recv`](Self::recv).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::READABLE, |socket| socket.recv(buf))
    }

    /// Receives one datagram now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the receive's error.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |socket| socket.recv(buf))
    }

    /// Sends `buf` as one datagram to `target` (its first resolved address).
    ///
    /// Cancel-safe: a cancelled send sent nothing.
    ///
    /// # Errors
    /// Resolution errors (`InvalidInput` if `target` resolves to nothing), or the send's.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = addr::resolve(&target)
            .await?
            .next()
            .ok_or_else(addr::no_addresses)?;
        self.io
            .async_io(Interest::WRITABLE, |socket| socket.send_to(buf, target))
            .await
    }

    /// Polls a [`send_to`](Self::send_to) of a resolved address.
    ///
    /// # Errors
    /// The send's error.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Interest::WRITABLE, |socket| socket.send_to(buf, target))
    }

    /// Sends `buf` to `target` now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the send's error.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |socket| socket.send_to(buf, target))
    }

    /// Receives one datagram into `buf`; returns its length and sender.
    ///
    /// Cancel-safe: a cancelled receive took no datagram.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |socket| socket.recv_from(buf))
            .await
    }

    /// Polls a [`recv_from`](Self::recv_from).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Interest::READABLE, |socket| socket.recv_from(buf))
    }

    /// Receives one datagram and its sender now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the receive's error.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Interest::READABLE, |socket| socket.recv_from(buf))
    }

    /// Reads the next datagram and its sender without taking it off the queue.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// The receive's error.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |socket| socket.peek_from(buf))
            .await
    }

    /// Polls a [`peek_from`](Self::peek_from).
    ///
    /// # Errors
    /// The receive's error.
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Interest::READABLE, |socket| socket.peek_from(buf))
    }

    /// Peeks at the next datagram now, or `WouldBlock`.
    ///
    /// # Errors
    /// `WouldBlock`, or the receive's error.
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Interest::READABLE, |socket| socket.peek_from(buf))
    }

    /// Runs a custom non-blocking operation `f` if the socket looks ready for `interest`; if
    /// `f` returns `WouldBlock` the readiness is cleared.
    ///
    /// # Errors
    /// `WouldBlock` when not ready, or `f`'s error.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.try_io(interest, |_| f())
    }

    /// Runs the non-blocking operation `f` whenever the socket is ready for `interest`, until
    /// it returns something other than `WouldBlock`.
    ///
    /// # Errors
    /// `f`'s error, or once the runtime has shut down.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.async_io(interest, |_| f()).await
    }

    /// Sets `SO_BROADCAST`: whether datagrams may go to a broadcast address.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets the IP time-to-live of outgoing datagrams.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing datagrams.
    ///
    /// # Errors
    /// As `getsockopt(2)`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Joins an IPv4 multicast group on the interface with address `interface`
    /// (`Ipv4Addr::UNSPECIFIED` lets the system choose).
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv4 multicast group.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins an IPv6 multicast group on interface index `interface` (0: any).
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv6 multicast group.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// Sets whether multicast datagrams sent by this socket loop back to local receivers
    /// (IPv4).
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// Sets the time-to-live of outgoing IPv4 multicast datagrams.
    ///
    /// # Errors
    /// As `setsockopt(2)`.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`), e.g. an ICMP refusal.
    ///
    /// # Errors
    /// If the option cannot be read.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

impl TryFrom<net::UdpSocket> for UdpSocket {
    type Error = io::Error;

    /// [`UdpSocket::from_std`].
    fn try_from(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        UdpSocket::from_std(socket)
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}
