//! The `chat_server` example's logic (`examples/chat_server/server.rs`, included as is): lines
//! reach every other client as `<name>: <line>` and never the sender, joins and leaves are
//! announced, an overlong line disconnects only its sender, invalid UTF-8 is replaced, names
//! are checked, a slow reader is dropped, and the shutdown future stops the server.
//!
//! "Not at the sender" is checked without waiting: the room delivers a line to every outbox at
//! once, so when a client's next line is the one somebody sent *after* it spoke, its own line
//! was not delivered to it.

#[path = "../examples/chat_server/server.rs"]
mod server;

use std::net::SocketAddr;

use runtime::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use runtime::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::oneshot;
use runtime::task::JoinHandle;

/// One chat client: a line reader and a writer.
struct Client {
    name: String,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    /// Connects, reads the greeting and asks for the name `asked` (the raw first line);
    /// expects `* you are <got>`.
    async fn join_as(addr: SocketAddr, asked: &str, got: &str) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (read, writer) = stream.into_split();
        let mut client = Client {
            name: got.to_string(),
            reader: BufReader::new(read),
            writer,
        };
        assert_eq!(client.recv().await, server::GREETING);
        client.send(asked).await;
        client.expect(&format!("* you are {got}")).await;
        client
    }

    async fn join(addr: SocketAddr, name: &str) -> Client {
        Client::join_as(addr, name, name).await
    }

    /// Sends `line` and its `\n`.
    async fn send(&mut self, line: &str) {
        self.send_bytes(format!("{line}\n").as_bytes()).await;
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// The next line, `\n` included; panics at end-of-file.
    async fn recv(&mut self) -> String {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).await.unwrap();
        assert!(n > 0, "{}: end-of-file instead of a line", self.name);
        line
    }

    /// The next line is exactly `line` followed by `\n`.
    async fn expect(&mut self, line: &str) {
        assert_eq!(self.recv().await, format!("{line}\n"), "at {}", self.name);
    }

    /// Nothing more arrives: end-of-file.
    async fn expect_eof(&mut self) {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&rest), "", "at {}", self.name);
    }
}

struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<server::Summary>,
}

async fn start(config: server::Config) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = runtime::spawn(server::serve_with(listener, stopped, config));
    Server { addr, stop, task }
}

/// A server with the default limits, through `serve` as `main.rs` starts it.
async fn start_default() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = runtime::spawn(server::serve(listener, stopped));
    Server { addr, stop, task }
}

impl Server {
    async fn stop(self) -> server::Summary {
        self.stop.send(()).unwrap();
        self.task.await.unwrap()
    }
}

#[runtime::test]
async fn lines_reach_the_others_joins_and_leaves_are_announced() {
    let server = start_default().await;
    let mut alice = Client::join(server.addr, "alice").await;
    let mut bob = Client::join(server.addr, "bob").await;
    alice.expect("* bob joined").await;
    let mut carol = Client::join(server.addr, "carol").await;
    alice.expect("* carol joined").await;
    bob.expect("* carol joined").await;

    alice.send("hello, everyone").await;
    bob.expect("alice: hello, everyone").await;
    carol.expect("alice: hello, everyone").await;

    bob.send("hi alice").await;
    // Alice's next line is bob's, not her own.
    alice.expect("bob: hi alice").await;
    carol.expect("bob: hi alice").await;

    carol.send("hey\r").await; // a CRLF line ending is fine
    alice.expect("carol: hey").await;
    bob.expect("carol: hey").await;

    alice.send("").await; // empty lines are lines too
    bob.expect("alice: ").await;
    carol.expect("alice: ").await;

    carol.send("and for bob and carol?").await;
    alice.expect("carol: and for bob and carol?").await;
    // Bob and carol did not get their own lines either.
    bob.expect("carol: and for bob and carol?").await;
    bob.send("bye").await;
    alice.expect("bob: bye").await;
    carol.expect("bob: bye").await;

    // Bob leaves: his end-of-file is announced to the others.
    bob.writer.close().await.unwrap();
    bob.expect_eof().await;
    alice.expect("* bob left").await;
    carol.expect("* bob left").await;

    alice.send("just us").await;
    carol.expect("alice: just us").await;

    let summary = server.stop().await;
    for client in [&mut alice, &mut carol] {
        client.expect("* server shutting down").await;
        client.expect_eof().await;
    }
    assert_eq!(
        summary,
        server::Summary {
            connections: 3,
            cut_off: 0
        }
    );
}

#[runtime::test]
async fn an_overlong_line_disconnects_only_its_sender() {
    let server = start_default().await;
    let max = server::Config::default().max_line;
    let mut alice = Client::join(server.addr, "alice").await;
    let mut bob = Client::join(server.addr, "bob").await;
    alice.expect("* bob joined").await;
    let mut carol = Client::join(server.addr, "carol").await;
    alice.expect("* carol joined").await;
    bob.expect("* carol joined").await;

    // A line of exactly the limit is fine.
    let longest = "x".repeat(max);
    carol.send(&longest).await;
    alice.expect(&format!("carol: {longest}")).await;
    bob.expect(&format!("carol: {longest}")).await;

    // One byte more is not: carol gets an error, then end-of-file; the others see her leave.
    carol.send(&"y".repeat(max + 1)).await;
    carol
        .expect(&format!(
            "* error: line longer than {max} bytes, disconnecting"
        ))
        .await;
    carol.expect_eof().await;
    alice.expect("* carol left").await;
    bob.expect("* carol left").await;

    // The others keep chatting, and nothing of the long line reached them.
    alice.send("still here?").await;
    bob.expect("alice: still here?").await;
    bob.send("yes").await;
    alice.expect("bob: yes").await;

    // A long line without any newline is cut off as well.
    let mut dave = Client::join(server.addr, "dave").await;
    alice.expect("* dave joined").await;
    bob.expect("* dave joined").await;
    dave.send_bytes(&vec![b'z'; 3 * max]).await;
    dave.expect(&format!(
        "* error: line longer than {max} bytes, disconnecting"
    ))
    .await;
    dave.expect_eof().await;
    alice.expect("* dave left").await;
    bob.expect("* dave left").await;

    alice.send("bye").await;
    bob.expect("alice: bye").await;

    let summary = server.stop().await;
    assert_eq!(summary.connections, 4);
    assert_eq!(summary.cut_off, 0);
}

#[runtime::test]
async fn invalid_utf8_is_replaced_and_names_are_checked() {
    let server = start_default().await;
    let mut alice = Client::join(server.addr, "alice").await;
    // An empty name, a taken name and a name with a space each get a guest name.
    let mut guest1 = Client::join_as(server.addr, "", "guest-1").await;
    alice.expect("* guest-1 joined").await;
    let mut guest2 = Client::join_as(server.addr, "alice", "guest-2").await;
    alice.expect("* guest-2 joined").await;
    guest1.expect("* guest-2 joined").await;
    let mut guest3 = Client::join_as(server.addr, "two words", "guest-3").await;
    for client in [&mut alice, &mut guest1, &mut guest2] {
        client.expect("* guest-3 joined").await;
    }
    // Spaces around a valid name are trimmed.
    let mut bob = Client::join_as(server.addr, "  bob ", "bob").await;
    for client in [&mut alice, &mut guest1, &mut guest2, &mut guest3] {
        client.expect("* bob joined").await;
    }

    alice.send_bytes(b"caf\xc3\xa9 \xff\xfe ok\n").await;
    for client in [&mut guest1, &mut guest2, &mut guest3, &mut bob] {
        client.expect("alice: caf\u{e9} \u{fffd}\u{fffd} ok").await;
    }
    // The server is still fine: the next line arrives as usual.
    guest2.send("hello").await;
    for client in [&mut alice, &mut guest1, &mut guest3, &mut bob] {
        client.expect("guest-2: hello").await;
    }

    let summary = server.stop().await;
    assert_eq!(summary.connections, 5);
}

#[runtime::test]
async fn a_reader_that_cannot_keep_up_is_disconnected_without_slowing_the_others() {
    let server = start(server::Config {
        outbox: 4,
        ..server::Config::default()
    })
    .await;
    let mut alice = Client::join(server.addr, "alice").await;
    let mut bob = Client::join(server.addr, "bob").await;
    alice.expect("* bob joined").await;
    // `slow` never reads after joining.
    let mut slow = Client::join(server.addr, "slow").await;
    alice.expect("* slow joined").await;
    bob.expect("* slow joined").await;

    // Rounds: alice sends a long line, bob reads it and answers `ack`, alice reads that. Alice
    // and bob never have more than a line or two on their way, while everything piles up
    // towards `slow`: first in the socket buffers, then in its outbox of 4 lines, and then it
    // is dropped, at alice's line or at bob's `ack`. Both then read the announcement once,
    // between the lines they expect.
    let line = "z".repeat(8000);
    let announcement = "* slow left (too slow)\n";
    let (mut alice_saw, mut bob_saw) = (0, 0);
    let mut rounds = 0u64;
    while alice_saw == 0 || bob_saw == 0 {
        rounds += 1;
        assert!(
            rounds < 50_000,
            "`slow` was never disconnected ({rounds} rounds of 8000 bytes)"
        );
        alice.send(&line).await;
        let mut got = bob.recv().await;
        if got == announcement {
            bob_saw += 1;
            got = bob.recv().await;
        }
        assert_eq!(got, format!("alice: {line}\n"));
        bob.send("ack").await;
        let mut got = alice.recv().await;
        if got == announcement {
            alice_saw += 1;
            got = alice.recv().await;
        }
        assert_eq!(got, "bob: ack\n");
    }
    assert_eq!((alice_saw, bob_saw), (1, 1));
    assert!(rounds > 2, "dropped after {rounds} rounds");

    // Alice and bob carry on.
    alice.send("done").await;
    bob.expect("alice: done").await;

    // `slow` finds its connection closed after whatever was already on its way.
    let mut rest = Vec::new();
    let _ = slow.reader.read_to_end(&mut rest).await;

    let summary = server.stop().await;
    assert_eq!(summary.connections, 3);
}
