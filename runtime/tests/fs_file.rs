//! `runtime::fs::File`: write/seek/read round trips, read-ahead buffering (many 1-byte reads
//! of a 100 KB file cost a handful of blocking operations, counted by the file), write
//! buffering flushed in one operation, switching between reading and writing, metadata and
//! set_len, `OpenOptions` append/truncate/create_new, into_std/from_std/try_clone.

use std::io::{ErrorKind, SeekFrom};

mod common;

use common::TempDir;
use runtime::fs::{self, File, OpenOptions};
use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[runtime::test]
async fn write_seek_read() {
    let dir = TempDir::new("wsr");
    let path = dir.join("f");
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .open(&path)
        .await
        .unwrap();
    file.write_all(b"hello, world").await.unwrap();
    assert_eq!(file.seek(SeekFrom::Start(7)).await.unwrap(), 7);
    let mut rest = String::new();
    file.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "world");

    // Seek back relative to the end, overwrite, and read everything again.
    assert_eq!(file.seek(SeekFrom::End(-5)).await.unwrap(), 7);
    file.write_all(b"there").await.unwrap();
    file.seek(SeekFrom::Start(0)).await.unwrap();
    let mut all = String::new();
    file.read_to_string(&mut all).await.unwrap();
    assert_eq!(all, "hello, there");
    drop(file);
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "hello, there");
}

#[runtime::test]
async fn small_reads_are_served_from_the_buffer() {
    let dir = TempDir::new("small");
    let path = dir.join("big");
    let data = pattern(100_000);
    fs::write(&path, &data).await.unwrap();

    let mut file = File::open(&path).await.unwrap();
    let mut got = Vec::with_capacity(data.len());
    let mut byte = [0u8; 1];
    loop {
        let n = file.read(&mut byte).await.unwrap();
        if n == 0 {
            break;
        }
        got.push(byte[0]);
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "bytes differ");
    // 100 000 bytes in 64 KiB fills: 2 reads with data and one at end of file.
    assert_eq!(file.blocking_ops(), 3);
}

#[runtime::test]
async fn small_writes_are_flushed_together() {
    let dir = TempDir::new("smallw");
    let path = dir.join("out");
    let mut file = File::create(&path).await.unwrap();
    for i in 0..1000u32 {
        file.write_all(&[(i % 256) as u8]).await.unwrap();
    }
    assert_eq!(file.blocking_ops(), 0, "nothing written before the flush");
    file.flush().await.unwrap();
    assert_eq!(file.blocking_ops(), 1);
    let expected: Vec<u8> = (0..1000u32).map(|i| (i % 256) as u8).collect();
    assert_eq!(fs::read(&path).await.unwrap(), expected);

    // A large write goes through in buffer-sized pieces, all of it written after a close.
    let big = pattern(300_000);
    file.write_all(&big).await.unwrap();
    file.close().await.unwrap();
    let mut all = expected.clone();
    all.extend_from_slice(&big);
    assert!(fs::read(&path).await.unwrap() == all);
}

#[runtime::test]
async fn seek_accounts_for_read_ahead() {
    let dir = TempDir::new("seekra");
    let path = dir.join("f");
    let data = pattern(10_000);
    fs::write(&path, &data).await.unwrap();

    let mut file = File::open(&path).await.unwrap();
    let mut head = [0u8; 10];
    file.read_exact(&mut head).await.unwrap();
    assert_eq!(head, data[..10]);
    // The file's own position is past the read-ahead; the logical one is 10.
    assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 10);
    assert_eq!(file.seek(SeekFrom::Current(5)).await.unwrap(), 15);
    let mut next = [0u8; 5];
    file.read_exact(&mut next).await.unwrap();
    assert_eq!(next, data[15..20]);
}

#[runtime::test]
async fn write_after_read_lands_at_the_logical_position() {
    let dir = TempDir::new("rw");
    let path = dir.join("f");
    fs::write(&path, "0123456789").await.unwrap();

    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .await
        .unwrap();
    let mut two = [0u8; 2];
    file.read_exact(&mut two).await.unwrap();
    assert_eq!(&two, b"01");
    file.write_all(b"ab").await.unwrap();
    // A read after a write sees the written bytes in the file.
    let mut rest = String::new();
    file.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "456789");
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "01ab456789");
}

#[runtime::test]
async fn metadata_and_set_len_see_buffered_writes() {
    let dir = TempDir::new("meta");
    let path = dir.join("f");
    let mut file = File::create(&path).await.unwrap();
    file.write_all(b"12345").await.unwrap();
    let meta = file.metadata().await.unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.len(), 5, "pending writes are written first");
    file.set_len(2).await.unwrap();
    assert_eq!(file.metadata().await.unwrap().len(), 2);
    file.sync_all().await.unwrap();
    file.sync_data().await.unwrap();
    assert_eq!(fs::read(&path).await.unwrap(), b"12");
}

#[runtime::test]
async fn open_options_append_truncate_create_new() {
    let dir = TempDir::new("oo");
    let path = dir.join("f");
    fs::write(&path, "one\n").await.unwrap();

    let mut file = OpenOptions::new().append(true).open(&path).await.unwrap();
    file.write_all(b"two\n").await.unwrap();
    file.flush().await.unwrap();
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "one\ntwo\n");

    let mut file = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .await
        .unwrap();
    assert_eq!(fs::metadata(&path).await.unwrap().len(), 0);
    file.write_all(b"x").await.unwrap();
    file.close().await.unwrap();
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "x");

    let err = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    let fresh = dir.join("fresh");
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&fresh)
        .await
        .unwrap();
    assert!(fs::try_exists(&fresh).await.unwrap());

    let err = OpenOptions::new()
        .read(true)
        .open(dir.join("missing"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        File::open(dir.join("missing")).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[runtime::test]
async fn std_conversions_and_try_clone() {
    let dir = TempDir::new("conv");
    let path = dir.join("f");
    let mut file = File::create(&path).await.unwrap();
    file.write_all(b"abc").await.unwrap();
    let clone = file.try_clone().await.unwrap();
    drop(file);
    let mut std_file = clone.into_std().await;
    assert_eq!(std_file.metadata().unwrap().len(), 3);
    std::io::Write::write_all(&mut std_file, b"d").unwrap();

    // into_std gives back unread read-ahead: the std file continues where we stopped reading.
    let mut file = File::from_std(std::fs::File::open(&path).unwrap());
    let mut one = [0u8; 1];
    file.read_exact(&mut one).await.unwrap();
    assert_eq!(&one, b"a");
    let mut std_file = file.into_std().await;
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut std_file, &mut rest).unwrap();
    assert_eq!(rest, "bcd");
}

/// Outside a runtime, a drop writes the buffered bytes itself, so they are there at once.
#[test]
fn drop_outside_the_runtime_writes_what_is_buffered() {
    let dir = TempDir::new("drop");
    let path = dir.join("f");
    let rt = runtime::Runtime::new().unwrap();
    let file = rt.block_on(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"kept").await.unwrap();
        file
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"", "still buffered");
    drop(file);
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
}

#[test]
fn file_is_send_sync_unpin() {
    fn check<T: Send + Sync + Unpin + 'static>() {}
    check::<File>();
    check::<fs::ReadDir>();
    check::<fs::DirEntry>();
}

/// A write error surfaces on the flush that writes the buffer (`/dev/full` fails every write).
#[cfg(target_os = "linux")]
#[runtime::test]
async fn write_errors_surface_on_flush() {
    let mut file = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .await
        .unwrap();
    file.write_all(b"no room").await.unwrap(); // buffered
    let err = file.flush().await.unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
    // The failed bytes are dropped: the next flush has nothing to write.
    file.flush().await.unwrap();
}

/// A read or seek abandoned while its blocking operation is in flight loses nothing: the next
/// operation waits for it, and the logical position counts only bytes handed out.
#[runtime::test]
async fn abandoned_operations_keep_the_position() {
    use futures_util::FutureExt;

    let dir = TempDir::new("abandon");
    let path = dir.join("f");
    let data = pattern(1000);
    fs::write(&path, &data).await.unwrap();
    let mut file = File::open(&path).await.unwrap();

    let mut buf = [0u8; 10];
    // Polled once: the fill starts on the blocking pool (or even completes), then dropped.
    let consumed = file.read(&mut buf).now_or_never().map_or(0, |n| n.unwrap());
    assert_eq!(
        file.seek(SeekFrom::Current(0)).await.unwrap(),
        consumed as u64
    );

    // An abandoned seek still moves the file; a later read waits for it.
    let done = file.seek(SeekFrom::Start(500)).now_or_never();
    assert!(done.is_none() || done.unwrap().unwrap() == 500);
    file.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, data[500..510]);
}
