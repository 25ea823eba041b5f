//! [`File`]: an open file whose operations run on the blocking pool, with a buffer so that small
//! reads and writes do not each cost a trip to a blocking thread.
//!
//! A `File` holds the `std::fs::File` (shared with the blocking threads through an `Arc`) and
//! a small state machine: `Idle(buf)` when no blocking operation is in flight, `Busy(handle)`
//! while one is; at most one is in flight at a time. The buffer holds either read-ahead (bytes
//! read from the file but not yet given to the caller) or pending writes (bytes given by the
//! caller but not yet written). A read first writes out pending bytes; a write first moves the
//! file position back over unread read-ahead; a seek does both, accounting for read-ahead in a
//! `SeekFrom::Current` offset.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use runtime_core::loom::sync::{Mutex, MutexGuard};
use runtime_core::task::JoinHandle;

use super::{asyncify, join_error, OpenOptions};

/// Size of a blocking read that fills the buffer, and of the write buffer.
const BUF_SIZE: usize = 64 * 1024;
/// Largest single blocking read or write (a bigger caller buffer is served in pieces).
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file (Tokio's `tokio::fs::File`): implements `futures_io`'s [`AsyncRead`],
/// [`AsyncWrite`] and [`AsyncSeek`], with every system call on the blocking pool.
///
/// Reads are served from a 64 KiB read-ahead buffer; writes collect in a buffer written out on
/// [`flush`](futures_util::io::AsyncWriteExt::flush) or
/// [`close`](futures_util::io::AsyncWriteExt::close), when it is full, and before a read or a
/// seek. Flush before dropping a written file to learn of write errors: a drop writes what is
/// still buffered in the background, and an error there is lost.
///
/// ```
/// use runtime::fs::File;
/// use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-file-{}", std::process::id()));
/// let mut file = File::options().read(true).write(true).create(true).open(&path).await?;
/// file.write_all(b"hello, world").await?;
/// file.seek(SeekFrom::Start(7)).await?;
/// let mut word = String::new();
/// file.read_to_string(&mut word).await?;
/// assert_eq!(word, "world");
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
pub struct File {
    std: Arc<std::fs::File>,
    inner: Mutex<Inner>,
}

struct Inner {
    state: State,
    /// Blocking operations started by this file (for tests of the buffering).
    hops: u64,
    /// The seek in flight was started by `poll_seek` (whose caller waits for its result), not
    /// by a read, write or settle that moves back over read-ahead.
    seeking: bool,
}

enum State {
    Idle(Buf),
    Busy(JoinHandle<(Op, Buf)>),
}

/// The outcome of a blocking operation.
enum Op {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
}

#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    /// Read mode: `data[pos..]` is unread read-ahead. Write mode: 0.
    pos: usize,
    /// Whether `data` holds pending writes (else read-ahead).
    writing: bool,
}

impl Buf {
    fn unread(&self) -> usize {
        if self.writing {
            0
        } else {
            self.data.len() - self.pos
        }
    }

    fn pending_write(&self) -> bool {
        self.writing && !self.data.is_empty()
    }

    fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
        self.writing = false;
    }
}

impl File {
    /// Opens `path` read-only.
    ///
    /// Not cancel-safe in that a dropped open may still complete (and the file is then closed).
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fopen-{}", std::process::id()));
    /// runtime::fs::write(&path, "contents").await?;
    /// let mut file = runtime::fs::File::open(&path).await?;
    /// let mut text = String::new();
    /// file.read_to_string(&mut text).await?;
    /// assert_eq!(text, "contents");
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens `path` write-only, creating it or truncating it.
    ///
    /// Not cancel-safe: a dropped call may still create or truncate the file.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fcreate-{}", std::process::id()));
    /// let mut file = runtime::fs::File::create(&path).await?;
    /// file.write_all(b"new").await?;
    /// file.flush().await?;
    /// assert_eq!(runtime::fs::read(&path).await?, b"new");
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// A new [`OpenOptions`] builder (same as `OpenOptions::new()`).
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fopts-{}", std::process::id()));
    /// let file = runtime::fs::File::options().write(true).create(true).open(&path).await?;
    /// # drop(file);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open `std::fs::File`.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fstd-{}", std::process::id()));
    /// let file = runtime::fs::File::from_std(std::fs::File::create(&path)?);
    /// assert_eq!(file.metadata().await?.len(), 0);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Buf::default()),
                hops: 0,
                seeking: false,
            }),
        }
    }

    /// The `std::fs::File`, after writing out pending bytes and moving the file position back
    /// over unread read-ahead (so it is where this `File`'s reads and writes left it). Errors of
    /// that last write are lost: call `flush` first to see them.
    ///
    /// Not cancel-safe: dropping the future drops the file.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fintostd-{}", std::process::id()));
    /// let mut file = runtime::fs::File::create(&path).await?;
    /// file.write_all(b"abc").await?;
    /// let std_file = file.into_std().await;
    /// assert_eq!(std_file.metadata()?.len(), 3);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn into_std(self) -> std::fs::File {
        let _ = self.settle().await;
        let std = self.std.clone();
        drop(self);
        // The only other owners were blocking operations, and none is in flight.
        Arc::try_unwrap(std).unwrap_or_else(|std| {
            std.try_clone()
                .expect("runtime::fs::File::into_std: the file is still shared")
        })
    }

    /// The file's metadata (`std::fs::File::metadata`); pending writes are written first so
    /// that the length is up to date.
    ///
    /// Cancel-safe: dropping the future loses nothing.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fmeta-{}", std::process::id()));
    /// runtime::fs::write(&path, "four").await?;
    /// let file = runtime::fs::File::open(&path).await?;
    /// assert_eq!(file.metadata().await?.len(), 4);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn metadata(&self) -> io::Result<std::fs::Metadata> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// Truncates or extends the file to `size` bytes (the position is unchanged); pending writes
    /// are written first.
    ///
    /// Not cancel-safe: once started, the change completes in the background.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fsetlen-{}", std::process::id()));
    /// let file = runtime::fs::File::create(&path).await?;
    /// file.set_len(10).await?;
    /// assert_eq!(file.metadata().await?.len(), 10);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.set_len(size)).await
    }

    /// Changes the file's permissions (`std::fs::File::set_permissions`); pending writes are
    /// written first.
    ///
    /// Not cancel-safe: once started, the change completes in the background.
    ///
    /// ```
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fperm-{}", std::process::id()));
    /// let file = runtime::fs::File::create(&path).await?;
    /// let mut permissions = file.metadata().await?.permissions();
    /// permissions.set_readonly(true);
    /// file.set_permissions(permissions).await?;
    /// assert!(file.metadata().await?.permissions().readonly());
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_permissions(&self, permissions: std::fs::Permissions) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.set_permissions(permissions)).await
    }

    /// Writes pending bytes, then flushes data and metadata to the device (`fsync`).
    ///
    /// Not cancel-safe: once started, the sync completes in the background.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fsync-{}", std::process::id()));
    /// let mut file = runtime::fs::File::create(&path).await?;
    /// file.write_all(b"durable").await?;
    /// file.sync_all().await?;
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Writes pending bytes, then flushes the data (not necessarily the metadata) to the device
    /// (`fdatasync`).
    ///
    /// Not cancel-safe: once started, the sync completes in the background.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fdsync-{}", std::process::id()));
    /// let mut file = runtime::fs::File::create(&path).await?;
    /// file.write_all(b"data").await?;
    /// file.sync_data().await?;
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sync_data(&self) -> io::Result<()> {
        self.settle().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// A second `File` for the same open file (sharing its position), after writing out pending
    /// bytes and giving back unread read-ahead.
    ///
    /// Cancel-safe: dropping the future loses nothing (a clone made meanwhile is closed).
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-fclone-{}", std::process::id()));
    /// let mut a = runtime::fs::File::create(&path).await?;
    /// let mut b = a.try_clone().await?;
    /// a.write_all(b"a").await?;
    /// a.flush().await?;
    /// b.write_all(b"b").await?;
    /// b.flush().await?;
    /// assert_eq!(runtime::fs::read(&path).await?, b"ab");
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        self.settle().await?;
        let std = self.std.clone();
        let clone = asyncify(move || std.try_clone()).await?;
        Ok(File::from_std(clone))
    }

    /// How many blocking operations this file has started: not public API, for tests of the
    /// buffering.
    #[doc(hidden)]
    pub fn blocking_ops(&self) -> u64 {
        self.lock().hops
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock()
    }

    /// Waits for the operation in flight, writes pending bytes and gives back read-ahead.
    async fn settle(&self) -> io::Result<()> {
        poll_fn(|cx| {
            let mut inner = self.lock();
            inner.poll_settle(cx, &self.std)
        })
        .await
    }

    fn parts(self: Pin<&mut Self>) -> (MutexGuard<'_, Inner>, &Arc<std::fs::File>) {
        let this = self.get_mut();
        (this.inner.lock(), &this.std)
    }
}

impl Inner {
    /// Starts `f` on the blocking pool with the buffer; the state becomes `Busy`.
    fn start<F>(&mut self, buf: Buf, f: F)
    where
        F: FnOnce(Buf) -> (Op, Buf) + Send + 'static,
    {
        self.hops += 1;
        self.state = State::Busy(runtime_core::spawn_blocking(move || f(buf)));
    }

    /// Starts writing out the pending bytes of `buf`.
    fn start_flush(&mut self, buf: Buf, std: &Arc<std::fs::File>) {
        let std = std.clone();
        self.start(buf, move |mut buf| {
            let result = (&*std).write_all(&buf.data);
            buf.clear();
            (Op::Write(result), buf)
        });
    }

    /// Starts a seek of the file to `pos`, discarding the buffer's contents.
    fn start_seek(&mut self, mut buf: Buf, pos: SeekFrom, std: &Arc<std::fs::File>) {
        buf.clear();
        let std = std.clone();
        self.start(buf, move |buf| (Op::Seek((&*std).seek(pos)), buf));
    }

    /// Waits for the operation in flight; the state is then `Idle`.
    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Op>> {
        let State::Busy(handle) = &mut self.state else {
            unreachable!("poll_complete is only called when busy")
        };
        match ready!(Pin::new(handle).poll(cx)) {
            Ok((op, buf)) => {
                self.state = State::Idle(buf);
                Poll::Ready(Ok(op))
            }
            Err(err) => {
                self.state = State::Idle(Buf::default());
                Poll::Ready(Err(join_error(err)))
            }
        }
    }

    fn take_idle(&mut self) -> Option<Buf> {
        match &mut self.state {
            State::Idle(buf) => Some(std::mem::take(buf)),
            State::Busy(_) => None,
        }
    }

    fn poll_settle(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
    ) -> Poll<io::Result<()>> {
        self.seeking = false;
        loop {
            match self.take_idle() {
                Some(buf) if buf.pending_write() => self.start_flush(buf, std),
                Some(buf) if buf.unread() > 0 => {
                    let back = -(buf.unread() as i64);
                    self.start_seek(buf, SeekFrom::Current(back), std);
                }
                Some(buf) => {
                    self.state = State::Idle(buf);
                    return Poll::Ready(Ok(()));
                }
                None => match ready!(self.poll_complete(cx))? {
                    Op::Write(Err(err)) | Op::Seek(Err(err)) => return Poll::Ready(Err(err)),
                    _ => {}
                },
            }
        }
    }

    fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.seeking = false;
        loop {
            match self.take_idle() {
                Some(buf) if buf.pending_write() => self.start_flush(buf, std),
                Some(mut buf) if buf.unread() > 0 || dst.is_empty() => {
                    let n = buf.unread().min(dst.len());
                    dst[..n].copy_from_slice(&buf.data[buf.pos..buf.pos + n]);
                    buf.pos += n;
                    self.state = State::Idle(buf);
                    return Poll::Ready(Ok(n));
                }
                Some(mut buf) => {
                    buf.clear();
                    let want = dst.len().clamp(BUF_SIZE, MAX_BUF);
                    let std = std.clone();
                    self.start(buf, move |mut buf| {
                        buf.data.resize(want, 0);
                        let result = (&*std).read(&mut buf.data);
                        buf.data.truncate(*result.as_ref().unwrap_or(&0));
                        (Op::Read(result), buf)
                    });
                }
                None => match ready!(self.poll_complete(cx))? {
                    Op::Read(Ok(0)) => return Poll::Ready(Ok(0)),
                    Op::Read(Err(err)) | Op::Write(Err(err)) => return Poll::Ready(Err(err)),
                    _ => {}
                },
            }
        }
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.seeking = false;
        loop {
            match self.take_idle() {
                Some(buf) if buf.unread() > 0 => {
                    let back = -(buf.unread() as i64);
                    self.start_seek(buf, SeekFrom::Current(back), std);
                }
                Some(buf) if buf.pending_write() && buf.data.len() >= BUF_SIZE => {
                    self.start_flush(buf, std)
                }
                Some(mut buf) => {
                    let room = if buf.data.is_empty() {
                        MAX_BUF
                    } else {
                        BUF_SIZE - buf.data.len()
                    };
                    let n = src.len().min(room);
                    if !buf.writing {
                        buf.clear();
                        buf.writing = true;
                    }
                    buf.data.extend_from_slice(&src[..n]);
                    self.state = State::Idle(buf);
                    return Poll::Ready(Ok(n));
                }
                None => match ready!(self.poll_complete(cx))? {
                    Op::Write(Err(err)) | Op::Seek(Err(err)) => return Poll::Ready(Err(err)),
                    _ => {}
                },
            }
        }
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
    ) -> Poll<io::Result<()>> {
        self.seeking = false;
        loop {
            match self.take_idle() {
                Some(buf) if buf.pending_write() => self.start_flush(buf, std),
                Some(buf) => {
                    self.state = State::Idle(buf);
                    return Poll::Ready(Ok(()));
                }
                None => {
                    if let Op::Write(Err(err)) = ready!(self.poll_complete(cx))? {
                        return Poll::Ready(Err(err));
                    }
                }
            }
        }
    }

    fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            match self.take_idle() {
                Some(buf) if buf.pending_write() => self.start_flush(buf, std),
                Some(buf) => {
                    // The file position is past the unread read-ahead.
                    let pos = match pos {
                        SeekFrom::Current(off) => SeekFrom::Current(off - buf.unread() as i64),
                        other => other,
                    };
                    self.start_seek(buf, pos, std);
                    self.seeking = true;
                }
                None => {
                    let op = ready!(self.poll_complete(cx));
                    let ours = std::mem::replace(&mut self.seeking, false);
                    match op? {
                        Op::Write(Err(err)) => return Poll::Ready(Err(err)),
                        // The seek this call (or an earlier, abandoned call) started.
                        Op::Seek(result) if ours => return Poll::Ready(result),
                        _ => {}
                    }
                }
            }
        }
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let (mut inner, std) = self.parts();
        inner.poll_read(cx, std, buf)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let (mut inner, std) = self.parts();
        inner.poll_write(cx, std, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let (mut inner, std) = self.parts();
        inner.poll_flush(cx, std)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let (mut inner, std) = self.parts();
        inner.poll_seek(cx, std, pos)
    }
}

impl Drop for File {
    /// Writes what is still buffered, in the background (or here, outside a runtime).
    fn drop(&mut self) {
        let mut inner = self.inner.lock();
        let State::Idle(buf) = &mut inner.state else {
            return; // the operation in flight completes on its own
        };
        if !buf.pending_write() {
            return;
        }
        let data = std::mem::take(&mut buf.data);
        let std = self.std.clone();
        let write = move || {
            let _ = (&*std).write_all(&data);
        };
        match runtime_core::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(write)),
            Err(_) => write(),
        }
    }
}

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("std", &self.std).finish()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.std.as_raw_fd()
    }
}
