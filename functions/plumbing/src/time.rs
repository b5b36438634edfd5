//! Time, injected: where "now" comes from and how the functions wait. The
//! clock is the signing crate's [`Clock`], so that one notion of "now" reaches
//! from a signature's expiry to a rotation's grace period; waiting and the
//! jitter of a wait are [`Pause`]. Production passes [`SystemClock`] and
//! [`TokioPause`]; tests pass one `ManualClock` (feature `test-util`) as both,
//! so a wait moves the test's time instead of spending it.

use std::future::Future;
use std::time::Duration;

pub use cfsign::{Clock, SystemClock};

/// Waiting, and the random fraction that spreads a backoff's waits apart.
pub trait Pause: Send + Sync {
    /// Returns after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// A fraction from 0 to 1 saying where a backoff's delay falls in its
    /// spread, so that callers that failed together do not retry together.
    fn fraction(&self) -> f64;
}

impl<P: Pause + ?Sized> Pause for &P {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (**self).sleep(duration)
    }

    fn fraction(&self) -> f64 {
        (**self).fraction()
    }
}

/// Tokio's timer, and fastrand for the jitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioPause;

impl Pause for TokioPause {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn fraction(&self) -> f64 {
        fastrand::f64()
    }
}

#[cfg(any(test, feature = "test-util"))]
mod manual {
    use std::future::Future;
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::{Duration, SystemTime};

    use super::{Clock, Pause};

    /// A clock that moves only when told to, and a pause that moves it
    /// instead of waiting. Clones share one time, so the same clock can be
    /// handed to a function as its clock and as its pause.
    #[derive(Debug, Clone)]
    pub struct ManualClock(Arc<Mutex<State>>);

    #[derive(Debug)]
    struct State {
        now: SystemTime,
        fraction: f64,
        sleeps: Vec<Duration>,
    }

    impl ManualClock {
        /// A clock at `now` whose jitter is always 1 (every backoff waits its
        /// longest, so tests see the bound).
        pub fn starting_at(now: SystemTime) -> Self {
            Self(Arc::new(Mutex::new(State { now, fraction: 1.0, sleeps: Vec::new() })))
        }

        /// The same clock, drawing `fraction` as its jitter from now on.
        pub fn with_fraction(self, fraction: f64) -> Self {
            self.state().fraction = fraction;
            self
        }

        /// Moves the clock forward.
        pub fn advance(&self, by: Duration) {
            self.state().now += by;
        }

        /// Every sleep so far, in order.
        pub fn sleeps(&self) -> Vec<Duration> {
            self.state().sleeps.clone()
        }

        fn state(&self) -> std::sync::MutexGuard<'_, State> {
            // A test that panicked while holding the lock left a consistent state.
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> SystemTime {
            self.state().now
        }
    }

    impl Pause for ManualClock {
        fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
            let mut state = self.state();
            state.now += duration;
            state.sleeps.push(duration);
            std::future::ready(())
        }

        fn fraction(&self) -> f64 {
            self.state().fraction
        }
    }
}

#[cfg(any(test, feature = "test-util"))]
pub use manual::ManualClock;

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::backoff::{Backoff, Spread};

    #[tokio::test]
    async fn a_manual_pause_moves_the_clock_its_clones_read() {
        let clock = ManualClock::starting_at(UNIX_EPOCH);
        let pause = clock.clone().with_fraction(0.25);
        pause.sleep(Duration::from_secs(5)).await;
        // Through a reference, as functions that borrow their clock hold it.
        async fn borrowed(pause: impl Pause, duration: Duration) {
            pause.sleep(duration).await;
        }
        borrowed(&pause, Duration::from_secs(2)).await;
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(7));
        assert_eq!(clock.sleeps(), [Duration::from_secs(5), Duration::from_secs(2)]);
        assert_eq!(clock.fraction(), 0.25);
        clock.advance(Duration::from_secs(3));
        assert_eq!(pause.now(), UNIX_EPOCH + Duration::from_secs(10));
        assert_eq!(clock.sleeps().len(), 2, "advancing is not sleeping");
    }

    #[test]
    fn a_manual_clock_waits_its_longest_unless_told() {
        assert_eq!(ManualClock::starting_at(UNIX_EPOCH).fraction(), 1.0);
    }

    #[test]
    fn tokio_jitter_spreads_over_its_whole_bound() {
        let upto = Duration::from_millis(250);
        let backoff = Backoff { first: upto, cap: upto, spread: Spread::Full };
        let draws: Vec<Duration> = (0..1000).map(|_| backoff.delay(1, TokioPause.fraction())).collect();
        assert!(draws.iter().all(|d| *d <= upto));
        // Uniform draws: all 1000 in one half happens with probability 2^-999.
        assert!(draws.iter().any(|d| *d < upto / 2), "never in the lower half");
        assert!(draws.iter().any(|d| *d > upto / 2), "never in the upper half");
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_pause_waits_on_tokio_time() {
        let before = tokio::time::Instant::now();
        TokioPause.sleep(Duration::from_secs(30)).await;
        assert_eq!(before.elapsed(), Duration::from_secs(30));
    }
}
