//! The `http_server` example, tested through its own modules: every route over HTTP/1 and over
//! HTTP/2 (prior knowledge, same port) with exact status codes and bodies, and its graceful
//! shutdown: a request in flight is finished, the listener is closed at once, idle and silent
//! connections are closed, and `serve` returns the number of connections it served. A
//! connection that never sends a byte is also closed after the header-read timeout (paused
//! clock).
//!
//! The HTTP/1 shutdown tests talk raw HTTP/1 over a `TcpStream` so that they control exactly
//! how much of a request the server has seen; `Expect: 100-continue` tells them when the
//! handler is running (hyper sends `100 Continue` when the handler starts reading the body).
//! Over HTTP/2 an answered request sent after the unfinished one says the same, since a
//! connection's streams are sent and taken in order.

#[path = "../examples/http_server/routes.rs"]
mod routes;
#[path = "../examples/http_server/server.rs"]
mod server;
#[path = "../examples/http_server/sniff.rs"]
mod sniff;

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{client, Request, Response, StatusCode, Version};
use runtime::compat::hyper::{HyperExecutor, HyperIo};
use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{mpsc, oneshot};
use runtime::task::{yield_now, JoinHandle};

const TEXT: &str = "text/plain; charset=utf-8";

/// The example's server, serving on a free port until `stop`.
struct Running {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    served: JoinHandle<io::Result<u64>>,
}

impl Running {
    async fn start() -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stop) = oneshot::channel::<()>();
        let served = runtime::spawn(server::serve(listener, async {
            let _ = stop.await;
        }));
        Running {
            addr,
            shutdown,
            served,
        }
    }

    /// Fires the shutdown and returns `serve`'s task.
    fn stop(self) -> JoinHandle<io::Result<u64>> {
        self.shutdown.send(()).unwrap();
        self.served
    }
}

/// A hyper client connection of either protocol, its connection task spawned.
enum Client {
    Http1(client::conn::http1::SendRequest<Full<Bytes>>),
    Http2(client::conn::http2::SendRequest<Full<Bytes>>),
}

impl Client {
    async fn connect(addr: SocketAddr, version: Version) -> Client {
        let io = HyperIo::new(TcpStream::connect(addr).await.unwrap());
        if version == Version::HTTP_2 {
            let (sender, connection) = client::conn::http2::handshake(HyperExecutor::new(), io)
                .await
                .unwrap();
            runtime::spawn(connection);
            Client::Http2(sender)
        } else {
            let (sender, connection) = client::conn::http1::handshake(io).await.unwrap();
            runtime::spawn(connection);
            Client::Http1(sender)
        }
    }

    /// Sends a request and returns the status, the content type and the whole body.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Vec<u8>,
    ) -> (StatusCode, String, Bytes) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, "localhost")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = match self {
            Client::Http1(sender) => {
                sender.ready().await.unwrap();
                sender.send_request(request).await.unwrap()
            }
            Client::Http2(sender) => {
                sender.ready().await.unwrap();
                sender.send_request(request).await.unwrap()
            }
        };
        let expected = match self {
            Client::Http1(_) => Version::HTTP_11,
            Client::Http2(_) => Version::HTTP_2,
        };
        assert_eq!(response.version(), expected);
        split(response).await
    }
}

async fn split(response: Response<Incoming>) -> (StatusCode, String, Bytes) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, body)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 % 253) as u8).collect()
}

/// Every route, with exact answers, over `version`.
async fn check_routes(version: Version) {
    let running = Running::start().await;
    let mut client = Client::connect(running.addr, version).await;

    let (status, content_type, body) = client.send("GET", "/", vec![]).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, TEXT));
    assert_eq!(body, "Hello, World!\n");

    let (status, content_type, body) = client.send("GET", "/json", vec![]).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/json")
    );
    assert_eq!(body, r#"{"message":"Hello, World!"}"#);

    let (status, content_type, body) = client.send("POST", "/echo", b"ping".to_vec()).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/octet-stream")
    );
    assert_eq!(body, "ping");

    let (status, _, body) = client.send("POST", "/echo", vec![]).await;
    assert_eq!((status, body), (StatusCode::OK, Bytes::new()));

    // The largest body the echo takes comes back whole.
    let largest = pattern(routes::MAX_ECHO);
    let (status, _, body) = client.send("POST", "/echo", largest.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body == largest, "the largest echo came back altered");

    let (status, content_type, body) = client.send("GET", "/nowhere", vec![]).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::NOT_FOUND, TEXT)
    );
    assert_eq!(body, "not found\n");

    for (method, path) in [("POST", "/"), ("DELETE", "/json"), ("GET", "/echo")] {
        let (status, content_type, body) = client.send(method, path, vec![]).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::METHOD_NOT_ALLOWED, TEXT),
            "{method} {path}"
        );
        assert_eq!(body, "method not allowed\n");
    }

    // One byte too many: 413, on a connection of its own (the server stops reading the body,
    // so it will not keep an HTTP/1 connection).
    let mut other = Client::connect(running.addr, version).await;
    let (status, content_type, body) = other
        .send("POST", "/echo", pattern(routes::MAX_ECHO + 1))
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, TEXT)
    );
    assert_eq!(body, "body too large\n");

    drop((client, other));
    assert_eq!(running.stop().await.unwrap().unwrap(), 2);
}

#[runtime::test]
async fn every_route_over_http1() {
    check_routes(Version::HTTP_11).await;
}

#[runtime::test]
async fn every_route_over_http2_prior_knowledge() {
    check_routes(Version::HTTP_2).await;
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_protocols_at_once_on_one_port() {
    let running = Running::start().await;
    let addr = running.addr;
    let clients = (0..8).map(|c| {
        runtime::spawn(async move {
            let version = if c % 2 == 0 {
                Version::HTTP_11
            } else {
                Version::HTTP_2
            };
            let mut client = Client::connect(addr, version).await;
            for r in 0..10 {
                let sent = format!("client {c} request {r}").into_bytes();
                let (status, _, body) = client.send("POST", "/echo", sent.clone()).await;
                assert_eq!((status, body), (StatusCode::OK, Bytes::from(sent)));
            }
        })
    });
    for joined in runtime::future::join_all(clients).await {
        joined.unwrap();
    }
    assert_eq!(running.stop().await.unwrap().unwrap(), 8);
}

/// Reads an HTTP/1 response head (through the blank line) byte by byte.
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        let n = stream.read(&mut byte).await.unwrap();
        assert_eq!(
            n, 1,
            "the connection closed inside a response head: {head:?}"
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// The value of header `name` in `head` (names compared case-insensitively).
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[runtime::test]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    const LEN: usize = 10_000;
    let running = Running::start().await;
    let addr = running.addr;
    let sent = pattern(LEN);

    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: {LEN}\r\n\
         Expect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The handler is reading the body: the request is in flight.
    assert_eq!(
        read_head(&mut stream).await,
        "HTTP/1.1 100 Continue\r\n\r\n"
    );
    stream.write_all(&sent[..LEN / 3]).await.unwrap();

    let served = running.stop();
    for _ in 0..20 {
        yield_now().await;
    }
    assert!(
        !served.is_finished(),
        "serve returned with a request in flight"
    );
    // It stopped accepting, though.
    let refused = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);

    stream.write_all(&sent[LEN / 3..]).await.unwrap();
    let head = read_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(header(&head, "content-length"), Some("10000"));
    assert_eq!(header(&head, "connection"), Some("close"));
    let mut body = Vec::new();
    stream.read_to_end(&mut body).await.unwrap();
    assert!(body == sent, "the echo came back altered");

    assert_eq!(served.await.unwrap().unwrap(), 1);
}

#[runtime::test]
async fn graceful_shutdown_finishes_an_http2_stream_in_flight() {
    let running = Running::start().await;
    let addr = running.addr;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        client::conn::http2::handshake(HyperExecutor::new(), HyperIo::new(stream))
            .await
            .unwrap();
    let connection = runtime::spawn(connection);

    // A POST whose body is a channel, then a GET on the same connection: requests are sent in
    // order, so once the GET is answered the server has taken the POST's stream, whose
    // handler is now waiting for the rest of the body.
    let (chunks, rx) = mpsc::channel::<Bytes>(4);
    let frames = runtime::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(chunk)), rx))
    });
    let post = Request::post("/echo")
        .header(HOST, "localhost")
        .body(StreamBody::new(frames).boxed())
        .unwrap();
    let posted = sender.send_request(post);
    chunks
        .send(Bytes::from_static(b"sent before, "))
        .await
        .unwrap();
    let get = Request::get("/")
        .header(HOST, "localhost")
        .body(Empty::new().boxed())
        .unwrap();
    let (status, _, body) = split(sender.send_request(get).await.unwrap()).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, Bytes::from("Hello, World!\n"))
    );

    let served = running.stop();
    for _ in 0..20 {
        yield_now().await;
    }
    assert!(
        !served.is_finished(),
        "serve returned with an HTTP/2 stream in flight"
    );
    let refused = TcpStream::connect(addr).await.unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);

    chunks
        .send(Bytes::from_static(b"sent after"))
        .await
        .unwrap();
    drop(chunks);
    let (status, _, body) = split(posted.await.unwrap()).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, Bytes::from("sent before, sent after"))
    );
    drop(sender);
    connection.await.unwrap().unwrap();
    assert_eq!(served.await.unwrap().unwrap(), 1);
}

#[runtime::test]
async fn graceful_shutdown_closes_idle_keep_alive_connections() {
    let running = Running::start().await;

    // HTTP/1: one request answered, then the connection sits idle.
    let mut idle1 = TcpStream::connect(running.addr).await.unwrap();
    idle1
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let head = read_head(&mut idle1).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let mut body = [0u8; 14];
    idle1.read_exact(&mut body).await.unwrap();
    assert_eq!(&body, b"Hello, World!\n");

    // HTTP/2: the same, through hyper's client, whose connection task ends when the server
    // says GOAWAY and closes.
    let stream = TcpStream::connect(running.addr).await.unwrap();
    let (mut sender, connection) =
        client::conn::http2::handshake(HyperExecutor::new(), HyperIo::new(stream))
            .await
            .unwrap();
    let connection = runtime::spawn(connection);
    let request = Request::get("/json")
        .header(HOST, "localhost")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let (status, _, _) = split(sender.send_request(request).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    let served = running.stop();
    let mut rest = Vec::new();
    idle1.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, b"", "the idle HTTP/1 connection got more than an end");
    connection.await.unwrap().unwrap();
    assert_eq!(served.await.unwrap().unwrap(), 2);
}

#[runtime::test]
async fn graceful_shutdown_does_not_wait_for_a_silent_connection() {
    let running = Running::start().await;
    // Connected, but never a byte sent: the server cannot even tell the protocol yet.
    let mut silent = TcpStream::connect(running.addr).await.unwrap();
    // One answered request on another connection shows the silent one was accepted (the
    // server accepts in order).
    let mut client = Client::connect(running.addr, Version::HTTP_11).await;
    let (status, _, _) = client.send("GET", "/", vec![]).await;
    assert_eq!(status, StatusCode::OK);

    let served = running.stop();
    // Only a broken server makes this wait; the time limit turns that hang into a failure.
    let mut rest = Vec::new();
    runtime::time::timeout(Duration::from_secs(10), silent.read_to_end(&mut rest))
        .await
        .expect("the silent connection held up the shutdown")
        .unwrap();
    assert_eq!(rest, b"");
    drop(client);
    assert_eq!(served.await.unwrap().unwrap(), 2);
}

#[runtime::test(start_paused = true)]
async fn a_silent_connection_is_closed_after_the_header_read_timeout() {
    let running = Running::start().await;
    let start = runtime::time::Instant::now();
    let mut silent = TcpStream::connect(running.addr).await.unwrap();
    // The only timer is the server's wait for the first bytes: the idle runtime's paused clock
    // jumps to it, and the server hangs up.
    let mut rest = Vec::new();
    silent.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, b"");
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert_eq!(running.stop().await.unwrap().unwrap(), 1);
}
