//! `HyperTimer` and `HyperSleep`: hyper's `Timer` and `Sleep` traits on the runtime's timer
//! wheel and clock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant as StdInstant};

use runtime_core::time::{self, Instant};

/// hyper's timer: sleeps are the runtime's [`time::Sleep`], and `now` reads the runtime's clock,
/// so hyper's header-read and keep-alive timeouts follow `time::pause`/`advance` in tests.
///
/// Its methods must be called inside a runtime (hyper calls them from its connection futures).
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperTimer;

impl HyperTimer {
    /// The timer; it holds no state (each sleep finds the runtime it runs on).
    pub fn new() -> HyperTimer {
        HyperTimer
    }
}

impl ::hyper::rt::Timer for HyperTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: StdInstant) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: time::sleep_until(Instant::from_std(deadline)),
        })
    }

    fn now(&self) -> StdInstant {
        Instant::now().into_std()
    }

    /// Moves the deadline of one of our sleeps in place (no new allocation); a sleep made by
    /// another timer is replaced.
    fn reset(&self, sleep: &mut Pin<Box<dyn ::hyper::rt::Sleep>>, new_deadline: StdInstant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

pin_project_lite::pin_project! {
    /// The sleep future [`HyperTimer`] gives hyper: a [`time::Sleep`] behind hyper's trait.
    #[derive(Debug)]
    pub struct HyperSleep {
        #[pin]
        inner: time::Sleep,
    }
}

impl HyperSleep {
    /// Moves the deadline to `deadline`, on the runtime's clock.
    pub fn reset(self: Pin<&mut Self>, deadline: StdInstant) {
        self.project().inner.reset(Instant::from_std(deadline));
    }
}

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl ::hyper::rt::Sleep for HyperSleep {}
