//! Helpers shared by the integration tests: the two runtimes they use and `Gate`, a
//! hand-written readiness source that a test opens from any thread.
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
