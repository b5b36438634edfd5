//! Waiting, injected: the activation delay waited out within an invocation,
//! the deadline of a CloudFormation answer, the backoff between lost key-group
//! writes. Tests pass a sleeper that moves their fake clock instead.

use std::future::Future;
use std::time::Duration;

pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// A random fraction from 0 to 1, where a backoff's delay falls in its
    /// spread: writers that lost to each other do not meet again on the next attempt.
    fn fraction(&self) -> f64;
}

/// Tokio's timer, and fastrand (as the invalidator's retries) for the jitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn fraction(&self) -> f64 {
        fastrand::f64()
    }
}

#[cfg(test)]
mod tests {
    use plumbing::backoff::{Backoff, Spread};

    use super::*;

    #[test]
    fn jitter_spreads_over_its_whole_bound() {
        let upto = Duration::from_millis(250);
        let backoff = Backoff { first: upto, cap: upto, spread: Spread::Full };
        let draws: Vec<Duration> = (0..1000).map(|_| backoff.delay(1, TokioSleeper.fraction())).collect();
        assert!(draws.iter().all(|d| *d <= upto));
        // Uniform draws: all 1000 in one half happens with probability 2^-999.
        assert!(draws.iter().any(|d| *d < upto / 2), "never in the lower half");
        assert!(draws.iter().any(|d| *d > upto / 2), "never in the upper half");
        let none = Backoff { first: Duration::ZERO, ..backoff };
        assert_eq!(none.delay(1, TokioSleeper.fraction()), Duration::ZERO);
    }
}
