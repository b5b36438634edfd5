//! Epoch seconds as CloudFront reads them, and the clock they are taken from.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// Seconds since 1970-01-01T00:00:00Z, within CloudFront's range.
///
/// CloudFront parses `AWS:EpochTime` as a signed 32-bit number; a larger value
/// (milliseconds passed by mistake, typically) is a malformed policy there, so it
/// is refused here before anything is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch(u32);

impl Epoch {
    pub const MAX_SECONDS: u64 = i32::MAX as u64;

    pub fn from_secs(seconds: u64) -> Result<Self> {
        if seconds > Self::MAX_SECONDS {
            return Err(Error::TimeOutOfRange(format!(
                "{seconds} is past {} (2038-01-19T03:14:07Z), the largest epoch second CloudFront accepts; was it given in milliseconds?",
                Self::MAX_SECONDS
            )));
        }
        Ok(Self(seconds as u32))
    }

    pub fn from_system_time(at: SystemTime) -> Result<Self> {
        let since =
            at.duration_since(UNIX_EPOCH).map_err(|_| Error::TimeOutOfRange("the time is before 1970-01-01".into()))?;
        Self::from_secs(since.as_secs())
    }

    pub fn now(clock: &(impl Clock + ?Sized)) -> Result<Self> {
        Self::from_system_time(clock.now())
    }

    pub fn as_secs(self) -> u64 {
        u64::from(self.0)
    }

    /// This time moved `by` forward, refused if the result leaves CloudFront's range.
    pub fn plus(self, by: Duration) -> Result<Self> {
        Self::from_secs(self.as_secs().saturating_add(by.as_secs()))
    }

    /// The first whole multiple of `window` (in seconds since the epoch) at or
    /// after this time: itself when it already is one. A window of under one
    /// second rounds nothing. Refused if the result leaves CloudFront's range.
    pub fn round_up(self, window: Duration) -> Result<Self> {
        match window.as_secs() {
            0 | 1 => Ok(self),
            window => Self::from_secs(self.as_secs().div_ceil(window) * window),
        }
    }

    /// The last whole multiple of `window` at or before this time.
    pub fn round_down(self, window: Duration) -> Self {
        match window.as_secs() {
            0 | 1 => self,
            window => Self((self.as_secs() / window * window) as u32),
        }
    }
}

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where "now" comes from, so that logic taking durations stays testable.
pub trait Clock: Send + Sync {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_last_second_cloudfront_reads() {
        assert_eq!(Epoch::from_secs(2_147_483_647).unwrap().as_secs(), 2_147_483_647);
    }

    #[test]
    fn refuses_milliseconds_with_a_hint() {
        let err = Epoch::from_secs(1_767_225_600_000).unwrap_err();
        assert!(err.to_string().contains("milliseconds"), "{err}");
        assert!(
            matches!(Epoch::from_secs(2_147_483_648), Err(Error::TimeOutOfRange(m)) if m.starts_with("2147483648 is past 2147483647"))
        );
    }

    #[test]
    fn durations_are_taken_from_the_injected_clock() {
        struct At(SystemTime);
        impl Clock for At {
            fn now(&self) -> SystemTime {
                self.0
            }
        }
        let clock = At(UNIX_EPOCH + Duration::from_secs(1_000));
        let later = Epoch::now(&clock).unwrap().plus(Duration::from_secs(60)).unwrap();
        assert_eq!(later.as_secs(), 1_060);
        let past_2038 = Epoch::from_secs(Epoch::MAX_SECONDS).unwrap().plus(Duration::from_secs(1));
        assert!(matches!(past_2038, Err(Error::TimeOutOfRange(m)) if m.starts_with("2147483648 is past")));
    }

    #[test]
    fn rounding_moves_to_the_window_boundary_and_leaves_a_boundary_where_it_is() {
        let at = |s| Epoch::from_secs(s).unwrap();
        let five_minutes = Duration::from_secs(300);
        assert_eq!(at(1_200).round_up(five_minutes).unwrap(), at(1_200));
        assert_eq!(at(1_201).round_up(five_minutes).unwrap(), at(1_500));
        assert_eq!(at(1_499).round_up(five_minutes).unwrap(), at(1_500));
        assert_eq!(at(1_499).round_down(five_minutes), at(1_200));
        assert_eq!(at(1_500).round_down(five_minutes), at(1_500));
        for nothing in [Duration::ZERO, Duration::from_millis(900), Duration::from_secs(1)] {
            assert_eq!(at(1_201).round_up(nothing).unwrap(), at(1_201));
            assert_eq!(at(1_201).round_down(nothing), at(1_201));
        }
        let last = at(Epoch::MAX_SECONDS);
        assert!(matches!(last.round_up(five_minutes), Err(Error::TimeOutOfRange(_))));
        assert!(last.round_down(five_minutes) < last);
    }
}
