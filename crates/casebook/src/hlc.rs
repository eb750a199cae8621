//! Hybrid logical clock: orders changes across stations whose clocks disagree by days.
//!
//! A timestamp packs wall-clock milliseconds (upper 48 bits) and a counter (lower 16 bits) into
//! one `i64`, so it stores as an SQLite integer and compares as one.

/// A hybrid logical clock reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc(i64);

const COUNTER_BITS: u32 = 16;

/// How far ahead of this PC a remote clock may be and still be followed: 30 days (station
/// clocks are often days off; years off is a wrong clock).
pub const MAX_AHEAD_MS: i64 = 30 * 24 * 3600 * 1000;
const COUNTER_MASK: i64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    /// From its packed form.
    pub fn from_packed(packed: i64) -> Self {
        Hlc(packed)
    }

    /// The packed form stored in the change log.
    pub fn packed(self) -> i64 {
        self.0
    }

    /// Wall-clock milliseconds part.
    pub fn wall_ms(self) -> i64 {
        self.0 >> COUNTER_BITS
    }

    /// The next reading after `self` for a local event at `now_ms`: never goes backwards, even
    /// when the PC clock is set back.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms() {
            Hlc(now_ms << COUNTER_BITS)
        } else if self.0 & COUNTER_MASK == COUNTER_MASK {
            // Counter exhausted within one millisecond: borrow the next millisecond.
            Hlc((self.wall_ms() + 1) << COUNTER_BITS)
        } else {
            Hlc(self.0 + 1)
        }
    }

    /// Merges a remote reading so that later local events order after it. A reading further
    /// ahead of `now_ms` than [`MAX_AHEAD_MS`] (a PC clock set years wrong) is not followed:
    /// it would make that PC's edits win every later comparison.
    pub fn observe(self, remote: Hlc, now_ms: i64) -> Hlc {
        if remote.wall_ms() > now_ms.saturating_add(MAX_AHEAD_MS) {
            return self;
        }
        self.max(remote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_strictly_increasing_even_when_the_clock_goes_back() {
        let mut clock = Hlc::default();
        let mut seen = Vec::new();
        for now in [1000, 1000, 999, 5, 1001, 1001] {
            clock = clock.tick(now);
            seen.push(clock);
        }
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(seen[4].wall_ms(), 1001);
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let full = Hlc::from_packed((7 << COUNTER_BITS) | COUNTER_MASK);
        let next = full.tick(7);
        assert!(next > full);
        assert_eq!(next.wall_ms(), 8);
    }

    #[test]
    fn observing_a_later_remote_moves_the_clock_forward() {
        let local = Hlc::default().tick(100);
        let remote = Hlc::default().tick(10_000_000);
        let merged = local.observe(remote, 9_000_000);
        assert!(merged.tick(100) > remote);
        let absurd = Hlc::default().tick(i64::MAX >> 17);
        assert_eq!(
            local.observe(absurd, 100),
            local,
            "a clock years ahead is not followed"
        );
    }
}
