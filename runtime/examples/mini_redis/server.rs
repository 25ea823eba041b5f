//! The mini_redis server: the accept loop, one task per connection, and command dispatch.
//!
//! [`serve`] accepts connections until its `shutdown` future completes, then aborts the
//! connection tasks and returns. Each connection reads into a reusable buffer, parses every
//! complete request in it ([`resp::parse_request`], no copy), appends each reply to a reusable
//! output buffer and sends them all with one `write_all`: one read and one write system call per
//! request in the common case, and pipelined requests are batched for free. A request redis
//! would call a protocol error gets redis's error reply and the connection is closed.
//!
//! Replies match redis 7 byte for byte, error texts included. A connection that subscribes to
//! a channel enters redis's subscribed mode: it waits for its socket and its message channel at
//! once (`runtime::select!`), and only SUBSCRIBE / UNSUBSCRIBE / PING / QUIT are allowed.
//! A background task removes expired keys every [`Config::sweep_interval`].

use std::future::Future;
use std::io;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::mpsc;
use runtime::task::JoinSet;

use crate::db::{Db, IncrError, SetCondition, Ttl};
use crate::pubsub::{self, Message, PubSub, Subscriber};
use crate::resp::{self, Limits, Source};

/// The largest bulk string accepted by default: 512 MiB, redis's `proto-max-bulk-len`.
pub const MAX_BULK: usize = 512 * 1024 * 1024;
/// The most arguments in one request accepted by default (redis: `INT_MAX`).
pub const MAX_ARRAY: usize = i32::MAX as usize;
/// How often expired keys are swept by default.
pub const SWEEP_INTERVAL: Duration = Duration::from_millis(100);
/// The size a connection's input buffer starts at (and returns to after a large request).
const BUFFER: usize = 16 * 1024;

/// Server settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The largest bulk string in a request (a larger one is a protocol error).
    pub max_bulk: usize,
    /// The most arguments in a request (more is a protocol error).
    pub max_array: usize,
    /// How often expired keys nobody touches are removed; `None`: only lazily, when touched.
    pub sweep_interval: Option<Duration>,
    /// How many published messages may wait for a subscriber that does not keep up; one more
    /// and its connection is closed.
    pub subscriber_backlog: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_bulk: MAX_BULK,
            max_array: MAX_ARRAY,
            sweep_interval: Some(SWEEP_INTERVAL),
            subscriber_backlog: pubsub::BACKLOG,
        }
    }
}

/// What all connections share.
#[derive(Debug)]
struct Shared {
    db: Db,
    pubsub: PubSub,
    limits: Limits,
    subscriber_backlog: usize,
    next_id: AtomicU64,
}

/// Serves redis clients on `listener` until `shutdown` completes; then stops accepting, aborts
/// the open connections and returns. Errors of single connections only end those connections.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let shared = Arc::new(Shared {
        db: Db::new(),
        pubsub: PubSub::new(),
        limits: Limits {
            max_bulk: config.max_bulk,
            max_array: config.max_array,
        },
        subscriber_backlog: config.subscriber_backlog.max(1),
        next_id: AtomicU64::new(1),
    });
    let mut tasks = JoinSet::new();
    if let Some(every) = config.sweep_interval {
        let shared = shared.clone();
        tasks.spawn(async move {
            loop {
                runtime::time::sleep(every).await;
                shared.db.sweep();
            }
        });
    }
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = runtime::select! {
            biased;
            _ = &mut shutdown => break,
            Some(_) = tasks.join_next() => continue,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _peer)) => {
                let shared = shared.clone();
                tasks.spawn(async move {
                    // A connection's I/O error (a reset, say) concerns that client alone.
                    let _ = connection(stream, shared).await;
                });
            }
            // Out of descriptors or a connection reset before it was accepted: report it, let
            // the others go on (and give descriptors a moment to free up).
            Err(error) => {
                eprintln!("mini_redis: accept failed: {error}");
                runtime::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    tasks.shutdown().await;
    Ok(())
}

/// A parsed request's arguments: ranges into a byte buffer.
#[derive(Clone, Copy)]
struct Args<'a> {
    base: &'a [u8],
    ranges: &'a [Range<usize>],
}

impl<'a> Args<'a> {
    fn len(&self) -> usize {
        self.ranges.len()
    }

    fn get(&self, i: usize) -> &'a [u8] {
        &self.base[self.ranges[i].clone()]
    }

    fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.ranges.iter().map(|r| &self.base[r.clone()])
    }
}

/// Whether the connection goes on after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

/// The commands mini_redis knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Ping,
    Echo,
    Get,
    Set,
    Del,
    Exists,
    Incr,
    MGet,
    MSet,
    DbSize,
    Publish,
    Subscribe,
    Unsubscribe,
    Quit,
}

/// The command called `name` (any case), its redis name and its redis arity (`n`: exactly `n`
/// arguments counting the name; `-n`: at least `n`).
fn lookup(name: &[u8]) -> Option<(Command, &'static str, i32)> {
    let mut lower = [0u8; 12];
    let lower = lower.get_mut(..name.len())?;
    for (l, &b) in lower.iter_mut().zip(name) {
        *l = b.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"ping" => (Command::Ping, "ping", -1),
        b"echo" => (Command::Echo, "echo", 2),
        b"get" => (Command::Get, "get", 2),
        b"set" => (Command::Set, "set", -3),
        b"del" => (Command::Del, "del", -2),
        b"exists" => (Command::Exists, "exists", -2),
        b"incr" => (Command::Incr, "incr", 2),
        b"mget" => (Command::MGet, "mget", -2),
        b"mset" => (Command::MSet, "mset", -3),
        b"dbsize" => (Command::DbSize, "dbsize", 1),
        b"publish" => (Command::Publish, "publish", 3),
        b"subscribe" => (Command::Subscribe, "subscribe", -2),
        b"unsubscribe" => (Command::Unsubscribe, "unsubscribe", -1),
        b"quit" => (Command::Quit, "quit", -1),
        _ => return None,
    })
}

fn wrong_arity(out: &mut Vec<u8>, name: &str) {
    let text = format!("ERR wrong number of arguments for '{name}' command");
    resp::error(out, text.as_bytes());
}

const NOT_AN_INTEGER: &[u8] = b"ERR value is not an integer or out of range";
const SYNTAX_ERROR: &[u8] = b"ERR syntax error";

/// `bytes` up to its first NUL: what C's `%s` prints of it.
fn c_str(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// redis's reply to an unknown command: the name (at most 128 bytes) and the first arguments
/// quoted, until the argument text reaches 128 bytes.
fn unknown_command(out: &mut Vec<u8>, args: Args<'_>) {
    let name = c_str(args.get(0));
    let mut text = b"ERR unknown command '".to_vec();
    text.extend_from_slice(&name[..name.len().min(128)]);
    text.extend_from_slice(b"', with args beginning with: ");
    let mut listed: Vec<u8> = Vec::new();
    for arg in args.iter().skip(1) {
        if listed.len() >= 128 {
            break;
        }
        let arg = c_str(arg);
        let room = 128 - listed.len();
        listed.push(b'\'');
        listed.extend_from_slice(&arg[..arg.len().min(room)]);
        listed.extend_from_slice(b"' ");
    }
    text.extend_from_slice(&listed);
    resp::error(out, &text);
}

/// A connection's pub/sub state while it has subscriptions.
struct Subscription {
    /// The channels, in the order they were subscribed to (UNSUBSCRIBE without arguments
    /// confirms them in this order).
    channels: Vec<Vec<u8>>,
    subscriber: Subscriber,
    receiver: mpsc::Receiver<Message>,
}

/// One client connection's state.
struct Conn {
    id: u64,
    shared: Arc<Shared>,
    subscription: Option<Subscription>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(subscription) = &self.subscription {
            for channel in &subscription.channels {
                self.shared.pubsub.unsubscribe(channel, self.id);
            }
        }
    }
}

/// What woke a subscribed connection.
enum Event {
    Read(io::Result<usize>),
    Message(Option<Message>),
}

async fn connection(mut stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    // Replies are written whole, one write per batch: no need to wait for more to send.
    stream.set_nodelay(true)?;
    let limits = shared.limits;
    let mut conn = Conn {
        id: shared.next_id.fetch_add(1, Ordering::Relaxed),
        shared,
        subscription: None,
    };
    let mut input = vec![0u8; BUFFER];
    let (mut start, mut end) = (0, 0);
    let mut out = Vec::with_capacity(BUFFER);
    let mut ranges = Vec::new();
    let mut scratch = Vec::new();
    loop {
        // Answer every complete request that has arrived.
        let mut flow = Flow::Continue;
        while start < end {
            let available = &input[start..end];
            match resp::parse_request(available, &limits, &mut ranges, &mut scratch) {
                Ok(None) => break,
                Ok(Some(parsed)) => {
                    start += parsed.consumed;
                    if ranges.is_empty() {
                        continue;
                    }
                    let base = match parsed.source {
                        Source::Input => available,
                        Source::Scratch => &scratch[..],
                    };
                    let args = Args {
                        base,
                        ranges: &ranges,
                    };
                    if conn.execute(args, &mut out) == Flow::Close {
                        flow = Flow::Close;
                        break;
                    }
                }
                Err(error) => {
                    resp::error(&mut out, format!("ERR {error}").as_bytes());
                    flow = Flow::Close;
                    break;
                }
            }
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
            out.shrink_to(BUFFER);
        }
        if flow == Flow::Close {
            return Ok(());
        }

        // Make room for the next read: start over when everything was used, move a partial
        // request to the front, and grow only when one request fills the whole buffer.
        if start == end {
            start = 0;
            end = 0;
            if input.len() > BUFFER {
                input.truncate(BUFFER);
                input.shrink_to_fit();
            }
        } else if end == input.len() {
            input.copy_within(start..end, 0);
            end -= start;
            start = 0;
            if end == input.len() {
                input.resize(input.len() * 2, 0);
            }
        }

        let read = match &mut conn.subscription {
            None => stream.read(&mut input[end..]).await,
            Some(subscription) => {
                let event = runtime::select! {
                    read = stream.read(&mut input[end..]) => Event::Read(read),
                    message = subscription.receiver.recv() => Event::Message(message),
                };
                match event {
                    Event::Read(read) => read,
                    Event::Message(message) => {
                        // Deliver it and whatever else is queued, in one write. (`None` cannot
                        // happen: the subscription holds a sender.)
                        out.extend_from_slice(message.as_deref().unwrap_or_default());
                        while let Ok(message) = subscription.receiver.try_recv() {
                            out.extend_from_slice(&message);
                        }
                        if subscription.subscriber.lagged() {
                            // Messages were lost: close at once, as redis closes a client over
                            // its pub/sub output buffer limit. (The queue bounds the memory a
                            // client that never reads can hold; this check runs once the
                            // previous write went out.)
                            return Ok(());
                        }
                        continue;
                    }
                }
            }
        };
        match read? {
            0 => return Ok(()),
            n => end += n,
        }
    }
}

impl Conn {
    fn subscribed(&self) -> bool {
        self.subscription.is_some()
    }

    /// Runs one request and appends its reply to `out`.
    fn execute(&mut self, args: Args<'_>, out: &mut Vec<u8>) -> Flow {
        let Some((command, name, arity)) = lookup(args.get(0)) else {
            unknown_command(out, args);
            return Flow::Continue;
        };
        let argc = args.len() as i64;
        let arity = i64::from(arity);
        if (arity > 0 && argc != arity) || argc < -arity {
            wrong_arity(out, name);
            return Flow::Continue;
        }
        if self.subscribed()
            && !matches!(
                command,
                Command::Ping | Command::Subscribe | Command::Unsubscribe | Command::Quit
            )
        {
            let text = format!(
                "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / \
                 QUIT / RESET are allowed in this context"
            );
            resp::error(out, text.as_bytes());
            return Flow::Continue;
        }
        let db = &self.shared.db;
        match command {
            // PING's arity is "at least 1", but redis rejects more than one message itself.
            Command::Ping if args.len() > 2 => wrong_arity(out, name),
            Command::Ping => self.ping(args, out),
            Command::Echo => resp::bulk(out, args.get(1)),
            Command::Get => db.with_value(args.get(1), |value| match value {
                Some(value) => resp::bulk(out, value),
                None => resp::null(out),
            }),
            Command::Set => set(db, args, out),
            Command::Del => {
                let removed = args.iter().skip(1).filter(|key| db.del(key)).count();
                resp::integer(out, removed as i64);
            }
            Command::Exists => {
                let found = args.iter().skip(1).filter(|key| db.exists(key)).count();
                resp::integer(out, found as i64);
            }
            Command::Incr => match db.incr(args.get(1)) {
                Ok(n) => resp::integer(out, n),
                Err(IncrError::NotAnInteger) => resp::error(out, NOT_AN_INTEGER),
                Err(IncrError::Overflow) => {
                    resp::error(out, b"ERR increment or decrement would overflow")
                }
            },
            Command::MGet => {
                resp::array(out, args.len() - 1);
                for key in args.iter().skip(1) {
                    db.with_value(key, |value| match value {
                        Some(value) => resp::bulk(out, value),
                        None => resp::null(out),
                    });
                }
            }
            Command::MSet => {
                if args.len() % 2 == 0 {
                    wrong_arity(out, name);
                    return Flow::Continue;
                }
                for pair in args.ranges[1..].chunks(2) {
                    let (key, value) = (&args.base[pair[0].clone()], &args.base[pair[1].clone()]);
                    db.set(key, value, SetCondition::Always, Ttl::Persist);
                }
                resp::simple(out, "OK");
            }
            // Like redis, expired keys not yet removed are counted.
            Command::DbSize => resp::integer(out, db.len() as i64),
            Command::Publish => {
                let receivers = self.shared.pubsub.publish(args.get(1), args.get(2));
                resp::integer(out, receivers as i64);
            }
            Command::Subscribe => self.subscribe(args, out),
            Command::Unsubscribe => self.unsubscribe(args, out),
            Command::Quit => {
                resp::simple(out, "OK");
                return Flow::Close;
            }
        }
        Flow::Continue
    }

    fn ping(&self, args: Args<'_>, out: &mut Vec<u8>) {
        let message = (args.len() == 2).then(|| args.get(1));
        if self.subscribed() {
            resp::array(out, 2);
            resp::bulk(out, b"pong");
            resp::bulk(out, message.unwrap_or_default());
        } else {
            match message {
                Some(message) => resp::bulk(out, message),
                None => resp::simple(out, "PONG"),
            }
        }
    }

    fn subscribe(&mut self, args: Args<'_>, out: &mut Vec<u8>) {
        let subscription = self.subscription.get_or_insert_with(|| {
            let (subscriber, receiver) = Subscriber::new(self.shared.subscriber_backlog);
            Subscription {
                channels: Vec::new(),
                subscriber,
                receiver,
            }
        });
        for channel in args.iter().skip(1) {
            if self
                .shared
                .pubsub
                .subscribe(channel, self.id, &subscription.subscriber)
            {
                subscription.channels.push(channel.to_vec());
            }
            confirm(
                out,
                b"subscribe",
                Some(channel),
                subscription.channels.len(),
            );
        }
    }

    fn unsubscribe(&mut self, args: Args<'_>, out: &mut Vec<u8>) {
        let Some(subscription) = &mut self.subscription else {
            // Not subscribed to anything: each named channel (or "none") is confirmed with 0.
            if args.len() == 1 {
                confirm(out, b"unsubscribe", None, 0);
            }
            for channel in args.iter().skip(1) {
                confirm(out, b"unsubscribe", Some(channel), 0);
            }
            return;
        };
        let named: Vec<Vec<u8>> = if args.len() == 1 {
            subscription.channels.clone()
        } else {
            args.iter().skip(1).map(<[u8]>::to_vec).collect()
        };
        for channel in &named {
            if self.shared.pubsub.unsubscribe(channel, self.id) {
                subscription.channels.retain(|c| c != channel);
            }
            // Messages published before the unsubscription go out before its confirmation.
            while let Ok(message) = subscription.receiver.try_recv() {
                out.extend_from_slice(&message);
            }
            confirm(
                out,
                b"unsubscribe",
                Some(channel),
                subscription.channels.len(),
            );
        }
        if subscription.channels.is_empty() {
            self.subscription = None; // back to normal mode
        }
    }
}

/// Appends a (un)subscribe confirmation: `*3 <kind> <channel or nil> :<count>`.
fn confirm(out: &mut Vec<u8>, kind: &[u8], channel: Option<&[u8]>, count: usize) {
    resp::array(out, 3);
    resp::bulk(out, kind);
    match channel {
        Some(channel) => resp::bulk(out, channel),
        None => resp::null(out),
    }
    resp::integer(out, count as i64);
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL], with redis's checks in
/// redis's order: the options first (syntax error), then the expire time.
fn set(db: &Db, args: Args<'_>, out: &mut Vec<u8>) {
    let mut condition = SetCondition::Always;
    let mut keep_ttl = false;
    let mut get_old = false;
    let mut expire: Option<(&[u8], u64)> = None; // the argument and milliseconds per unit
    let mut i = 3;
    while i < args.len() {
        let option = args.get(i);
        let has_next = i + 1 < args.len();
        if option.eq_ignore_ascii_case(b"nx") && condition != SetCondition::IfExists {
            condition = SetCondition::IfMissing;
        } else if option.eq_ignore_ascii_case(b"xx") && condition != SetCondition::IfMissing {
            condition = SetCondition::IfExists;
        } else if option.eq_ignore_ascii_case(b"get") {
            get_old = true;
        } else if option.eq_ignore_ascii_case(b"keepttl") && expire.is_none() {
            keep_ttl = true;
        } else if (option.eq_ignore_ascii_case(b"ex") || option.eq_ignore_ascii_case(b"px"))
            && !keep_ttl
            && has_next
        {
            let unit = if option.eq_ignore_ascii_case(b"ex") {
                1000
            } else {
                1
            };
            // Like redis: repeating the same unit is allowed (the last one counts), mixing
            // EX and PX is not.
            if expire.is_some_and(|(_, earlier)| earlier != unit) {
                resp::error(out, SYNTAX_ERROR);
                return;
            }
            expire = Some((args.get(i + 1), unit));
            i += 1;
        } else {
            resp::error(out, SYNTAX_ERROR);
            return;
        }
        i += 1;
    }
    let ttl = match expire {
        None if keep_ttl => Ttl::Keep,
        None => Ttl::Persist,
        Some((text, unit)) => match expire_millis(text, unit) {
            Ok(ms) => Ttl::After(Duration::from_millis(ms)),
            Err(error) => {
                resp::error(out, error);
                return;
            }
        },
    };
    let (done, old) = db.set_and_get(args.get(1), args.get(2), condition, ttl, get_old);
    match old {
        Some(old) => resp::bulk(out, &old),
        None if get_old || !done => resp::null(out),
        None => resp::simple(out, "OK"),
    }
}

/// The expire time `text` (in units of `unit` ms) in milliseconds, checked as redis does: an
/// integer, positive, and a deadline that fits in a signed 64-bit Unix time in milliseconds.
fn expire_millis(text: &[u8], unit: u64) -> Result<u64, &'static [u8]> {
    const INVALID: &[u8] = b"ERR invalid expire time in 'set' command";
    let n = resp::parse_i64(text).ok_or(NOT_AN_INTEGER)?;
    if n <= 0 {
        return Err(INVALID);
    }
    let ms = (n as u64).checked_mul(unit).ok_or(INVALID)?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    if ms.checked_add(now_ms).is_none_or(|at| at > i64::MAX as u64) {
        return Err(INVALID);
    }
    Ok(ms)
}
