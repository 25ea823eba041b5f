//! `block_on`: drives one future to completion on the calling thread, parking it on a condvar
//! between polls (the `blocking_*` methods of the channels).
//!
//! The condvar and its flag come from the loom facade, so the models can block on a channel
//! too. (Shared by `oneshot` and `mpsc`; a candidate for a crate-wide module.)

use std::future::Future;
use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use runtime_core::loom::sync::{Condvar, Mutex};

/// The thread's wake-up flag.
struct Parker {
    woken: Mutex<bool>,
    condvar: Condvar,
}

impl Wake for Parker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        *self.woken.lock() = true;
        self.condvar.notify_one();
    }
}

/// Polls `future` on this thread until it is ready, sleeping until its waker is woken.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let parker = StdArc::new(Parker {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(parker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let mut woken = parker.woken.lock();
        while !*woken {
            woken = parker.condvar.wait(woken);
        }
        *woken = false;
    }
}
