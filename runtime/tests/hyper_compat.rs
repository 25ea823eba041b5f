//! `runtime::compat::hyper` end to end: hyper's own clients and servers (HTTP/1 and HTTP/2), both
//! running on this runtime, talk over real TCP sockets wrapped in `HyperIo`.
//!
//! Covered: an HTTP/1 round trip, concurrent HTTP/2 streams on one connection, a request body
//! streamed chunk by chunk and echoed as it arrives, keep-alive, hyper's header-read timeout on
//! the paused clock through `HyperTimer`, `HyperTimer::reset`, `HyperIo` around an upgraded
//! connection, bodies far larger than one read, the adaptive read window (over an in-memory
//! connection, where every read can fill it), HTTP/2 on a 2-worker runtime, and
//! `HyperExecutor::with_handle` used from a thread outside the runtime.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONNECTION, CONTENT_TYPE, HOST, UPGRADE};
use hyper::rt::{Sleep, Timer};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{client, Method, Request, Response, StatusCode, Version};
use runtime::compat::hyper::{HyperExecutor, HyperIo, HyperSleep, HyperTimer};
use runtime::future::join_all;
use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{mpsc, Barrier, Notify};
use runtime::task::{JoinHandle, JoinSet};
use runtime::time::{self, Instant};

type BoxError = Box<dyn StdError + Send + Sync>;

/// The body type of every request and response here.
type Body = BoxBody<Bytes, BoxError>;

/// What a test server returns: one result per connection it served.
type Served = JoinHandle<Vec<Result<(), hyper::Error>>>;

fn full(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn empty() -> Body {
    Empty::new()
        .map_err(|never: Infallible| match never {})
        .boxed()
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Which hyper server a test runs.
#[derive(Debug, Clone, Copy)]
enum Server {
    Http1,
    Http2,
}

/// Accepts exactly `connections` connections on `listener`, serves each on its own task with
/// `handler` (HTTP/1 with upgrades, or HTTP/2), and returns each connection's result once all
/// have ended.
fn serve<H, F>(server: Server, listener: TcpListener, connections: usize, handler: H) -> Served
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Body>, Infallible>> + Send + 'static,
{
    runtime::spawn(async move {
        let mut tasks = JoinSet::new();
        for _ in 0..connections {
            let (stream, _) = listener.accept().await.unwrap();
            let io = HyperIo::new(stream);
            let service = service_fn(handler.clone());
            match server {
                Server::Http1 => tasks.spawn(async move {
                    http1::Builder::new()
                        .timer(HyperTimer::new())
                        .serve_connection(io, service)
                        .with_upgrades()
                        .await
                }),
                Server::Http2 => tasks.spawn(async move {
                    http2::Builder::new(HyperExecutor::new())
                        .timer(HyperTimer::new())
                        .serve_connection(io, service)
                        .await
                }),
            };
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            results.push(joined.unwrap());
        }
        results
    })
}

/// Asserts that every connection `served` ended without an error, and that there were `n`.
async fn assert_served_ok(served: Served, n: usize) {
    let results = served.await.unwrap();
    assert_eq!(results.len(), n);
    for result in results {
        if let Err(err) = result {
            panic!("a server connection failed: {err:?}");
        }
    }
}

/// An HTTP/1 client connection to `addr`, its connection task spawned.
async fn http1_client(
    addr: SocketAddr,
) -> (
    client::conn::http1::SendRequest<Body>,
    JoinHandle<Result<(), hyper::Error>>,
) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) = client::conn::http1::handshake(HyperIo::new(stream))
        .await
        .unwrap();
    (sender, runtime::spawn(connection))
}

/// An HTTP/2 client connection to `addr`, its connection task spawned.
async fn http2_client(
    addr: SocketAddr,
) -> (
    client::conn::http2::SendRequest<Body>,
    JoinHandle<Result<(), hyper::Error>>,
) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) =
        client::conn::http2::handshake(HyperExecutor::new(), HyperIo::new(stream))
            .await
            .unwrap();
    (sender, runtime::spawn(connection))
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(HOST, "localhost")
        .body(empty())
        .unwrap()
}

fn post(path: &str, body: Body) -> Request<Body> {
    Request::post(path)
        .header(HOST, "localhost")
        .body(body)
        .unwrap()
}

async fn body_bytes(response: Response<Incoming>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}

/// `len` bytes of a pattern that does not repeat every power of two.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// A server handler that echoes the request body back as it arrives.
async fn echo(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    Ok(Response::new(
        request.into_body().map_err(BoxError::from).boxed(),
    ))
}

#[runtime::test]
async fn http1_round_trip_carries_status_headers_and_body() {
    let (listener, addr) = bind().await;
    let served = serve(Server::Http1, listener, 1, |request| async move {
        assert_eq!(request.version(), Version::HTTP_11);
        let name = request.uri().query().unwrap_or("nobody").to_owned();
        let client = request.headers()["x-client"].to_str().unwrap().to_owned();
        let response = Response::builder()
            .status(StatusCode::CREATED)
            .header(CONTENT_TYPE, "text/plain")
            .header("x-seen-client", client)
            .body(full(format!("hello, {name}")))
            .unwrap();
        Ok(response)
    });

    let (mut sender, connection) = http1_client(addr).await;
    let request = Request::get("/greet?ferris")
        .header(HOST, "localhost")
        .header("x-client", "hyper-on-runtime")
        .body(empty())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/plain");
    assert_eq!(response.headers()["x-seen-client"], "hyper-on-runtime");
    assert_eq!(response.headers()["content-length"], "13");
    assert_eq!(body_bytes(response).await, "hello, ferris");

    drop(sender);
    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

#[runtime::test]
async fn http2_serves_concurrent_streams_on_one_connection() {
    const STREAMS: usize = 20;
    let (listener, addr) = bind().await;
    // No handler answers before all of them have started: the streams must be in flight on the
    // one connection at the same time.
    let all_in = Arc::new(Barrier::new(STREAMS));
    let served = serve(Server::Http2, listener, 1, move |request| {
        let all_in = all_in.clone();
        async move {
            assert_eq!(request.version(), Version::HTTP_2);
            let n: usize = request.uri().path()[1..].parse().unwrap();
            all_in.wait().await;
            Ok(Response::new(full(format!(
                "stream {n}: {}",
                "x".repeat(n * 100)
            ))))
        }
    });

    let (sender, connection) = http2_client(addr).await;
    let requests = (0..STREAMS).map(|n| {
        let mut sender = sender.clone();
        async move {
            let response = sender.send_request(get(&format!("/{n}"))).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.version(), Version::HTTP_2);
            (n, body_bytes(response).await)
        }
    });
    for (n, body) in join_all(requests).await {
        assert_eq!(body, format!("stream {n}: {}", "x".repeat(n * 100)));
    }

    drop(sender);
    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

#[runtime::test]
async fn a_streamed_request_body_is_echoed_as_it_arrives() {
    let (listener, addr) = bind().await;
    let served = serve(Server::Http1, listener, 1, echo);

    // The request body is a channel: a chunk is sent only after the previous one came back, so
    // both bodies are streamed, not collected.
    let (chunks, rx) = mpsc::channel::<Bytes>(1);
    let frames = runtime::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok::<_, BoxError>(Frame::data(chunk)), rx))
    });
    let (mut sender, connection) = http1_client(addr).await;
    let response = sender
        .send_request(post("/echo", StreamBody::new(frames).boxed()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // No length was known up front, so both directions use chunked encoding.
    assert_eq!(response.headers()["transfer-encoding"], "chunked");
    let mut echoed = response.into_body();

    for (i, size) in [1, 5, 300, 4096, 70_000].into_iter().enumerate() {
        let chunk: Bytes = pattern(size).into_iter().map(|b| b ^ i as u8).collect();
        chunks.send(chunk.clone()).await.unwrap();
        let mut got = Vec::new();
        while got.len() < chunk.len() {
            let frame = echoed.frame().await.expect("the echo ended early").unwrap();
            got.extend_from_slice(&frame.into_data().unwrap());
        }
        assert_eq!(got, chunk, "chunk {i} ({size} bytes)");
    }
    // Closing the channel ends the request body, which ends the echo.
    drop(chunks);
    assert!(echoed.frame().await.is_none());

    drop(sender);
    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

#[runtime::test]
async fn http1_keep_alive_serves_three_requests_on_one_connection() {
    let (listener, addr) = bind().await;
    let requests = Arc::new(AtomicUsize::new(0));
    // The server accepts a single connection: every answer below came over it.
    let served = serve(Server::Http1, listener, 1, {
        let requests = requests.clone();
        move |request| {
            let n = requests.fetch_add(1, SeqCst) + 1;
            async move {
                let body = request.into_body().collect().await.unwrap().to_bytes();
                let text = format!("request {n}: {}", String::from_utf8_lossy(&body));
                Ok(Response::new(full(text)))
            }
        }
    });

    let (mut sender, connection) = http1_client(addr).await;
    for n in 1..=3 {
        sender.ready().await.unwrap();
        let request = if n == 2 {
            post("/", full("with a body"))
        } else {
            get("/")
        };
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(CONNECTION).is_none());
        let expected = match n {
            2 => "request 2: with a body".to_owned(),
            n => format!("request {n}: "),
        };
        assert_eq!(body_bytes(response).await, expected);
    }
    assert_eq!(requests.load(SeqCst), 3);

    drop(sender);
    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

/// Keeps a paused current-thread runtime's clock from jumping by itself: while a blocking task
/// is in flight the idle runtime does not move the clock to the next timer, so only
/// `time::advance` moves it. Without this, the runtime would jump to hyper's timeout whenever
/// it went idle waiting for the socket (the reactor thread delivers readiness asynchronously),
/// possibly before the server had read anything.
///
/// The blocking task gives up after 30 s of real time so that a broken test fails instead of
/// hanging; `release` says whether it was still holding.
struct ClockHold {
    release: std::sync::mpsc::Sender<()>,
    held: JoinHandle<bool>,
}

impl ClockHold {
    fn new() -> ClockHold {
        let (release, released) = std::sync::mpsc::channel();
        let held =
            runtime::spawn_blocking(move || released.recv_timeout(Duration::from_secs(30)).is_ok());
        ClockHold { release, held }
    }

    async fn release(self) {
        let _ = self.release.send(());
        assert!(self.held.await.unwrap(), "the clock hold ran out of time");
    }
}

#[runtime::test(start_paused = true)]
async fn header_read_timeout_closes_a_half_sent_head_when_the_clock_passes_it() {
    let hold = ClockHold::new();
    let start = Instant::now();
    let (listener, addr) = bind().await;
    let read = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(Notify::new());
    let server = runtime::spawn({
        let (read, progress) = (read.clone(), progress.clone());
        async move {
            let (stream, _) = listener.accept().await.unwrap();
            let stream = OnRead {
                inner: stream,
                on_read: move |n| {
                    read.fetch_add(n, SeqCst);
                    progress.notify_one();
                },
            };
            let service = service_fn(|_: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(empty()))
            });
            http1::Builder::new()
                .timer(HyperTimer::new())
                .header_read_timeout(Duration::from_secs(1))
                .serve_connection(HyperIo::new(stream), service)
                .await
        }
    });

    let mut client = TcpStream::connect(addr).await.unwrap();
    let half = b"GET / HTTP/1.1\r\nHost: local";
    client.write_all(half).await.unwrap();
    while read.load(SeqCst) < half.len() {
        progress.notified().await;
    }
    assert_eq!(Instant::now(), start, "the clock moved by itself");

    time::advance(Duration::from_millis(999)).await;
    for _ in 0..10 {
        runtime::task::yield_now().await;
    }
    assert!(
        !server.is_finished(),
        "the connection ended before its header-read timeout"
    );

    time::advance(Duration::from_millis(2)).await;
    let err = server.await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "not a timeout: {err}");
    assert!(start.elapsed() >= Duration::from_secs(1));
    // The server closed the connection without an answer.
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, b"");
    hold.release().await;
}

/// Polls `sleep` once.
async fn poll_once(sleep: &mut Pin<Box<dyn Sleep>>) -> Poll<()> {
    poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx))).await
}

fn address_of(sleep: &Pin<Box<dyn Sleep>>) -> *const () {
    &**sleep as *const dyn Sleep as *const ()
}

#[runtime::test(start_paused = true)]
async fn hyper_timer_reset_moves_a_sleep_in_place() {
    let timer = HyperTimer::new();
    let start = Instant::now();
    assert_eq!(timer.now(), start.into_std());

    // Earlier: 10 s becomes 2 s.
    let mut sleep = timer.sleep(Duration::from_secs(10));
    assert!(sleep.is::<HyperSleep>());
    assert!(poll_once(&mut sleep).await.is_pending());
    let before = address_of(&sleep);
    timer.reset(&mut sleep, timer.now() + Duration::from_secs(2));
    assert_eq!(address_of(&sleep), before, "reset allocated a new sleep");
    time::advance(Duration::from_millis(1999)).await;
    assert!(poll_once(&mut sleep).await.is_pending());
    time::advance(Duration::from_millis(1)).await;
    assert!(poll_once(&mut sleep).await.is_ready());
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(timer.now(), (start + Duration::from_secs(2)).into_std());

    // Later: 1 s becomes 5 s, from a sleep made with `sleep_until`.
    let now = Instant::now();
    let mut sleep = timer.sleep_until((now + Duration::from_secs(1)).into_std());
    timer.reset(&mut sleep, (now + Duration::from_secs(5)).into_std());
    time::advance(Duration::from_secs(1)).await;
    assert!(poll_once(&mut sleep).await.is_pending());
    time::advance(Duration::from_secs(4)).await;
    assert!(poll_once(&mut sleep).await.is_ready());

    // A sleep that already fired runs again once reset (hyper reuses its timeout sleeps).
    timer.reset(&mut sleep, timer.now() + Duration::from_secs(1));
    assert!(poll_once(&mut sleep).await.is_pending());
    time::advance(Duration::from_secs(1)).await;
    assert!(poll_once(&mut sleep).await.is_ready());

    // A sleep of some other timer is replaced by one of ours.
    struct Forever;
    impl Future for Forever {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }
    impl Sleep for Forever {}
    let mut sleep: Pin<Box<dyn Sleep>> = Box::pin(Forever);
    timer.reset(&mut sleep, timer.now() + Duration::from_secs(3));
    assert!(sleep.is::<HyperSleep>());
    time::advance(Duration::from_secs(3)).await;
    assert!(poll_once(&mut sleep).await.is_ready());
}

#[runtime::test]
async fn hyper_io_wraps_an_upgraded_connection_for_runtime_io() {
    let (listener, addr) = bind().await;
    let (echoed_tx, mut echoed_rx) = mpsc::channel::<u64>(1);
    let served = serve(Server::Http1, listener, 1, move |mut request| {
        let echoed_tx = echoed_tx.clone();
        async move {
            if request.headers().get(UPGRADE).map(|v| v.as_bytes()) != Some(b"echo") {
                let mut refused = Response::new(full("upgrade to echo"));
                *refused.status_mut() = StatusCode::UPGRADE_REQUIRED;
                return Ok(refused);
            }
            let on_upgrade = hyper::upgrade::on(&mut request);
            runtime::spawn(async move {
                let upgraded = HyperIo::new(on_upgrade.await.unwrap());
                // From here on it is a plain byte stream: `runtime::io` does the echoing.
                let (mut reader, mut writer) = runtime::io::split(upgraded);
                let copied = runtime::io::copy(&mut reader, &mut writer).await.unwrap();
                writer.close().await.unwrap();
                echoed_tx.send(copied).await.unwrap();
            });
            let response = Response::builder()
                .status(StatusCode::SWITCHING_PROTOCOLS)
                .header(CONNECTION, "upgrade")
                .header(UPGRADE, "echo")
                .body(empty())
                .unwrap();
            Ok(response)
        }
    });

    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = client::conn::http1::handshake(HyperIo::new(stream))
        .await
        .unwrap();
    let connection = runtime::spawn(connection.with_upgrades());
    let request = Request::get("/")
        .header(HOST, "localhost")
        .header(CONNECTION, "upgrade")
        .header(UPGRADE, "echo")
        .body(empty())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    let mut upgraded = HyperIo::new(hyper::upgrade::on(response).await.unwrap());

    let mut total = 0;
    for size in [4, 1000, 64 * 1024] {
        let message = pattern(size);
        upgraded.write_all(&message).await.unwrap();
        upgraded.flush().await.unwrap();
        let mut back = vec![0; size];
        upgraded.read_exact(&mut back).await.unwrap();
        assert_eq!(back, message, "{size} bytes");
        total += size as u64;
    }
    upgraded.close().await.unwrap();
    let mut rest = Vec::new();
    upgraded.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
    assert_eq!(echoed_rx.recv().await, Some(total));

    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

#[runtime::test]
async fn bodies_much_larger_than_one_read_arrive_whole() {
    const LEN: usize = 200 * 1024;
    let (listener, addr) = bind().await;
    let served = serve(Server::Http1, listener, 1, |request| async move {
        match *request.method() {
            Method::GET => Ok(Response::new(full(pattern(LEN)))),
            _ => echo(request).await,
        }
    });

    // Count the client's socket reads: the read window starts at 4 KiB and at most doubles per
    // read, so 200 KiB cannot arrive in fewer than 6 of them.
    let reads = Arc::new(Mutex::new(Vec::new()));
    let stream = TcpStream::connect(addr).await.unwrap();
    let stream = OnRead {
        inner: stream,
        on_read: {
            let reads = reads.clone();
            move |n| reads.lock().unwrap().push(n)
        },
    };
    let (mut sender, connection) = client::conn::http1::handshake(HyperIo::new(stream))
        .await
        .unwrap();
    let connection = runtime::spawn(connection);

    let response = sender.send_request(get("/big")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-length"], LEN.to_string());
    let body = body_bytes(response).await;
    assert_eq!(body.len(), LEN);
    assert!(body == pattern(LEN), "the body came back altered");
    let sizes = std::mem::take(&mut *reads.lock().unwrap());
    assert!(sizes.len() >= 6, "only {} reads: {sizes:?}", sizes.len());
    let mut window = 4096;
    for &size in &sizes {
        assert!(size <= window, "a read of {size} bytes, window {window}");
        window *= 2;
    }

    // And the other way: the server reads a 200 KiB request body and sends it back.
    sender.ready().await.unwrap();
    let sent = pattern(LEN + 1);
    let response = sender
        .send_request(post("/echo", full(sent.clone())))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body_bytes(response).await == sent);

    drop(sender);
    connection.await.unwrap().unwrap();
    assert_served_ok(served, 1).await;
}

/// An in-memory connection: once a request head has been written, reads come from a scripted
/// response (hyper's client rejects an answer that comes before its request); writes are kept.
struct Scripted {
    response: runtime::io::Cursor<Vec<u8>>,
    written: Vec<u8>,
    reader: Option<std::task::Waker>,
}

impl AsyncRead for Scripted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if !self.written.ends_with(b"\r\n\r\n") {
            self.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Pin::new(&mut self.response).poll_read(cx, buf)
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.written.extend_from_slice(buf);
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[runtime::test]
async fn the_read_window_grows_while_reads_fill_it() {
    // Everything is there at once, so each read fills what it is offered: the window must grow
    // from 4 KiB instead of taking 50 reads of 4 KiB for 200 KiB.
    const LEN: usize = 200 * 1024;
    let mut response = format!("HTTP/1.1 200 OK\r\ncontent-length: {LEN}\r\n\r\n").into_bytes();
    response.extend_from_slice(&pattern(LEN));
    let total = response.len();
    let reads = Arc::new(Mutex::new(Vec::new()));
    let io = OnRead {
        inner: Scripted {
            response: runtime::io::Cursor::new(response),
            written: Vec::new(),
            reader: None,
        },
        on_read: {
            let reads = reads.clone();
            move |n| reads.lock().unwrap().push(n)
        },
    };
    let (mut sender, connection) = client::conn::http1::handshake(HyperIo::new(io))
        .await
        .unwrap();
    let connection = runtime::spawn(connection.without_shutdown());

    let response = sender.send_request(get("/scripted")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_bytes(response).await;
    assert!(body == pattern(LEN), "the body came back altered");
    drop(sender);
    let parts = connection.await.unwrap().unwrap();
    let written = String::from_utf8(parts.io.into_inner().inner.written).unwrap();
    assert!(
        written.starts_with("GET /scripted HTTP/1.1\r\n"),
        "{written}"
    );

    let sizes = std::mem::take(&mut *reads.lock().unwrap());
    assert_eq!(sizes.iter().sum::<usize>(), total);
    // 4 KiB, then double after every read that filled its window: 4 + 8 + 16 + 32 + 64 KiB,
    // and the rest in one read.
    let (last, full) = sizes.split_last().unwrap();
    let doubling: Vec<usize> = (0..full.len()).map(|i| 4096 << i).collect();
    assert_eq!(full, doubling, "reads: {sizes:?}");
    assert_eq!(sizes.len(), 6, "reads: {sizes:?}");
    assert_eq!(*last, total - doubling.iter().sum::<usize>());
}

/// Calls `on_read` with the size of every read through it that got bytes.
struct OnRead<S, F> {
    inner: S,
    on_read: F,
}

impl<S: AsyncRead + Unpin, F: FnMut(usize) + Unpin> AsyncRead for OnRead<S, F> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            if n > 0 {
                (self.on_read)(n);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin, F: Unpin> AsyncWrite for OnRead<S, F> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_connections_on_a_two_worker_runtime() {
    const CONNECTIONS: usize = 4;
    const STREAMS: usize = 25;
    let (listener, addr) = bind().await;
    let served = serve(Server::Http2, listener, CONNECTIONS, echo);

    let clients = (0..CONNECTIONS).map(|c| {
        runtime::spawn(async move {
            let (sender, connection) = http2_client(addr).await;
            let streams = (0..STREAMS).map(|s| {
                let mut sender = sender.clone();
                runtime::spawn(async move {
                    let sent = format!("connection {c} stream {s} ").repeat(s * 50 + 1);
                    let response = sender
                        .send_request(post("/echo", full(sent.clone())))
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                    assert_eq!(body_bytes(response).await, sent);
                })
            });
            for joined in join_all(streams).await {
                joined.unwrap();
            }
            drop(sender);
            connection.await.unwrap().unwrap();
        })
    });
    for joined in join_all(clients).await {
        joined.unwrap();
    }
    assert_served_ok(served, CONNECTIONS).await;
}

#[test]
fn hyper_executor_with_a_handle_spawns_from_outside_the_runtime() {
    use hyper::rt::Executor;

    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let executor = HyperExecutor::with_handle(rt.handle().clone());
    let (tx, rx) = std::sync::mpsc::channel();
    // A plain thread, no runtime entered: the future still runs on `rt`'s workers.
    std::thread::spawn(move || {
        executor.execute(async move {
            let on_runtime = runtime::Handle::try_current().is_ok();
            tx.send((on_runtime, runtime::task::try_id().is_some()))
                .unwrap();
        });
    })
    .join()
    .unwrap();
    assert_eq!(rx.recv().unwrap(), (true, true));
}
