//! `runtime::fs` functions: write/read/read_to_string round trips, metadata, create_dir(_all),
//! read_dir (next_entry and the Stream, more entries than one batch), rename, copy,
//! remove_file/remove_dir/remove_dir_all, canonicalize, try_exists, symlink_metadata, and
//! `NotFound` for missing paths.

use std::collections::BTreeSet;
use std::io::ErrorKind;

mod common;

use common::TempDir;
use runtime::fs;
use runtime::stream::StreamExt;

#[runtime::test]
async fn round_trips() {
    let dir = TempDir::new("rt");
    let bytes: Vec<u8> = (0..=255).collect();
    fs::write(dir.join("bin"), &bytes).await.unwrap();
    assert_eq!(fs::read(dir.join("bin")).await.unwrap(), bytes);

    fs::write(dir.join("text"), "héllo\n").await.unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("text")).await.unwrap(),
        "héllo\n"
    );
    // write truncates.
    fs::write(dir.join("text"), "x").await.unwrap();
    assert_eq!(fs::read_to_string(dir.join("text")).await.unwrap(), "x");

    let err = fs::read_to_string(dir.join("bin")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_on_multi_thread() {
    let dir = TempDir::new("rtmt");
    fs::write(dir.join("f"), "multi").await.unwrap();
    assert_eq!(fs::read_to_string(dir.join("f")).await.unwrap(), "multi");
}

#[runtime::test]
async fn metadata_of_files_and_dirs() {
    let dir = TempDir::new("meta");
    fs::write(dir.join("f"), "12345").await.unwrap();
    let meta = fs::metadata(dir.join("f")).await.unwrap();
    assert!(meta.is_file() && !meta.is_dir());
    assert_eq!(meta.len(), 5);
    let meta = fs::metadata(dir.path()).await.unwrap();
    assert!(meta.is_dir() && !meta.is_file());

    std::os::unix::fs::symlink(dir.join("f"), dir.join("link")).unwrap();
    assert!(fs::metadata(dir.join("link")).await.unwrap().is_file());
    let link = fs::symlink_metadata(dir.join("link")).await.unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        fs::canonicalize(dir.join("link")).await.unwrap(),
        fs::canonicalize(dir.join("f")).await.unwrap()
    );
}

#[runtime::test]
async fn missing_paths_are_not_found() {
    let dir = TempDir::new("missing");
    let missing = dir.join("no/such/file");
    let kinds = [
        fs::read(&missing).await.unwrap_err().kind(),
        fs::read_to_string(&missing).await.unwrap_err().kind(),
        fs::write(&missing, "x").await.unwrap_err().kind(),
        fs::metadata(&missing).await.unwrap_err().kind(),
        fs::symlink_metadata(&missing).await.unwrap_err().kind(),
        fs::remove_file(&missing).await.unwrap_err().kind(),
        fs::remove_dir(&missing).await.unwrap_err().kind(),
        fs::rename(&missing, dir.join("x"))
            .await
            .unwrap_err()
            .kind(),
        fs::copy(&missing, dir.join("x")).await.unwrap_err().kind(),
        fs::canonicalize(&missing).await.unwrap_err().kind(),
        fs::read_dir(&missing).await.unwrap_err().kind(),
        fs::create_dir(&missing).await.unwrap_err().kind(),
    ];
    assert!(kinds.iter().all(|&k| k == ErrorKind::NotFound), "{kinds:?}");
    assert!(!fs::try_exists(&missing).await.unwrap());
}

#[runtime::test]
async fn create_and_remove_dirs() {
    let dir = TempDir::new("dirs");
    let nested = dir.join("a/b/c");
    fs::create_dir_all(&nested).await.unwrap();
    assert!(fs::metadata(&nested).await.unwrap().is_dir());
    fs::create_dir_all(&nested).await.unwrap(); // exists already: fine

    assert_eq!(
        fs::create_dir(&nested).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    fs::create_dir(dir.join("a/b/d")).await.unwrap();
    fs::remove_dir(dir.join("a/b/d")).await.unwrap();

    fs::write(nested.join("f"), "x").await.unwrap();
    assert!(fs::remove_dir(dir.join("a")).await.is_err(), "not empty");
    fs::remove_dir_all(dir.join("a")).await.unwrap();
    assert!(!fs::try_exists(dir.join("a")).await.unwrap());
}

#[runtime::test]
async fn read_dir_lists_created_files() {
    let dir = TempDir::new("list");
    // More than one batch of entries.
    let mut expected = BTreeSet::new();
    for i in 0..100 {
        let name = format!("file-{i:03}");
        fs::write(dir.join(&name), "").await.unwrap();
        expected.insert(name);
    }
    fs::create_dir(dir.join("sub")).await.unwrap();

    let mut entries = fs::read_dir(dir.path()).await.unwrap();
    let mut files = BTreeSet::new();
    let mut dirs = Vec::new();
    while let Some(entry) = entries.next_entry().await.unwrap() {
        assert_eq!(entry.path(), dir.path().join(entry.file_name()));
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().await.unwrap().is_dir() {
            assert!(entry.metadata().await.unwrap().is_dir());
            dirs.push(name);
        } else {
            assert!(files.insert(name), "listed twice");
        }
    }
    assert_eq!(files, expected);
    assert_eq!(dirs, ["sub"]);
    // After the end it stays at the end.
    assert!(entries.next_entry().await.unwrap().is_none());

    // The same through the Stream.
    let listed: Vec<_> = fs::read_dir(dir.path()).await.unwrap().collect().await;
    assert_eq!(listed.len(), 101);
    assert!(listed.iter().all(|entry| entry.is_ok()));
}

#[runtime::test]
async fn rename_copy_remove() {
    let dir = TempDir::new("mv");
    fs::write(dir.join("a"), "payload").await.unwrap();
    fs::rename(dir.join("a"), dir.join("b")).await.unwrap();
    assert!(!fs::try_exists(dir.join("a")).await.unwrap());
    assert_eq!(fs::read_to_string(dir.join("b")).await.unwrap(), "payload");

    // rename replaces an existing file.
    fs::write(dir.join("c"), "old").await.unwrap();
    fs::rename(dir.join("b"), dir.join("c")).await.unwrap();
    assert_eq!(fs::read_to_string(dir.join("c")).await.unwrap(), "payload");

    assert_eq!(fs::copy(dir.join("c"), dir.join("d")).await.unwrap(), 7);
    assert_eq!(fs::read_to_string(dir.join("d")).await.unwrap(), "payload");

    fs::remove_file(dir.join("c")).await.unwrap();
    assert_eq!(
        fs::metadata(dir.join("c")).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(fs::try_exists(dir.join("d")).await.unwrap());
}
