//! Files and directories (aiofiles): Tokio's `tokio::fs`, on this runtime's blocking pool.
//!
//! Operating systems offer no portable readiness for regular files, so every operation here
//! runs the matching `std::fs` call on the blocking pool (`runtime::spawn_blocking`) and
//! awaits its result. Errors are the `std::io::Error`s that `std::fs` gives (`NotFound` for a
//! missing path, `AlreadyExists` for `create_new` on an existing file, ...).
//!
//! [`File`] buffers: one blocking read fills a 64 KiB buffer from which small reads are served,
//! and writes collect in a buffer that is written in one blocking call on `flush`/`close`,
//! when it is full, or before a seek or read. Flush a written file before dropping it to see
//! write errors (a drop still writes what is buffered, in the background).
//!
//! These functions must be called from inside a runtime (they spawn blocking tasks).
//!
//! ```
//! use runtime::fs;
//!
//! # #[runtime::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let dir = std::env::temp_dir().join(format!("runtime-doc-fs-{}", std::process::id()));
//! fs::create_dir_all(dir.join("nested")).await?;
//! fs::write(dir.join("nested/hello.txt"), "hello").await?;
//! assert_eq!(fs::read_to_string(dir.join("nested/hello.txt")).await?, "hello");
//! fs::remove_dir_all(&dir).await?;
//! # Ok(())
//! # }
//! ```

mod file;
mod open_options;
mod read_dir;

use std::io;
use std::path::{Path, PathBuf};

pub use file::File;
pub use open_options::OpenOptions;
pub use read_dir::{read_dir, DirEntry, ReadDir};

/// Turns a failed blocking task into an `io::Error` (the pool only fails a task that panicked
/// or was cancelled at shutdown).
pub(crate) fn join_error(err: runtime_core::task::JoinError) -> io::Error {
    io::Error::other(format!("background file operation failed: {err}"))
}

/// Runs `f` on the blocking pool and awaits its result.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match runtime_core::spawn_blocking(f).await {
        Ok(result) => result,
        Err(err) => Err(join_error(err)),
    }
}

/// Reads the whole file at `path` into a vector of bytes (`std::fs::read` on the blocking pool).
///
/// Cancel-safe in that dropping the future has no effect on the file (the read may still
/// complete in the background).
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-read-{}", std::process::id()));
/// runtime::fs::write(&path, [1, 2, 3]).await?;
/// assert_eq!(runtime::fs::read(&path).await?, [1, 2, 3]);
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads the whole file at `path` into a string; `InvalidData` if it is not UTF-8.
///
/// Cancel-safe in that dropping the future has no effect on the file.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-rts-{}", std::process::id()));
/// runtime::fs::write(&path, "text").await?;
/// assert_eq!(runtime::fs::read_to_string(&path).await?, "text");
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Creates or truncates the file at `path` and writes `contents` to it.
///
/// Not cancel-safe: once polled, the write runs to completion in the background even if the
/// future is dropped.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-write-{}", std::process::id()));
/// runtime::fs::write(&path, b"bytes").await?;
/// assert_eq!(runtime::fs::read(&path).await?, b"bytes");
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Creates a directory; its parent must exist (`AlreadyExists` if it does already).
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-mkdir-{}", std::process::id()));
/// runtime::fs::create_dir(&dir).await?;
/// assert!(runtime::fs::metadata(&dir).await?.is_dir());
/// runtime::fs::remove_dir(&dir).await?;
/// # Ok(())
/// # }
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and any missing parents; succeeds if it exists already.
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-mkdirs-{}", std::process::id()));
/// runtime::fs::create_dir_all(dir.join("a/b/c")).await?;
/// assert!(runtime::fs::metadata(dir.join("a/b/c")).await?.is_dir());
/// runtime::fs::remove_dir_all(&dir).await?;
/// # Ok(())
/// # }
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes a file (or symbolic link).
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-rm-{}", std::process::id()));
/// runtime::fs::write(&path, "x").await?;
/// runtime::fs::remove_file(&path).await?;
/// assert!(!runtime::fs::try_exists(&path).await?);
/// # Ok(())
/// # }
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes an empty directory.
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-rmdir-{}", std::process::id()));
/// runtime::fs::create_dir(&dir).await?;
/// runtime::fs::remove_dir(&dir).await?;
/// # Ok(())
/// # }
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it.
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-rmall-{}", std::process::id()));
/// runtime::fs::create_dir_all(dir.join("sub")).await?;
/// runtime::fs::write(dir.join("sub/file"), "x").await?;
/// runtime::fs::remove_dir_all(&dir).await?;
/// assert!(!runtime::fs::try_exists(&dir).await?);
/// # Ok(())
/// # }
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Renames `from` to `to`, replacing `to` if it is a file.
///
/// Not cancel-safe: once polled, the operation completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("runtime-doc-mv-a-{}", std::process::id())),
///               dir.join(format!("runtime-doc-mv-b-{}", std::process::id())));
/// runtime::fs::write(&a, "moved").await?;
/// runtime::fs::rename(&a, &b).await?;
/// assert_eq!(runtime::fs::read_to_string(&b).await?, "moved");
/// # runtime::fs::remove_file(&b).await?;
/// # Ok(())
/// # }
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of the file `from` to `to`; gives the bytes copied.
///
/// Not cancel-safe: once polled, the copy completes in the background.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("runtime-doc-cp-a-{}", std::process::id())),
///               dir.join(format!("runtime-doc-cp-b-{}", std::process::id())));
/// runtime::fs::write(&a, "copy").await?;
/// assert_eq!(runtime::fs::copy(&a, &b).await?, 4);
/// assert_eq!(runtime::fs::read_to_string(&b).await?, "copy");
/// # runtime::fs::remove_file(&a).await?;
/// # runtime::fs::remove_file(&b).await?;
/// # Ok(())
/// # }
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// The absolute path of `path` with symbolic links and `.`/`..` resolved.
///
/// Cancel-safe: dropping the future has no effect.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let tmp = runtime::fs::canonicalize(std::env::temp_dir()).await?;
/// assert!(tmp.is_absolute());
/// # Ok(())
/// # }
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// The metadata of `path`, following symbolic links (`std::fs::metadata`).
///
/// Cancel-safe: dropping the future has no effect.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-meta-{}", std::process::id()));
/// runtime::fs::write(&path, "12345").await?;
/// let meta = runtime::fs::metadata(&path).await?;
/// assert!(meta.is_file());
/// assert_eq!(meta.len(), 5);
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Changes the permissions of `path` (`std::fs::set_permissions`).
///
/// Cancel-safe in effect: dropping the future lets the change complete or not at all.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-perm-{}", std::process::id()));
/// runtime::fs::write(&path, "x").await?;
/// let mut permissions = runtime::fs::metadata(&path).await?.permissions();
/// permissions.set_readonly(true);
/// runtime::fs::set_permissions(&path, permissions).await?;
/// assert!(runtime::fs::metadata(&path).await?.permissions().readonly());
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub async fn set_permissions(
    path: impl AsRef<Path>,
    permissions: std::fs::Permissions,
) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, permissions)).await
}

/// The metadata of `path` itself, not following a symbolic link (`std::fs::symlink_metadata`).
///
/// Cancel-safe: dropping the future has no effect.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let meta = runtime::fs::symlink_metadata(std::env::temp_dir()).await?;
/// assert!(meta.is_dir() || meta.file_type().is_symlink());
/// # Ok(())
/// # }
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// Whether `path` exists: `Ok(false)` for a missing path, `Err` when that cannot be known (for
/// example permission denied on a parent).
///
/// Cancel-safe: dropping the future has no effect.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// assert!(runtime::fs::try_exists(std::env::temp_dir()).await?);
/// assert!(!runtime::fs::try_exists("/no/such/path/here").await?);
/// # Ok(())
/// # }
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}
