//! Helpers shared by the integration tests: the two runtimes they use, `Gate`, a
//! hand-written readiness source that a test opens from any thread, and `TempDir`.
#![allow(dead_code)] // each test binary uses its own subset

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use runtime::{Builder, Runtime};

/// A multi-thread runtime with 2 workers.
pub fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

/// A current-thread runtime.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

#[derive(Clone, Default)]
pub struct Gate(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Gate {
    pub fn open(&self) {
        self.0 .0.store(true, SeqCst);
        let waker = self.0 .1.lock().unwrap().take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let inner = self.0.clone();
        std::future::poll_fn(move |cx| {
            if inner.0.load(SeqCst) {
                return Poll::Ready(());
            }
            *inner.1.lock().unwrap() = Some(cx.waker().clone());
            if inner.0.load(SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// A directory under the system temp dir with a unique name, removed on drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    /// A fresh directory named after `tag`, the process and a counter.
    pub fn new(tag: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, SeqCst);
        let path =
            std::env::temp_dir().join(format!("runtime-test-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    /// The directory itself.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
