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

use std::process::ExitCode;

#[path = "../common/listen.rs"]
mod listen;

// One worker, like redis's one event-loop thread. On the 2-core benchmark machine, with
// `redis-benchmark -t ping,set,get -c 50 -n 200000` (which needs one of the two cores itself),
// one worker gave 134k-144k rps per test, the default two 124k-140k (a second worker mostly adds
// wake-ups between threads), and redis-server 122k-130k. On a machine with cores to spare,
// more workers let different connections run in parallel (the keyspace is sharded).
#[runtime::main(worker_threads = 1)]
async fn main() -> ExitCode {
    let listener = match listen::bind_from_args("mini_redis", "127.0.0.1:6379").await {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let shutdown = listen::ctrl_c("mini_redis");
    match server::serve(listener, server::Config::default(), shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mini_redis: {e}");
            ExitCode::FAILURE
        }
    }
}
