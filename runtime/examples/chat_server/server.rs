//! The chat server's logic: a line-based chat room over TCP.
//!
//! Protocol (every line ends with `\n`; a `\r` before it is dropped):
//! - On connecting, a client reads [`GREETING`], which asks for its name.
//! - The first line a client sends is the name it asks for. A name is 1 to
//!   [`MAX_NAME`] letters, digits, `-`, `_` or `.`, not already in use; a client that asks for
//!   anything else (an empty line, say) is given a free `guest-N`. The server answers
//!   `* you are <name>` and tells everyone else `* <name> joined`.
//! - Every further line is sent to all *other* clients as `<name>: <line>`. Bytes that are not
//!   UTF-8 arrive as U+FFFD (no panic, no disconnect).
//! - When a client leaves (end-of-file, error, or dropped), the others read `* <name> left`.
//! - A line longer than [`Config::max_line`] bytes gets the answer `* error: ...` and the client
//!   is disconnected; the others carry on.
//!
//! How: a registry (a `Mutex`, never held across an `.await`) maps each client to its name
//! and the sender of a bounded `mpsc` channel, its outbox. Each connection is split with
//! `into_split`: the reading side runs in the connection's task and broadcasts into the other
//! clients' outboxes with `try_send`, so a broadcast never waits; the writing side is a task of
//! its own that empties the outbox into the socket, flushing once the outbox is empty. A
//! client whose outbox is full (it reads too slowly to keep up) is disconnected at once and the
//! others read `* <name> left (too slow)`: one slow reader costs memory bounded by
//! [`Config::outbox`] lines and never slows down the others.
//!
//! Graceful stop: when the `shutdown` future completes, [`serve_with`] stops accepting, sends
//! `* server shutting down` to every client, stops reading from them, and lets each writer
//! deliver what its outbox still holds and close. Connections still open after
//! [`Config::grace`] are cut off.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use runtime::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter,
};
use runtime::net::tcp::OwnedWriteHalf;
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::mpsc::{self, error::TrySendError};
use runtime::sync::CancellationToken;
use runtime::task::JoinSet;

/// The first line every client reads.
pub const GREETING: &str = "* welcome! your name? (an empty line gets you a guest name)\n";

/// Longest name a client may ask for, in bytes.
pub const MAX_NAME: usize = 32;

/// How long a departing client's writer may take to deliver what is queued for it; and, after
/// a line that is too long, how long the server keeps reading (and discarding) what the client
/// still sends, so that closing the socket does not reset the connection before the client has
/// read the error line.
const LINGER: Duration = Duration::from_secs(2);

/// At most this many bytes are discarded while lingering.
const LINGER_BYTES: u64 = 1 << 20;

/// How long to pause accepting after an accept error (too many open files, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The server's limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// Longest line a client may send, in bytes, without its `\n`.
    pub max_line: usize,
    /// Lines that may wait in one client's outbox; a client that falls further behind is
    /// disconnected.
    pub outbox: usize,
    /// How long connections may run on after the shutdown signal.
    pub grace: Duration,
}

impl Default for Config {
    /// 8 KiB lines, 256 lines of outbox, 5 seconds of grace.
    fn default() -> Config {
        Config {
            max_line: 8 * 1024,
            outbox: 256,
            grace: Duration::from_secs(5),
        }
    }
}

/// What a server did, returned by [`serve_with`] when it has stopped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Connections accepted.
    pub connections: u64,
    /// Connections still open when the grace period ran out, and cut off.
    pub cut_off: u64,
}

/// Serves the chat on `listener` with the default [`Config`] until `shutdown` completes.
pub async fn serve(listener: TcpListener, shutdown: impl Future) -> Summary {
    serve_with(listener, shutdown, Config::default()).await
}

/// Serves the chat on `listener` until `shutdown` completes, then stops as the module docs
/// say and returns what happened.
pub async fn serve_with(listener: TcpListener, shutdown: impl Future, config: Config) -> Summary {
    let room = Room::default();
    let closing = CancellationToken::new();
    let config = Arc::new(config);
    let mut summary = Summary::default();
    let mut connections: JoinSet<()> = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        runtime::select! {
            biased;
            _ = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    summary.connections += 1;
                    connections.spawn(connection(
                        stream,
                        room.clone(),
                        Arc::clone(&config),
                        closing.clone(),
                    ));
                }
                Err(e) => {
                    eprintln!("chat_server: accept failed: {e}");
                    runtime::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }

    drop(listener);
    room.close();
    closing.cancel();
    let drain = async { while connections.join_next().await.is_some() {} };
    if runtime::time::timeout(config.grace, drain).await.is_err() {
        summary.cut_off = connections.len() as u64;
        connections.shutdown().await;
    }
    summary
}

/// A message on its way to clients: one allocation shared by all the outboxes it is in.
type Message = Arc<str>;

/// The clients that have a name, shared by every connection.
#[derive(Clone, Default)]
struct Room(Arc<Mutex<Registry>>);

#[derive(Default)]
struct Registry {
    members: HashMap<u64, Member>,
    next_id: u64,
    next_guest: u64,
    /// The server is shutting down: no more join or leave announcements.
    closed: bool,
}

struct Member {
    name: Arc<str>,
    outbox: mpsc::Sender<Message>,
    /// Cancelled to disconnect this client.
    kick: CancellationToken,
}

impl Room {
    fn lock(&self) -> MutexGuard<'_, Registry> {
        // Nothing panics while holding the lock; if something did, the map is still usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a client that asked for `requested` as its name; returns its id and the name it
    /// got, or `None` if the server is shutting down. Tells the others first, then the client
    /// itself, so that once a client has read its `* you are` line, the others' outboxes hold
    /// the announcement.
    fn join(
        &self,
        requested: &str,
        outbox: mpsc::Sender<Message>,
        kick: CancellationToken,
    ) -> Option<(u64, Arc<str>)> {
        let mut registry = self.lock();
        if registry.closed {
            return None;
        }
        let name: Arc<str> = if valid_name(requested) && !registry.name_taken(requested) {
            requested.into()
        } else {
            registry.guest_name().into()
        };
        let id = registry.next_id;
        registry.next_id += 1;
        registry.deliver(None, format!("* {name} joined\n").into());
        // A fresh outbox has room for at least one message.
        let _ = outbox.try_send(format!("* you are {name}\n").into());
        registry.members.insert(
            id,
            Member {
                name: name.clone(),
                outbox,
                kick,
            },
        );
        Some((id, name))
    }

    /// Sends `line` from client `from` to everyone else.
    fn say(&self, from: u64, name: &str, line: &str) {
        self.lock()
            .deliver(Some(from), format!("{name}: {line}\n").into());
    }

    /// Removes client `id` (if it is still there) and tells the others.
    fn leave(&self, id: u64) {
        let mut registry = self.lock();
        if let Some(member) = registry.members.remove(&id) {
            if !registry.closed {
                registry.deliver(None, format!("* {} left\n", member.name).into());
            }
        }
    }

    /// Tells everyone the server is stopping; from now on nobody joins.
    fn close(&self) {
        let mut registry = self.lock();
        registry.closed = true;
        registry.deliver(None, "* server shutting down\n".into());
    }
}

impl Registry {
    fn name_taken(&self, name: &str) -> bool {
        self.members.values().any(|m| &*m.name == name)
    }

    fn guest_name(&mut self) -> String {
        loop {
            self.next_guest += 1;
            let name = format!("guest-{}", self.next_guest);
            if !self.name_taken(&name) {
                return name;
            }
        }
    }

    /// Puts `message` in the outbox of every member but `except`. A member whose outbox is
    /// full is disconnected, and that is announced in turn (which may disconnect others).
    fn deliver(&mut self, except: Option<u64>, message: Message) {
        let mut queue = VecDeque::from([(except, message)]);
        while let Some((except, message)) = queue.pop_front() {
            let mut slow = Vec::new();
            for (&id, member) in &self.members {
                if Some(id) == except {
                    continue;
                }
                match member.outbox.try_send(Arc::clone(&message)) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => slow.push(id),
                    // Its writer has stopped (the socket failed): its reader is leaving.
                    Err(TrySendError::Closed(_)) => {}
                }
            }
            for id in slow {
                if let Some(member) = self.members.remove(&id) {
                    member.kick.cancel();
                    if !self.closed {
                        let note = format!("* {} left (too slow)\n", member.name);
                        queue.push_back((None, note.into()));
                    }
                }
            }
        }
    }
}

/// Whether a client may call itself `name`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// How a client's reading side ended.
enum Ending {
    /// The client closed its side (or the connection failed).
    Eof,
    /// The client sent a line that is too long.
    TooLong,
    /// The client was disconnected: too slow, or its writer failed.
    Kicked,
    /// The server is shutting down.
    Closing,
}

/// Runs one client from its name to its departure.
async fn connection(
    stream: TcpStream,
    room: Room,
    config: Arc<Config>,
    closing: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let (outbox, lines) = mpsc::channel(config.outbox.max(1));
    let kick = CancellationToken::new();
    let writer = runtime::spawn(write_lines(BufWriter::new(write), lines, kick.clone()));

    let mut joined = None;
    let chat = async {
        let mut buf = Vec::new();
        let requested = match next_line(&mut reader, &mut buf, config.max_line).await? {
            Line::Text(name) => name,
            Line::Eof => return Ok(Ending::Eof),
            Line::TooLong => return Ok(Ending::TooLong),
        };
        let Some((id, name)) = room.join(requested.trim(), outbox.clone(), kick.clone()) else {
            return Ok(Ending::Closing);
        };
        joined = Some(id);
        loop {
            match next_line(&mut reader, &mut buf, config.max_line).await? {
                Line::Text(line) => {
                    room.say(id, &name, &line);
                    // Let the writers run before the next line, even when more is buffered:
                    // one talkative client must not fill everyone's outbox in one go.
                    runtime::task::yield_now().await;
                }
                Line::Eof => return Ok(Ending::Eof),
                Line::TooLong => return Ok(Ending::TooLong),
            }
        }
    };
    let ending: io::Result<Ending> = runtime::select! {
        biased;
        _ = kick.cancelled() => Ok(Ending::Kicked),
        _ = closing.cancelled() => Ok(Ending::Closing),
        ending = chat => ending,
    };

    if let Some(id) = joined {
        room.leave(id);
    }
    let too_long = matches!(ending, Ok(Ending::TooLong));
    if too_long {
        let error = format!(
            "* error: line longer than {} bytes, disconnecting\n",
            config.max_line
        );
        let _ = outbox.try_send(error.into());
    }
    // The writer ends once every sender of the outbox is gone (this one and the room's) and
    // it has delivered what is queued, unless the client stops reading: then it is cut off.
    drop(outbox);
    let mut writer = writer;
    if runtime::time::timeout(LINGER, &mut writer).await.is_err() {
        kick.cancel();
        let _ = writer.await;
    }
    if too_long {
        // The client may still be sending the rest of its line: read it (the write side is
        // closed already) so that the close below is not a reset that could destroy the error
        // line before the client reads it.
        let mut sink = runtime::io::sink();
        let discard = runtime::io::copy((&mut reader).take(LINGER_BYTES), &mut sink);
        runtime::select! {
            _ = closing.cancelled() => {}
            _ = runtime::time::timeout(LINGER, discard) => {}
        }
    }
}

/// Writes [`GREETING`], then the outbox's messages to the client until the outbox is closed
/// and empty, then closes the writing side. Stops at once when `kick` is cancelled; cancels
/// `kick` itself when writing fails, so that the reading side stops too.
async fn write_lines(
    mut out: BufWriter<OwnedWriteHalf>,
    mut lines: mpsc::Receiver<Message>,
    kick: CancellationToken,
) {
    let write = async {
        out.write_all(GREETING.as_bytes()).await?;
        out.flush().await?;
        while let Some(line) = lines.recv().await {
            out.write_all(line.as_bytes()).await?;
            // Send what is queued in one go, then flush once.
            while let Ok(line) = lines.try_recv() {
                out.write_all(line.as_bytes()).await?;
            }
            out.flush().await?;
        }
        out.close().await
    };
    let failed = runtime::select! {
        biased;
        _ = kick.cancelled() => false,
        written = write => written.is_err(),
    };
    if failed {
        kick.cancel();
    }
}

/// One line from a client.
enum Line {
    /// A line without its `\n` (and without a `\r` before it), invalid UTF-8 replaced by
    /// U+FFFD. The last line may lack its `\n`.
    Text(String),
    /// End of the stream.
    Eof,
    /// More than the limit before the next `\n`; the bytes seen so far are consumed.
    TooLong,
}

/// Reads one line of at most `max` bytes (not counting the `\n`), using `buf` as scratch.
///
/// Never buffers more than `max` bytes plus what the reader holds.
async fn next_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    buf.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if buf.is_empty() {
                Line::Eof
            } else {
                Line::Text(decode(buf))
            });
        }
        let (take, end) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        if buf.len() + take > max {
            let n = available.len();
            reader.consume_unpin(n);
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&available[..take]);
        reader.consume_unpin(if end { take + 1 } else { take });
        if end {
            return Ok(Line::Text(decode(buf)));
        }
    }
}

/// The text of a line: `\r` at the end dropped, invalid UTF-8 replaced.
fn decode(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}
