//! Publish/subscribe for mini_redis: a registry from channel name to its subscribers.
//!
//! Each subscribed connection owns one bounded `runtime::sync::mpsc` receiver and registers a
//! [`Subscriber`] (a clone of its sender), under its connection id, for every channel it
//! subscribes to. PUBLISH encodes the `message` reply once (`*3 message <channel> <payload>`)
//! into a shared `Arc<[u8]>` and `try_send`s that to every subscriber of the channel; the
//! connection writes it out between its commands. A subscriber whose queue is full (a client
//! that does not read its messages) is marked as lagging and its connection closes, as redis
//! closes a client over its pub/sub output buffer limit. The registry lock is a
//! `std::sync::Mutex` held only while the map is read or changed (`try_send` never waits).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use runtime::sync::mpsc::{self, error::TrySendError};

use crate::resp;

/// A ready-to-write `message` reply, shared by all the subscribers it goes to.
pub type Message = Arc<[u8]>;

/// How many messages may wait for one subscriber before it counts as lagging.
pub const BACKLOG: usize = 4096;

/// A subscribed connection's end of the registry: where its messages go.
#[derive(Debug, Clone)]
pub struct Subscriber {
    sender: mpsc::Sender<Message>,
    lagged: Arc<AtomicBool>,
}

impl Subscriber {
    /// A subscriber whose queue holds up to `backlog` messages, and the queue's receiver.
    pub fn new(backlog: usize) -> (Subscriber, mpsc::Receiver<Message>) {
        let (sender, receiver) = mpsc::channel(backlog);
        let lagged = Arc::new(AtomicBool::new(false));
        (Subscriber { sender, lagged }, receiver)
    }

    /// Whether a message was published that did not fit in the queue (the connection should
    /// close: it lost messages).
    pub fn lagged(&self) -> bool {
        self.lagged.load(Ordering::Relaxed)
    }
}

/// Each channel's subscribers: connection id to its message sender.
type Channels = HashMap<Vec<u8>, HashMap<u64, Subscriber>>;

/// The channel registry. Share it with an `Arc`.
#[derive(Debug, Default)]
pub struct PubSub {
    channels: Mutex<Channels>,
}

impl PubSub {
    /// An empty registry.
    pub fn new() -> PubSub {
        PubSub::default()
    }

    fn lock(&self) -> MutexGuard<'_, Channels> {
        self.channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers connection `id` (whose messages go to `subscriber`) on `channel`; returns
    /// whether it was not registered there already.
    pub fn subscribe(&self, channel: &[u8], id: u64, subscriber: &Subscriber) -> bool {
        let mut channels = self.lock();
        let subscribers = match channels.get_mut(channel) {
            Some(subscribers) => subscribers,
            None => channels.entry(channel.to_vec()).or_default(),
        };
        if subscribers.contains_key(&id) {
            return false;
        }
        subscribers.insert(id, subscriber.clone());
        true
    }

    /// Removes connection `id` from `channel`; returns whether it was registered there.
    pub fn unsubscribe(&self, channel: &[u8], id: u64) -> bool {
        let mut channels = self.lock();
        let Some(subscribers) = channels.get_mut(channel) else {
            return false;
        };
        let was = subscribers.remove(&id).is_some();
        if subscribers.is_empty() {
            channels.remove(channel);
        }
        was
    }

    /// Sends `payload` to every subscriber of `channel`; returns how many received it (as in
    /// redis, a subscriber that is too slow to take it counts, and is marked as lagging).
    pub fn publish(&self, channel: &[u8], payload: &[u8]) -> usize {
        let channels = self.lock();
        let Some(subscribers) = channels.get(channel) else {
            return 0;
        };
        let mut frame = Vec::with_capacity(channel.len() + payload.len() + 32);
        resp::array(&mut frame, 3);
        resp::bulk(&mut frame, b"message");
        resp::bulk(&mut frame, channel);
        resp::bulk(&mut frame, payload);
        let message: Message = frame.into();
        let mut receivers = 0;
        for subscriber in subscribers.values() {
            match subscriber.sender.try_send(message.clone()) {
                Ok(()) => receivers += 1,
                Err(TrySendError::Full(_)) => {
                    subscriber.lagged.store(true, Ordering::Relaxed);
                    receivers += 1;
                }
                Err(TrySendError::Closed(_)) => {}
            }
        }
        receivers
    }

    /// The number of channels with at least one subscriber.
    #[allow(dead_code)] // used by the tests
    pub fn channel_count(&self) -> usize {
        self.lock().len()
    }
}
