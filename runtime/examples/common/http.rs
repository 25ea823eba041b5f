//! A tiny HTTP/1.1 server and client written on `runtime::net`, for the examples that make
//! requests (aiohttp's role in the cheatsheet; hyper arrives in a later issue).
//!
//! One request per connection (`Connection: close`): the server reads the request head, hands
//! the path to a handler and writes the response; the client writes a `GET`, reads to the end
//! of the stream and splits status and body. Enough for `GET`, nothing more.
#![allow(dead_code)] // each example uses its own subset

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::task::JoinHandle;

/// An HTTP response: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn ok(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            body: body.into(),
        }
    }

    pub fn status(status: u16) -> Response {
        Response {
            status,
            body: String::new(),
        }
    }

    /// The response if its status is 2xx, an error naming the status otherwise.
    pub fn error_for_status(self) -> io::Result<Response> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(io::Error::other(format!("HTTP {}", self.status)))
        }
    }
}

/// A running server. It is an RAII guard, like `async with`: dropping it stops accepting.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    accept_loop: JoinHandle<()>,
}

impl Server {
    /// Binds 127.0.0.1 on a free port and serves each request on its own task with
    /// `handler(path)`.
    pub async fn start<H, F>(handler: H) -> io::Result<Server>
    where
        H: Fn(String) -> F + Clone + Send + 'static,
        F: Future<Output = Response> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let accept_loop = runtime::task::Builder::new()
            .name("http-accept")
            .spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    runtime::spawn(serve_one(stream, handler.clone()));
                }
            });
        Ok(Server { addr, accept_loop })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn serve_one<H, F>(mut stream: TcpStream, handler: H)
where
    H: Fn(String) -> F,
    F: Future<Output = Response>,
{
    let Ok(head) = read_head(&mut stream).await else {
        return;
    };
    // "GET /path HTTP/1.1"
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let response = match (words.next(), words.next()) {
        (Some("GET"), Some(path)) => handler(path.to_owned()).await,
        _ => Response::status(400),
    };
    let reply = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        response.status,
        reason(response.status),
        response.body.len(),
        response.body
    );
    // The client may have given up (a timeout): nothing to do about a failed write.
    let _ = stream.write_all(reply.as_bytes()).await;
}

/// Reads up to the blank line that ends a request head (8 KiB at most).
async fn read_head(stream: &mut TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 8192 {
            return Err(io::ErrorKind::InvalidData.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(head).map_err(|_| io::ErrorKind::InvalidData.into())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// `GET http://{addr}{path}`: one connection, closed when the response has been read.
///
/// Cancel-safe in the sense that matters here: dropping the future (a timeout) drops the
/// connection.
pub async fn get(addr: SocketAddr, path: &str) -> io::Result<Response> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let raw = String::from_utf8(raw).map_err(|_| io::ErrorKind::InvalidData)?;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or(io::ErrorKind::InvalidData)?;
    // "HTTP/1.1 200 OK"
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or(io::ErrorKind::InvalidData)?;
    Ok(Response {
        status,
        body: body.to_owned(),
    })
}
