//! Socket addresses: the sealed [`ToSocketAddrs`] trait that `bind`, `connect`, `send_to` and
//! [`lookup_host`] accept, and the resolution behind it.
//!
//! Each accepted form first resolves synchronously: an address, an IP literal with a port, or a
//! slice of addresses is ready at once (no thread hop), and a malformed string is an
//! `InvalidInput` error at once. Only a host name is looked up, with `std::net::ToSocketAddrs`
//! (`getaddrinfo`, which blocks) on the runtime's blocking pool.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use runtime_core::Handle;

/// Anything that names one or more socket addresses: what Tokio's `bind` and `connect` accept.
///
/// Implemented for [`SocketAddr`], [`SocketAddrV4`], [`SocketAddrV6`], `(IpAddr, u16)`,
/// `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`, `&str` and `String` (`"host:port"`), `(&str, u16)`
/// and `(String, u16)`, `&[SocketAddr]`, and references to any of these. Host names are looked
/// up on the blocking pool; IP literals are not. The trait is sealed: it cannot be implemented
/// outside this crate.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use runtime::net::TcpListener;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let a = TcpListener::bind("127.0.0.1:0").await?;
/// let b = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
/// let c = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
/// # let _ = (a, b, c);
/// # Ok(())
/// # }
/// ```
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    //! The sealed half of `ToSocketAddrs`: its one method and the types it returns.

    use std::io;
    use std::net::SocketAddr;

    /// The method behind `ToSocketAddrs`; not nameable outside the crate.
    pub trait ToSocketAddrsPriv {
        /// Resolves what can be resolved without blocking.
        fn resolve(&self, _: Internal) -> Resolution;
    }

    /// A token that keeps `ToSocketAddrsPriv::resolve` uncallable outside the crate.
    #[derive(Debug)]
    pub struct Internal;

    /// The synchronous part of a resolution.
    #[derive(Debug)]
    pub enum Resolution {
        /// Done: the addresses, or why the input is bad.
        Done(io::Result<super::Addrs>),
        /// A host name that must be looked up (blocking).
        Lookup(super::Lookup),
    }

    impl From<SocketAddr> for Resolution {
        fn from(addr: SocketAddr) -> Resolution {
            Resolution::Done(Ok(super::Addrs::One(Some(addr))))
        }
    }
}

use sealed::{Internal, Resolution, ToSocketAddrsPriv};

/// Resolved addresses: one (no allocation) or a list (public only to the sealed trait).
#[derive(Debug, Clone)]
pub enum Addrs {
    One(Option<SocketAddr>),
    Many(std::vec::IntoIter<SocketAddr>),
}

impl Iterator for Addrs {
    type Item = SocketAddr;

    fn next(&mut self) -> Option<SocketAddr> {
        match self {
            Addrs::One(addr) => addr.take(),
            Addrs::Many(addrs) => addrs.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Addrs::One(addr) => {
                let n = usize::from(addr.is_some());
                (n, Some(n))
            }
            Addrs::Many(addrs) => addrs.size_hint(),
        }
    }
}

/// A host name and port to look up on the blocking pool (public only to the sealed trait).
#[derive(Debug)]
pub struct Lookup {
    host: String,
    port: u16,
}

impl Lookup {
    /// Blocking: asks the system resolver.
    fn run(self) -> io::Result<Addrs> {
        let addrs = std::net::ToSocketAddrs::to_socket_addrs(&(self.host.as_str(), self.port))?;
        Ok(Addrs::Many(addrs.collect::<Vec<_>>().into_iter()))
    }
}

impl Resolution {
    /// Finishes the resolution: a lookup runs on the current runtime's blocking pool.
    pub(crate) async fn finish(self) -> io::Result<Addrs> {
        match self {
            Resolution::Done(result) => result,
            Resolution::Lookup(lookup) => {
                let handle = Handle::try_current().map_err(io::Error::other)?;
                handle
                    .spawn_blocking(move || lookup.run())
                    .await
                    // `JoinError` may hold a panic payload, which is not `Sync`.
                    .map_err(|error| io::Error::other(error.to_string()))?
            }
        }
    }
}

/// Resolves `addr` (looking host names up on the blocking pool). The future does not borrow
/// `addr`.
pub(crate) fn resolve<A: ToSocketAddrs + ?Sized>(
    addr: &A,
) -> impl Future<Output = io::Result<Addrs>> + Send + 'static {
    addr.resolve(Internal).finish()
}

/// The error for an address list with nothing in it.
pub(crate) fn no_addresses() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}

/// Tries `op` on each address in turn: the first success, or the last error (`InvalidInput`
/// when there are no addresses).
pub(crate) async fn try_each<T, F, Fut>(addrs: Addrs, mut op: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_error = None;
    for addr in addrs {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(no_addresses))
}

/// Looks up the addresses of `host` (`"example.com:80"`, `("example.com", 80)`, or any other
/// [`ToSocketAddrs`]).
///
/// Host names are resolved with the system resolver on the blocking pool; an IP literal
/// (`"127.0.0.1:8080"`, `("::1", 80)`) resolves at once without leaving the task. A string
/// without a port, or with a bad one, is an `InvalidInput` error.
///
/// Cancel-safe: dropping the future abandons the lookup (a lookup already running on the
/// blocking pool finishes there and its result is dropped).
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let addrs: Vec<_> = runtime::net::lookup_host("127.0.0.1:8080").await?.collect();
/// assert_eq!(addrs, ["127.0.0.1:8080".parse().unwrap()]);
///
/// let error = runtime::net::lookup_host("no port here").await.err().unwrap();
/// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
/// # Ok(())
/// # }
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    resolve(&host).await
}

fn invalid_input(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// `"host:port"` (or a socket address literal, `"[::1]:80"`).
fn resolve_str(s: &str) -> Resolution {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return addr.into();
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return Resolution::Done(Err(invalid_input("invalid socket address")));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Resolution::Done(Err(invalid_input("invalid port value")));
    };
    resolve_host_port(host, port)
}

/// A host (name or IP literal) and a port.
fn resolve_host_port(host: &str, port: u16) -> Resolution {
    match host.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port).into(),
        Err(_) => Resolution::Lookup(Lookup {
            host: host.to_owned(),
            port,
        }),
    }
}

macro_rules! impl_to_socket_addrs {
    ($($ty:ty => |$this:ident| $body:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}

        impl ToSocketAddrsPriv for $ty {
            fn resolve(&self, _: Internal) -> Resolution {
                let $this = self;
                $body
            }
        }
    )*};
}

impl_to_socket_addrs! {
    SocketAddr => |addr| (*addr).into();
    SocketAddrV4 => |addr| SocketAddr::V4(*addr).into();
    SocketAddrV6 => |addr| SocketAddr::V6(*addr).into();
    (IpAddr, u16) => |pair| SocketAddr::new(pair.0, pair.1).into();
    (Ipv4Addr, u16) => |pair| SocketAddr::new(IpAddr::V4(pair.0), pair.1).into();
    (Ipv6Addr, u16) => |pair| SocketAddr::new(IpAddr::V6(pair.0), pair.1).into();
    str => |s| resolve_str(s);
    String => |s| resolve_str(s);
    (&str, u16) => |pair| resolve_host_port(pair.0, pair.1);
    (String, u16) => |pair| resolve_host_port(&pair.0, pair.1);
    [SocketAddr] => |addrs| Resolution::Done(Ok(Addrs::Many(Vec::from(addrs).into_iter())));
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrsPriv for &T {
    fn resolve(&self, internal: Internal) -> Resolution {
        (**self).resolve(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(addr: &(impl ToSocketAddrs + ?Sized)) -> io::Result<Vec<SocketAddr>> {
        match addr.resolve(Internal) {
            Resolution::Done(result) => result.map(Iterator::collect),
            Resolution::Lookup(lookup) => panic!("unexpected lookup of {lookup:?}"),
        }
    }

    #[test]
    fn literals_resolve_without_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(done("127.0.0.1:80").unwrap(), [v4]);
        assert_eq!(done(&String::from("[::1]:80")).unwrap(), [v6]);
        assert_eq!(done(&("127.0.0.1", 80)).unwrap(), [v4]);
        assert_eq!(done(&("::1".to_owned(), 80)).unwrap(), [v6]);
        assert_eq!(done(&(Ipv4Addr::LOCALHOST, 80)).unwrap(), [v4]);
        assert_eq!(done(&(Ipv6Addr::LOCALHOST, 80)).unwrap(), [v6]);
        assert_eq!(
            done(&(IpAddr::from(Ipv4Addr::LOCALHOST), 80)).unwrap(),
            [v4]
        );
        assert_eq!(done(&v4).unwrap(), [v4]);
        assert_eq!(done(&&&v4).unwrap(), [v4]);
        assert_eq!(done(&[v4, v6][..]).unwrap(), [v4, v6]);
        let empty: &[SocketAddr] = &[];
        assert!(done(empty).unwrap().is_empty());
    }

    #[test]
    fn malformed_strings_are_invalid_input() {
        for bad in ["", "localhost", "127.0.0.1", "host:port", "host:99999"] {
            let error = done(bad).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn host_names_are_looked_up() {
        assert!(matches!(
            "localhost:80".resolve(Internal),
            Resolution::Lookup(Lookup { ref host, port: 80 }) if host == "localhost"
        ));
    }
}
