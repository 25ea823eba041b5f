//! The copy behind the `cp` example: one file to another with `runtime::fs`, in chunks of
//! [`CHUNK`] bytes, reporting progress after each chunk.
//!
//! Like `cp SRC DST`: a `DST` that is an existing directory means "into it, under the source's
//! name"; an existing file is overwritten (truncated first); the copy gets the source's
//! permission bits; copying a file onto itself is refused (it would truncate the source). The
//! data is flushed and `sync_all`-ed before [`copy`] returns, so a successful copy is on disk.
//! Errors keep their `io::ErrorKind` and name the path they are about.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use runtime::fs::{self, File};
use runtime::io::{AsyncReadExt, AsyncWriteExt};

/// Bytes read and written per step.
pub const CHUNK: usize = 256 * 1024;

/// Copies the file `src` to `dst` (or into `dst` if it is a directory); returns the number of
/// bytes copied.
///
/// `progress(copied, total)` is called with `copied = 0` first, then after every chunk;
/// `copied` only grows, and the last call has `copied == total` (if the source changes size
/// while it is copied, `total` follows it).
pub async fn copy(
    src: impl AsRef<Path>,
    dst: impl AsRef<Path>,
    mut progress: impl FnMut(u64, u64),
) -> io::Result<u64> {
    let src = src.as_ref();
    let source_meta = fs::metadata(src)
        .await
        .map_err(|e| about(e, "cannot read", src))?;
    if source_meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory (not copied)", src.display()),
        ));
    }
    let dst = target(src, dst.as_ref()).await?;
    if let Ok(dst_meta) = fs::metadata(&dst).await {
        if dst_meta.dev() == source_meta.dev() && dst_meta.ino() == source_meta.ino() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} and {} are the same file", src.display(), dst.display()),
            ));
        }
    }

    let mut input = File::open(src)
        .await
        .map_err(|e| about(e, "cannot open", src))?;
    let mut output = File::create(&dst)
        .await
        .map_err(|e| about(e, "cannot create", &dst))?;

    let mut total = source_meta.len();
    let mut copied = 0u64;
    progress(copied, total);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input
            .read(&mut buf)
            .await
            .map_err(|e| about(e, "cannot read", src))?;
        if n == 0 {
            break;
        }
        output
            .write_all(&buf[..n])
            .await
            .map_err(|e| about(e, "cannot write", &dst))?;
        copied += n as u64;
        total = total.max(copied);
        progress(copied, total);
    }
    if copied < total {
        // The source shrank while it was copied: what was read is all there is.
        total = copied;
        progress(copied, total);
    }
    output
        .flush()
        .await
        .map_err(|e| about(e, "cannot write", &dst))?;

    // The permission bits, as `cp` gives a new file (set on the open file, so on the very file
    // written even if the path changes meanwhile).
    output
        .set_permissions(source_meta.permissions())
        .await
        .map_err(|e| about(e, "cannot set the permissions of", &dst))?;

    output
        .sync_all()
        .await
        .map_err(|e| about(e, "cannot sync", &dst))?;
    Ok(copied)
}

/// The file to write: `dst`, or `dst/<name of src>` when `dst` is a directory.
async fn target(src: &Path, dst: &Path) -> io::Result<PathBuf> {
    match fs::metadata(dst).await {
        Ok(meta) if meta.is_dir() => match src.file_name() {
            Some(name) => Ok(dst.join(name)),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} has no file name to copy under", src.display()),
            )),
        },
        _ => Ok(dst.to_path_buf()),
    }
}

/// `error`, of the same kind, with a message that says what failed on which path.
fn about(error: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{what} {}: {error}", path.display()))
}
