//! The `cp` example's copy (`examples/cp/copy.rs`, included as is): a 3 MiB file of varied
//! bytes arrives intact with its permissions, progress climbs to the total, an existing larger
//! file is truncated, a directory destination gets the file inside it, and bad input (missing
//! source, source directory, missing destination directory, a file onto itself) is an error
//! of the right kind that leaves everything as it was.

#[path = "../examples/cp/copy.rs"]
mod copy;

mod common;

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;

use common::TempDir;

const SIZE: usize = 3 << 20;

/// `len` bytes that vary with their position (not a repeating short pattern).
fn varied(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

/// Copies and checks the progress reports: they start at 0, never go back, all name the
/// final total, and the last one is `(total, total)`.
async fn copy_checked(
    src: &std::path::Path,
    dst: &std::path::Path,
    expected: u64,
) -> std::io::Result<u64> {
    let mut reports = Vec::new();
    let copied = copy::copy(src, dst, |done, total| reports.push((done, total))).await?;
    assert_eq!(copied, expected);
    assert_eq!(reports.first(), Some(&(0, expected)));
    assert_eq!(reports.last(), Some(&(expected, expected)));
    assert!(
        reports.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress went backwards: {reports:?}"
    );
    assert!(reports.iter().all(|&(_, total)| total == expected));
    // One report per chunk (the file reads in whole chunks) plus the first.
    assert!(reports.len() > expected as usize / copy::CHUNK);
    Ok(copied)
}

#[runtime::test]
async fn copies_3_mib_with_progress_and_permissions() {
    let dir = TempDir::new("cp-copy");
    let src = dir.join("source.bin");
    let dst = dir.join("copy.bin");
    let data = varied(SIZE);
    std::fs::write(&src, &data).unwrap();
    std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o640)).unwrap();

    copy_checked(&src, &dst, SIZE as u64).await.unwrap();
    assert!(std::fs::read(&dst).unwrap() == data, "the copy differs");
    let mode = std::fs::metadata(&dst).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o640);

    // Over an existing, larger file: truncated to exactly the source.
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![0xAAu8; SIZE + 12345]).unwrap();
    copy_checked(&src, &big, SIZE as u64).await.unwrap();
    assert!(
        std::fs::read(&big).unwrap() == data,
        "the overwritten copy differs"
    );

    // A read-only source gives a read-only copy (written before the bits are set).
    std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o444)).unwrap();
    let read_only = dir.join("read-only.bin");
    copy_checked(&src, &read_only, SIZE as u64).await.unwrap();
    assert!(std::fs::read(&read_only).unwrap() == data);
    let mode = std::fs::metadata(&read_only).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o444);
}

#[runtime::test]
async fn an_empty_file_and_a_directory_destination() {
    let dir = TempDir::new("cp-dir");
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    copy_checked(&empty, &dir.join("empty-copy"), 0)
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("empty-copy")).unwrap(), b"");

    // Into a directory, under the source's name.
    let src = dir.join("notes.txt");
    std::fs::write(&src, b"some notes\n").unwrap();
    let into = dir.join("into");
    std::fs::create_dir(&into).unwrap();
    copy_checked(&src, &into, 11).await.unwrap();
    assert_eq!(
        std::fs::read(into.join("notes.txt")).unwrap(),
        b"some notes\n"
    );
}

#[runtime::test]
async fn bad_input_is_an_error_of_the_right_kind() {
    let dir = TempDir::new("cp-errors");
    let never_called = |_: u64, _: u64| panic!("progress reported for a failed copy");

    // Missing source: NotFound, naming the path; no destination created.
    let missing = dir.join("missing");
    let dst = dir.join("dst");
    let err = copy::copy(&missing, &dst, never_called).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(!dst.exists());

    // Source is a directory.
    let err = copy::copy(dir.path(), &dst, never_called)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IsADirectory);
    assert!(!dst.exists());

    // The destination's directory does not exist: NotFound, naming the destination.
    let src = dir.join("src");
    std::fs::write(&src, b"data").unwrap();
    let nowhere = dir.join("no-such-dir").join("dst");
    let err = copy::copy(&src, &nowhere, never_called).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("no-such-dir"), "{err}");

    // A file onto itself (directly, or through its directory) is refused and left intact.
    let err = copy::copy(&src, &src, never_called).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = copy::copy(&src, dir.path(), never_called)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(std::fs::read(&src).unwrap(), b"data");
}
