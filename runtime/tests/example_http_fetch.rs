//! The `http_fetch` example's client, tested through its own module: all requests succeed
//! against the in-process `http_server`, the semaphore bounds how many are out at once, a
//! server that fails once is recovered from by the retry, 4xx answers are not retried, and
//! refused connections and silent servers fail cleanly after the configured attempts. URL
//! parsing gives errors, never panics.
//!
//! Backoff delays are shrunk to milliseconds here; no assertion depends on timing.

#[path = "../examples/http_fetch/fetch.rs"]
mod fetch;
#[path = "../examples/http_server/routes.rs"]
mod routes;
#[path = "../examples/http_server/server.rs"]
mod server;
#[path = "../examples/http_server/sniff.rs"]
mod sniff;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fetch::{Config, FetchError, Fetched, Target};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use runtime::compat::hyper::{HyperIo, HyperTimer};
use runtime::net::TcpListener;
use runtime::sync::{oneshot, Backoff, Barrier};

/// A config for `url` with millisecond backoff.
fn config(url: &str, requests: usize, concurrency: usize) -> Config {
    Config {
        requests,
        concurrency,
        backoff: Backoff::exponential(Duration::from_millis(1)).max_retries(3),
        ..Config::new(Target::parse(url).unwrap())
    }
}

/// Fetches per `config` and returns the summary and the outcomes, sorted by index.
async fn run(config: &Config) -> (fetch::Summary, Vec<Fetched>) {
    let mut outcomes = Vec::new();
    let summary = fetch::fetch_all(config, |fetched| {
        outcomes.push(Fetched {
            index: fetched.index,
            task: fetched.task.clone(),
            attempts: fetched.attempts,
            result: match &fetched.result {
                Ok(reply) => Ok(*reply),
                Err(err) => Err(FetchError::Task(err.to_string())),
            },
            elapsed: fetched.elapsed,
        })
    })
    .await;
    outcomes.sort_by_key(|fetched| fetched.index);
    (summary, outcomes)
}

/// Serves `listener` with a tiny HTTP/1 server: every connection, forever, with `handler`.
fn serve_tiny<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    runtime::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = service_fn(handler.clone());
            runtime::spawn(async move {
                let _ = http1::Builder::new()
                    .timer(HyperTimer::new())
                    .serve_connection(HyperIo::new(stream), service)
                    .await;
            });
        }
    });
}

async fn bind() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn status(code: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = code;
    response
}

#[runtime::test]
async fn every_request_succeeds_against_the_in_process_server() {
    const N: usize = 50;
    let (listener, addr) = bind().await;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = runtime::spawn(server::serve(listener, async {
        let _ = stopped.await;
    }));

    let (summary, outcomes) = run(&config(&format!("http://{addr}/json"), N, 5)).await;
    assert_eq!((summary.ok, summary.failed, summary.retries), (N, 0, 0));
    assert_eq!(summary.bytes, N * r#"{"message":"Hello, World!"}"#.len());
    assert!(summary.first_error.is_none());
    assert_eq!(outcomes.len(), N);
    for (i, fetched) in outcomes.iter().enumerate() {
        assert_eq!(fetched.index, i);
        assert_eq!(fetched.task.as_deref(), Some(format!("fetch_{i}").as_str()));
        assert_eq!(fetched.attempts, 1);
        let reply = fetched.result.as_ref().unwrap();
        assert_eq!((reply.status, reply.bytes), (StatusCode::OK, 27));
    }

    stop.send(()).unwrap();
    // One connection per request.
    assert_eq!(serving.await.unwrap().unwrap(), N as u64);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_semaphore_bounds_the_requests_in_flight() {
    const LIMIT: usize = 4;
    let (listener, addr) = bind().await;
    // Each request waits in the server until LIMIT of them are there: with fewer allowed out
    // at once this would never finish, and the high-water mark shows no more ever were.
    let together = Arc::new(Barrier::new(LIMIT));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    serve_tiny(listener, {
        let (in_flight, most) = (in_flight.clone(), most.clone());
        move |_| {
            let (together, in_flight, most) = (together.clone(), in_flight.clone(), most.clone());
            async move {
                let now = in_flight.fetch_add(1, SeqCst) + 1;
                most.fetch_max(now, SeqCst);
                together.wait().await;
                in_flight.fetch_sub(1, SeqCst);
                Ok(status(StatusCode::OK, "ok"))
            }
        }
    });

    let (summary, _) = run(&config(&format!("http://{addr}/"), 6 * LIMIT, LIMIT)).await;
    assert_eq!((summary.ok, summary.failed), (6 * LIMIT, 0));
    assert_eq!(most.load(SeqCst), LIMIT);
}

#[runtime::test]
async fn the_retry_recovers_from_a_server_that_fails_once() {
    const N: usize = 5;
    let (listener, addr) = bind().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    serve_tiny(listener, {
        let attempts = attempts.clone();
        move |_| {
            let attempt = attempts.fetch_add(1, SeqCst) + 1;
            async move {
                if attempt == 1 {
                    Ok(status(StatusCode::SERVICE_UNAVAILABLE, "busy"))
                } else {
                    Ok(status(StatusCode::OK, "fine"))
                }
            }
        }
    });

    // Whichever request made the first attempt gets the 503, and only that one is retried.
    let (summary, outcomes) = run(&config(&format!("http://{addr}/"), N, 2)).await;
    assert_eq!((summary.ok, summary.failed, summary.retries), (N, 0, 1));
    assert_eq!(attempts.load(SeqCst), N + 1);
    let retried: Vec<usize> = outcomes
        .iter()
        .filter(|fetched| fetched.attempts == 2)
        .map(|fetched| fetched.index)
        .collect();
    assert_eq!(retried.len(), 1);
    for fetched in &outcomes {
        assert_eq!(fetched.result.as_ref().unwrap().bytes, 4);
    }
}

#[runtime::test]
async fn a_client_error_is_not_retried() {
    let (listener, addr) = bind().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    serve_tiny(listener, {
        let attempts = attempts.clone();
        move |_| {
            attempts.fetch_add(1, SeqCst);
            async { Ok(status(StatusCode::NOT_FOUND, "no such thing")) }
        }
    });

    let (summary, outcomes) = run(&config(&format!("http://{addr}/missing"), 3, 2)).await;
    assert_eq!((summary.ok, summary.failed, summary.retries), (0, 3, 0));
    assert_eq!(attempts.load(SeqCst), 3);
    assert_eq!(
        summary
            .first_error
            .as_deref()
            .map(|e| e.ends_with("HTTP 404 Not Found")),
        Some(true)
    );
    assert!(outcomes.iter().all(|fetched| fetched.attempts == 1));
}

#[runtime::test]
async fn refused_connections_fail_after_every_retry() {
    // A port that was just free: nobody listens there now.
    let (listener, addr) = bind().await;
    drop(listener);
    let mut config = config(&format!("http://{addr}/"), 2, 2);
    config.backoff = Backoff::exponential(Duration::from_millis(1)).max_retries(2);

    let mut errors = Vec::new();
    let summary = fetch::fetch_all(&config, |fetched| {
        assert_eq!(fetched.attempts, 3);
        match &fetched.result {
            Err(FetchError::Connect(err)) => errors.push(err.kind()),
            other => panic!("expected a refused connection, got {other:?}"),
        }
    })
    .await;
    assert_eq!((summary.ok, summary.failed, summary.retries), (0, 2, 4));
    assert_eq!(errors, [io::ErrorKind::ConnectionRefused; 2]);
}

#[runtime::test]
async fn a_silent_server_times_out_each_attempt() {
    // Accepts and reads, never answers.
    let (listener, addr) = bind().await;
    runtime::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let mut config = config(&format!("http://{addr}/"), 1, 1);
    config.timeout = Duration::from_millis(20);
    config.backoff = Backoff::exponential(Duration::from_millis(1)).max_retries(1);

    let mut outcome = None;
    fetch::fetch_all(&config, |fetched| {
        outcome = Some((
            fetched.attempts,
            fetched.result.as_ref().err().map(|e| e.to_string()),
        ))
    })
    .await;
    let (attempts, error) = outcome.unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(error.as_deref(), Some("no answer within 20ms"));
}

#[test]
fn urls_are_taken_apart_and_bad_ones_are_errors_not_panics() {
    let target = Target::parse("http://127.0.0.1:8080/json?pretty=1").unwrap();
    assert_eq!(
        target,
        Target {
            host: "127.0.0.1".into(),
            port: 8080,
            authority: "127.0.0.1:8080".into(),
            path_and_query: "/json?pretty=1".into(),
        }
    );
    assert_eq!(target.to_string(), "http://127.0.0.1:8080/json?pretty=1");

    let target = Target::parse("http://example.com").unwrap();
    assert_eq!((target.port, target.path_and_query.as_str()), (80, "/"));
    let target = Target::parse("http://[::1]:3000/x").unwrap();
    assert_eq!((target.host.as_str(), target.port), ("::1", 3000));
    assert_eq!(target.authority, "[::1]:3000");
    let target = Target::parse("http://[::1]/").unwrap();
    assert_eq!((target.host.as_str(), target.port), ("::1", 80));
    let target = Target::parse("http://localhost:/").unwrap();
    assert_eq!((target.host.as_str(), target.port), ("localhost", 80));

    for bad in [
        "",
        "foo",
        "127.0.0.1:3000/json",
        "https://example.com/",
        "ftp://example.com/",
        "http://user@example.com/",
        "http://",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://[::1]:70000/",
    ] {
        let err = Target::parse(bad).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
}
