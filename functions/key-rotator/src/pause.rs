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
    fn jitter_stays_within_its_bound() {
        for _ in 0..1000 {
            assert!(TokioSleeper.jitter(Duration::from_millis(250)) <= Duration::from_millis(250));
        }
        assert_eq!(TokioSleeper.jitter(Duration::ZERO), Duration::ZERO);
    }
}
