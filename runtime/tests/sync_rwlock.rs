//! `sync::RwLock`: readers share, a writer excludes everyone, a queued writer holds back later
//! readers (fairness), `downgrade`, a cancelled writer lets the readers behind it in, `try_*`,
//! owned guards, `blocking_*`, `with_max_readers`, and exclusion under load.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use runtime::sync::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

fn poll<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

fn ready<F: Future + Unpin>(future: &mut F) -> F::Output {
    match poll(future) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("expected the future to be ready"),
    }
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn send_and_sync_as_tokio() {
    assert_send_sync::<RwLock<u8>>();
    assert_send_sync::<RwLockReadGuard<'static, u8>>();
    assert_send_sync::<RwLockWriteGuard<'static, u8>>();
    assert_send_sync::<OwnedRwLockReadGuard<u8>>();
    assert_send_sync::<OwnedRwLockWriteGuard<u8>>();
    // A read guard only hands out `&T`: `T: Sync` is enough, even if `T` is not `Send`.
    assert_send_sync::<RwLockReadGuard<'static, std::sync::MutexGuard<'static, u8>>>();
    assert_send_sync::<runtime::sync::rwlock::Read<'static, u8>>();
    assert_send_sync::<runtime::sync::rwlock::WriteOwned<u8>>();
}

#[runtime::test]
async fn readers_hold_the_lock_together() {
    const READERS: usize = 5;
    let lock = Arc::new(RwLock::new(7));
    let inside = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..READERS {
        let (lock, inside) = (lock.clone(), inside.clone());
        tasks.push(runtime::spawn(async move {
            let value = lock.read().await;
            inside.fetch_add(1, SeqCst);
            // Every reader gets in while the others hold the lock.
            while inside.load(SeqCst) < READERS {
                runtime::task::yield_now().await;
            }
            *value
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 7);
    }
}

#[test]
fn a_writer_excludes_readers_and_a_queued_writer_holds_back_newer_readers() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().unwrap();
    let mut writer = lock.write();
    assert!(poll(&mut writer).is_pending());

    // Fairness: a reader arriving after the queued writer waits for it.
    assert!(lock.try_read().is_err());
    let mut late_reader = lock.read();
    assert!(poll(&mut late_reader).is_pending());
    let mut late_reader_2 = lock.read();
    assert!(poll(&mut late_reader_2).is_pending());

    drop(reader);
    let mut guard = ready(&mut writer);
    *guard = 1;
    assert!(poll(&mut late_reader).is_pending());
    assert!(lock.try_read().is_err());
    assert!(lock.try_write().is_err());

    drop(guard);
    // The readers queued behind the writer get in together.
    let a = ready(&mut late_reader);
    let b = ready(&mut late_reader_2);
    assert_eq!((*a, *b), (1, 1));
    assert!(lock.try_write().is_err());
    drop((a, b));
    assert!(lock.try_write().is_ok());
}

#[test]
fn a_cancelled_writer_lets_the_readers_behind_it_in() {
    let lock = RwLock::new(());
    let reader = lock.try_read().unwrap();
    let mut writer = lock.write();
    assert!(poll(&mut writer).is_pending()); // collected every permit but the reader's
    let mut later = lock.read();
    assert!(poll(&mut later).is_pending());
    drop(writer);
    let later = ready(&mut later);
    assert!(lock.try_read().is_ok());
    drop((reader, later));
    assert!(lock.try_write().is_ok());
}

#[test]
fn downgrade_lets_queued_readers_in_but_keeps_writers_out() {
    let lock = RwLock::new(1);
    let mut writer = lock.try_write().unwrap();
    let mut first_reader = lock.read();
    let mut second_writer = lock.write();
    let mut second_reader = lock.read();
    assert!(poll(&mut first_reader).is_pending());
    assert!(poll(&mut second_writer).is_pending());
    assert!(poll(&mut second_reader).is_pending());

    *writer = 2;
    let downgraded = writer.downgrade();
    assert_eq!(*downgraded, 2);
    // The reader queued before the second writer gets in; the one after it waits.
    let first = ready(&mut first_reader);
    assert_eq!(*first, 2);
    assert!(poll(&mut second_writer).is_pending());
    assert!(poll(&mut second_reader).is_pending());

    drop(downgraded);
    assert!(poll(&mut second_writer).is_pending());
    drop(first);
    let mut second = ready(&mut second_writer);
    *second = 3;
    assert!(poll(&mut second_reader).is_pending());
    drop(second);
    assert_eq!(*ready(&mut second_reader), 3);
}

#[runtime::test]
async fn owned_guards_and_owned_downgrade() {
    let lock = Arc::new(RwLock::new(String::from("a")));
    let mut writer = lock.clone().write_owned().await;
    assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&writer), &lock));
    writer.push('b');
    let reader = runtime::spawn(async move { writer.downgrade() })
        .await
        .unwrap();
    assert_eq!(&*reader, "ab");
    assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&reader), &lock));
    assert!(lock.clone().try_read_owned().is_ok());
    assert!(lock.clone().try_write_owned().is_err());
    let pending_writer = runtime::spawn(lock.clone().write_owned());
    runtime::task::yield_now().await;
    drop(reader);
    let mut writer = pending_writer.await.unwrap();
    writer.push('c');
    drop(writer);
    assert_eq!(*lock.clone().read_owned().await, "abc");
    assert_eq!(Arc::strong_count(&lock), 1);
}

#[test]
fn try_read_and_try_write() {
    let lock = RwLock::new(5);
    let a = lock.try_read().unwrap();
    let b = lock.try_read().unwrap();
    assert!(lock.try_write().is_err());
    drop((a, b));
    let w = lock.try_write().unwrap();
    assert!(lock.try_read().is_err());
    assert!(lock.try_write().is_err());
    assert_eq!(
        lock.try_read().unwrap_err().to_string(),
        "operation would block"
    );
    drop(w);
    assert!(lock.try_write().is_ok());
}

#[test]
fn with_max_readers_bounds_the_readers() {
    let lock = RwLock::with_max_readers((), 2);
    let a = lock.try_read().unwrap();
    let _b = lock.try_read().unwrap();
    assert!(lock.try_read().is_err());
    let mut third = lock.read();
    assert!(poll(&mut third).is_pending());
    drop(a);
    let _third = ready(&mut third);
}

#[test]
#[should_panic(expected = "readers")]
fn zero_max_readers_panics() {
    let _ = RwLock::with_max_readers((), 0);
}

#[test]
fn blocking_read_and_write_from_plain_threads() {
    let lock = Arc::new(RwLock::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                for _ in 0..100 {
                    *lock.blocking_write() += 1;
                    let _ = *lock.blocking_read();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(*lock.blocking_read(), 400);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_exclude_everyone_under_load() {
    const TASKS: usize = 64;
    const ROUNDS: usize = 50;
    let lock = Arc::new(RwLock::with_max_readers(0u64, 8));
    let readers = Arc::new(AtomicUsize::new(0));
    let writers = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (lock, readers, writers) = (lock.clone(), readers.clone(), writers.clone());
        tasks.push(runtime::spawn(async move {
            let mut wrote = 0;
            for round in 0..ROUNDS {
                if (task + round) % 4 == 0 {
                    let mut guard = lock.write().await;
                    assert_eq!(writers.fetch_add(1, SeqCst), 0, "two writers");
                    assert_eq!(readers.load(SeqCst), 0, "a reader inside with a writer");
                    let before = *guard;
                    runtime::task::yield_now().await;
                    *guard = before + 1;
                    writers.fetch_sub(1, SeqCst);
                    wrote += 1;
                } else {
                    let guard = lock.read().await;
                    let now = readers.fetch_add(1, SeqCst) + 1;
                    assert!(now <= 8, "{now} readers with max_readers 8");
                    assert_eq!(writers.load(SeqCst), 0, "a writer inside with a reader");
                    let _ = *guard;
                    runtime::task::yield_now().await;
                    readers.fetch_sub(1, SeqCst);
                }
            }
            wrote
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(*lock.read().await, total);
}

static CONFIG: RwLock<u32> = RwLock::const_new(3);

#[runtime::test]
async fn const_new_get_mut_into_inner_debug() {
    assert_eq!(*CONFIG.read().await, 3);
    let mut lock = RwLock::from(1);
    *lock.get_mut() = 2;
    assert_eq!(
        format!("{lock:?}"),
        "RwLock { data: 2, max_readers: 536870911 }"
    );
    let writer = lock.write().await;
    assert_eq!(format!("{writer:?} {writer}"), "2 2");
    assert!(format!("{lock:?}").contains("<locked>"));
    drop(writer);
    assert_eq!(lock.into_inner(), 2);
    assert_eq!(*RwLock::<u8>::default().read().await, 0);
    let unsized_lock: Arc<RwLock<[u8]>> = Arc::new(RwLock::new([1, 2]));
    assert_eq!(&*unsized_lock.read().await, &[1, 2]);
}
