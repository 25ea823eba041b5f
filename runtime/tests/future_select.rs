//! `runtime::select!`: the first branch to complete wins and the others are dropped before its
//! handler runs, `biased;` polls in written order and the default start varies, `, if`
//! preconditions and pattern mismatches disable branches, `else` runs when all are disabled
//! (and its absence panics), handlers act on the enclosing code, binding modes in patterns,
//! 65 branches, the cooperative budget, and a server's accept loop shut down by a
//! `CancellationToken`.

use std::cell::RefCell;
use std::future::{pending, ready, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{mpsc, CancellationToken};
use runtime::time::{sleep, Instant};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

async fn after<T>(n: u64, value: T) -> T {
    sleep(secs(n)).await;
    value
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

/// Sleeps `n` seconds then returns `value`; sets `dropped` whenever it is dropped.
fn guarded<T>(n: u64, value: T, dropped: &Arc<AtomicBool>) -> impl Future<Output = T> {
    let guard = DropFlag(dropped.clone());
    async move {
        let _guard = guard;
        sleep(secs(n)).await;
        value
    }
}

/// Logs `name` at each poll; returns `output` at its `ready_at`-th poll (never if 0).
struct Recorder<T> {
    name: usize,
    polls: usize,
    ready_at: usize,
    output: Option<T>,
    log: Rc<RefCell<Vec<usize>>>,
}

impl<T: Unpin> Future for Recorder<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.log.borrow_mut().push(self.name);
        self.polls += 1;
        if self.polls == self.ready_at {
            Poll::Ready(self.output.take().unwrap())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn recorder<T>(
    name: usize,
    ready_at: usize,
    output: T,
    log: &Rc<RefCell<Vec<usize>>>,
) -> Recorder<T> {
    Recorder {
        name,
        polls: 0,
        ready_at,
        output: Some(output),
        log: log.clone(),
    }
}

#[runtime::test(start_paused = true)]
async fn the_first_to_complete_wins_and_the_losers_are_dropped_before_its_handler() {
    let slow = Arc::new(AtomicBool::new(false));
    let slower = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let output = runtime::select! {
        a = guarded(3, "a", &slow) => a,
        b = after(1, "b") => {
            // The losers are gone by the time the handler runs.
            assert!(slow.load(SeqCst), "a loser is still alive in the handler");
            assert!(slower.load(SeqCst), "a loser is still alive in the handler");
            b
        }
        c = guarded(5, "c", &slower) => c,
    };
    assert_eq!(output, "b");
    assert_eq!(start.elapsed(), secs(1));
}

#[runtime::test]
async fn biased_polls_in_written_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let output = runtime::select! {
        biased;
        a = recorder(0, 3, "a", &log) => a,
        b = recorder(1, 0, "b", &log) => b,
        c = recorder(2, 3, "c", &log) => c,
    };
    // Every poll in order 0, 1, 2; at the third, 0 completes before 2 is polled.
    assert_eq!(output, "a");
    assert_eq!(*log.borrow(), [0, 1, 2, 0, 1, 2, 0]);
}

#[runtime::test]
async fn unbiased_select_starts_at_varying_branches() {
    let mut first_polled = [0usize; 3];
    for _ in 0..300 {
        let log = Rc::new(RefCell::new(Vec::new()));
        let winner = runtime::select! {
            a = recorder(0, 1, 0, &log) => a,
            b = recorder(1, 1, 1, &log) => b,
            c = recorder(2, 1, 2, &log) => c,
        };
        // All are ready at once: the first polled wins, and nothing else was polled.
        assert_eq!(*log.borrow(), [winner]);
        first_polled[winner] += 1;
    }
    assert!(
        first_polled.iter().all(|&count| count >= 30),
        "start branches {first_polled:?}"
    );
}

#[runtime::test(start_paused = true)]
async fn a_false_precondition_disables_its_branch() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let open = false;
    let output = runtime::select! {
        a = recorder(0, 1, 1, &log), if open => a,
        b = after(1, 2) => b,
    };
    assert_eq!(output, 2);
    assert!(log.borrow().is_empty(), "a disabled branch was polled");
}

#[runtime::test]
async fn else_runs_when_every_branch_is_disabled() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let output = runtime::select! {
        a = recorder(0, 1, 1, &log), if false => a,
        b = recorder(1, 1, 2, &log), if 1 > 2 => b,
        else => 3,
    };
    assert_eq!(output, 3);
    assert!(log.borrow().is_empty());

    // By pattern mismatch: each future polled once, then else.
    let output = runtime::select! {
        Some(a) = recorder(0, 1, None::<i32>, &log) => a,
        Ok(b) = recorder(1, 2, Err::<i32, ()>(()), &log) => b,
        else => -1,
    };
    assert_eq!(output, -1);
    assert_eq!(log.borrow().iter().filter(|&&name| name == 0).count(), 1);
    assert_eq!(log.borrow().iter().filter(|&&name| name == 1).count(), 2);
}

#[runtime::test(start_paused = true)]
async fn a_pattern_mismatch_disables_only_that_branch() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let start = Instant::now();
    let output = runtime::select! {
        biased;
        Some(x) = recorder(0, 1, None::<&str>, &log) => x,
        y = after(2, "fallback") => y,
    };
    assert_eq!(output, "fallback");
    assert_eq!(start.elapsed(), secs(2));
    // The mismatching branch completed at its first poll and was never polled again.
    assert_eq!(*log.borrow(), [0]);
}

#[runtime::test]
#[should_panic(expected = "all branches of `select!` are disabled and there is no `else` branch")]
async fn without_else_all_disabled_panics() {
    let _: i32 = runtime::select! {
        Some(x) = ready(None) => x,
        Ok(y) = ready(Err::<i32, ()>(())) => y,
    };
}

#[runtime::test]
async fn handlers_act_on_the_enclosing_code() {
    async fn first_error() -> Result<u32, String> {
        let mut seen = 0;
        loop {
            runtime::select! {
                n = ready(seen) => {
                    seen += 1;
                    if n < 2 {
                        continue;
                    }
                    let checked: Result<u32, String> =
                        if n == 2 { Err(format!("failed at {n}")) } else { Ok(n) };
                    runtime::task::yield_now().await;
                    let value = checked?;
                    return Ok(value + 1);
                }
            }
        }
    }
    assert_eq!(first_error().await, Err("failed at 2".to_string()));

    let mut rounds = 0;
    let found = loop {
        rounds += 1;
        runtime::select! {
            n = ready(rounds) => if n == 3 { break n },
        }
    };
    assert_eq!(found, 3);
}

#[runtime::test]
async fn handlers_may_use_what_the_futures_borrowed() {
    // The futures borrow `items` mutably; the handler can use it because the futures are
    // dropped before it runs.
    let mut items = vec![1];
    let len = runtime::select! {
        () = async { items.push(2) } => {
            items.push(3);
            items.len()
        }
        () = pending::<()>() => unreachable!(),
    };
    assert_eq!(len, 3);
    assert_eq!(items, [1, 2, 3]);
}

#[runtime::test]
async fn binding_modes_and_reference_patterns() {
    let output = runtime::select! {
        mut x = ready(1) => {
            x += 1;
            x
        }
    };
    assert_eq!(output, 2);

    let (a, b) = runtime::select! {
        (a, ref b) = ready((1, String::from("b"))) => (a, b.clone()),
    };
    assert_eq!((a, b.as_str()), (1, "b"));

    let five = 5;
    let value = runtime::select! {
        &v = ready(&five) => v,
    };
    assert_eq!(value, 5);

    let first = runtime::select! {
        Some(1) | None = ready(Some(2)) => "one or none",
        else => "other",
    };
    assert_eq!(first, "other");
}

#[runtime::test]
async fn futures_are_evaluated_once_after_the_preconditions() {
    let log = RefCell::new(Vec::new());
    let make = |name: &'static str| {
        log.borrow_mut().push(name);
        ready(name)
    };
    let check = |name: &'static str| {
        log.borrow_mut().push(name);
        true
    };
    let output = runtime::select! {
        biased;
        a = make("future a"), if check("condition a") => a,
        b = make("future b"), if check("condition b") => b,
    };
    assert_eq!(output, "future a");
    assert_eq!(
        *log.borrow(),
        ["condition a", "condition b", "future a", "future b"]
    );
}

macro_rules! select_many {
    ($($n:literal)*) => {
        runtime::select! {
            $( v = after($n, $n) => v, )*
        }
    };
}

#[runtime::test(start_paused = true)]
async fn sixty_five_branches() {
    let start = Instant::now();
    let winner = select_many!(
        65 64 63 62 61 60 59 58 57 56 55 54 53 52 51 50 49 48 47 46 45 44 43 42 41 40 39 38 37
        36 35 34 33 32 31 30 29 28 27 26 25 24 23 22 21 20 19 18 17 16 15 14 13 12 11 10 9 8 7
        6 5 4 3 2 1
    );
    assert_eq!(winner, 1);
    assert_eq!(start.elapsed(), secs(1));
}

#[runtime::test]
async fn a_select_loop_over_a_ready_channel_lets_other_tasks_run() {
    // The receiver is never empty; its `recv` spends the cooperative budget, so the loop yields
    // and the task that stops it gets to run on this single thread.
    const LIMIT: usize = 100_000;
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let stop = Arc::new(AtomicBool::new(false));
    tx.send(()).unwrap();
    let looping = {
        let stop = stop.clone();
        runtime::spawn(async move {
            let mut rounds = 0;
            while !stop.load(SeqCst) && rounds < LIMIT {
                runtime::select! {
                    Some(()) = rx.recv() => {
                        tx.send(()).unwrap();
                        rounds += 1;
                    }
                    () = pending::<()>() => unreachable!(),
                }
            }
            rounds
        })
    };
    let stopper = runtime::spawn(async move { stop.store(true, SeqCst) });
    let rounds = looping.await.unwrap();
    stopper.await.unwrap();
    assert!(rounds < LIMIT, "the stopping task was starved");
}

#[runtime::test]
async fn a_cancellation_token_shuts_an_accept_loop_down() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let token = CancellationToken::new();
    let served = Arc::new(AtomicUsize::new(0));
    let server = {
        let (token, served) = (token.clone(), served.clone());
        runtime::spawn(async move {
            let mut connections = Vec::new();
            loop {
                runtime::select! {
                    _ = token.cancelled() => break,
                    accepted = listener.accept() => {
                        let (mut stream, _) = accepted.unwrap();
                        let served = served.clone();
                        connections.push(runtime::spawn(async move {
                            let mut request = [0u8; 4];
                            stream.read_exact(&mut request).await.unwrap();
                            request.reverse();
                            stream.write_all(&request).await.unwrap();
                            served.fetch_add(1, SeqCst);
                        }));
                    }
                }
            }
            // The loop is over: close the listener, then finish the connections in flight.
            drop(listener);
            for connection in connections {
                connection.await.unwrap();
            }
        })
    };

    for request in [*b"ping", *b"abcd"] {
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(&request).await.unwrap();
        let mut reply = [0u8; 4];
        client.read_exact(&mut reply).await.unwrap();
        let mut expected = request;
        expected.reverse();
        assert_eq!(reply, expected);
    }
    assert_eq!(served.load(SeqCst), 2);

    token.cancel();
    server.await.unwrap();
    assert_eq!(served.load(SeqCst), 2);
    let refused = TcpStream::connect(addr).await;
    assert!(
        refused.is_err(),
        "the listener is still accepting after the shutdown"
    );
}
