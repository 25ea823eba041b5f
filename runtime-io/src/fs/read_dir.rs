//! [`read_dir`]: the entries of a directory, read in batches on the blocking pool.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_util::stream::Stream;
use runtime_core::task::JoinHandle;

use super::{asyncify, join_error};

/// Entries read per trip to the blocking pool.
const BATCH: usize = 32;

/// Opens the directory `path` for listing its entries (without `.` and `..`, in no particular
/// order).
///
/// Cancel-safe: dropping the future has no effect.
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-readdir-{}", std::process::id()));
/// runtime::fs::create_dir_all(&dir).await?;
/// runtime::fs::write(dir.join("a.txt"), "a").await?;
/// let mut entries = runtime::fs::read_dir(&dir).await?;
/// let mut names = Vec::new();
/// while let Some(entry) = entries.next_entry().await? {
///     names.push(entry.file_name());
/// }
/// assert_eq!(names, ["a.txt"]);
/// # runtime::fs::remove_dir_all(&dir).await?;
/// # Ok(())
/// # }
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir {
        state: State::Idle(Some(Batch {
            entries: VecDeque::new(),
            std,
            done: false,
        })),
    })
}

/// The entries of a directory (Tokio's `ReadDir`): [`next_entry`](Self::next_entry), or use it
/// as a [`Stream`] of `io::Result<DirEntry>`.
///
/// Each trip to the blocking pool reads up to 32 entries.
///
/// ```
/// use runtime::stream::StreamExt;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-readdir-s-{}", std::process::id()));
/// runtime::fs::create_dir_all(&dir).await?;
/// runtime::fs::write(dir.join("x"), "").await?;
/// let entries: Vec<_> = runtime::fs::read_dir(&dir).await?.collect().await;
/// assert_eq!(entries.len(), 1);
/// # runtime::fs::remove_dir_all(&dir).await?;
/// # Ok(())
/// # }
/// ```
pub struct ReadDir {
    state: State,
}

struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    /// The directory has no more entries.
    done: bool,
}

enum State {
    /// `None` only after a failed blocking task.
    Idle(Option<Batch>),
    Busy(JoinHandle<Batch>),
}

impl ReadDir {
    /// The next entry, or `None` after the last.
    ///
    /// Cancel-safe: an entry read meanwhile is kept for the next call.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let dir = std::env::temp_dir().join(format!("runtime-doc-next-{}", std::process::id()));
    /// runtime::fs::create_dir_all(&dir).await?;
    /// let mut entries = runtime::fs::read_dir(&dir).await?;
    /// assert!(entries.next_entry().await?.is_none());
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry: `Ready(Ok(None))` after the last.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let dir = std::env::temp_dir().join(format!("runtime-doc-pollnext-{}", std::process::id()));
    /// runtime::fs::create_dir_all(&dir).await?;
    /// let mut entries = runtime::fs::read_dir(&dir).await?;
    /// let next = std::future::poll_fn(|cx| entries.poll_next_entry(cx)).await?;
    /// assert!(next.is_none());
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(slot) => {
                    let Some(batch) = slot else {
                        return Poll::Ready(Ok(None));
                    };
                    if let Some(entry) = batch.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    if batch.done {
                        return Poll::Ready(Ok(None));
                    }
                    let Some(mut batch) = slot.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    self.state = State::Busy(runtime_core::spawn_blocking(move || {
                        for _ in 0..BATCH {
                            match batch.std.next() {
                                Some(entry) => batch.entries.push_back(entry.map(DirEntry::new)),
                                None => {
                                    batch.done = true;
                                    break;
                                }
                            }
                        }
                        batch
                    }));
                }
                State::Busy(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(batch) => self.state = State::Idle(Some(batch)),
                    Err(err) => {
                        self.state = State::Idle(None);
                        return Poll::Ready(Err(join_error(err)));
                    }
                },
            }
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_entry(cx)
            .map(|entry| entry.transpose())
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir").finish_non_exhaustive()
    }
}

/// An entry of a directory listed by [`read_dir`] (Tokio's `DirEntry`).
///
/// ```
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let dir = std::env::temp_dir().join(format!("runtime-doc-entry-{}", std::process::id()));
/// runtime::fs::create_dir_all(dir.join("sub")).await?;
/// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
/// assert_eq!(entry.path(), dir.join("sub"));
/// assert!(entry.file_type().await?.is_dir());
/// assert!(entry.metadata().await?.is_dir());
/// # runtime::fs::remove_dir_all(&dir).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    /// Read on the blocking thread with the entry (free where the OS reports the type).
    file_type: Option<std::fs::FileType>,
}

impl DirEntry {
    fn new(std: std::fs::DirEntry) -> DirEntry {
        let file_type = std.file_type().ok();
        DirEntry {
            std: Arc::new(std),
            file_type,
        }
    }

    /// The full path of the entry: the directory given to `read_dir` joined with the name.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("runtime-doc-epath-{}", std::process::id()));
    /// # runtime::fs::create_dir_all(&dir).await?;
    /// runtime::fs::write(dir.join("f"), "").await?;
    /// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
    /// assert_eq!(entry.path(), dir.join("f"));
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The entry's file name (without the directory).
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("runtime-doc-ename-{}", std::process::id()));
    /// # runtime::fs::create_dir_all(&dir).await?;
    /// runtime::fs::write(dir.join("name.txt"), "").await?;
    /// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
    /// assert_eq!(entry.file_name(), "name.txt");
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata, not following a symbolic link (`std::fs::DirEntry::metadata`).
    ///
    /// Cancel-safe: dropping the future has no effect.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("runtime-doc-emeta-{}", std::process::id()));
    /// # runtime::fs::create_dir_all(&dir).await?;
    /// runtime::fs::write(dir.join("three"), "abc").await?;
    /// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
    /// assert_eq!(entry.metadata().await?.len(), 3);
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// The entry's file type, not following a symbolic link (usually known without a system
    /// call).
    ///
    /// Cancel-safe: dropping the future has no effect.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("runtime-doc-etype-{}", std::process::id()));
    /// # runtime::fs::create_dir_all(&dir).await?;
    /// runtime::fs::write(dir.join("file"), "").await?;
    /// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
    /// assert!(entry.file_type().await?.is_file());
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn file_type(&self) -> io::Result<std::fs::FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        asyncify(move || std.file_type()).await
    }

    /// The entry's inode number (Unix only).
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("runtime-doc-eino-{}", std::process::id()));
    /// # runtime::fs::create_dir_all(&dir).await?;
    /// runtime::fs::write(dir.join("f"), "").await?;
    /// let entry = runtime::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
    /// assert!(entry.ino() > 0);
    /// # runtime::fs::remove_dir_all(&dir).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(unix)]
    pub fn ino(&self) -> u64 {
        std::os::unix::fs::DirEntryExt::ino(&*self.std)
    }
}
