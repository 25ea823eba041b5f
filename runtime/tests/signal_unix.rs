//! `signal::unix::signal` and `signal::ctrl_c`: a raised signal reaches every listener of it and
//! no other (also across worker threads and runtimes), deliveries before a poll coalesce,
//! forbidden signals are `InvalidInput`.
//!
//! The tests share the process, so each raises a different signal. `timeout` is only a hang
//! guard.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use runtime::signal::unix::{signal, Signal, SignalKind};
use runtime::stream::StreamExt;
use runtime::time::timeout;

const GUARD: Duration = Duration::from_secs(5);

/// Polls `future` once with the task's waker: `Some` if it completed.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
    poll_fn(|cx| match std::pin::Pin::new(&mut *future).poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// Whether `listener` has a delivery right now (one poll).
async fn has_delivery(listener: &mut Signal) -> bool {
    poll_once(&mut pin!(listener.recv())).await.is_some()
}

fn raise(signum: libc::c_int) {
    // SAFETY: `kill` on our own pid has no memory-safety preconditions; every test creates a
    // listener (installing the handler) before raising.
    let rc = unsafe { libc::kill(libc::getpid(), signum) };
    assert_eq!(rc, 0, "kill failed: {}", std::io::Error::last_os_error());
}

#[runtime::test]
async fn usr1_reaches_every_listener_of_it_and_coalesces() {
    let mut first = signal(SignalKind::user_defined1()).unwrap();
    let mut second = signal(SignalKind::user_defined1()).unwrap();
    let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
    assert!(!has_delivery(&mut first).await, "no signal raised yet");

    raise(libc::SIGUSR1);
    assert_eq!(timeout(GUARD, first.recv()).await.unwrap(), Some(()));
    // The second listener receives the same delivery (a broadcast), as a stream item too.
    assert_eq!(timeout(GUARD, second.next()).await.unwrap(), Some(()));
    // Each delivery is received once per listener.
    assert!(!has_delivery(&mut first).await);
    assert!(!has_delivery(&mut second).await);
    // SIGUSR1 did not wake the SIGUSR2 listener.
    assert!(!has_delivery(&mut usr2).await);

    // Two signals before any poll coalesce into one delivery (nothing runs in between on this
    // current-thread runtime, so exactly one here).
    raise(libc::SIGUSR1);
    raise(libc::SIGUSR1);
    assert_eq!(timeout(GUARD, first.recv()).await.unwrap(), Some(()));
    assert!(!has_delivery(&mut first).await);
    assert_eq!(timeout(GUARD, second.recv()).await.unwrap(), Some(()));
    assert!(!has_delivery(&mut usr2).await);

    // A listener created after a delivery does not see it; a dropped listener does not stop
    // the others.
    let mut late = signal(SignalKind::user_defined1()).unwrap();
    assert!(!has_delivery(&mut late).await);
    drop(second);
    raise(libc::SIGUSR1);
    assert_eq!(timeout(GUARD, late.recv()).await.unwrap(), Some(()));
    assert_eq!(timeout(GUARD, first.recv()).await.unwrap(), Some(()));
}

#[runtime::test]
async fn a_waiting_task_is_woken_by_the_reactor() {
    let mut hangups = signal(SignalKind::hangup()).unwrap();
    let (ready_tx, ready_rx) = runtime::sync::oneshot::channel();
    let waiter = runtime::spawn(async move {
        let mut recv = pin!(hangups.recv());
        // Polled once (and parked on the reactor) before the signal is raised.
        assert!(poll_once(&mut recv).await.is_none());
        ready_tx.send(()).unwrap();
        recv.await
    });
    ready_rx.await.unwrap();
    raise(libc::SIGHUP);
    assert_eq!(timeout(GUARD, waiter).await.unwrap().unwrap(), Some(()));
}

#[runtime::test]
async fn ctrl_c_completes_on_sigint() {
    let mut ctrl_c = pin!(runtime::signal::ctrl_c());
    // The first poll creates the listener.
    assert!(poll_once(&mut ctrl_c).await.is_none());
    raise(libc::SIGINT);
    timeout(GUARD, ctrl_c).await.unwrap().unwrap();
}

#[runtime::test]
async fn forbidden_and_out_of_range_signals_are_invalid_input() {
    for signum in [
        libc::SIGKILL,
        libc::SIGSTOP,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGSEGV,
        0,
        -1,
        100_000,
    ] {
        let error = signal(SignalKind::from_raw(signum)).unwrap_err();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::InvalidInput,
            "signal {signum}"
        );
    }
}

#[test]
fn signal_kinds_are_the_libc_numbers() {
    let kinds = [
        (SignalKind::interrupt(), libc::SIGINT),
        (SignalKind::terminate(), libc::SIGTERM),
        (SignalKind::hangup(), libc::SIGHUP),
        (SignalKind::quit(), libc::SIGQUIT),
        (SignalKind::user_defined1(), libc::SIGUSR1),
        (SignalKind::user_defined2(), libc::SIGUSR2),
        (SignalKind::child(), libc::SIGCHLD),
        (SignalKind::alarm(), libc::SIGALRM),
        (SignalKind::pipe(), libc::SIGPIPE),
        (SignalKind::window_change(), libc::SIGWINCH),
    ];
    for (kind, signum) in kinds {
        assert_eq!(kind.as_raw_value(), signum);
        assert_eq!(SignalKind::from_raw(signum), kind);
        assert_eq!(libc::c_int::from(kind), signum);
    }
}

#[test]
fn signal_outside_a_runtime_is_an_error() {
    assert!(signal(SignalKind::quit()).is_err());
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_on_worker_threads_and_in_another_runtime_all_receive() {
    // A listener on this multi-thread runtime, waiting in a spawned task, and one on a
    // current-thread runtime in another thread: the broadcast reaches both.
    let mut here = signal(SignalKind::terminate()).unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let other = std::thread::spawn(move || {
        let rt = runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut there = signal(SignalKind::terminate()).unwrap();
            ready_tx.send(()).unwrap();
            timeout(GUARD, there.recv()).await
        })
    });
    ready_rx.recv().unwrap();
    let waiter = runtime::spawn(async move { timeout(GUARD, here.recv()).await });
    raise(libc::SIGTERM);
    assert_eq!(waiter.await.unwrap().unwrap(), Some(()));
    assert_eq!(other.join().unwrap().unwrap(), Some(()));
}
