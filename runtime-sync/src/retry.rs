//! `retry` and `Backoff`: run a fallible async operation again after growing delays.
//!
//! `Backoff` is a plain description (base delay, cap, number of retries, jitter) whose
//! `delays()` yields the waits between attempts; `retry` runs the operation, sleeps on the
//! runtime's clock between attempts (so the paused clock drives it in tests) and returns the
//! first `Ok` or the last `Err`. Jitter draws from a small xorshift generator seeded per
//! `delays()` call from std's randomly keyed hasher, so no extra dependency is needed.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use runtime_core::time::sleep;

/// The default number of retries after the first attempt.
const DEFAULT_MAX_RETRIES: u32 = 3;

/// When to try again: exponential delays `base * 2^k` (k = 0 for the first retry), capped by
/// `max_delay`, for at most `max_retries` retries after the first attempt.
///
/// Defaults: 3 retries, no cap, no jitter. With `jitter(true)` each delay is drawn uniformly
/// from `[0, delay]` ("full jitter"), which spreads out clients that failed together.
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::Backoff;
///
/// let backoff = Backoff::exponential(Duration::from_millis(100))
///     .max_retries(5)
///     .max_delay(Duration::from_millis(500));
/// let delays: Vec<u64> = backoff.delays().map(|d| d.as_millis() as u64).collect();
/// assert_eq!(delays, [100, 200, 400, 500, 500]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    max_delay: Duration,
    max_retries: u32,
    jitter: bool,
}

impl Backoff {
    /// Delays of `base`, `2 * base`, `4 * base`, ...
    pub fn exponential(base: Duration) -> Backoff {
        Backoff {
            base,
            max_delay: Duration::MAX,
            max_retries: DEFAULT_MAX_RETRIES,
            jitter: false,
        }
    }

    /// At most `retries` retries after the first attempt (0: the operation runs once).
    pub fn max_retries(self, retries: u32) -> Backoff {
        Backoff {
            max_retries: retries,
            ..self
        }
    }

    /// No delay longer than `max_delay`.
    pub fn max_delay(self, max_delay: Duration) -> Backoff {
        Backoff { max_delay, ..self }
    }

    /// Whether to randomize each delay within `[0, delay]`.
    pub fn jitter(self, jitter: bool) -> Backoff {
        Backoff { jitter, ..self }
    }

    /// The delay before retry number `retry` (0-based), without jitter.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::sync::Backoff;
    ///
    /// let backoff = Backoff::exponential(Duration::from_secs(1));
    /// assert_eq!(backoff.delay(2), Duration::from_secs(4));
    /// ```
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(0);
        match factor {
            0 => self.max_delay,
            factor => self
                .base
                .checked_mul(factor)
                .map_or(self.max_delay, |delay| delay.min(self.max_delay)),
        }
    }

    /// The delays between attempts: `max_retries` of them, jittered if asked.
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let backoff = *self;
        let mut rng = Rng::seeded(backoff.jitter);
        (0..backoff.max_retries).map(move |retry| {
            let delay = backoff.delay(retry);
            match &mut rng {
                Some(rng) => rng.up_to(delay),
                None => delay,
            }
        })
    }
}

/// Runs `op` until it returns `Ok`, sleeping `backoff`'s delays between attempts; returns the
/// first `Ok`, or the last `Err` once the retries are used up.
///
/// Cancel-safe in the sense that dropping the future drops the attempt in flight and stops.
///
/// # Panics
/// When it has to sleep outside a runtime (it needs the runtime's timers).
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::{retry, Backoff};
/// use runtime::time::Instant;
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let start = Instant::now();
///     let mut attempts = 0;
///     let result: Result<&str, &str> = retry(Backoff::exponential(Duration::from_secs(1)), || {
///         attempts += 1;
///         let attempt = attempts;
///         async move { if attempt < 3 { Err("flaky") } else { Ok("done") } }
///     })
///     .await;
///     assert_eq!(result, Ok("done"));
///     assert_eq!(start.elapsed(), Duration::from_secs(3)); // 1 s + 2 s
/// }
/// ```
pub async fn retry<F, Fut, T, E>(backoff: Backoff, op: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    retry_if(backoff, op, |_| true).await
}

/// Like [`retry`], but an error for which `should_retry` returns `false` is returned at once.
///
/// ```
/// use std::io;
/// use std::time::Duration;
/// use runtime::sync::{retry_if, Backoff};
///
/// #[runtime::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let result: Result<(), io::Error> = retry_if(
///         Backoff::exponential(Duration::from_secs(1)),
///         || async { Err(io::ErrorKind::PermissionDenied.into()) },
///         |error: &io::Error| error.kind() == io::ErrorKind::TimedOut,
///     )
///     .await;
///     assert_eq!(result.unwrap_err().kind(), io::ErrorKind::PermissionDenied);
/// }
/// ```
pub async fn retry_if<F, Fut, T, E, P>(
    backoff: Backoff,
    mut op: F,
    mut should_retry: P,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    P: FnMut(&E) -> bool,
{
    let mut delays = backoff.delays();
    loop {
        let error = match op().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        match delays.next() {
            Some(delay) if should_retry(&error) => sleep(delay).await,
            _ => return Err(error),
        }
    }
}

/// A xorshift64* generator: plenty for spreading retry delays.
struct Rng(u64);

impl Rng {
    fn seeded(wanted: bool) -> Option<Rng> {
        wanted.then(|| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(0x9E37_79B9_7F4A_7C15);
            Rng(hasher.finish() | 1)
        })
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, limit]` (to the nanosecond, up to ~584 years).
    fn up_to(&mut self, limit: Duration) -> Duration {
        let limit = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX);
        let drawn = (u128::from(self.next()) * (u128::from(limit) + 1)) >> 64;
        Duration::from_nanos(drawn as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_saturate_at_the_cap() {
        let backoff = Backoff::exponential(Duration::from_secs(1)).max_retries(70);
        let delays: Vec<Duration> = backoff.delays().collect();
        assert_eq!(delays.len(), 70);
        assert_eq!(delays[3], Duration::from_secs(8));
        // 2^64 seconds overflows a Duration: saturates to the (absent) cap.
        assert_eq!(delays[69], Duration::MAX);
    }

    #[test]
    fn jittered_delays_stay_within_their_nominal_delay() {
        let backoff = Backoff::exponential(Duration::from_millis(10))
            .max_retries(20)
            .max_delay(Duration::from_secs(1))
            .jitter(true);
        let delays: Vec<Duration> = backoff.delays().collect();
        for (retry, delay) in delays.iter().enumerate() {
            assert!(*delay <= backoff.delay(retry as u32));
        }
        // Twenty draws that all equal their nominal delay would mean no jitter at all.
        assert!((0..20).any(|retry| delays[retry] != backoff.delay(retry as u32)));
    }

    #[test]
    fn zero_retries_means_one_attempt() {
        assert_eq!(
            Backoff::exponential(Duration::from_secs(1))
                .max_retries(0)
                .delays()
                .count(),
            0
        );
    }
}
