#![cfg(loom)]
//! Models the stealable LIFO slot (`runtime_core::LifoSlot`): the owner fills it (a plain store
//! when empty, a swap when full) and takes from it while a thief takes from it too. In every
//! interleaving each value comes out exactly once (taken by one side, displaced, or dropped
//! with the slot), never twice and never lost.

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom_tests::support::model_with_preemptions;
use runtime_core::LifoSlot;

/// A value that counts its drops in a shared bit set (bit `id`), failing on a second drop.
struct Tracked {
    id: usize,
    dropped: Arc<AtomicUsize>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let before = self.dropped.fetch_or(1 << self.id, SeqCst);
        assert_eq!(
            before & (1 << self.id),
            0,
            "value {} came out twice",
            self.id
        );
    }
}

fn tracked(id: usize, dropped: &Arc<AtomicUsize>) -> Box<Tracked> {
    Box::new(Tracked {
        id,
        dropped: dropped.clone(),
    })
}

/// The owner fills, fills again (displacing) and takes; a thief takes once meanwhile.
#[test]
fn owner_and_thief_never_share_a_value() {
    model_with_preemptions(3, || {
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot = Arc::new(LifoSlot::<Box<Tracked>>::new());
        slot.replace(tracked(0, &dropped));
        let thief = {
            let slot = slot.clone();
            loom::thread::spawn(move || slot.take().map(|value| value.id))
        };
        // The owner: a second fill displaces the first value unless the thief took it.
        if let Some(displaced) = slot.replace(tracked(1, &dropped)) {
            assert_eq!(displaced.id, 0);
        }
        let owner_took = slot.take().map(|value| value.id);
        let thief_took = thief.join().unwrap();
        assert_ne!(owner_took, thief_took, "both sides took the same value");
        assert!(!slot.is_some());
        assert_eq!(dropped.load(SeqCst), 0b11, "a value was lost");
    });
}

/// The owner fills an empty slot (the plain-store path) while a thief takes: the thief gets
/// the value or nothing, and a value left behind is dropped with the slot.
#[test]
fn a_fill_racing_a_take_is_not_lost() {
    model_with_preemptions(3, || {
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot = Arc::new(LifoSlot::<Box<Tracked>>::new());
        let thief = {
            let slot = slot.clone();
            loom::thread::spawn(move || slot.take().map(|value| value.id))
        };
        assert!(slot.replace(tracked(0, &dropped)).is_none());
        let thief_took = thief.join().unwrap();
        drop(slot);
        assert!(thief_took.is_none() || thief_took == Some(0));
        assert_eq!(dropped.load(SeqCst), 0b1, "the value was lost");
    });
}
