//! The process-wide part of signal handling: the self-pipe, the signal handler, the pending
//! flags and the per-signal broadcast state.
//!
//! The handler does only async-signal-safe work: it sets the signal's pending flag and writes one
//! byte to the write end of a non-blocking, close-on-exec Unix socket pair (saving and restoring
//! `errno` around the write). A full socket buffer is fine: a byte already waiting wakes the
//! reactor anyway. Whoever drains the read end (any `Signal` whose registration becomes
//! readable) swaps every pending flag back to `false` and, for each one that was set, bumps that
//! signal's generation and wakes every listener of it. The flag is set before the byte is written
//! and the bytes are read before the flags are swapped, so a signal is never left pending without
//! a byte (and a wake-up) behind it.
//!
//! The handler and the flags it touches are plain `std` atomics in statics: code running inside
//! a signal handler is outside anything loom could model, and statics need `const` constructors.
//! The waiter lists use `runtime_core::loom`'s mutex.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool as StdAtomicBool, AtomicI32, Ordering as StdOrdering};
use std::sync::OnceLock;
use std::task::Waker;

use runtime_core::loom::sync::atomic::{AtomicU64, Ordering};
use runtime_core::loom::sync::Mutex;

/// Signal numbers below this have a slot (covers the real-time signals of Linux and the BSDs).
pub(crate) const MAX_SIGNUM: usize = 128;

/// Signals whose handlers cannot be replaced or must not be (as in Tokio).
const FORBIDDEN: [libc::c_int; 5] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGKILL,
    libc::SIGSEGV,
    libc::SIGSTOP,
];

/// Set by the handler, cleared by the drainer.
static PENDING: [StdAtomicBool; MAX_SIGNUM] = [const { StdAtomicBool::new(false) }; MAX_SIGNUM];

/// The write end of the self-pipe, for the handler (`-1` until it exists).
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// The process-wide state, created on the first `signal()` call.
static GLOBALS: OnceLock<Globals> = OnceLock::new();

/// Serializes creating `GLOBALS` (so a failure can be reported) and installing handlers.
static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(crate) struct Globals {
    /// The read end; each `Signal` registers its own duplicate of it.
    read: UnixStream,
    /// Kept open for the life of the process: the handler may write to it at any time.
    _write: UnixStream,
    slots: Box<[Slot]>,
}

/// One signal number's broadcast state.
pub(crate) struct Slot {
    /// Bumped once per dispatched delivery (coalesced deliveries count once).
    generation: AtomicU64,
    /// Whether our handler is installed for this signal.
    installed: StdAtomicBool,
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    next_id: u64,
    list: Vec<(u64, Waker)>,
}

impl Globals {
    fn new() -> io::Result<Globals> {
        // `UnixStream::pair` creates both ends close-on-exec.
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        WRITE_FD.store(write.as_raw_fd(), StdOrdering::SeqCst);
        let slots = (0..MAX_SIGNUM)
            .map(|_| Slot {
                generation: AtomicU64::new(0),
                installed: StdAtomicBool::new(false),
                waiters: Mutex::new(Waiters::default()),
            })
            .collect();
        Ok(Globals {
            read,
            _write: write,
            slots,
        })
    }

    /// A new descriptor for the read end (close-on-exec, sharing its non-blocking mode).
    pub(crate) fn reader(&self) -> io::Result<UnixStream> {
        self.read.try_clone()
    }

    pub(crate) fn slot(&self, signum: libc::c_int) -> &Slot {
        &self.slots[signum as usize]
    }
}

impl Slot {
    /// The number of deliveries dispatched so far.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stores `waker` under `id` (a new id if `None`), replacing an older waker of that id.
    pub(crate) fn register(&self, id: &mut Option<u64>, waker: &Waker) {
        let mut waiters = self.waiters.lock();
        if let Some(id) = *id {
            if let Some((_, stored)) = waiters.list.iter_mut().find(|(key, _)| *key == id) {
                if !stored.will_wake(waker) {
                    stored.clone_from(waker);
                }
                return;
            }
            waiters.list.push((id, waker.clone()));
        } else {
            let new = waiters.next_id;
            waiters.next_id += 1;
            waiters.list.push((new, waker.clone()));
            *id = Some(new);
        }
    }

    /// Forgets the waker stored under `id`, if any.
    pub(crate) fn remove(&self, id: u64) {
        self.waiters.lock().list.retain(|(key, _)| *key != id);
    }

    /// Counts one delivery and wakes every listener.
    fn dispatch(&self) {
        // Bumped before the lock is taken: a listener that registered before we lock is woken,
        // one that registers after reads the new generation.
        self.generation.fetch_add(1, Ordering::SeqCst);
        let wakers = std::mem::take(&mut self.waiters.lock().list);
        for (_, waker) in wakers {
            waker.wake();
        }
    }
}

/// The process-wide state, created on first use.
pub(crate) fn globals() -> io::Result<&'static Globals> {
    if let Some(globals) = GLOBALS.get() {
        return Ok(globals);
    }
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(globals) = GLOBALS.get() {
        return Ok(globals);
    }
    let globals = Globals::new()?;
    Ok(GLOBALS.get_or_init(|| globals))
}

/// Checks `signum` and installs our handler for it if it is not yet installed.
pub(crate) fn install(globals: &Globals, signum: libc::c_int) -> io::Result<()> {
    if signum <= 0 || signum as usize >= MAX_SIGNUM || FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal {signum} cannot be listened for"),
        ));
    }
    let slot = globals.slot(signum);
    if slot.installed.load(StdOrdering::Acquire) {
        return Ok(());
    }
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if slot.installed.load(StdOrdering::Acquire) {
        return Ok(());
    }
    // SAFETY: `sigaction` is a plain C struct for which all-zero bytes are a valid value (no
    // handler, no flags, empty mask); every field we rely on is set below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `action.sa_mask` is a valid, writable `sigset_t`.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is fully initialized and `handler` only does async-signal-safe work
    // (atomic stores, `write(2)`, reading and restoring `errno`); a null old-action pointer is
    // allowed. The previous disposition is replaced for the life of the process.
    if unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    slot.installed.store(true, StdOrdering::Release);
    Ok(())
}

/// Reads every byte waiting in `reader`, then dispatches every pending signal.
///
/// `Ok` if bytes were read (the caller should look at the generations again), `WouldBlock` if
/// there were none (the caller waits for the reactor).
pub(crate) fn drain(globals: &Globals, mut reader: &UnixStream) -> io::Result<()> {
    let mut read_any = false;
    let mut buf = [0u8; 64];
    let result = loop {
        match reader.read(&mut buf) {
            // The write end is never closed, so this does not happen; treat it as drained.
            Ok(0) => break Ok(()),
            Ok(_) => read_any = true,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => break Ok(()),
            Err(error) => break Err(error),
        }
    };
    for (signum, pending) in PENDING.iter().enumerate() {
        if pending.swap(false, StdOrdering::SeqCst) {
            globals.slots[signum].dispatch();
        }
    }
    result?;
    if read_any {
        Ok(())
    } else {
        Err(io::ErrorKind::WouldBlock.into())
    }
}

/// The signal handler: marks the signal pending and wakes the reactor through the self-pipe.
extern "C" fn handler(signum: libc::c_int) {
    let saved = errno::get();
    if let Some(pending) = usize::try_from(signum).ok().and_then(|i| PENDING.get(i)) {
        pending.store(true, StdOrdering::SeqCst);
    }
    let fd = WRITE_FD.load(StdOrdering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `write(2)` is async-signal-safe; `fd` is the write end of the socket pair,
        // which stays open for the life of the process (owned by `GLOBALS`), and `byte` is a
        // valid one-byte buffer. A failure (buffer full) is fine: a byte is already waiting.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    errno::set(saved);
}

/// Saving and restoring `errno` in the handler, so the interrupted code sees its own value.
mod errno {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns the calling thread's `errno`; async-signal-safe.
        unsafe { libc::__errno_location() }
    }

    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns the calling thread's `errno`; async-signal-safe.
        unsafe { libc::__error() }
    }

    #[cfg(any(target_os = "netbsd", target_os = "openbsd"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns the calling thread's `errno`; async-signal-safe.
        unsafe { libc::__errno() }
    }

    pub(super) fn get() -> libc::c_int {
        // SAFETY: `location` points at this thread's `errno`, valid for reads.
        unsafe { *location() }
    }

    pub(super) fn set(value: libc::c_int) {
        // SAFETY: `location` points at this thread's `errno`, valid for writes.
        unsafe { *location() = value }
    }
}
