//! mini_redis: a redis-compatible (RESP2) key-value and pub/sub server on this runtime.
//!
//! `cargo run --release --example mini_redis -- 127.0.0.1:6380` binds the address (default
//! `127.0.0.1:6379`), prints `listening on <addr>` and serves until Ctrl-C. Commands: PING,
//! ECHO, GET, SET (NX/XX, GET, EX/PX/KEEPTTL), DEL, EXISTS, INCR, MGET, MSET, DBSIZE, PUBLISH,
//! SUBSCRIBE, UNSUBSCRIBE, QUIT; try it with `redis-cli -p 6380` or `redis-benchmark -p 6380`.
//!
//! The code is in `resp.rs` (protocol), `db.rs` (keyspace), `pubsub.rs` (channels) and
//! `server.rs` (connections and commands); `runtime/tests/mini_redis.rs` tests those files, and
//! `benches/load/redis.sh` measures the server against redis-server.

mod db;
mod pubsub;
mod resp;
mod server;

use std::io::Write;

use runtime::net::TcpListener;

// One worker, like redis's one event-loop thread. Measured on the 2-core benchmark machine
// with `redis-benchmark -t ping,set,get -c 50 -n 200000` (5 interleaved rounds, rps medians;
// `benches/load/redis.sh` runs the comparison): `worker_threads = 1` gave ~138k rps on every
// test, the default 2 workers ~128k (redis-benchmark needs one of the two cores, and a second
// worker mostly adds wake-ups between threads), `flavor = "current_thread"` ~110k, and
// redis-server itself ~122k. When other processes compete for the cores, every flavor drops
// to ~0.8-0.9x of redis-server: each time the worker runs out of requests it hands the poller
// back to the runtime's driver thread, which wakes it again for the next ones (two threads
// taking turns, where redis has one thread waiting in epoll). On a machine with cores to
// spare, more workers let different connections run in parallel (the keyspace is sharded).
#[runtime::main(worker_threads = 1)]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:6379".to_string());
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let shutdown = async {
        if let Err(error) = runtime::signal::ctrl_c().await {
            eprintln!("mini_redis: cannot wait for Ctrl-C ({error}); serving until killed");
            std::future::pending::<()>().await;
        }
    };
    server::serve(listener, server::Config::default(), shutdown).await
}
