//! Waiting, injected: the activation delay waited out within an invocation,
//! the deadline of a CloudFormation answer, the backoff between lost key-group
//! writes. Tests pass a sleeper that moves their fake clock instead.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::time::Duration;

pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// A random duration from zero to `upto`: writers that lost to each other
    /// do not meet again on the next attempt.
    fn jitter(&self, upto: Duration) -> Duration;
}

/// Tokio's timer, and the operating system's randomness for the jitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    fn jitter(&self, upto: Duration) -> Duration {
        // Each RandomState holds fresh random keys; hashing anything with them
        // gives a random number, enough to spread retries.
        let random = RandomState::new().hash_one(0u8);
        let upto = u64::try_from(upto.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(random % upto.saturating_add(1))
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
