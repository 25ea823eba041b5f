//! `http_fetch`: the cheatsheet's "concurrent API requests" with a real HTTP client (hyper on
//! this runtime): `N` `GET`s, at most `C` at once, each attempt under a timeout and retried with
//! exponential backoff.
//!
//! ```text
//! cargo run --release --example http_fetch -- [URL] [-n N] [-c CONCURRENCY]
//! cargo run --release --example http_fetch                       # in-process server, /json
//! cargo run --release --example http_fetch -- http://127.0.0.1:3000/ -n 1000 -c 50
//! ```
//!
//! Without a URL it starts the `http_server` example's server in this process on a free port
//! and fetches `/json` from it. It prints a line per request as it completes (number, task
//! name, status, body bytes, time) and a summary; it exits with status 1 if a request failed or
//! the arguments are wrong. `fetch.rs` holds the client; the server's modules are the
//! `http_server` example's own files.

#[path = "../http_server/routes.rs"]
mod routes;
#[path = "../http_server/server.rs"]
mod server;
#[path = "../http_server/sniff.rs"]
mod sniff;

mod fetch;

use std::process::ExitCode;

use fetch::{Config, Target};
use runtime::net::TcpListener;
use runtime::sync::oneshot;

const USAGE: &str = "usage: http_fetch [URL] [-n REQUESTS] [-c CONCURRENCY]";

/// The command line.
#[derive(Debug)]
struct Args {
    url: Option<String>,
    requests: usize,
    concurrency: usize,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        url: None,
        requests: 100,
        concurrency: 10,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-n" | "-c" => {
                let value = args.next().ok_or(format!("{arg} needs a number"))?;
                let number: usize = value
                    .parse()
                    .map_err(|_| format!("{arg} needs a number, not {value:?}"))?;
                if arg == "-n" {
                    parsed.requests = number;
                } else if number == 0 {
                    return Err("-c must be at least 1".to_owned());
                } else {
                    parsed.concurrency = number;
                }
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            url if parsed.url.is_none() => parsed.url = Some(url.to_owned()),
            extra => return Err(format!("one URL only (also got {extra:?})")),
        }
    }
    Ok(parsed)
}

#[runtime::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("http_fetch: {message}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("http_fetch: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Fetches, with the in-process server if no URL was given; `Ok(false)` if a request failed.
async fn run(args: Args) -> Result<bool, String> {
    let mut local = None;
    let target = match &args.url {
        Some(url) => Target::parse(url).map_err(|err| err.to_string())?,
        None => {
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|err| format!("cannot bind 127.0.0.1: {err}"))?;
            let addr = listener
                .local_addr()
                .map_err(|err| format!("no local address: {err}"))?;
            println!("listening on {addr} (the http_server example, in-process)");
            let (stop, stopped) = oneshot::channel::<()>();
            let serving = runtime::spawn(server::serve(listener, async {
                let _ = stopped.await;
            }));
            local = Some((stop, serving));
            Target::parse(&format!("http://{addr}/json")).map_err(|err| err.to_string())?
        }
    };

    let config = Config {
        requests: args.requests,
        concurrency: args.concurrency,
        ..Config::new(target)
    };
    println!(
        "GET {} x{}, {} at a time, {:?} per attempt, up to {} retries",
        config.target,
        config.requests,
        config.concurrency,
        config.timeout,
        config.backoff.delays().count()
    );
    let summary = fetch::fetch_all(&config, |fetched| println!("{fetched}")).await;
    println!("{summary}");

    if let Some((stop, serving)) = local {
        let _ = stop.send(());
        match serving.await {
            Ok(Ok(served)) => println!("server: served {served} connections"),
            Ok(Err(err)) => eprintln!("server: {err}"),
            Err(err) => eprintln!("server: {err}"),
        }
    }
    if let Some(first) = &summary.first_error {
        eprintln!(
            "http_fetch: {} of {} requests failed; the first: {first}",
            summary.failed, config.requests
        );
    }
    Ok(summary.failed == 0)
}
