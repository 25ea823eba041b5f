//! Publish/subscribe for mini_redis: a registry from channel name to its subscribers.
//!
//! Each subscribed connection owns one unbounded `runtime::sync::mpsc` receiver and registers a
//! clone of its sender, under its connection id, for every channel it subscribes to. PUBLISH
//! encodes the `message` reply once (`*3 message <channel> <payload>`) into a shared
//! `Arc<[u8]>` and sends that to every subscriber of the channel; the connection writes it out
//! between its commands. The registry lock is a `std::sync::Mutex` held only while the map is
//! read or changed (sending on an unbounded channel never waits).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use runtime::sync::mpsc::UnboundedSender;

use crate::resp;

/// A ready-to-write `message` reply, shared by all the subscribers it goes to.
pub type Message = Arc<[u8]>;

/// Each channel's subscribers: connection id to its message sender.
type Channels = HashMap<Vec<u8>, HashMap<u64, UnboundedSender<Message>>>;

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

    /// Registers connection `id` (whose messages go to `sender`) on `channel`; returns whether
    /// it was not registered there already.
    pub fn subscribe(&self, channel: &[u8], id: u64, sender: &UnboundedSender<Message>) -> bool {
        let mut channels = self.lock();
        let subscribers = match channels.get_mut(channel) {
            Some(subscribers) => subscribers,
            None => channels.entry(channel.to_vec()).or_default(),
        };
        if subscribers.contains_key(&id) {
            return false;
        }
        subscribers.insert(id, sender.clone());
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

    /// Sends `payload` to every subscriber of `channel`; returns how many received it.
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
        subscribers
            .values()
            .filter(|sender| sender.send(message.clone()).is_ok())
            .count()
    }

    /// The number of channels with at least one subscriber.
    #[allow(dead_code)] // used by the tests
    pub fn channel_count(&self) -> usize {
        self.lock().len()
    }
}
