//! `Builder` settings and the simple entry points: bad settings are InvalidInput errors, both
//! flavors run tasks, `runtime::run` works, and `yield_now` interleaves tasks fairly.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use runtime::task::yield_now;
use runtime::{Builder, Runtime};

fn assert_invalid_input(r: io::Result<Runtime>, what: &str) {
    match r {
        Ok(_) => panic!("{what}: build() accepted a bad setting"),
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{what}: {e}"),
    }
}

#[test]
fn zero_worker_threads_is_invalid_input() {
    assert_invalid_input(
        Builder::new_multi_thread().worker_threads(0).build(),
        "worker_threads(0)",
    );
}

#[test]
fn zero_max_blocking_threads_is_invalid_input() {
    assert_invalid_input(
        Builder::new_multi_thread().max_blocking_threads(0).build(),
        "multi-thread max_blocking_threads(0)",
    );
    assert_invalid_input(
        Builder::new_current_thread()
            .max_blocking_threads(0)
            .build(),
        "current-thread max_blocking_threads(0)",
    );
}

#[test]
fn zero_global_queue_interval_is_invalid_input() {
    assert_invalid_input(
        Builder::new_multi_thread().global_queue_interval(0).build(),
        "global_queue_interval(0)",
    );
}

#[test]
fn a_bad_setting_can_be_fixed_on_the_same_builder() {
    let mut b = Builder::new_multi_thread();
    b.worker_threads(0);
    assert!(b.build().is_err());
    b.worker_threads(1);
    let rt = b.build().expect("valid after fixing");
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn every_setter_chains_and_builds() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("chained")
        .thread_stack_size(2 * 1024 * 1024)
        .max_blocking_threads(4)
        .on_thread_start(|| {})
        .on_thread_stop(|| {})
        .global_queue_interval(31)
        .event_interval(61)
        .start_paused(false)
        .build()
        .unwrap();
    let v = rt.block_on(async {
        let a = runtime::spawn(async { 20 });
        let b = runtime::spawn_blocking(|| 22);
        a.await.unwrap() + b.await.unwrap()
    });
    assert_eq!(v, 42);

    let rt = Builder::new_current_thread()
        .thread_name("chained-ct")
        .max_blocking_threads(2)
        .global_queue_interval(7)
        .event_interval(3)
        .start_paused(true)
        .build()
        .unwrap();
    assert_eq!(
        rt.block_on(async { runtime::spawn(async { 5 }).await.unwrap() }),
        5
    );
}

#[test]
fn runtime_new_works() {
    let rt = Runtime::new().unwrap();
    let v = rt.block_on(async {
        let hs: Vec<_> = (0..100).map(|i| runtime::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(v, (0..100).sum::<i32>());
}

#[test]
fn current_thread_runtime_works() {
    let rt = Builder::new_current_thread().build().unwrap();
    let here = std::thread::current().id();
    let (v, there) = rt.block_on(async {
        let h = runtime::spawn(async { (3, std::thread::current().id()) });
        h.await.unwrap()
    });
    assert_eq!(v, 3);
    assert_eq!(
        here, there,
        "current-thread tasks run on the block_on thread"
    );
    // Several block_on calls in a row; a task spawned earlier continues in a later one.
    let flag = Arc::new(AtomicBool::new(false));
    let f2 = flag.clone();
    let h = rt.spawn(async move {
        f2.store(true, SeqCst);
        9
    });
    assert_eq!(rt.block_on(async { 1 }), 1);
    assert_eq!(rt.block_on(h).unwrap(), 9);
    assert!(flag.load(SeqCst));
}

#[test]
fn run_works() {
    let v = runtime::run(async {
        let h = runtime::spawn(async { 41 });
        h.await.unwrap() + 1
    });
    assert_eq!(v, 42);
    // Twice in a row on the same thread.
    assert_eq!(runtime::run(async { 7 }), 7);
}

#[test]
fn run_shuts_down_its_runtime() {
    struct DropFlag(Arc<AtomicBool>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let d = DropFlag(dropped.clone());
    runtime::run(async move {
        drop(runtime::spawn(async move {
            let _d = d;
            std::future::pending::<()>().await;
        }));
        yield_now().await;
    });
    assert!(
        dropped.load(SeqCst),
        "tasks left behind by run() are dropped when it returns"
    );
    assert!(runtime::Handle::try_current().is_err());
}

#[test]
fn yield_now_interleaves_tasks_on_current_thread() {
    let rt = Builder::new_current_thread().build().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    rt.block_on(async {
        let spawn_pusher = |tag: char| {
            let log = log.clone();
            runtime::spawn(async move {
                for _ in 0..5 {
                    log.lock().unwrap().push(tag);
                    yield_now().await;
                }
            })
        };
        let a = spawn_pusher('A');
        let b = spawn_pusher('B');
        a.await.unwrap();
        b.await.unwrap();
    });
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 10);
    let first = |c| log.iter().position(|&x| x == c).unwrap();
    let last = |c| log.iter().rposition(|&x| x == c).unwrap();
    assert!(
        first('B') < last('A'),
        "B started before A finished: {log:?}"
    );
    assert!(
        first('A') < last('B'),
        "A started before B finished: {log:?}"
    );
}

#[test]
fn busy_yield_loop_does_not_starve_another_task() {
    for rt in [
        Builder::new_current_thread().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap(),
    ] {
        let flag = Arc::new(AtomicBool::new(false));
        let (f1, f2) = (flag.clone(), flag.clone());
        let yields = rt.block_on(async move {
            let spinner = runtime::spawn(async move {
                let mut n = 0usize;
                while !f1.load(SeqCst) {
                    n += 1;
                    assert!(n < 100_000, "the setter never ran");
                    yield_now().await;
                }
                n
            });
            let setter = runtime::spawn(async move {
                f2.store(true, SeqCst);
            });
            setter.await.unwrap();
            spinner.await.unwrap()
        });
        assert!(flag.load(SeqCst));
        assert!(yields < 100_000);
    }
}

#[test]
fn yield_now_returns_and_the_task_completes() {
    let rt = Builder::new_current_thread().build().unwrap();
    let polls = Arc::new(AtomicUsize::new(0));
    let p = polls.clone();
    rt.block_on(async move {
        for _ in 0..1000 {
            yield_now().await;
            p.fetch_add(1, SeqCst);
        }
    });
    assert_eq!(polls.load(SeqCst), 1000);
}
