//! The timer wheel under load, on the paused clock: 100 000 sleeping tasks with deadlines spread
//! over ten minutes (sub-millisecond parts, duplicates, and the wheel's level boundaries). Every
//! timer must fire at or after its deadline and less than 1 ms (one tick) after it, in deadline
//! order, and the wheel must be empty afterwards.

use std::time::Duration;

use runtime::time::{self, Instant};
use runtime::Handle;

const TIMERS: usize = 100_000;
/// Deadlines fall in `0..SPREAD` after the start.
const SPREAD: Duration = Duration::from_secs(600);
const TICK: Duration = Duration::from_millis(1);

/// A small deterministic xorshift64 generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// The deadlines, as offsets from the start: edge cases first, then random ones (mostly with
/// sub-millisecond parts, some whole milliseconds, some duplicates of earlier ones).
fn offsets() -> Vec<Duration> {
    let ms = Duration::from_millis;
    let ns = Duration::from_nanos;
    let mut out = vec![
        Duration::ZERO,
        ns(1),
        Duration::from_micros(1),
        Duration::from_micros(500),
        ns(999_999),
        ms(1),
        ms(1) + ns(1),
        ms(2),
        ms(63),
        ms(64),
        ms(65),
        ms(4_095),
        ms(4_096),
        ms(4_097),
        ms(262_143),
        ms(262_144),
        ms(262_145),
        SPREAD - ns(1),
        SPREAD,
    ];
    let spread_nanos = SPREAD.as_nanos() as u64;
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    while out.len() < TIMERS {
        let r = rng.next();
        let pick = r >> 8;
        let offset = match r % 16 {
            // A duplicate of an earlier deadline.
            0 | 1 => out[(pick % out.len() as u64) as usize],
            // A whole number of milliseconds.
            2 => ms(pick % (spread_nanos / 1_000_000)),
            _ => ns(pick % spread_nanos),
        };
        out.push(offset);
    }
    out
}

#[runtime::test(start_paused = true)]
async fn a_hundred_thousand_timers_fire_in_deadline_order_within_one_tick() {
    let offsets = offsets();
    assert_eq!(offsets.len(), TIMERS);
    let start = Instant::now();

    let handles: Vec<_> = offsets
        .iter()
        .map(|&offset| {
            runtime::spawn(async move {
                time::sleep_until(start + offset).await;
                Instant::now()
            })
        })
        .collect();
    // Queued after every timer task, so it runs once each of them has been polled once (and has
    // filed its timer), before the clock can move.
    let census = runtime::spawn(async { (Instant::now(), Handle::current().num_timers()) });

    let mut fired = Vec::with_capacity(TIMERS);
    for handle in handles {
        fired.push(handle.await.expect("a timer task failed"));
    }
    let (census_at, filed) = census.await.unwrap();
    let end = Instant::now();

    let mut problems = Vec::new();
    let early: Vec<_> = offsets
        .iter()
        .zip(&fired)
        .filter(|&(&offset, &at)| at < start + offset)
        .map(|(&offset, &at)| (offset, at.saturating_duration_since(start)))
        .collect();
    if !early.is_empty() {
        problems.push(format!(
            "{} timers fired before their deadline; first (deadline, fired at) after the start: {:?}",
            early.len(),
            &early[..early.len().min(5)]
        ));
    }
    let late: Vec<_> = offsets
        .iter()
        .zip(&fired)
        .filter(|&(&offset, &at)| at.saturating_duration_since(start + offset) >= TICK)
        .map(|(&offset, &at)| (offset, at.saturating_duration_since(start)))
        .collect();
    if !late.is_empty() {
        problems.push(format!(
            "{} timers fired 1 ms or more after their deadline; first (deadline, fired at): {:?}",
            late.len(),
            &late[..late.len().min(5)]
        ));
    }

    let mut order: Vec<usize> = (0..TIMERS).collect();
    order.sort_by_key(|&i| offsets[i]);
    let inversions: Vec<_> = order
        .windows(2)
        .filter(|w| fired[w[0]] > fired[w[1]])
        .map(|w| (offsets[w[0]], offsets[w[1]]))
        .collect();
    if !inversions.is_empty() {
        problems.push(format!(
            "{} pairs fired out of deadline order; first (earlier deadline, later deadline): {:?}",
            inversions.len(),
            &inversions[..inversions.len().min(5)]
        ));
    }

    if census_at != start {
        problems.push(format!(
            "the clock moved by {:?} before every timer task had been polled once",
            census_at - start
        ));
    }
    let expected_filed = offsets.iter().filter(|&&o| o > Duration::ZERO).count();
    if filed != expected_filed {
        problems.push(format!(
            "{filed} timers were filed after the first polls, expected {expected_filed} \
             (one per deadline in the future)"
        ));
    }
    let last = fired.iter().copied().max().unwrap();
    if end != last {
        problems.push(format!(
            "the clock ended {:?} after the start, the last timer fired at {:?}",
            end - start,
            last - start
        ));
    }
    let left = Handle::current().num_timers();
    if left != 0 {
        problems.push(format!("{left} timers are still filed after all fired"));
    }
    assert_eq!(fired.len(), TIMERS, "not every timer fired");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
