//! The paused clock and blocking work: while a `spawn_blocking` task is in flight it may still
//! wake a task, so an idle current-thread runtime must not jump its paused clock to the next
//! timer; the clock stands still until the blocking result has been delivered, and moves again
//! once the blocking work is over.
//!
//! Each test runs its paused runtime on its own thread under a watchdog, so a clock that never
//! moves again fails the test instead of hanging the test binary.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use runtime::time::{sleep, Instant};
use runtime::Builder;

const SECOND: Duration = Duration::from_secs(1);
const WATCHDOG: Duration = Duration::from_secs(10);

/// Runs `body` on a fresh paused current-thread runtime on another thread; fails if it (or the
/// runtime's shutdown) takes longer than `WATCHDOG` of real time.
fn run_paused<F, Fut>(what: &str, body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = Builder::new_current_thread()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(body());
        drop(rt);
        let _ = tx.send(());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => thread.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the runtime thread neither finished nor panicked"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what}: not finished after {WATCHDOG:?} of real time (the paused runtime is stuck: \
             its clock never moved to the next timer)"
        ),
    }
}

#[test]
fn blocking_work_in_flight_stops_the_paused_clock_from_jumping() {
    run_paused("waiter and sleeper", || async {
        let start = Instant::now();
        let delivered = Arc::new(AtomicBool::new(false));

        let blocking = runtime::spawn_blocking(|| {
            // Real time; the runtime is idle meanwhile, with a timer 1 s ahead on the paused
            // clock.
            std::thread::sleep(Duration::from_millis(20));
            7
        });
        let waiter = runtime::spawn({
            let delivered = delivered.clone();
            async move {
                let value = blocking.await.unwrap();
                delivered.store(true, SeqCst);
                (value, Instant::now())
            }
        });
        let sleeper = runtime::spawn({
            let delivered = delivered.clone();
            async move {
                sleep(SECOND).await;
                (Instant::now(), delivered.load(SeqCst))
            }
        });

        let (value, seen_at) = waiter.await.unwrap();
        assert_eq!(value, 7);
        assert_eq!(
            seen_at - start,
            Duration::ZERO,
            "the paused clock jumped while blocking work was in flight"
        );
        assert!(
            !sleeper.is_finished(),
            "the 1 s sleeper woke before the clock reached 1 s"
        );

        let (woke_at, saw_result) = sleeper.await.unwrap();
        assert_eq!(woke_at, start + SECOND);
        assert!(
            saw_result,
            "the sleeper woke before the blocking result was delivered"
        );
    });
}

#[test]
fn the_block_on_future_awaiting_blocking_work_also_stops_the_clock() {
    run_paused("block_on awaits blocking work", || async {
        let start = Instant::now();
        let sleeper = runtime::spawn(async {
            sleep(SECOND).await;
            Instant::now()
        });
        let value = runtime::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(20));
            "done"
        })
        .await
        .unwrap();
        assert_eq!(value, "done");
        assert_eq!(
            Instant::now(),
            start,
            "the paused clock jumped while the block_on future awaited blocking work"
        );
        assert_eq!(sleeper.await.unwrap(), start + SECOND);
    });
}

#[test]
fn the_paused_clock_moves_again_once_unawaited_blocking_work_finishes() {
    run_paused("sleep after a detached spawn_blocking", || async {
        let start = Instant::now();
        // Nobody awaits this one: its end wakes no task, yet the clock must be free to move
        // once it is over.
        drop(runtime::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(20))
        }));
        sleep(SECOND).await;
        assert_eq!(Instant::now(), start + SECOND);
    });
}

#[test]
fn many_short_blocking_round_trips_never_let_the_clock_jump() {
    run_paused("200 blocking round trips", || async {
        // Short blocking tasks race the scheduler's idle check; each round trip must still be
        // seen before the clock moves to the pending timer, and the timer must fire after.
        let start = Instant::now();
        let sleeper = runtime::spawn(async {
            sleep(SECOND).await;
            Instant::now()
        });
        for round in 0..200u32 {
            let waiter = runtime::spawn(async move {
                let got = runtime::spawn_blocking(move || round).await.unwrap();
                (got, Instant::now())
            });
            let (got, at) = waiter.await.unwrap();
            assert_eq!(got, round);
            assert_eq!(
                at, start,
                "round {round}: the clock jumped during blocking work"
            );
            let direct = runtime::spawn_blocking(move || round + 1).await.unwrap();
            assert_eq!(direct, round + 1);
            assert_eq!(
                Instant::now(),
                start,
                "round {round}: the clock jumped while block_on awaited blocking work"
            );
        }
        assert!(!sleeper.is_finished());
        assert_eq!(sleeper.await.unwrap(), start + SECOND);
    });
}
