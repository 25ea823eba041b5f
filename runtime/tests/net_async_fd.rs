//! `runtime::io::AsyncFd` around descriptors we make ourselves: a non-blocking std
//! `UnixStream` pair and a libc pipe. The readiness guard with `try_io`, `clear_ready` (the next
//! wait sleeps until new data) versus keeping the readiness (the next wait returns at once),
//! `_mut` guards, `async_io`, write readiness coming back when a full pipe is drained,
//! end-of-file, `into_inner` (deregistered, descriptor left open and usable), a descriptor the
//! poller refuses, and no waker kept after the `AsyncFd` is dropped.

use std::future::{poll_fn, Future};
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use runtime::io::{AsyncFd, Interest};
use runtime::Handle;

mod common;

fn on_both<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    common::current_thread().block_on(body());
    common::multi_thread().block_on(body());
}

/// Polls `fut` once with the current task's waker.
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// A waker that counts its wake-ups and forwards each to the task waiting in `woken`.
#[derive(Default)]
struct CountingWaker {
    wakes: AtomicUsize,
    forward: Mutex<Option<Waker>>,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, SeqCst);
        let forward = self.forward.lock().unwrap().take();
        if let Some(waker) = forward {
            waker.wake();
        }
    }
}

/// A non-blocking std stream pair: (the one to wrap, the blocking peer).
fn stream_pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    (a, b)
}

/// A non-blocking, close-on-exec pipe: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", io::Error::last_os_error());
    // SAFETY: pipe2 succeeded: both descriptors are open and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn fd_read(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for `buf.len()` bytes of writes; `fd` is open.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn fd_write(fd: &OwnedFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for `buf.len()` bytes of reads; `fd` is open.
    let n = unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Reads what `fd` has through readiness guards (waiting as needed).
async fn read_some(fd: &AsyncFd<UnixStream>, buf: &mut [u8]) -> usize {
    loop {
        let mut guard = fd.readable().await.unwrap();
        assert!(guard.ready().is_readable());
        match guard.try_io(|inner| inner.get_ref().read(buf)) {
            Ok(result) => return result.unwrap(),
            Err(_would_block) => continue,
        }
    }
}

#[test]
fn readable_guard_try_io_and_clear_ready() {
    on_both(|| async {
        let handle = Handle::current();
        let before = handle.num_io_sources();
        let (a, mut b) = stream_pair();
        let fd = AsyncFd::new(a).unwrap();
        assert_eq!(handle.num_io_sources(), before + 1);
        let mut buf = [0u8; 64];

        b.write_all(b"ping").unwrap();
        let n = read_some(&fd, &mut buf).await;
        assert_eq!(&buf[..n], b"ping");

        // Drained: an operation that would block, through the guard, clears the readiness
        // and says so; the next wait sleeps until new data.
        {
            let mut guard = fd.readable().await.unwrap();
            let result = guard.try_io(|inner| inner.get_ref().read(&mut buf));
            assert!(result.is_err(), "read of a drained socket: {result:?}");
            assert!(guard.ready().is_empty(), "try_io cleared the guard");
        }
        let mut readable = Box::pin(fd.readable());
        assert!(poll_once(&mut readable).await.is_pending());
        b.write_all(b"pong").unwrap();
        let mut guard = readable.await.unwrap();
        assert!(guard.ready().is_readable());
        let n = guard
            .try_io(|inner| inner.get_ref().read(&mut buf))
            .expect("data is there")
            .unwrap();
        assert_eq!(&buf[..n], b"pong");

        // Read to empty by hand, then `clear_ready`: the next wait sleeps.
        assert_eq!(
            guard.get_inner().read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        guard.clear_ready();
        assert!(guard.ready().is_empty());
        drop(guard);
        let mut readable = Box::pin(fd.readable());
        assert!(poll_once(&mut readable).await.is_pending());
        drop(readable);

        // Without clearing (dropping the guard, or `retain_ready`), the readiness stays: the
        // next wait returns at once even though nothing is left to read.
        b.write_all(b"x").unwrap();
        let n = read_some(&fd, &mut buf).await;
        assert_eq!(&buf[..n], b"x");
        let mut guard = fd.readable().await.unwrap();
        guard.retain_ready();
        drop(guard);
        let mut readable = Box::pin(fd.readable());
        match poll_once(&mut readable).await {
            Poll::Ready(Ok(mut guard)) => guard.clear_ready(),
            Poll::Ready(Err(e)) => panic!("readable: {e:?}"),
            Poll::Pending => panic!("a kept readiness must make the next wait return at once"),
        }
        drop(readable);

        // Writable at once: the send buffer is empty.
        let mut guard = fd.writable().await.unwrap();
        assert!(guard.ready().is_writable());
        let n = guard
            .try_io(|inner| inner.get_ref().write(b"to b"))
            .expect("buffer space")
            .unwrap();
        assert_eq!(n, 4);
        let mut got = [0u8; 4];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"to b");

        drop(fd);
        assert_eq!(handle.num_io_sources(), before);
    });
}

#[test]
fn mut_guards_and_async_io() {
    on_both(|| async {
        let (a, mut b) = stream_pair();
        let mut fd = AsyncFd::new(a).unwrap();
        let mut buf = [0u8; 16];

        b.write_all(b"mut").unwrap();
        let n = loop {
            let mut guard = fd.readable_mut().await.unwrap();
            match guard.try_io(|inner| inner.get_mut().read(&mut buf)) {
                Ok(result) => break result.unwrap(),
                Err(_would_block) => continue,
            }
        };
        assert_eq!(&buf[..n], b"mut");

        b.write_all(b"async io").unwrap();
        let n = fd
            .async_io(Interest::READABLE, |mut inner| inner.read(&mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"async io");

        // `async_io` waits through `WouldBlock` until data comes.
        let mut read = Box::pin(fd.async_io(Interest::READABLE, |mut inner| inner.read(&mut buf)));
        assert!(poll_once(&mut read).await.is_pending());
        b.write_all(b"later").unwrap();
        let n = read.await.unwrap();
        assert_eq!(&buf[..n], b"later");

        // try_io on AsyncFd itself: WouldBlock when nothing is there.
        let error = fd
            .try_io(Interest::READABLE, |mut inner| inner.read(&mut buf))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::WouldBlock, "{error:?}");

        let n = fd
            .async_io_mut(Interest::WRITABLE, |inner| inner.write(b"mutable"))
            .await
            .unwrap();
        assert_eq!(n, 7);
        let mut got = [0u8; 7];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"mutable");
    });
}

#[test]
fn pipe_write_readiness_returns_when_drained_and_eof() {
    on_both(|| async {
        let (r, w) = pipe();
        let reader = AsyncFd::with_interest(r, Interest::READABLE).unwrap();
        let writer = AsyncFd::with_interest(w, Interest::WRITABLE).unwrap();

        // Fill the pipe until a write would block (which clears write readiness).
        let chunk = [7u8; 4096];
        let mut written = 0;
        loop {
            let mut guard = writer.writable().await.unwrap();
            match guard.try_io(|inner| fd_write(inner.get_ref(), &chunk)) {
                Ok(result) => written += result.unwrap(),
                Err(_would_block) => break,
            }
        }
        assert!(written > 0);
        let mut writable = Box::pin(writer.writable());
        assert!(
            poll_once(&mut writable).await.is_pending(),
            "the pipe is full"
        );

        // Drain it: the writer is woken.
        let mut buf = vec![0u8; 64 * 1024];
        let mut drained = 0;
        while drained < written {
            let n = reader
                .async_io(Interest::READABLE, |inner| fd_read(inner, &mut buf))
                .await
                .unwrap();
            assert!(buf[..n].iter().all(|&b| b == 7));
            drained += n;
        }
        assert_eq!(drained, written);
        writable.await.unwrap().retain_ready();

        // One more message, then end-of-file when the write end closes.
        writer
            .async_io(Interest::WRITABLE, |inner| fd_write(inner, b"bye"))
            .await
            .unwrap();
        let n = reader
            .async_io(Interest::READABLE, |inner| fd_read(inner, &mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"bye");
        let mut read = Box::pin(reader.async_io(Interest::READABLE, |inner| {
            let mut byte = [0u8; 1];
            fd_read(inner, &mut byte)
        }));
        assert!(poll_once(&mut read).await.is_pending());
        drop(writer);
        assert_eq!(
            read.await.unwrap(),
            0,
            "end-of-file after the write end closed"
        );
    });
}

#[test]
fn into_inner_deregisters_and_leaves_the_descriptor_open() {
    let (a, mut b) = stream_pair();
    let raw = a.as_raw_fd();
    let a = common::current_thread().block_on(async move {
        let handle = Handle::current();
        let before = handle.num_io_sources();
        let fd = AsyncFd::new(a).unwrap();
        assert_eq!(fd.as_raw_fd(), raw);
        assert_eq!(handle.num_io_sources(), before + 1);
        b.write_all(b"before").unwrap();
        let mut buf = [0u8; 16];
        let n = read_some(&fd, &mut buf).await;
        assert_eq!(&buf[..n], b"before");
        let a = fd.into_inner();
        assert_eq!(handle.num_io_sources(), before);
        (a, b)
    });
    let (mut a, mut b) = a;
    assert_eq!(a.as_raw_fd(), raw);
    // Still open, still ours, usable in blocking mode.
    a.set_nonblocking(false).unwrap();
    b.write_all(b"after").unwrap();
    let mut buf = [0u8; 5];
    a.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"after");
    a.write_all(b"back").unwrap();
    let mut buf = [0u8; 4];
    b.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"back");
}

#[test]
fn a_descriptor_the_poller_refuses_is_an_error() {
    common::current_thread().block_on(async {
        let before = Handle::current().num_io_sources();
        // epoll refuses regular files (EPERM), as the docs of `AsyncFd::new` say.
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let error = AsyncFd::new(file).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::EPERM), "{error:?}");
        assert_eq!(Handle::current().num_io_sources(), before);
    });
}

#[test]
fn a_dropped_wait_leaves_no_waker_behind() {
    on_both(|| async {
        let (a, mut b) = stream_pair();
        let fd = AsyncFd::new(a).unwrap();
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        for round in 0..1000 {
            let mut readable = Box::pin(fd.readable());
            let poll = readable.as_mut().poll(&mut Context::from_waker(&waker));
            assert!(poll.is_pending(), "round {round}: nothing to read yet");
            drop(poll);
            if round == 0 {
                assert!(
                    Arc::strong_count(&counter) >= 3,
                    "a pending wait must leave its waker with the reactor"
                );
            }
            drop(readable);
            // Counter + our `waker`: the cancelled wait's clone is gone.
            assert_eq!(
                Arc::strong_count(&counter),
                2,
                "round {round}: a dropped `readable()` left its waker behind"
            );
        }
        drop(waker);
        assert_eq!(Arc::strong_count(&counter), 1);
        assert_eq!(counter.wakes.load(SeqCst), 0);

        // The source still works for a new waiter.
        b.write_all(b"still here").unwrap();
        let mut buf = [0u8; 16];
        let n = read_some(&fd, &mut buf).await;
        assert_eq!(&buf[..n], b"still here");
    });
}

#[test]
fn dropping_the_async_fd_releases_a_poll_read_ready_waker() {
    on_both(|| async {
        let (a, _b) = stream_pair();
        let fd = AsyncFd::new(a).unwrap();
        let counter = Arc::new(CountingWaker::default());
        {
            let waker = Waker::from(counter.clone());
            let poll = fd
                .poll_read_ready(&mut Context::from_waker(&waker))
                .map(|r| r.map(|_| ()));
            assert!(poll.is_pending());
        }
        assert!(
            Arc::strong_count(&counter) >= 2,
            "poll_read_ready leaves its waker with the reactor"
        );
        drop(fd);
        assert_eq!(
            Arc::strong_count(&counter),
            1,
            "the waker outlived the AsyncFd"
        );
        assert_eq!(counter.wakes.load(SeqCst), 0);
    });
}

/// Runs `inner`, opening `gate` the first time it returns `Pending`.
async fn open_on_pending<F: Future>(inner: F, gate: common::Gate) -> F::Output {
    let mut inner = pin!(inner);
    let mut gate = Some(gate);
    poll_fn(|cx| {
        let poll = inner.as_mut().poll(cx);
        if poll.is_pending() {
            if let Some(gate) = gate.take() {
                gate.open();
            }
        }
        poll
    })
    .await
}

#[test]
fn several_tasks_wait_on_one_source() {
    on_both(|| async {
        let (a, mut b) = stream_pair();
        let fd = Arc::new(AsyncFd::new(a).unwrap());
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let parked = common::Gate::default();
            let fd = fd.clone();
            tasks.push(runtime::spawn(open_on_pending(
                async move {
                    let guard = fd.readable().await.unwrap();
                    guard.ready().is_readable()
                },
                parked.clone(),
            )));
            parked.wait().await;
        }
        // All four are parked in `readable()`; one edge wakes them all.
        b.write_all(b"!").unwrap();
        for task in tasks {
            assert!(task.await.unwrap());
        }
    });
}
