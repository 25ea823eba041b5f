//! [`OpenOptions`]: Tokio's builder for opening files, on top of `std::fs::OpenOptions`.

use std::io;
use std::path::Path;

use super::{asyncify, File};

/// Options for opening a file (Tokio's `OpenOptions`): set the flags, then [`open`](Self::open).
///
/// ```
/// use runtime::fs::OpenOptions;
/// use runtime::io::AsyncWriteExt;
///
/// # #[runtime::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let path = std::env::temp_dir().join(format!("runtime-doc-oo-{}", std::process::id()));
/// runtime::fs::write(&path, "one\n").await?;
/// let mut file = OpenOptions::new().append(true).open(&path).await?;
/// file.write_all(b"two\n").await?;
/// file.flush().await?;
/// assert_eq!(runtime::fs::read_to_string(&path).await?, "one\ntwo\n");
/// # runtime::fs::remove_file(&path).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Options with every flag off (set at least one of `read`, `write`, `append`).
    ///
    /// ```
    /// let mut options = runtime::fs::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Opens for reading.
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Opens for writing (from the start, overwriting in place unless `truncate` or `append`).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Opens for appending: every write goes to the end of the file (implies `write`).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncates an existing file to length 0 on opening (needs `write`).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Creates the file if it does not exist (needs `write` or `append`).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Creates the file, failing with `AlreadyExists` if it exists (atomically; `create` and
    /// `truncate` are then ignored; needs `write` or `append`).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits of a newly created file (before the umask; Unix only).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().write(true).create(true).mode(0o600);
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra `open(2)` flags (Unix only).
    ///
    /// ```
    /// runtime::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW);
    /// ```
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options on the blocking pool.
    ///
    /// Not cancel-safe: if the future is dropped after the open started, the file may still be
    /// created (and is then closed).
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use runtime::fs::OpenOptions;
    ///
    /// # #[runtime::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let path = std::env::temp_dir().join(format!("runtime-doc-open-{}", std::process::id()));
    /// OpenOptions::new().write(true).create_new(true).open(&path).await?;
    /// let again = OpenOptions::new().write(true).create_new(true).open(&path).await;
    /// assert_eq!(again.unwrap_err().kind(), ErrorKind::AlreadyExists);
    /// # runtime::fs::remove_file(&path).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let options = self.0.clone();
        let std = asyncify(move || options.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}
