//! Creating and accepting sockets the way every socket of this crate is made: non-blocking and
//! close-on-exec.
//!
//! Where the platform allows, both flags are set by the creating system call itself
//! (`SOCK_NONBLOCK | SOCK_CLOEXEC` on `socket`, `socketpair` and `accept4`); elsewhere socket2
//! sets close-on-exec and one more call makes the socket non-blocking.

use std::io;
use std::os::fd::AsFd;

use runtime_core::reactor::Interest;
use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::poll_evented::PollEvented;

/// Items for platforms where `SOCK_NONBLOCK` (`Type::nonblocking`) and `accept4` exist.
macro_rules! cfg_accept4 {
    ($($item:item)*) => {$(
        #[cfg(any(
            target_os = "android",
            target_os = "dragonfly",
            target_os = "freebsd",
            target_os = "fuchsia",
            target_os = "illumos",
            target_os = "linux",
            target_os = "netbsd",
            target_os = "openbsd",
        ))]
        $item
    )*};
}

/// Items for the other platforms.
macro_rules! cfg_not_accept4 {
    ($($item:item)*) => {$(
        #[cfg(not(any(
            target_os = "android",
            target_os = "dragonfly",
            target_os = "freebsd",
            target_os = "fuchsia",
            target_os = "illumos",
            target_os = "linux",
            target_os = "netbsd",
            target_os = "openbsd",
        )))]
        $item
    )*};
}

cfg_accept4! {
    /// A new non-blocking, close-on-exec socket.
    pub(crate) fn new_socket(domain: Domain, ty: Type, protocol: Option<Protocol>) -> io::Result<Socket> {
        Socket::new(domain, ty.nonblocking(), protocol)
    }

    /// A connected pair of non-blocking, close-on-exec sockets.
    pub(crate) fn socket_pair(domain: Domain, ty: Type) -> io::Result<(Socket, Socket)> {
        Socket::pair(domain, ty.nonblocking(), None)
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket (`accept4`).
    pub(crate) fn accept(listener: &Socket) -> io::Result<(Socket, SockAddr)> {
        listener.accept4(libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK)
    }
}

cfg_not_accept4! {
    /// A new non-blocking, close-on-exec socket.
    pub(crate) fn new_socket(domain: Domain, ty: Type, protocol: Option<Protocol>) -> io::Result<Socket> {
        let socket = Socket::new(domain, ty, protocol)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }

    /// A connected pair of non-blocking, close-on-exec sockets.
    pub(crate) fn socket_pair(domain: Domain, ty: Type) -> io::Result<(Socket, Socket)> {
        let (a, b) = Socket::pair(domain, ty, None)?;
        a.set_nonblocking(true)?;
        b.set_nonblocking(true)?;
        Ok((a, b))
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    pub(crate) fn accept(listener: &Socket) -> io::Result<(Socket, SockAddr)> {
        let (socket, addr) = listener.accept()?;
        socket.set_nonblocking(true)?;
        Ok((socket, addr))
    }
}

/// Backlog of every listening socket (the kernel caps it at `somaxconn`).
pub(crate) const LISTEN_BACKLOG: i32 = 1024;

/// Starts a non-blocking connect: `Ok(())` when it completed at once or is in progress (wait
/// for writability, then check `take_error`).
pub(crate) fn start_connect(socket: &Socket, addr: &SockAddr) -> io::Result<()> {
    match socket.connect(addr) {
        Ok(()) => Ok(()),
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Waits for a connect started by `start_connect` to finish: once the socket is writable,
/// `SO_ERROR` holds the connect's error, if any. A wake-up before the connect finished
/// (`getpeername` says `NotConnected`, nothing pending) waits again.
pub(crate) async fn wait_connected<E: AsFd>(io: &PollEvented<E>) -> io::Result<()> {
    loop {
        let event = io.registration().readiness(Interest::WRITABLE).await?;
        let socket = SockRef::from(io.get_ref());
        if let Some(error) = socket.take_error()? {
            return Err(error);
        }
        match socket.peer_addr() {
            Ok(_) => return Ok(()),
            // An error or hang-up that left no `SO_ERROR` behind will not turn into a
            // connection: report it rather than wait on readiness that stays set.
            Err(error)
                if error.kind() == io::ErrorKind::NotConnected && !event.ready().is_error() =>
            {
                io.registration().clear_readiness(event);
            }
            Err(error) => return Err(error),
        }
    }
}
