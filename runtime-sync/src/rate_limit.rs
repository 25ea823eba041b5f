//! `RateLimiter`: a token bucket that lets `rate` acquisitions through `per` period, in FIFO
//! order.
//!
//! The bucket starts full (a burst of `rate`) and refills continuously. Its level is kept in
//! integer units where one token is `per` in nanoseconds and the bucket gains `rate` units per
//! nanosecond, so refilling and "when is the next token due" are exact integer arithmetic: on
//! the paused clock, acquisitions land exactly on their instants.
//!
//! Waiters queue in a `WaitList`. Only the front waiter arms a timer (a `Sleep` inside its
//! `Acquire` future, no allocation), for the instant its token is due; when it gets the token,
//! or is cancelled, it wakes the next waiter, which arms its own timer. The clock is the
//! runtime's (`runtime::time::Instant`), so the paused clock drives the limiter.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use runtime_core::loom::sync::Mutex;
use runtime_core::time::{sleep_until, Instant, Sleep};

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// A token bucket rate limiter: at most `rate` acquisitions per `per`, with bursts of up to
/// `rate` after a quiet period.
///
/// Share it by reference or in an `Arc`. Waiting acquisitions are served first come, first
/// served: while one waits, `try_acquire` fails and a new `acquire` queues behind it.
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::RateLimiter;
/// use runtime::time::Instant;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let limiter = RateLimiter::new(2, Duration::from_secs(1));
///     let start = Instant::now();
///     for _ in 0..4 {
///         limiter.acquire().await;
///     }
///     // Two at once (the initial burst), then one every half second.
///     assert_eq!(start.elapsed(), Duration::from_secs(1));
/// }
/// ```
pub struct RateLimiter {
    rate: u32,
    per: Duration,
    state: Mutex<Bucket>,
}

/// The bucket, under the limiter's lock.
struct Bucket {
    /// Tokens held, in units of `1 / per_nanos` token.
    level: u128,
    /// When `level` was last brought up to date.
    updated: Instant,
    waiters: WaitList<()>,
}

impl RateLimiter {
    /// A limiter of `rate` acquisitions per `per`, starting full.
    ///
    /// # Panics
    /// If `rate` is 0 or `per` is zero; [`RateLimiter::try_new`] returns an error instead.
    #[track_caller]
    pub fn new(rate: u32, per: Duration) -> RateLimiter {
        match RateLimiter::try_new(rate, per) {
            Ok(limiter) => limiter,
            Err(error) => panic!("{error}"),
        }
    }

    /// Like [`RateLimiter::new`], but a zero `rate` or `per` is an `InvalidInput` error.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::sync::RateLimiter;
    ///
    /// let error = RateLimiter::try_new(0, Duration::from_secs(1)).unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn try_new(rate: u32, per: Duration) -> io::Result<RateLimiter> {
        if rate == 0 || per.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a rate limiter needs a rate and a period above zero",
            ));
        }
        Ok(RateLimiter {
            rate,
            per,
            state: Mutex::new(Bucket {
                // Full: a burst of `rate` tokens, each worth `per` in nanoseconds.
                level: per.as_nanos() * u128::from(rate),
                updated: Instant::now(),
                waiters: WaitList::new(),
            }),
        })
    }

    /// Acquisitions allowed per period (and the largest burst).
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }

    /// Waits for a token and takes it.
    ///
    /// Cancel-safe: a cancelled `acquire` takes no token and gives its place to the next waiter.
    ///
    /// # Panics
    /// When it has to wait outside a runtime (it needs the runtime's timers).
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            limiter: self,
            waiter: None,
            timer: Timer::Idle,
        }
    }

    /// Takes a token if one is available and nobody is waiting; never waits.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::sync::RateLimiter;
    ///
    /// let limiter = RateLimiter::new(1, Duration::from_secs(60));
    /// assert!(limiter.try_acquire());
    /// assert!(!limiter.try_acquire());
    /// ```
    pub fn try_acquire(&self) -> bool {
        let mut bucket = self.state.lock();
        bucket.waiters.is_empty() && self.take(&mut bucket, Instant::now())
    }

    /// One token, in bucket units.
    fn token(&self) -> u128 {
        self.per.as_nanos()
    }

    fn capacity(&self) -> u128 {
        self.token() * u128::from(self.rate)
    }

    /// Brings the bucket up to `now` and takes a token if there is one.
    fn take(&self, bucket: &mut Bucket, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(bucket.updated).as_nanos();
        bucket.level = (bucket.level + elapsed * u128::from(self.rate)).min(self.capacity());
        bucket.updated = bucket.updated.max(now);
        match bucket.level.checked_sub(self.token()) {
            Some(level) => {
                bucket.level = level;
                true
            }
            None => false,
        }
    }

    /// When the next token is due (after a failed `take` at `bucket.updated`).
    fn next_token_at(&self, bucket: &Bucket) -> Instant {
        let missing = self.token() - bucket.level;
        let nanos = missing.div_ceil(u128::from(self.rate));
        let wait = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        bucket.updated.checked_add(wait).unwrap_or(bucket.updated)
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bucket = self.state.lock();
        f.debug_struct("RateLimiter")
            .field("rate", &self.rate)
            .field("per", &self.per)
            .field("tokens", &(bucket.level / self.token()))
            .field("waiters", &bucket.waiters.len())
            .finish()
    }
}

pin_project! {
    /// The future of [`RateLimiter::acquire`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Acquire<'a> {
        limiter: &'a RateLimiter,
        waiter: Option<WaiterId>,
        #[pin]
        timer: Timer,
    }

    impl PinnedDrop for Acquire<'_> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(id) = this.waiter.take() {
                let mut wakers = WakeBatch::new();
                let mut bucket = this.limiter.state.lock();
                let was_front = bucket.waiters.front() == Some(id);
                bucket.waiters.remove(id);
                if was_front {
                    wake_front(&mut bucket, &mut wakers);
                }
            }
        }
    }
}

pin_project! {
    /// The front waiter's timer, armed only while it waits for a token.
    #[project = TimerProj]
    enum Timer {
        Idle,
        Armed { #[pin] sleep: Sleep },
    }
}

/// Wakes the waiter now at the front, so it arms its timer.
fn wake_front(bucket: &mut Bucket, wakers: &mut WakeBatch) {
    if let Some(front) = bucket.waiters.front() {
        wakers.push(bucket.waiters.take_waker(front));
    }
}

impl Future for Acquire<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let limiter = *this.limiter;
        let mut wakers = WakeBatch::new();
        let mut bucket = limiter.state.lock();
        let id = match *this.waiter {
            None if bucket.waiters.is_empty() && limiter.take(&mut bucket, Instant::now()) => {
                return Poll::Ready(());
            }
            None => *this.waiter.insert(bucket.waiters.push_back((), cx.waker())),
            Some(id) => {
                bucket.waiters.set_waker(id, cx.waker());
                id
            }
        };
        if bucket.waiters.front() != Some(id) {
            return Poll::Pending;
        }
        loop {
            if limiter.take(&mut bucket, Instant::now()) {
                bucket.waiters.remove(id);
                *this.waiter = None;
                wake_front(&mut bucket, &mut wakers);
                return Poll::Ready(());
            }
            let due = limiter.next_token_at(&bucket);
            match this.timer.as_mut().project() {
                TimerProj::Idle => this.timer.set(Timer::Armed {
                    sleep: sleep_until(due),
                }),
                TimerProj::Armed { mut sleep } => {
                    if sleep.deadline() != due {
                        sleep.as_mut().reset(due);
                    }
                    if sleep.poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
            }
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.waiter.is_some())
            .finish()
    }
}
