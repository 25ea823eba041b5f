#![cfg(loom)]
//! Models the slow-poll monitor's watch handshake (`runtime_core::driver::Watch`): the driver
//! announces an unwatched wait and re-checks the workers; whoever marks a worker awake reads
//! the announcement afterwards and nudges the driver if it is there. In every interleaving,
//! a driver that waits unwatched while a worker is awake must be nudged, and one unwatched wait
//! is nudged at most once.

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom_tests::support::model_with_preemptions;
use runtime_core::driver::Watch;

/// Marks a worker awake (the `Idle` word's SeqCst RMW), then nudges the driver if it waits
/// unwatched (counted in `nudges`).
fn wake_worker(watch: &Watch, awake: &AtomicUsize, nudges: &AtomicUsize) {
    awake.fetch_add(1, SeqCst);
    if watch.take_unwatched() {
        nudges.fetch_add(1, SeqCst);
    }
}

/// A worker is woken while the driver decides to wait unwatched.
#[test]
fn a_worker_woken_during_the_decision_is_watched() {
    model_with_preemptions(3, || {
        let watch = Arc::new(Watch::new());
        let awake = Arc::new(AtomicUsize::new(0));
        let nudges = Arc::new(AtomicUsize::new(0));
        let notifier = {
            let (watch, awake, nudges) = (watch.clone(), awake.clone(), nudges.clone());
            loom::thread::spawn(move || wake_worker(&watch, &awake, &nudges))
        };
        let waits_unwatched = watch.begin_unwatched(|| awake.load(SeqCst) > 0);
        notifier.join().unwrap();
        if waits_unwatched {
            assert_eq!(
                nudges.load(SeqCst),
                1,
                "an unwatched driver missed a worker's wake"
            );
            assert!(!watch.is_unwatched(), "the nudge takes the announcement");
        } else {
            // The notifier may have taken the announcement before it was withdrawn: a
            // spurious nudge (the driver's next wait returns early), never a lost one.
            assert!(nudges.load(SeqCst) <= 1);
            assert!(
                !watch.is_unwatched(),
                "a withdrawn announcement stays withdrawn"
            );
        }
    });
}

/// Two workers are woken by two threads: one unwatched wait gets exactly one nudge, and the
/// driver's end of the wait racing a nudge leaves it watching.
#[test]
fn one_unwatched_wait_is_nudged_once() {
    model_with_preemptions(2, || {
        let watch = Arc::new(Watch::new());
        let awake = Arc::new(AtomicUsize::new(0));
        let nudges = Arc::new(AtomicUsize::new(0));
        assert!(watch.begin_unwatched(|| awake.load(SeqCst) > 0));
        let notifiers: Vec<_> = (0..2)
            .map(|_| {
                let (watch, awake, nudges) = (watch.clone(), awake.clone(), nudges.clone());
                loom::thread::spawn(move || wake_worker(&watch, &awake, &nudges))
            })
            .collect();
        // The driver's wait ends (nudged or not) while the notifiers run.
        watch.end_unwatched();
        for notifier in notifiers {
            notifier.join().unwrap();
        }
        assert!(nudges.load(SeqCst) <= 1, "one wait, at most one nudge");
        assert!(!watch.is_unwatched());
    });
}

/// The current-thread flavor's side: the driving thread wakes, stores its awake flag (a plain
/// SeqCst store, not an RMW) and reads the announcement, while the driver decides.
#[test]
fn a_driving_thread_that_wakes_is_watched() {
    model_with_preemptions(3, || {
        let watch = Arc::new(Watch::new());
        let awake = Arc::new(AtomicBool::new(false));
        let nudged = Arc::new(AtomicBool::new(false));
        let driving = {
            let (watch, awake, nudged) = (watch.clone(), awake.clone(), nudged.clone());
            loom::thread::spawn(move || {
                awake.store(true, SeqCst);
                if watch.take_unwatched() {
                    nudged.store(true, SeqCst);
                }
            })
        };
        let waits_unwatched = watch.begin_unwatched(|| awake.load(SeqCst));
        driving.join().unwrap();
        if waits_unwatched {
            assert!(
                nudged.load(SeqCst),
                "an unwatched driver missed the thread's wake"
            );
        }
    });
}
