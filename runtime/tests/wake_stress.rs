//! Wake-ups under stress: a task is never polled twice at once however its waker is hammered,
//! no wake-up is lost, and a JoinHandle that moves between tasks wakes the last one that
//! polled it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use runtime::task::yield_now;
use runtime::{Builder, Runtime};

const WAIT: Duration = Duration::from_secs(10);

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

/// Shared state of a task polled while other threads wake it as fast as they can.
#[derive(Default)]
struct Hammered {
    polling: AtomicBool,
    overlaps: AtomicUsize,
    polls: AtomicUsize,
    waker: Mutex<Option<Waker>>,
    stop: AtomicBool,
}

fn hammered_task(rt: &Runtime, wakers: usize, target_polls: usize) {
    let st = Arc::new(Hammered::default());
    let st2 = st.clone();
    let h = rt.spawn(std::future::poll_fn(move |cx| {
        if st2.polling.swap(true, SeqCst) {
            st2.overlaps.fetch_add(1, SeqCst);
        }
        let n = st2.polls.fetch_add(1, SeqCst) + 1;
        *st2.waker.lock().unwrap() = Some(cx.waker().clone());
        // Give a concurrent (buggy) second poll a chance to overlap.
        std::thread::yield_now();
        st2.polling.store(false, SeqCst);
        if n >= target_polls {
            Poll::Ready(n)
        } else {
            Poll::Pending
        }
    }));
    let threads: Vec<_> = (0..wakers)
        .map(|_| {
            let st = st.clone();
            std::thread::spawn(move || {
                while !st.stop.load(SeqCst) {
                    let w = st.waker.lock().unwrap().clone();
                    if let Some(w) = w {
                        w.wake();
                    }
                    // Leave the (possibly only two) cores to the workers now and then.
                    std::thread::yield_now();
                }
            })
        })
        .collect();
    let n = rt.block_on(h).unwrap();
    st.stop.store(true, SeqCst);
    for t in threads {
        t.join().unwrap();
    }
    assert!(n >= target_polls);
    assert_eq!(
        st.overlaps.load(SeqCst),
        0,
        "a task was polled twice at once"
    );
    // Wakers left in the slot refer to a finished task: waking it is harmless.
    let last = st.waker.lock().unwrap().take();
    if let Some(w) = last {
        w.wake();
    }
}

#[test]
fn concurrent_wakes_never_overlap_polls_multi_thread() {
    hammered_task(&multi_thread(), 2, 2_000);
}

#[test]
fn concurrent_wakes_never_overlap_polls_current_thread() {
    hammered_task(&current_thread(), 2, 2_000);
}

/// Ping-pong between a task and a std thread: each side waits for the other's wake-up, so a
/// single lost wake-up stalls the exchange (caught by the timeout).
#[test]
fn no_lost_wakeups() {
    const ROUNDS: usize = 2_000;
    for rt in [multi_thread(), current_thread()] {
        #[derive(Default)]
        struct Shared {
            turn: AtomicUsize,
            waker: Mutex<Option<Waker>>,
        }
        let sh = Arc::new(Shared::default());
        let (to_thread_tx, to_thread_rx) = mpsc::channel::<usize>();
        let sh2 = sh.clone();
        let h = rt.spawn(async move {
            for i in 0..ROUNDS {
                to_thread_tx.send(i).unwrap();
                std::future::poll_fn(|cx| {
                    if sh2.turn.load(SeqCst) > i {
                        return Poll::Ready(());
                    }
                    *sh2.waker.lock().unwrap() = Some(cx.waker().clone());
                    if sh2.turn.load(SeqCst) > i {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                })
                .await;
            }
            ROUNDS
        });
        let sh3 = sh.clone();
        let thread = std::thread::spawn(move || {
            for i in 0..ROUNDS {
                let got = to_thread_rx.recv_timeout(WAIT).expect("lost wake-up");
                assert_eq!(got, i);
                sh3.turn.store(i + 1, SeqCst);
                let w = sh3.waker.lock().unwrap().take();
                if let Some(w) = w {
                    w.wake();
                }
            }
        });
        // On the current-thread flavor the task only runs inside block_on.
        let n = rt.block_on(h).unwrap();
        thread.join().unwrap();
        assert_eq!(n, ROUNDS);
    }
}

/// A JoinHandle first polled by one task, then handed to another: completion wakes the
/// second (the join waker is replaced, not kept from the first poll).
fn join_waker_moves_with_the_handle(rt: &Runtime) {
    let gate_open = Arc::new(AtomicBool::new(false));
    let gate_waker: Arc<Mutex<Option<Waker>>> = Arc::default();
    let (g, gw) = (gate_open.clone(), gate_waker.clone());
    let target = rt.spawn(async move {
        std::future::poll_fn(|cx| {
            if g.load(SeqCst) {
                return Poll::Ready(());
            }
            *gw.lock().unwrap() = Some(cx.waker().clone());
            if g.load(SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        99
    });
    let (handoff_tx, handoff_rx) = mpsc::channel();
    // First owner polls once (registering its waker), then passes the handle on and stays
    // pending forever.
    drop(rt.spawn(async move {
        let mut target = Some(target);
        std::future::poll_fn(|cx| {
            if let Some(mut t) = target.take() {
                assert!(Pin::new(&mut t).poll(cx).is_pending());
                handoff_tx.send(t).unwrap();
            }
            Poll::<()>::Pending
        })
        .await;
    }));
    let (result_tx, result_rx) = mpsc::channel();
    let (polled_tx, polled_rx) = mpsc::channel();
    drop(rt.spawn(async move {
        let t = loop {
            match handoff_rx.try_recv() {
                Ok(t) => break t,
                Err(_) => yield_now().await,
            }
        };
        let mut t = Some(t);
        let mut polled_tx = Some(polled_tx);
        let v = std::future::poll_fn(|cx| {
            let r = Pin::new(t.as_mut().unwrap()).poll(cx);
            if let Some(p) = polled_tx.take() {
                p.send(()).unwrap();
            }
            r
        })
        .await;
        result_tx.send(v.unwrap()).unwrap();
    }));
    let drive = |rx: &mpsc::Receiver<()>| {
        // Drive the current-thread flavor until the second owner has polled.
        rt.block_on(async {
            for _ in 0..100_000 {
                if let Ok(()) = rx.try_recv() {
                    return;
                }
                yield_now().await;
            }
            panic!("second owner never polled the handle");
        })
    };
    drive(&polled_rx);
    gate_open.store(true, SeqCst);
    if let Some(w) = gate_waker.lock().unwrap().take() {
        w.wake();
    }
    let v = rt.block_on(async {
        for _ in 0..100_000 {
            if let Ok(v) = result_rx.try_recv() {
                return Some(v);
            }
            yield_now().await;
        }
        None
    });
    let v = v.or_else(|| result_rx.recv_timeout(WAIT).ok());
    assert_eq!(
        v,
        Some(99),
        "completion did not wake the task that polled the handle last"
    );
}

#[test]
fn join_waker_moves_with_the_handle_multi_thread() {
    join_waker_moves_with_the_handle(&multi_thread());
}

#[test]
fn join_waker_moves_with_the_handle_current_thread() {
    join_waker_moves_with_the_handle(&current_thread());
}

/// Many tasks awaiting JoinHandles of tasks completing on the other worker at the same time.
#[test]
fn join_completion_races() {
    const N: usize = 5_000;
    let rt = multi_thread();
    let sum = rt.block_on(async {
        let pairs: Vec<_> = (0..N)
            .map(|i| {
                let child = runtime::spawn(async move {
                    if i % 2 == 0 {
                        yield_now().await;
                    }
                    i
                });
                runtime::spawn(async move { child.await.unwrap() })
            })
            .collect();
        let mut sum = 0;
        for p in pairs {
            sum += p.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..N).sum::<usize>());
}
