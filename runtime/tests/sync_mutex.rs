//! `sync::Mutex`: mutual exclusion under load, FIFO fairness, `try_lock`, owned guards,
//! cancelled waiters (before and after they were handed the lock), `blocking_lock`, mapped
//! guards, unsized data and the small conveniences (`get_mut`, `into_inner`, `Debug`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use runtime::sync::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
use runtime::time::timeout;

fn poll<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn send_and_sync_as_tokio() {
    assert_send_sync::<Mutex<std::cell::Cell<u8>>>(); // Sync needs only `T: Send`
    assert_send_sync::<MutexGuard<'static, u8>>();
    assert_send_sync::<OwnedMutexGuard<u8>>();
    assert_send_sync::<MappedMutexGuard<'static, u8>>();
    assert_send::<MutexGuard<'static, std::cell::Cell<u8>>>();
    assert_send::<runtime::sync::mutex::Lock<'static, u8>>();
    assert_send::<runtime::sync::mutex::LockOwned<u8>>();
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_exclusion_under_load() {
    const TASKS: usize = 64;
    const ROUNDS: u64 = 100;
    // A plain counter: a lost update shows up as a wrong total.
    let counter = Arc::new(Mutex::new(0u64));
    let inside = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (counter, inside, finished) = (counter.clone(), inside.clone(), finished.clone());
        tasks.push(runtime::spawn(async move {
            for round in 0..ROUNDS {
                let mut guard = counter.lock().await;
                assert_eq!(inside.fetch_add(1, SeqCst), 0, "two holders at once");
                let before = *guard;
                if round % 2 == 0 {
                    runtime::task::yield_now().await;
                }
                *guard = before + 1;
                inside.fetch_sub(1, SeqCst);
            }
            finished.fetch_add(1, SeqCst);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(finished.load(SeqCst), TASKS);
    assert_eq!(*counter.lock().await, TASKS as u64 * ROUNDS);
}

#[runtime::test]
async fn waiters_get_the_lock_in_fifo_order() {
    let mutex = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for id in 1..=3 {
        let mutex = mutex.clone();
        tasks.push(runtime::spawn(async move {
            for _ in 0..2 {
                let mut order = mutex.lock().await;
                order.push(id);
                runtime::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*mutex.lock().await, [1, 2, 3, 1, 2, 3]);
}

#[test]
fn try_lock_fails_while_held_or_while_someone_waits() {
    let mutex = Mutex::new(1);
    let guard = mutex.try_lock().unwrap();
    assert!(matches!(mutex.try_lock(), Err(TryLockError { .. })));
    let mut waiter = mutex.lock();
    assert!(poll(&mut waiter).is_pending());
    drop(guard);
    // The lock went to the queued waiter, not to a newcomer.
    assert!(mutex.try_lock().is_err());
    let guard = match poll(&mut waiter) {
        Poll::Ready(guard) => guard,
        Poll::Pending => panic!("the waiter was not handed the lock"),
    };
    assert_eq!(*guard, 1);
    drop(guard);
    assert!(mutex.try_lock().is_ok());
}

#[runtime::test]
async fn an_owned_guard_moves_across_tasks() {
    let mutex = Arc::new(Mutex::new(String::new()));
    let mut guard = mutex.clone().lock_owned().await;
    assert!(Arc::ptr_eq(guard.mutex(), &mutex));
    let waiter = {
        let mutex = mutex.clone();
        runtime::spawn(async move { mutex.lock_owned().await.clone() })
    };
    runtime::spawn(async move {
        guard.push_str("written elsewhere");
        runtime::task::yield_now().await;
    })
    .await
    .unwrap();
    assert_eq!(waiter.await.unwrap(), "written elsewhere");
    assert!(mutex.clone().try_lock_owned().is_ok());
    assert_eq!(Arc::strong_count(&mutex), 1);
}

#[test]
fn a_cancelled_waiter_does_not_wedge_the_mutex() {
    let mutex = Mutex::new(0);

    // Cancelled while queued.
    let guard = mutex.try_lock().unwrap();
    let mut waiter = mutex.lock();
    assert!(poll(&mut waiter).is_pending());
    drop(waiter);
    drop(guard);
    assert!(mutex.try_lock().is_ok());

    // Cancelled after it was handed the lock, before it saw it: the lock passes on.
    let guard = mutex.try_lock().unwrap();
    let mut first = mutex.lock();
    let mut second = mutex.lock();
    assert!(poll(&mut first).is_pending());
    assert!(poll(&mut second).is_pending());
    drop(guard);
    drop(first);
    assert!(matches!(poll(&mut second), Poll::Ready(_)));
    drop(second);
    assert!(mutex.try_lock().is_ok());
}

#[runtime::test(start_paused = true)]
async fn a_lock_that_timed_out_leaves_the_mutex_usable() {
    let mutex = Arc::new(Mutex::new(0));
    let guard = mutex.clone().lock_owned().await;
    assert!(timeout(Duration::from_secs(1), mutex.lock()).await.is_err());
    let releaser = runtime::spawn(async move {
        runtime::time::sleep(Duration::from_secs(1)).await;
        drop(guard);
    });
    *timeout(Duration::from_secs(5), mutex.lock()).await.unwrap() += 1;
    releaser.await.unwrap();
    assert_eq!(*mutex.try_lock().unwrap(), 1);
}

#[runtime::test]
async fn blocking_lock_from_a_plain_thread() {
    let mutex = Arc::new(Mutex::new(0));
    let guard = mutex.lock().await;
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = {
        let mutex = mutex.clone();
        std::thread::spawn(move || {
            tx.send(()).unwrap();
            *mutex.blocking_lock() += 1;
            let mut owned = mutex.blocking_lock_owned();
            *owned += 1;
        })
    };
    // Let the thread start and (most likely) park on the lock; correctness does not depend
    // on it having parked yet.
    runtime::spawn_blocking(move || rx.recv().unwrap())
        .await
        .unwrap();
    drop(guard);
    runtime::spawn_blocking(move || thread.join().unwrap())
        .await
        .unwrap();
    assert_eq!(*mutex.lock().await, 2);
}

#[runtime::test]
async fn mapped_guards_keep_the_lock() {
    let mutex = Mutex::new((1, vec![1, 2]));
    let mut numbers = MutexGuard::map(mutex.lock().await, |pair| &mut pair.1);
    numbers.push(3);
    assert!(mutex.try_lock().is_err());
    let numbers = MappedMutexGuard::try_map(numbers, |v| v.get_mut(10)).unwrap_err();
    let mut last = MappedMutexGuard::try_map(numbers, |v| v.last_mut()).unwrap();
    *last = 30;
    assert_eq!(format!("{last:?}"), "30");
    assert!(mutex.try_lock().is_err());
    drop(last);
    let guard = mutex.lock().await;
    assert_eq!(guard.1, [1, 2, 30]);
    let guard = MutexGuard::try_map(guard, |pair| pair.1.get_mut(7)).unwrap_err();
    drop(guard);
    assert!(mutex.try_lock().is_ok());
}

#[runtime::test]
async fn unsized_data() {
    let mutex: Arc<Mutex<[u32]>> = Arc::new(Mutex::new([1, 2, 3]));
    mutex.lock().await[1] = 20;
    assert_eq!(&*mutex.lock().await, &[1, 20, 3]);
    let dynamic: Box<Mutex<dyn std::fmt::Debug + Send>> = Box::new(Mutex::new(5));
    assert_eq!(format!("{:?}", &*dynamic.lock().await), "5");
}

static SHARED: Mutex<Vec<u32>> = Mutex::const_new(Vec::new());

#[runtime::test]
async fn const_new_get_mut_into_inner_and_friends() {
    SHARED.lock().await.push(1);
    assert_eq!(*SHARED.lock().await, [1]);

    let mut mutex = Mutex::from(1);
    *mutex.get_mut() += 1;
    assert_eq!(mutex.into_inner(), 2);
    assert_eq!(*Mutex::<u8>::default().lock().await, 0);

    let mutex = Mutex::new(7);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: 7 }");
    let guard = mutex.lock().await;
    assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked> }");
    assert_eq!(format!("{guard:?} {guard}"), "7 7");
    assert_eq!(
        mutex.try_lock().unwrap_err().to_string(),
        "operation would block"
    );
}

#[runtime::test]
async fn a_panic_while_holding_the_guard_releases_the_lock() {
    let mutex = Arc::new(Mutex::new(0));
    let holder = {
        let mutex = mutex.clone();
        runtime::spawn(async move {
            let _guard = mutex.lock().await;
            panic!("boom");
        })
    };
    assert!(holder.await.unwrap_err().is_panic());
    assert!(mutex.try_lock().is_ok());
}
