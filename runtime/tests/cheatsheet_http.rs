//! The small HTTP/1.1 server and client that the examples share (`examples/common/http.rs`):
//! requests and status codes, and the cheatsheet's concurrent requests with a per-request
//! timeout, retry and a `Semaphore` bounding how many are in flight. Real sockets, so the
//! clock is not paused; the one timeout waits 300 ms.

#[path = "../examples/common/http.rs"]
mod http;

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::TcpStream;
use runtime::sync::{retry, Backoff, Semaphore};
use runtime::time::{sleep, timeout};

async fn echo_server() -> http::Server {
    http::Server::start(|path| async move {
        match path.strip_prefix("/echo/") {
            Some(text) => http::Response::ok(text),
            None => http::Response::status(404),
        }
    })
    .await
    .unwrap()
}

#[runtime::test]
async fn get_returns_the_status_and_body_of_the_handler() {
    let server = echo_server().await;
    let response = http::get(server.addr(), "/echo/hello").await.unwrap();
    assert_eq!(response, http::Response::ok("hello"));
    let missing = http::get(server.addr(), "/nothing").await.unwrap();
    assert_eq!(missing.status, 404);
    let error = missing.error_for_status().unwrap_err();
    assert_eq!(error.to_string(), "HTTP 404");
}

#[runtime::test]
async fn a_request_that_is_not_a_get_is_a_bad_request() {
    let server = echo_server().await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"POST /echo/x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{reply:?}"
    );
}

#[runtime::test]
async fn dropping_the_server_stops_it_accepting() {
    let server = echo_server().await;
    let addr = server.addr();
    drop(server);
    // The accept loop is aborted, and dropped (with the listener) as soon as this task waits:
    // the connection is refused or, if the kernel had already queued it, reset.
    assert!(http::get(addr, "/echo/x").await.is_err());
}

#[runtime::test]
async fn concurrent_requests_with_a_bound_a_timeout_and_retry_all_succeed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (in_flight, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let server = http::Server::start({
        let (calls, in_flight, most) = (calls.clone(), in_flight.clone(), most.clone());
        move |path| {
            let (calls, in_flight, most) = (calls.clone(), in_flight.clone(), most.clone());
            async move {
                if calls.fetch_add(1, SeqCst) == 0 {
                    std::future::pending::<()>().await; // the first request never answers
                }
                most.fetch_max(in_flight.fetch_add(1, SeqCst) + 1, SeqCst);
                sleep(Duration::from_millis(20)).await;
                in_flight.fetch_sub(1, SeqCst);
                http::Response::ok(path)
            }
        }
    })
    .await
    .unwrap();
    let addr = server.addr();
    let limit = Arc::new(Semaphore::new(2));
    let requests: Vec<_> = (0..6)
        .map(|id| {
            let limit = limit.clone();
            runtime::spawn(async move {
                let backoff = Backoff::exponential(Duration::from_millis(10)).max_retries(2);
                retry(backoff, || async {
                    let _permit = limit.acquire().await.unwrap();
                    let path = format!("/item/{id}");
                    match timeout(Duration::from_millis(300), http::get(addr, &path)).await {
                        Ok(response) => response?.error_for_status(),
                        Err(_) => Err(io::ErrorKind::TimedOut.into()),
                    }
                })
                .await
            })
        })
        .collect();
    for (id, request) in requests.into_iter().enumerate() {
        let response = request.await.unwrap().unwrap();
        assert_eq!(response.body, format!("/item/{id}"));
    }
    assert_eq!(calls.load(SeqCst), 7, "six requests and one retry");
    assert!(most.load(SeqCst) <= 2, "at most two in flight");
}
