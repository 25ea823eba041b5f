#![cfg(loom)]
//! Models the driver thread's standby handshake (`runtime_core::driver::Standby`): the driver
//! stands by while a worker is awake; the last worker to park calls it back. In every
//! interleaving the driver's wait must end (loom's timed wait never times out, so a lost call
//! back shows up as a deadlock).

use std::time::Duration;

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom_tests::support::model_with_preemptions;
use runtime_core::driver::Standby;

const LIMIT: Duration = Duration::from_millis(1);

/// One worker parks (the last one) while the driver decides to stand by.
#[test]
fn last_worker_parking_calls_the_driver_back() {
    model_with_preemptions(2, || {
        let standby = Arc::new(Standby::new());
        let awake = Arc::new(AtomicUsize::new(1));
        let worker = {
            let (standby, awake) = (standby.clone(), awake.clone());
            loom::thread::spawn(move || {
                awake.fetch_sub(1, SeqCst);
                standby.call_back();
            })
        };
        // Until the worker parked, the driver may stand by (and must be called back).
        let timed_out = standby.wait(LIMIT, || awake.load(SeqCst) > 0);
        assert!(!timed_out, "loom's timed waits never time out");
        worker.join().unwrap();
        assert!(!standby.is_standing_by());
    });
}

/// Two workers park one after the other; only the second's call back matters, and a call back
/// that lands before the driver waits is not lost.
#[test]
fn two_workers_parking_in_turn() {
    model_with_preemptions(2, || {
        let standby = Arc::new(Standby::new());
        let awake = Arc::new(AtomicUsize::new(2));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (standby, awake) = (standby.clone(), awake.clone());
                loom::thread::spawn(move || {
                    if awake.fetch_sub(1, SeqCst) == 1 {
                        standby.call_back();
                    }
                })
            })
            .collect();
        standby.wait(LIMIT, || awake.load(SeqCst) > 0);
        for worker in workers {
            worker.join().unwrap();
        }
        assert_eq!(awake.load(SeqCst), 0);
    });
}
