//! The one backoff of the functions that retry: exponential, capped, and
//! jittered so that invocations or writers that failed together do not try
//! again together.

use std::time::Duration;

/// Where in its ceiling a delay may fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// Anywhere from zero to the ceiling ("full jitter"): writers that lost
    /// a race to each other spread out the most.
    Full,
    /// The upper half: every wait is at least half the ceiling, for retries
    /// whose cause takes time to clear (a rate limit, a busy service).
    UpperHalf,
}

/// Delays doubling from `first` up to `cap`, spread by a fraction the caller draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling before the first retry.
    pub first: Duration,
    /// The highest ceiling.
    pub cap: Duration,
    /// Where in the ceiling a delay falls.
    pub spread: Spread,
}

impl Backoff {
    /// The ceiling before retry number `retry` (from 1).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let doublings = 2u32.saturating_pow(retry.saturating_sub(1));
        self.first.saturating_mul(doublings).min(self.cap)
    }

    /// The wait before retry number `retry` (from 1); `fraction` (from 0 to 1,
    /// drawn at random in production) picks where in the spread it falls.
    pub fn delay(&self, retry: u32, fraction: f64) -> Duration {
        let ceiling = self.ceiling(retry);
        let fraction = fraction.clamp(0.0, 1.0);
        match self.spread {
            Spread::Full => ceiling.mul_f64(fraction),
            Spread::UpperHalf => ceiling / 2 + (ceiling / 2).mul_f64(fraction),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn ceilings_double_from_the_first_up_to_the_cap() {
        let backoff = Backoff { first: 100 * MS, cap: 1000 * MS, spread: Spread::Full };
        let ceilings: Vec<Duration> = (1..=6).map(|retry| backoff.ceiling(retry)).collect();
        assert_eq!(ceilings, [100 * MS, 200 * MS, 400 * MS, 800 * MS, 1000 * MS, 1000 * MS]);
        assert_eq!(backoff.ceiling(u32::MAX), 1000 * MS);
        assert_eq!(backoff.ceiling(0), 100 * MS);
    }

    #[test]
    fn the_fraction_picks_a_point_of_the_spread() {
        let full = Backoff { first: 400 * MS, cap: 400 * MS, spread: Spread::Full };
        assert_eq!([full.delay(1, 0.0), full.delay(1, 0.5), full.delay(1, 1.0)], [Duration::ZERO, 200 * MS, 400 * MS]);
        let upper = Backoff { spread: Spread::UpperHalf, ..full };
        assert_eq!([upper.delay(1, 0.0), upper.delay(1, 0.5), upper.delay(1, 1.0)], [200 * MS, 300 * MS, 400 * MS]);
        assert_eq!(upper.delay(1, 7.0), 400 * MS, "a fraction out of range is clamped");
    }
}
