//! Support for the expansions of `runtime::join!`, `runtime::try_join!` and `runtime::select!`
//! (re-exported from the facade as `runtime::__private`). Not a public API: names here may
//! change in any release.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::task::{Context, Poll};

pub use futures_util::future::{maybe_done, try_maybe_done, MaybeDone, TryMaybeDone};

/// `Pending` (after waking the task) when the task has spent its cooperative budget, so that
/// a `select!` whose branches are ready every time still yields to the scheduler. Spends
/// nothing.
#[inline]
pub fn poll_budget(cx: &mut Context<'_>) -> Poll<()> {
    if runtime_core::coop::has_budget_remaining() {
        Poll::Ready(())
    } else {
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

thread_local! {
    /// A per-thread xorshift state, seeded from std's random hasher keys.
    static RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    RandomState::new().hash_one(0x5E1EC7u64) | 1
}

/// A pseudo-random number in `0..n` (`n > 0`): where an unbiased `select!` starts polling.
#[inline]
pub fn select_start(n: usize) -> usize {
    RNG.with(|rng| {
        let mut x = rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rng.set(x);
        // Multiply-shift: maps the 64-bit value onto 0..n without a division.
        ((u128::from(x) * n as u128) >> 64) as usize
    })
}

/// The panic of a `select!` without an `else` branch whose branches are all disabled.
#[track_caller]
#[cold]
pub fn all_branches_disabled() -> ! {
    panic!("all branches of `select!` are disabled and there is no `else` branch")
}

#[cfg(test)]
mod tests {
    use super::select_start;

    #[test]
    fn select_start_covers_the_range() {
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let start = select_start(5);
            assert!(start < 5);
            seen[start] = true;
        }
        assert_eq!(seen, [true; 5]);
        assert_eq!(select_start(1), 0);
    }
}
