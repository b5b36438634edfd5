//! Waiting, injected: the activation delay waited out within an invocation,
//! the deadline of a CloudFormation answer, the backoff between lost key-group
//! writes. Tests pass a sleeper that moves their fake clock instead.

use std::future::Future;
use std::time::Duration;

pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// A random duration from zero to `upto`: writers that lost to each other
    /// do not meet again on the next attempt.
    fn jitter(&self, upto: Duration) -> Duration;
}

/// Tokio's timer, and fastrand (as the invalidator's retries) for the jitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn jitter(&self, upto: Duration) -> Duration {
        let upto = u64::try_from(upto.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(..=upto))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_spreads_over_its_whole_bound() {
        let upto = Duration::from_millis(250);
        let draws: Vec<Duration> = (0..1000).map(|_| TokioSleeper.jitter(upto)).collect();
        assert!(draws.iter().all(|d| *d <= upto));
        // Uniform draws: all 1000 in one half happens with probability 2^-999.
        assert!(draws.iter().any(|d| *d < upto / 2), "never in the lower half");
        assert!(draws.iter().any(|d| *d > upto / 2), "never in the upper half");
        assert_eq!(TokioSleeper.jitter(Duration::ZERO), Duration::ZERO);
    }
}
