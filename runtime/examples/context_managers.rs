//! Async context managers: `async with` becomes a value whose `Drop` releases the resource
//! (RAII). Acquiring may be async; releasing in `Drop` is synchronous, so async cleanup is an
//! explicit `close().await` with `Drop` as the fallback when the future is cancelled. Also the
//! cheatsheet's async HTTP client (against a local server) and async file operations.
//!
//! Run it with `cargo run --release --example context_managers`.

#[path = "common/mod.rs"]
mod common;
#[path = "common/http.rs"]
mod http;

use std::io;
use std::time::Duration;

use common::{note, Clock};
use runtime::io::AsyncWriteExt;
use runtime::sync::Semaphore;
use runtime::time::{sleep, timeout};

pub const TITLE: &str = "Async context managers: RAII guards";
pub const ABOUT: &str = "\
asyncio: async with Resource() as r: ... / __aexit__ / async with sem: / aiohttp / aiofiles
runtime: Resource::acquire().await + Drop / r.close().await / permits / runtime::fs
The release runs however the scope is left: at its end, on `?`, or when cancelled.";

/// `class AsyncResource` with `__aenter__` (async `acquire`) and `__aexit__` (async `close`,
/// with `Drop` releasing synchronously if `close` was never reached).
struct AsyncResource {
    t: Clock,
    open: bool,
}

impl AsyncResource {
    async fn acquire(t: Clock) -> AsyncResource {
        println!("{t} acquiring resource");
        sleep(Duration::from_millis(200)).await;
        AsyncResource { t, open: true }
    }

    async fn close(mut self) {
        println!("{} releasing resource (async)", self.t);
        sleep(Duration::from_millis(200)).await;
        self.open = false;
    }
}

impl Drop for AsyncResource {
    fn drop(&mut self) {
        if self.open {
            println!(
                "{} releasing resource in Drop (close was never reached)",
                self.t
            );
        }
    }
}

async fn use_resource(t: Clock, work: Duration) {
    let resource = AsyncResource::acquire(t).await;
    println!("{t} using resource");
    sleep(work).await;
    resource.close().await;
}

/// `async with session.get(url) as response: return await response.text()`
async fn fetch_url(addr: std::net::SocketAddr, path: &str) -> io::Result<String> {
    // The connection lives inside `get` and is closed when it returns (or is dropped).
    Ok(http::get(addr, path).await?.error_for_status()?.body)
}

pub async fn run() {
    let t = Clock::start();

    use_resource(t, Duration::from_millis(200)).await;
    println!("{t} done: acquire, use and close took 0.6 s");

    // Cancelled while in use: the future is dropped, and so is the resource.
    if timeout(
        Duration::from_millis(300),
        use_resource(t, Duration::from_secs(5)),
    )
    .await
    .is_err()
    {
        println!("{t} timed out while using the resource");
    }

    // `async with sem:` is a permit that returns itself to the semaphore when dropped.
    let sem = Semaphore::new(2);
    {
        let _permit = sem.acquire().await.expect("the semaphore is open");
        println!(
            "{t} holding a permit: {} of 2 left",
            sem.available_permits()
        );
    }
    println!("{t} permit dropped: {} of 2 left", sem.available_permits());

    // The cheatsheet's aiohttp client, against a local server that is itself a guard.
    let server = http::Server::start(|_path| async {
        http::Response::ok("<html><body>Hello, async world!</body></html>")
    })
    .await
    .expect("bind 127.0.0.1");
    match fetch_url(server.addr(), "/").await {
        Ok(html) => println!(
            "{t} fetched {} bytes from http://{}/",
            html.len(),
            server.addr()
        ),
        Err(error) => println!("{t} request failed: {error}"),
    }
    drop(server); // stops accepting, as leaving `async with` would
    note("aiofiles: runtime::fs runs file calls on the blocking pool, buffered:");

    let path = std::env::temp_dir().join(format!("runtime-example-{}.txt", std::process::id()));
    let content = async {
        // `File` is closed when dropped, as at the end of `async with`.
        let mut file = runtime::fs::File::create(&path).await?;
        file.write_all(b"Hello, async world!").await?;
        file.flush().await?;
        drop(file);
        let content = runtime::fs::read_to_string(&path).await;
        runtime::fs::remove_file(&path).await?;
        content
    }
    .await;
    println!("{t} read back from a file: {content:?}");
}

#[runtime::main]
async fn main() {
    common::show(TITLE, ABOUT, run()).await;
}
