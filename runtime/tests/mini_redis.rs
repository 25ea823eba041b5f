//! The mini_redis example (`runtime/examples/mini_redis/`), tested through its own files: a
//! server started with `serve` on 127.0.0.1:0 answers scripted sessions over real TCP
//! connections with redis 7's exact reply bytes (expected bytes recorded from a real
//! redis-server 7.0.15); protocol errors close only the offending connection; pub/sub delivers
//! to every subscriber; the real `redis-cli` talks to it (when installed); and the RESP parser
//! gives the same result however a request is split across reads.

#[path = "../examples/mini_redis/db.rs"]
mod db;
#[path = "../examples/mini_redis/pubsub.rs"]
mod pubsub;
#[path = "../examples/mini_redis/resp.rs"]
mod resp;
#[path = "../examples/mini_redis/server.rs"]
mod server;

use std::net::SocketAddr;
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::oneshot;
use runtime::task::JoinHandle;
use runtime::time::advance;

use db::{Db, IncrError, SetCondition, Ttl};
use resp::{Limits, Parsed, ProtocolError, Source};
use server::Config;

/// A running server and the means to stop it.
struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = runtime::spawn(server::serve(listener, config, async move {
            let _ = stopped.await;
        }));
        Server { addr, stop, task }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// No periodic sweep: the only timers are the test's own (the paused clock moves only when
/// the test advances it).
fn no_sweep() -> Config {
    Config {
        sweep_interval: None,
        ..Config::default()
    }
}

/// A multibulk request, as redis-cli sends it.
fn cmd(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

/// Reads exactly `len` bytes (fewer if the server closes first).
async fn read_n(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut reply = vec![0; len];
    let mut got = 0;
    while got < len {
        match stream.read(&mut reply[got..]).await.unwrap() {
            0 => break,
            n => got += n,
        }
    }
    reply.truncate(got);
    reply
}

/// Sends `request` and asserts that exactly `expected` comes back (as text, for readable
/// failures).
async fn exchange(stream: &mut TcpStream, request: &[u8], expected: &[u8]) {
    stream.write_all(request).await.unwrap();
    let reply = read_n(stream, expected.len()).await;
    assert_eq!(
        String::from_utf8_lossy(&reply),
        String::from_utf8_lossy(expected),
        "reply to {:?}",
        String::from_utf8_lossy(request)
    );
}

/// Sends `request` and asserts that the server replies exactly `expected` and then closes the
/// connection.
async fn exchange_then_closed(stream: &mut TcpStream, request: &[u8], expected: &[u8]) {
    stream.write_all(request).await.unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&reply),
        String::from_utf8_lossy(expected),
        "reply to {:?} (then the connection must close)",
        String::from_utf8_lossy(request)
    );
}

#[runtime::test(start_paused = true)]
async fn a_session_of_every_command_gets_redis_replies() {
    let server = Server::start(no_sweep()).await;
    let mut c = server.connect().await;
    let s = &mut c;

    exchange(s, &cmd(&["PING"]), b"+PONG\r\n").await;
    exchange(s, b"PING\r\n", b"+PONG\r\n").await; // inline, as typed in telnet
    exchange(s, &cmd(&["ping", "hello"]), b"$5\r\nhello\r\n").await;
    exchange(s, &cmd(&["ECHO", "hi there"]), b"$8\r\nhi there\r\n").await;
    exchange(s, &cmd(&["ECHO", ""]), b"$0\r\n\r\n").await;

    exchange(s, &cmd(&["GET", "k"]), b"$-1\r\n").await;
    exchange(s, &cmd(&["SET", "k", "v1"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["get", "k"]), b"$2\r\nv1\r\n").await;
    exchange(s, &cmd(&["SET", "k", "v2", "NX"]), b"$-1\r\n").await;
    exchange(s, &cmd(&["SET", "new", "x", "XX"]), b"$-1\r\n").await;
    exchange(s, &cmd(&["SET", "k", "v3", "XX", "GET"]), b"$2\r\nv1\r\n").await;
    exchange(s, &cmd(&["GET", "k"]), b"$2\r\nv3\r\n").await;

    // Expiry, on the paused clock: EX in seconds, PX in milliseconds.
    exchange(s, &cmd(&["SET", "ex", "1", "EX", "10"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["SET", "px", "2", "px", "1500"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["SET", "kept", "3", "EX", "5"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["SET", "kept", "4", "KEEPTTL"]), b"+OK\r\n").await;
    advance(Duration::from_millis(1499)).await;
    exchange(
        s,
        &cmd(&["MGET", "ex", "px"]),
        b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
    )
    .await;
    advance(Duration::from_millis(1)).await;
    exchange(s, &cmd(&["MGET", "ex", "px"]), b"*2\r\n$1\r\n1\r\n$-1\r\n").await;
    exchange(s, &cmd(&["GET", "kept"]), b"$1\r\n4\r\n").await;
    advance(Duration::from_millis(3500)).await; // 5 s
    exchange(s, &cmd(&["GET", "kept"]), b"$-1\r\n").await;
    exchange(s, &cmd(&["EXISTS", "ex"]), b":1\r\n").await;
    advance(Duration::from_secs(5)).await; // 10 s
    exchange(s, &cmd(&["EXISTS", "ex"]), b":0\r\n").await;
    exchange(s, &cmd(&["SET", "ex", "again"]), b"+OK\r\n").await;
    advance(Duration::from_secs(3600)).await; // a plain SET has no deadline
    exchange(s, &cmd(&["GET", "ex"]), b"$5\r\nagain\r\n").await;

    let invalid = b"-ERR invalid expire time in 'set' command\r\n";
    let not_int = b"-ERR value is not an integer or out of range\r\n";
    exchange(s, &cmd(&["SET", "k", "v", "EX", "0"]), invalid).await;
    exchange(s, &cmd(&["SET", "k", "v", "PX", "-5"]), invalid).await;
    exchange(
        s,
        &cmd(&["SET", "k", "v", "EX", "9223372036854775807"]),
        invalid,
    )
    .await;
    exchange(s, &cmd(&["SET", "k", "v", "EX", "ten"]), not_int).await;
    exchange(s, &cmd(&["SET", "k", "v", "EX"]), b"-ERR syntax error\r\n").await;
    exchange(
        s,
        &cmd(&["SET", "k", "v", "EX", "1", "PX", "1"]),
        b"-ERR syntax error\r\n",
    )
    .await;
    exchange(
        s,
        &cmd(&["SET", "k", "v", "NX", "XX"]),
        b"-ERR syntax error\r\n",
    )
    .await;
    exchange(
        s,
        &cmd(&["SET", "k", "v", "FAST"]),
        b"-ERR syntax error\r\n",
    )
    .await;

    // DEL counts keys removed; EXISTS counts every argument that exists, duplicates too.
    exchange(s, &cmd(&["MSET", "a", "1", "b", "2"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["EXISTS", "a", "a", "b", "nope"]), b":3\r\n").await;
    exchange(s, &cmd(&["DEL", "a", "a", "nope"]), b":1\r\n").await;
    exchange(s, &cmd(&["EXISTS", "a", "b"]), b":1\r\n").await;
    exchange(
        s,
        &cmd(&["MGET", "a", "b", "nope"]),
        b"*3\r\n$-1\r\n$1\r\n2\r\n$-1\r\n",
    )
    .await;

    exchange(s, &cmd(&["INCR", "n"]), b":1\r\n").await;
    exchange(s, &cmd(&["INCR", "n"]), b":2\r\n").await;
    exchange(s, &cmd(&["SET", "n", "41"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["INCR", "n"]), b":42\r\n").await;
    exchange(s, &cmd(&["GET", "n"]), b"$2\r\n42\r\n").await;
    exchange(s, &cmd(&["INCR", "k"]), not_int).await;
    exchange(s, &cmd(&["SET", "n", "007"]), b"+OK\r\n").await;
    exchange(s, &cmd(&["INCR", "n"]), not_int).await;
    exchange(s, &cmd(&["SET", "n", "9223372036854775807"]), b"+OK\r\n").await;
    exchange(
        s,
        &cmd(&["INCR", "n"]),
        b"-ERR increment or decrement would overflow\r\n",
    )
    .await;

    // Arity errors name the command in lower case; MSET also needs pairs.
    for (request, name) in [
        (cmd(&["GET"]), "get"),
        (cmd(&["GET", "a", "b"]), "get"),
        (cmd(&["set", "k"]), "set"),
        (cmd(&["ECHO"]), "echo"),
        (cmd(&["PING", "a", "b"]), "ping"),
        (cmd(&["DEL"]), "del"),
        (cmd(&["EXISTS"]), "exists"),
        (cmd(&["INCR"]), "incr"),
        (cmd(&["MGET"]), "mget"),
        (cmd(&["MSET", "a", "1", "b"]), "mset"),
        (cmd(&["PUBLISH", "ch"]), "publish"),
        (cmd(&["SUBSCRIBE"]), "subscribe"),
    ] {
        let expected = format!("-ERR wrong number of arguments for '{name}' command\r\n");
        exchange(s, &request, expected.as_bytes()).await;
    }

    exchange(
        s,
        &cmd(&["FOO"]),
        b"-ERR unknown command 'FOO', with args beginning with: \r\n",
    )
    .await;
    exchange(
        s,
        &cmd(&["foo", "bar", "b a z"]),
        b"-ERR unknown command 'foo', with args beginning with: 'bar' 'b a z' \r\n",
    )
    .await;
    exchange(
        s,
        b"FLY \"to the\" 'moon'\r\n",
        b"-ERR unknown command 'FLY', with args beginning with: 'to the' 'moon' \r\n",
    )
    .await;

    // Pipelined: many requests in one write, replies in order.
    let mut batch = Vec::new();
    let mut expected = Vec::new();
    for i in 0..100 {
        batch.extend(cmd(&["SET", &format!("p{i}"), &i.to_string()]));
        batch.extend(cmd(&["GET", &format!("p{i}")]));
        expected.extend(b"+OK\r\n");
        expected.extend(format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes());
    }
    exchange(s, &batch, &expected).await;

    // QUIT: +OK, then the server closes (nothing else was pending: read_to_end sees exactly
    // this reply).
    exchange_then_closed(s, &cmd(&["QUIT"]), b"+OK\r\n").await;
    server.stop().await;
}

#[runtime::test]
async fn requests_split_at_every_byte_get_the_same_replies() {
    let server = Server::start(no_sweep()).await;
    let mut s = server.connect().await;
    let mut request = cmd(&["SET", "key", "a value\r\nwith CRLF"]);
    request.extend(b"GET key\r\n");
    request.extend(cmd(&["GET", "key"]));
    let expected = b"+OK\r\n$18\r\na value\r\nwith CRLF\r\n$18\r\na value\r\nwith CRLF\r\n";
    let mut reply = Vec::new();
    for byte in &request {
        s.write_all(std::slice::from_ref(byte)).await.unwrap();
        s.flush().await.unwrap();
    }
    while reply.len() < expected.len() {
        let mut buf = [0; 256];
        let n = s.read(&mut buf).await.unwrap();
        assert_ne!(n, 0, "closed early after {reply:?}");
        reply.extend_from_slice(&buf[..n]);
    }
    assert_eq!(reply, expected);
    server.stop().await;
}

#[runtime::test]
async fn protocol_errors_get_redis_text_then_the_connection_closes() {
    let server = Server::start(no_sweep()).await;
    for (request, expected) in [
        (
            &b"*x\r\n"[..],
            &b"-ERR Protocol error: invalid multibulk length\r\n"[..],
        ),
        (
            b"*01\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$abc\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\n$-1\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\nPING\r\n",
            b"-ERR Protocol error: expected '$', got 'P'\r\n",
        ),
        (
            b"ECHO \"unbalanced\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        // Replies before the bad request are still sent.
        (
            b"*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n",
            b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n",
        ),
    ] {
        let mut s = server.connect().await;
        exchange_then_closed(&mut s, request, expected).await;
    }

    // Not protocol errors in redis either: a line not starting with `*` is an inline command,
    // `*0`/`*-1` are empty requests, and the two bytes after a bulk are skipped unchecked.
    let mut s = server.connect().await;
    exchange(
        &mut s,
        b"$abc\r\n",
        b"-ERR unknown command '$abc', with args beginning with: \r\n",
    )
    .await;
    exchange(&mut s, b"*0\r\n*-1\r\n\r\nPING\n", b"+PONG\r\n").await;
    exchange(&mut s, b"*1\r\n$4\r\nPINGxx", b"+PONG\r\n").await;
    exchange_then_closed(&mut s, b"QUIT\r\n", b"+OK\r\n").await;
    server.stop().await;
}

#[runtime::test]
async fn requests_over_the_configured_limits_are_rejected_then_closed() {
    let server = Server::start(Config {
        max_bulk: 16,
        max_array: 3,
        ..no_sweep()
    })
    .await;
    let mut s = server.connect().await;
    exchange(&mut s, &cmd(&["SET", "k", "sixteen bytes..."]), b"+OK\r\n").await;
    exchange_then_closed(
        &mut s,
        &cmd(&["SET", "k", "seventeen bytes.."]),
        b"-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    // The length alone is enough: the server does not wait for (or buffer) the data.
    let mut s = server.connect().await;
    exchange_then_closed(
        &mut s,
        b"*2\r\n$3\r\nGET\r\n$1000000\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    let mut s = server.connect().await;
    exchange_then_closed(
        &mut s,
        b"*4\r\n",
        b"-ERR Protocol error: invalid multibulk length\r\n",
    )
    .await;
    server.stop().await;
}

#[runtime::test]
async fn a_client_sending_garbage_does_not_disturb_another() {
    let server = Server::start(no_sweep()).await;
    let mut good = server.connect().await;
    let mut bad = server.connect().await;
    exchange(&mut good, &cmd(&["SET", "shared", "1"]), b"+OK\r\n").await;
    bad.write_all(b"*1\r\n$3\r\nGE").await.unwrap(); // a request cut short, left pending
    exchange(&mut good, &cmd(&["INCR", "shared"]), b":2\r\n").await;
    exchange_then_closed(
        &mut bad,
        b"T\r\n*\xff\r\n",
        b"-ERR wrong number of arguments for 'get' command\r\n\
          -ERR Protocol error: invalid multibulk length\r\n",
    )
    .await;
    exchange(&mut good, &cmd(&["GET", "shared"]), b"$1\r\n2\r\n").await;
    exchange_then_closed(&mut good, &cmd(&["QUIT"]), b"+OK\r\n").await;
    server.stop().await;
}

/// The `message` push a subscriber receives.
fn message(channel: &str, payload: &str) -> Vec<u8> {
    format!(
        "*3\r\n$7\r\nmessage\r\n${}\r\n{channel}\r\n${}\r\n{payload}\r\n",
        channel.len(),
        payload.len()
    )
    .into_bytes()
}

/// A (un)subscribe confirmation.
fn confirmation(kind: &str, channel: &str, count: usize) -> Vec<u8> {
    format!(
        "*3\r\n${}\r\n{kind}\r\n${}\r\n{channel}\r\n:{count}\r\n",
        kind.len(),
        channel.len()
    )
    .into_bytes()
}

#[runtime::test]
async fn pubsub_delivers_to_every_subscriber() {
    let server = Server::start(no_sweep()).await;
    let mut one = server.connect().await;
    let mut two = server.connect().await;
    let mut publisher = server.connect().await;

    exchange(
        &mut publisher,
        &cmd(&["PUBLISH", "news", "nobody"]),
        b":0\r\n",
    )
    .await;

    let mut both = confirmation("subscribe", "news", 1);
    both.extend(confirmation("subscribe", "sports", 2));
    exchange(&mut one, &cmd(&["SUBSCRIBE", "news", "sports"]), &both).await;
    exchange(
        &mut two,
        &cmd(&["subscribe", "news"]),
        &confirmation("subscribe", "news", 1),
    )
    .await;
    // Subscribing again to the same channel confirms it with an unchanged count.
    exchange(
        &mut two,
        &cmd(&["SUBSCRIBE", "news"]),
        &confirmation("subscribe", "news", 1),
    )
    .await;

    exchange(
        &mut publisher,
        &cmd(&["PUBLISH", "news", "hello"]),
        b":2\r\n",
    )
    .await;
    let expected = message("news", "hello");
    assert_eq!(read_n(&mut one, expected.len()).await, expected);
    let expected = message("news", "hello");
    assert_eq!(read_n(&mut two, expected.len()).await, expected);
    exchange(
        &mut publisher,
        &cmd(&["PUBLISH", "sports", "goal"]),
        b":1\r\n",
    )
    .await;
    let expected = message("sports", "goal");
    assert_eq!(read_n(&mut one, expected.len()).await, expected);

    // In subscribed mode only (UN)SUBSCRIBE, PING and QUIT run; PING replies as a push.
    exchange(
        &mut one,
        &cmd(&["GET", "x"]),
        b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / \
          RESET are allowed in this context\r\n",
    )
    .await;
    exchange(&mut one, &cmd(&["PING"]), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n").await;
    exchange(
        &mut one,
        &cmd(&["PING", "hi"]),
        b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n",
    )
    .await;

    exchange(
        &mut one,
        &cmd(&["UNSUBSCRIBE", "news"]),
        &confirmation("unsubscribe", "news", 1),
    )
    .await;
    exchange(
        &mut publisher,
        &cmd(&["PUBLISH", "news", "again"]),
        b":1\r\n",
    )
    .await;
    let expected = message("news", "again");
    assert_eq!(read_n(&mut two, expected.len()).await, expected);

    // UNSUBSCRIBE without arguments leaves every channel; then normal commands work again.
    exchange(
        &mut one,
        &cmd(&["UNSUBSCRIBE"]),
        &confirmation("unsubscribe", "sports", 0),
    )
    .await;
    exchange(
        &mut one,
        &cmd(&["UNSUBSCRIBE"]),
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    )
    .await;
    exchange(&mut one, &cmd(&["PING"]), b"+PONG\r\n").await;

    // A subscriber that disconnects is no longer counted.
    drop(two);
    let mut closed = false;
    while !closed {
        let mut request = cmd(&["PUBLISH", "news", "anyone"]);
        request.extend(cmd(&["PING"]));
        publisher.write_all(&request).await.unwrap();
        let reply = read_n(&mut publisher, 11).await;
        closed = reply == b":0\r\n+PONG\r\n";
        if !closed {
            assert_eq!(reply, b":1\r\n+PONG\r\n");
            runtime::task::yield_now().await; // let the server see the close
        }
    }
    exchange_then_closed(&mut one, &cmd(&["QUIT"]), b"+OK\r\n").await;
    server.stop().await;
}

#[runtime::test]
async fn a_subscriber_that_does_not_read_is_disconnected() {
    let server = Server::start(Config {
        subscriber_backlog: 1,
        ..no_sweep()
    })
    .await;
    let mut slow = server.connect().await;
    let mut publisher = server.connect().await;
    exchange(
        &mut slow,
        &cmd(&["SUBSCRIBE", "firehose"]),
        &confirmation("subscribe", "firehose", 1),
    )
    .await;
    // 64 MiB in 1 MiB messages: more than the socket buffers between the server and a client
    // that reads nothing hold, so its queue of one message overflows. Every message counts as
    // received, as in redis.
    let payload = "m".repeat(1 << 20);
    let published = 64;
    for _ in 0..published {
        exchange(
            &mut publisher,
            &cmd(&["PUBLISH", "firehose", &payload]),
            b":1\r\n",
        )
        .await;
    }
    // The slow subscriber gets what fitted, then the server closes the connection.
    let mut received = Vec::new();
    slow.read_to_end(&mut received).await.unwrap();
    let one = message("firehose", &payload);
    assert_eq!(received.len() % one.len(), 0);
    assert!(received.len() / one.len() < published);
    assert!(received.chunks(one.len()).all(|m| m == one));
    // Nobody is subscribed any more, and the server goes on serving.
    exchange(
        &mut publisher,
        &cmd(&["PUBLISH", "firehose", "x"]),
        b":0\r\n",
    )
    .await;
    server.stop().await;
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_increments_are_not_lost() {
    let server = Server::start(no_sweep()).await;
    let mut clients = Vec::new();
    for _ in 0..8 {
        let mut s = server.connect().await;
        clients.push(runtime::spawn(async move {
            let mut batch = Vec::new();
            for _ in 0..250 {
                batch.extend(cmd(&["INCR", "counter"]));
            }
            s.write_all(&batch).await.unwrap();
            let mut replies = 0;
            let mut buf = Vec::new();
            while replies < 250 {
                let mut chunk = [0; 4096];
                let n = s.read(&mut chunk).await.unwrap();
                assert_ne!(n, 0);
                buf.extend_from_slice(&chunk[..n]);
                replies = buf.iter().filter(|&&b| b == b'\n').count();
            }
            assert!(buf.starts_with(b":"), "{buf:?}");
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let mut s = server.connect().await;
    exchange(&mut s, &cmd(&["GET", "counter"]), b"$4\r\n2000\r\n").await;
    server.stop().await;
}

#[runtime::test]
async fn redis_cli_talks_to_it() {
    if std::process::Command::new("redis-cli")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: redis-cli is missing (install redis-tools to run this test)");
        return;
    }
    let server = Server::start(no_sweep()).await;
    let port = server.addr.port().to_string();
    let mut outputs = Vec::new();
    for args in [
        &["SET", "a", "1"][..],
        &["INCR", "a"],
        &["GET", "a"],
        &["PING"],
    ] {
        let mut command = std::process::Command::new("redis-cli");
        command.args(["-h", "127.0.0.1", "-p", &port]).args(args);
        let output = runtime::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap();
        assert!(output.status.success(), "redis-cli {args:?}: {output:?}");
        outputs.push(String::from_utf8(output.stdout).unwrap());
    }
    assert_eq!(outputs, ["OK\n", "2\n", "2\n", "PONG\n"]);
    server.stop().await;
}

const LIMITS: Limits = Limits {
    max_bulk: 1 << 20,
    max_array: 1 << 20,
};

/// Parses every request in `input`; returns each one's arguments.
fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
    let (mut ranges, mut scratch) = (Vec::new(), Vec::new());
    let mut at = 0;
    let mut requests = Vec::new();
    while let Some(Parsed { consumed, source }) =
        resp::parse_request(&input[at..], &LIMITS, &mut ranges, &mut scratch)?
    {
        let base = match source {
            Source::Input => &input[at..],
            Source::Scratch => &scratch[..],
        };
        requests.push(ranges.iter().map(|r| base[r.clone()].to_vec()).collect());
        at += consumed;
    }
    assert_eq!(at, input.len(), "input left over");
    Ok(requests)
}

#[test]
fn a_request_split_anywhere_parses_the_same() {
    let mut input = cmd(&["SET", "key", "value with\r\nCRLF and $5\r\n"]);
    input.extend(b"get \"key\"\r\n");
    input.extend(cmd(&[]));
    input.extend(cmd(&["ECHO", ""]));
    let whole = parse_all(&input).unwrap();
    assert_eq!(whole.len(), 4);
    assert_eq!(whole[1], [b"get".to_vec(), b"key".to_vec()]);
    assert!(whole[2].is_empty());

    // Every prefix parses to the requests it holds whole, then reports "incomplete".
    let (mut ranges, mut scratch) = (Vec::new(), Vec::new());
    for cut in 0..input.len() {
        let (head, _) = input.split_at(cut);
        let mut at = 0;
        let mut got = Vec::new();
        while let Some(parsed) =
            resp::parse_request(&head[at..], &LIMITS, &mut ranges, &mut scratch).unwrap()
        {
            let base = match parsed.source {
                Source::Input => &head[at..],
                Source::Scratch => &scratch[..],
            };
            got.push(
                ranges
                    .iter()
                    .map(|r| base[r.clone()].to_vec())
                    .collect::<Vec<_>>(),
            );
            at += parsed.consumed;
        }
        assert_eq!(got, whole[..got.len()], "cut at {cut}");
        assert!(got.len() < whole.len() || at == cut, "cut at {cut}");
    }
}

#[test]
fn inline_requests_split_like_redis() {
    let parsed = parse_all(b"  set \"a\\x41\\n\" 'it\\'s'  \t x\r\n\r\nPING\n").unwrap();
    assert_eq!(
        parsed,
        [
            vec![
                b"set".to_vec(),
                b"aA\n".to_vec(),
                b"it's".to_vec(),
                b"x".to_vec()
            ],
            vec![],
            vec![b"PING".to_vec()],
        ]
    );
    for bad in [&b"echo \"a\"b\r\n"[..], b"echo 'a\r\n"] {
        assert_eq!(
            parse_all(bad),
            Err(ProtocolError(
                "Protocol error: unbalanced quotes in request".into()
            ))
        );
    }
    let long = vec![b'a'; resp::MAX_INLINE + 1];
    assert_eq!(
        parse_all(&long),
        Err(ProtocolError(
            "Protocol error: too big inline request".into()
        ))
    );
}

#[test]
fn integers_parse_like_redis_string2ll() {
    for (text, value) in [
        ("0", Some(0)),
        ("42", Some(42)),
        ("-7", Some(-7)),
        ("9223372036854775807", Some(i64::MAX)),
        ("-9223372036854775808", Some(i64::MIN)),
        ("9223372036854775808", None),
        ("-0", None),
        ("007", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("", None),
        ("-", None),
        ("1e3", None),
    ] {
        assert_eq!(resp::parse_i64(text.as_bytes()), value, "{text:?}");
    }
}

#[test]
fn replies_encode_as_resp2() {
    let mut out = Vec::new();
    resp::simple(&mut out, "OK");
    resp::error(&mut out, b"ERR two\r\nlines");
    resp::integer(&mut out, -12);
    resp::integer(&mut out, i64::MIN);
    resp::bulk(&mut out, b"");
    resp::null(&mut out);
    resp::array(&mut out, 2);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "+OK\r\n-ERR two  lines\r\n:-12\r\n:-9223372036854775808\r\n$0\r\n\r\n$-1\r\n*2\r\n"
    );
}

#[runtime::test(start_paused = true)]
async fn expired_keys_go_lazily_and_in_sweeps() {
    let db = Db::new();
    for i in 0..100 {
        let key = format!("short{i}");
        let ttl = Ttl::After(Duration::from_secs(1));
        assert!(db.set(key.as_bytes(), b"v", SetCondition::Always, ttl));
    }
    db.set(
        b"long",
        b"v",
        SetCondition::Always,
        Ttl::After(Duration::from_secs(60)),
    );
    db.set(b"forever", b"v", SetCondition::Always, Ttl::Persist);
    assert_eq!(db.sweep(), 0);
    assert_eq!(db.ttl(b"long"), Some(Duration::from_secs(60)));
    assert_eq!(db.ttl(b"forever"), None);

    advance(Duration::from_secs(1)).await;
    // Lazily: a touched expired key is gone at once.
    assert_eq!(db.get(b"short0"), None);
    assert!(!db.exists(b"short1"));
    assert_eq!(db.len(), 100);
    // In a sweep: the untouched ones are removed too, the others stay.
    assert_eq!(db.sweep(), 98);
    assert_eq!(db.len(), 2);
    assert_eq!(db.get(b"long"), Some(b"v".to_vec()));

    // INCR keeps the deadline; SET without options drops it.
    assert_eq!(db.incr(b"long"), Err(IncrError::NotAnInteger));
    db.set(b"long", b"41", SetCondition::IfExists, Ttl::Keep);
    assert_eq!(db.incr(b"long"), Ok(42));
    assert_eq!(db.ttl(b"long"), Some(Duration::from_secs(59)));
    advance(Duration::from_secs(59)).await;
    assert_eq!(db.sweep(), 1);
    assert!(db.is_empty() || db.len() == 1);
    assert_eq!(db.get(b"forever"), Some(b"v".to_vec()));
}

#[runtime::test]
async fn the_servers_sweeper_removes_expired_keys_nobody_touches() {
    let server = Server::start(Config {
        sweep_interval: Some(Duration::from_millis(1)),
        ..Config::default()
    })
    .await;
    let mut s = server.connect().await;
    exchange(&mut s, &cmd(&["SET", "stays", "v"]), b"+OK\r\n").await;
    exchange(&mut s, &cmd(&["SET", "goes", "v", "PX", "1"]), b"+OK\r\n").await;
    // DBSIZE counts expired keys until they are removed, and nothing here touches `goes`:
    // only the sweeper can bring the count down (the loop ends once it has run).
    loop {
        s.write_all(&cmd(&["DBSIZE"])).await.unwrap();
        match &read_n(&mut s, 4).await[..] {
            b":1\r\n" => break,
            other => assert_eq!(other, b":2\r\n"),
        }
        runtime::time::sleep(Duration::from_millis(1)).await;
    }
    exchange(&mut s, &cmd(&["GET", "stays"]), b"$1\r\nv\r\n").await;
    server.stop().await;
}

#[test]
fn pubsub_registry_counts_receivers_and_marks_laggards() {
    let registry = pubsub::PubSub::new();
    let (one, mut rx1) = pubsub::Subscriber::new(2);
    let (two, rx2) = pubsub::Subscriber::new(2);
    assert!(registry.subscribe(b"ch", 1, &one));
    assert!(!registry.subscribe(b"ch", 1, &one));
    assert!(registry.subscribe(b"ch", 2, &two));
    assert_eq!(registry.publish(b"ch", b"hi"), 2);
    assert_eq!(&*rx1.try_recv().unwrap(), &message("ch", "hi")[..]);
    drop(rx2); // a receiver that is gone is not counted
    assert_eq!(registry.publish(b"ch", b"hi"), 1);
    // One queued, room for one more, then the third does not fit: counted, but lagging.
    assert!(!one.lagged());
    assert_eq!(registry.publish(b"ch", b"3"), 1);
    assert!(!one.lagged());
    assert_eq!(registry.publish(b"ch", b"4"), 1);
    assert!(one.lagged());
    assert!(registry.unsubscribe(b"ch", 1));
    assert!(registry.unsubscribe(b"ch", 2));
    assert!(!registry.unsubscribe(b"ch", 2));
    assert_eq!(registry.channel_count(), 0);
    assert_eq!(registry.publish(b"ch", b"hi"), 0);
}
