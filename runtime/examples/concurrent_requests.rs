//! Concurrent API requests: ten `GET`s gathered with `join_all`, at most four in flight (a
//! `Semaphore`), each attempt under a timeout and retried with backoff. The "API" is a local
//! HTTP/1.1 server (`common/http.rs`) that answers in 0.2 s, fails once with a 503 for one
//! pokemon and hangs once for another.
//!
//! Run it with `cargo run --release --example concurrent_requests`.

#[path = "common/mod.rs"]
mod common;
#[path = "common/http.rs"]
mod http;

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{note, Clock};
use runtime::future::join_all;
use runtime::sync::{retry, Backoff, Semaphore};
use runtime::time::{sleep, timeout};

pub const TITLE: &str = "Concurrent API requests";
pub const ABOUT: &str = "\
asyncio: aiohttp.ClientSession + asyncio.gather(*[fetch_pokemon(session, i) for i in ...])
runtime: join_all(ids.map(fetch)) + Semaphore(4) + time::timeout(0.5 s) + sync::retry
Ten 0.2 s requests, 4 at a time: ~1 s with a retry and a timeout, not 2 s and more.";

const NAMES: [&str; 10] = [
    "bulbasaur",
    "ivysaur",
    "venusaur",
    "charmander",
    "charmeleon",
    "charizard",
    "squirtle",
    "wartortle",
    "blastoise",
    "caterpie",
];
const FAILS_ONCE: u32 = 4;
const HANGS_ONCE: u32 = 7;

/// The API: `GET /pokemon/{id}` answers the name after 0.2 s; the first request for
/// `FAILS_ONCE` gets a 503 and the first one for `HANGS_ONCE` takes 5 s. It also records the
/// most requests it ever had in flight (not counting the hanging one).
async fn start_api(max_in_flight: Arc<AtomicUsize>) -> io::Result<http::Server> {
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    http::Server::start(move |path| {
        let (seen, in_flight, max_in_flight) =
            (seen.clone(), in_flight.clone(), max_in_flight.clone());
        async move {
            let id: Option<u32> = path
                .strip_prefix("/pokemon/")
                .and_then(|id| id.parse().ok());
            let first_time = id.is_some_and(|id| seen.lock().unwrap().insert(id));
            if first_time && id == Some(HANGS_ONCE) {
                sleep(Duration::from_secs(5)).await; // the client gives up long before
                return http::Response::status(503);
            }
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max_in_flight.fetch_max(now, Ordering::SeqCst);
            sleep(Duration::from_millis(200)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            let name = id.and_then(|id| NAMES.get((id as usize).checked_sub(1)?));
            match name {
                None => http::Response::status(404),
                Some(_) if first_time && id == Some(FAILS_ONCE) => http::Response::status(503),
                Some(name) => http::Response::ok(*name),
            }
        }
    })
    .await
}

/// `fetch_pokemon(session, pokemon_id)`, with a permit, a timeout and retries per attempt.
async fn fetch_pokemon(
    t: Clock,
    addr: SocketAddr,
    limit: &Semaphore,
    id: u32,
) -> io::Result<String> {
    let backoff = Backoff::exponential(Duration::from_millis(100)).max_retries(3);
    let mut attempt = 0;
    retry(backoff, || {
        attempt += 1;
        let attempt = attempt;
        async move {
            // Holding the permit only while a request is out, not while backing off.
            let _permit = limit.acquire().await.map_err(io::Error::other)?;
            let path = format!("/pokemon/{id}");
            let response = match timeout(Duration::from_millis(500), http::get(addr, &path)).await {
                Ok(response) => response.and_then(http::Response::error_for_status),
                Err(_) => Err(io::ErrorKind::TimedOut.into()),
            };
            if let Err(error) = &response {
                println!("{t} #{id}: attempt {attempt} failed ({error}), retrying");
            }
            response.map(|response| response.body)
        }
    })
    .await
}

pub async fn run() {
    let t = Clock::start();
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let api = start_api(max_in_flight.clone())
        .await
        .expect("bind 127.0.0.1");
    let limit = Semaphore::new(4);

    let (addr, limit) = (api.addr(), &limit);
    let requests = (1..=10).map(|id| async move {
        let name = fetch_pokemon(t, addr, limit, id).await;
        println!("{t} #{id}: {}", name.as_deref().unwrap_or("failed"));
        name
    });
    let names: Vec<String> = join_all(requests)
        .await
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    println!("{t} {}", names.join(" "));
    println!(
        "{t} the server saw at most {} requests at once",
        max_in_flight.load(Ordering::SeqCst)
    );
    note("join_all keeps the order of the ids, whatever order the answers came in.");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
