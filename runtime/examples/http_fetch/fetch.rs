//! The client side of `http_fetch`: `N` `GET`s of one plain-`http://` URL, at most `C` at once
//! (a `Semaphore`), each on a task of its own named `fetch_<i>`, each attempt under a timeout,
//! and failed attempts retried with exponential backoff (`sync::retry_if`; a 4xx answer is not
//! worth another try). Every attempt opens its own connection and speaks HTTP/1.1 through
//! hyper's client (`client::conn::http1::handshake` over `HyperIo<TcpStream>`, its connection
//! future spawned as a task).
//!
//! The results are reported as they complete, then summed up in a [`Summary`].

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::header::HOST;
use hyper::{Request, StatusCode, Uri};
use runtime::compat::hyper::HyperIo;
use runtime::future::as_completed;
use runtime::net::TcpStream;
use runtime::stream::StreamExt;
use runtime::sync::{retry_if, Backoff, Semaphore};
use runtime::task::JoinHandle;
use runtime::time::{timeout, Instant};

/// A plain `http://host[:port][/path][?query]` URL, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The host name or IP address (an IPv6 address without its brackets).
    pub host: String,
    pub port: u16,
    /// `host[:port]` as written in the URL: the `Host` header.
    pub authority: String,
    /// The path and query, `/` when the URL has none.
    pub path_and_query: String,
}

impl Target {
    /// Parses `url`; anything but a plain `http://` URL with a host is an `InvalidInput` error
    /// that says what is wrong.
    pub fn parse(url: &str) -> io::Result<Target> {
        let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let uri: Uri = url
            .parse()
            .map_err(|err| invalid(format!("invalid URL {url:?}: {err}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(invalid(format!(
                    "unsupported scheme {other:?} in {url:?}: only plain http:// URLs are supported"
                )))
            }
            None => {
                return Err(invalid(format!(
                    "{url:?} is not a URL: write http://host:port/path"
                )))
            }
        }
        let authority = uri
            .authority()
            .ok_or_else(|| invalid(format!("no host in {url:?}")))?;
        if authority.as_str().contains('@') {
            return Err(invalid(format!(
                "user names in URLs are not supported: {url:?}"
            )));
        }
        // `host()` keeps an IPv6 address's brackets, so what follows it is `:port` or nothing.
        let port = match authority.as_str()[authority.host().len()..].strip_prefix(':') {
            None | Some("") => 80,
            Some(port) => port
                .parse()
                .map_err(|_| invalid(format!("invalid port {port:?} in {url:?}")))?,
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if host.is_empty() {
            return Err(invalid(format!("no host in {url:?}")));
        }
        Ok(Target {
            host: host.to_owned(),
            port,
            authority: authority.as_str().to_owned(),
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority, self.path_and_query)
    }
}

/// What to fetch and how.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: Target,
    /// How many requests in all.
    pub requests: usize,
    /// How many may be out at once.
    pub concurrency: usize,
    /// The limit for one attempt (connect, request, whole response).
    pub timeout: Duration,
    /// When to try again after a failed attempt.
    pub backoff: Backoff,
}

impl Config {
    /// 100 requests, 10 at a time, 2 s per attempt, 3 retries 100 ms, 200 ms and 400 ms apart.
    pub fn new(target: Target) -> Config {
        Config {
            target,
            requests: 100,
            concurrency: 10,
            timeout: Duration::from_secs(2),
            backoff: Backoff::exponential(Duration::from_millis(100)).max_retries(3),
        }
    }
}

/// Why an attempt failed.
#[derive(Debug)]
pub enum FetchError {
    /// The TCP connection could not be made.
    Connect(io::Error),
    /// The HTTP exchange failed (hyper's error: connection reset, malformed response, ...).
    Http(hyper::Error),
    /// The request could not be built from the target.
    Request(hyper::http::Error),
    /// No whole answer within the timeout.
    TimedOut(Duration),
    /// The server answered, but not with a 2xx status.
    Status(StatusCode),
    /// The task ended without a result (it panicked or was cancelled).
    Task(String),
}

impl FetchError {
    /// Whether another attempt may fare better: anything but a 4xx answer or a request we cannot
    /// even build.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Status(status) => !status.is_client_error(),
            FetchError::Request(_) | FetchError::Task(_) => false,
            FetchError::Connect(_) | FetchError::Http(_) | FetchError::TimedOut(_) => true,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Connect(err) => write!(f, "cannot connect: {err}"),
            FetchError::Http(err) => write!(f, "HTTP error: {err}"),
            FetchError::Request(err) => write!(f, "bad request: {err}"),
            FetchError::TimedOut(limit) => write!(f, "no answer within {limit:?}"),
            FetchError::Status(status) => write!(f, "HTTP {status}"),
            FetchError::Task(why) => write!(f, "task failed: {why}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// A successful answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    /// The body's length.
    pub bytes: usize,
}

/// One request's outcome.
#[derive(Debug)]
pub struct Fetched {
    /// Its number, from 0.
    pub index: usize,
    /// The name of the task that made it.
    pub task: Option<Arc<str>>,
    /// How many attempts it took (1 when the first one succeeded).
    pub attempts: u32,
    /// The answer, or the last attempt's error.
    pub result: Result<Reply, FetchError>,
    /// From the start of its first attempt (permit wait included) to its result.
    pub elapsed: Duration,
}

impl fmt::Display for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let task = self.task.as_deref().unwrap_or("-");
        let ms = self.elapsed.as_secs_f64() * 1000.0;
        write!(f, "#{:<4} {task:<10} ", self.index)?;
        match &self.result {
            Ok(reply) => write!(f, "{} {:>6} B {ms:>8.1} ms", reply.status, reply.bytes)?,
            Err(err) => write!(f, "failed: {err} ({ms:.1} ms)")?,
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// The totals of a run.
#[derive(Debug, Default)]
pub struct Summary {
    pub ok: usize,
    pub failed: usize,
    /// Attempts beyond the first, over all requests.
    pub retries: u32,
    /// Body bytes received by the successful requests.
    pub bytes: usize,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// The first error seen, as text.
    pub first_error: Option<String>,
}

impl Summary {
    fn add(&mut self, fetched: &Fetched) {
        self.retries += fetched.attempts.saturating_sub(1);
        match &fetched.result {
            Ok(reply) => {
                self.ok += 1;
                self.bytes += reply.bytes;
            }
            Err(err) => {
                self.failed += 1;
                self.first_error
                    .get_or_insert_with(|| format!("#{}: {err}", fetched.index));
            }
        }
    }

    /// Completed requests (ok or not) per second of the run.
    pub fn requests_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.ok + self.failed) as f64 / secs
        } else {
            0.0
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ok, {} failed, {} retries, {} bytes in {:.3} s: {:.0} requests/s",
            self.ok,
            self.failed,
            self.retries,
            self.bytes,
            self.elapsed.as_secs_f64(),
            self.requests_per_second()
        )
    }
}

/// Makes `config.requests` requests, `config.concurrency` at most at once, calls `report` with
/// each outcome as it completes, and returns the totals. A concurrency of 0 counts as 1.
pub async fn fetch_all(config: &Config, mut report: impl FnMut(&Fetched)) -> Summary {
    let started = Instant::now();
    let target = Arc::new(config.target.clone());
    let limit = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let tasks = (0..config.requests).map(|index| {
        let request = fetch_one(
            index,
            target.clone(),
            limit.clone(),
            config.timeout,
            config.backoff,
        );
        let handle = runtime::task::Builder::new()
            .name(&format!("fetch_{index}"))
            .spawn(request);
        async move { (index, handle.await) }
    });
    let mut completed = as_completed(tasks.collect::<Vec<_>>());
    let mut summary = Summary::default();
    while let Some((index, joined)) = completed.next().await {
        let fetched = joined.unwrap_or_else(|err| Fetched {
            index,
            task: None,
            attempts: 0,
            result: Err(FetchError::Task(err.to_string())),
            elapsed: started.elapsed(),
        });
        report(&fetched);
        summary.add(&fetched);
    }
    summary.elapsed = started.elapsed();
    summary
}

/// One request: attempts under a permit and a timeout, retried on retryable errors.
async fn fetch_one(
    index: usize,
    target: Arc<Target>,
    limit: Arc<Semaphore>,
    per_attempt: Duration,
    backoff: Backoff,
) -> Fetched {
    let started = Instant::now();
    let mut attempts = 0;
    let (target, limit) = (&*target, &*limit);
    let result = retry_if(
        backoff,
        || {
            attempts += 1;
            async move {
                // The permit is held for the attempt only, not while backing off.
                let _permit = limit
                    .acquire()
                    .await
                    .map_err(|err| FetchError::Task(err.to_string()))?;
                match timeout(per_attempt, get(target)).await {
                    Ok(result) => result,
                    Err(_) => Err(FetchError::TimedOut(per_attempt)),
                }
            }
        },
        FetchError::is_retryable,
    )
    .await;
    Fetched {
        index,
        task: runtime::task::name(),
        attempts,
        result,
        elapsed: started.elapsed(),
    }
}

/// Aborts the task when dropped: an attempt given up on (timed out) takes its connection task
/// down with it.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One `GET` on a fresh HTTP/1.1 connection; the whole body is read.
async fn get(target: &Target) -> Result<Reply, FetchError> {
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(FetchError::Connect)?;
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) = http1::handshake(HyperIo::new(stream))
        .await
        .map_err(FetchError::Http)?;
    let mut connection = AbortOnDrop(runtime::spawn(connection));
    let request = Request::get(target.path_and_query.as_str())
        .header(HOST, target.authority.as_str())
        .body(Empty::<Bytes>::new())
        .map_err(FetchError::Request)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(FetchError::Http)?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(FetchError::Http)?
        .to_bytes();
    // No more requests on this connection: let it close, and wait until it has.
    drop(sender);
    let _ = (&mut connection.0).await;
    if status.is_success() {
        Ok(Reply {
            status,
            bytes: body.len(),
        })
    } else {
        Err(FetchError::Status(status))
    }
}
