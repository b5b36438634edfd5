//! Retrying one request with backoff, within the invocation's remaining time.

use std::time::{Duration, SystemTime};

use plumbing::backoff::{Backoff, Spread};

use crate::caller_reference::caller_reference;
use crate::error::InvalidatorError;
use crate::invalidations::Invalidations;
use crate::path_set::{Budget, MAX_WILDCARDS_PER_REQUEST, fit_paths_within};
use crate::plan::Request;
use plumbing::time::{Clock, Pause};

/// How a CreateInvalidation request is retried: exponential backoff, jittered, within the invocation's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first delay's ceiling; each retry doubles it.
    pub first_delay: Duration,
    /// The highest ceiling the doubling reaches (default 20 s).
    pub max_delay: Duration,
    /// The longest one attempt may take (the SDK's operation timeout): a retry
    /// that could not end before the deadline is not started.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // In-progress invalidations take minutes to clear, so the delays grow
        // to tens of seconds; the rate limit clears within seconds.
        Self {
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (from 1): half the ceiling, plus
    /// up to the other half so that concurrent invocations spread out.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        Backoff { first: self.first_delay, cap: self.max_delay, spread: Spread::UpperHalf }.delay(retry, jitter)
    }
}

/// Sends `request` until it succeeds, fails for good, or time runs out.
/// After TooManyInvalidationsInProgress the request is made smaller first
/// (see [`shrink`]), so `request` ends as it was last sent.
pub async fn create_with_retries(
    api: &impl Invalidations,
    clock: &impl Clock,
    pause: &impl Pause,
    policy: &RetryPolicy,
    request: &mut Request,
    deadline: SystemTime,
) -> Result<String, InvalidatorError> {
    let started = clock.now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match api.create(&request.distribution, &request.caller_reference, &request.paths).await {
            Ok(id) => return Ok(id),
            Err(error) if error.is_retryable() => error,
            Err(error) => return Err(error),
        };
        let delay = policy.delay(attempts, pause.fraction());
        let now = clock.now();
        if now + delay + policy.attempt_timeout > deadline {
            return Err(InvalidatorError::GaveUp {
                distribution: request.distribution.clone(),
                attempts,
                elapsed: now.duration_since(started).unwrap_or_default(),
                last: Box::new(error),
            });
        }
        tracing::warn!(distribution = %request.distribution, attempts, ?delay, %error, "CreateInvalidation failed; retrying");
        if matches!(error, InvalidatorError::TooManyInProgress(_)) && shrink(request) {
            tracing::warn!(distribution = %request.distribution, paths = request.paths.len(), "request made smaller to fit beside the invalidations in progress");
        }
        pause.sleep(delay).await;
    }
}

/// Refits `request` to half its paths (and half its wildcards), collapsing
/// directories as `path_set` does: the same request would wait for every
/// other invalidation to finish (3,000 paths or 15 wildcards per distribution
/// in progress), a smaller one fits sooner. The new paths need a new
/// CallerReference, still derived from the content (the old reference stands
/// for the records behind it). False when it is a single path already.
fn shrink(request: &mut Request) -> bool {
    if request.paths.len() <= 1 {
        return false;
    }
    let wildcards = request.paths.iter().filter(|path| path.ends_with('*')).count();
    let budget = Budget {
        paths: request.paths.len() / 2,
        // With no wildcard in it, the request may still collapse into some.
        wildcards: if wildcards == 0 { MAX_WILDCARDS_PER_REQUEST } else { wildcards / 2 },
    };
    let paths = fit_paths_within(request.paths.iter().cloned(), usize::MAX, budget);
    request.caller_reference = caller_reference(&request.distribution, &paths, [request.caller_reference.as_str()]);
    request.paths = paths;
    true
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::{Duration, SystemTime};

    use super::{RetryPolicy, create_with_retries};
    use crate::error::InvalidatorError;
    use crate::invalidations::MemoryInvalidations;
    use crate::plan::Request;
    use plumbing::time::{Clock, ManualClock};

    fn request() -> Request {
        Request {
            distribution: "E1".into(),
            paths: vec!["/a".into()],
            caller_reference: "ref".into(),
            sources: BTreeSet::from([0]),
        }
    }

    fn start() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn delays_double_up_to_the_cap_with_jitter_on_the_upper_half() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 0.0), Duration::from_millis(250));
        assert_eq!(policy.delay(1, 1.0), Duration::from_millis(500));
        assert_eq!(policy.delay(3, 0.5), Duration::from_millis(1500));
        assert_eq!(policy.delay(40, 0.0), Duration::from_secs(10));
        assert_eq!(policy.delay(40, 1.0), Duration::from_secs(20));
    }

    #[tokio::test]
    async fn throttling_and_limits_are_retried_until_success() {
        let api = MemoryInvalidations::new();
        api.fail("E1", 2, || InvalidatorError::Throttled("Rate exceeded".into()));
        api.fail("E1", 1, || InvalidatorError::TooManyInProgress("busy".into()));
        let clock = ManualClock::starting_at(start()).with_fraction(1.0);
        let deadline = start() + Duration::from_secs(60);
        let id = create_with_retries(&api, &clock, &clock, &RetryPolicy::default(), &mut request(), deadline).await;
        assert!(id.is_ok(), "{id:?}");
        assert_eq!(api.calls().len(), 4);
        let sleeps = [500, 1000, 2000].map(Duration::from_millis);
        assert_eq!(clock.sleeps(), sleeps);
    }

    #[tokio::test]
    async fn retries_stop_when_another_attempt_could_not_finish_in_time() {
        let api = MemoryInvalidations::new();
        api.fail("E1", 100, || InvalidatorError::TooManyInProgress("busy".into()));
        let clock = ManualClock::starting_at(start()).with_fraction(1.0);
        let deadline = start() + Duration::from_secs(60);
        let policy = RetryPolicy::default();
        let result = create_with_retries(&api, &clock, &clock, &policy, &mut request(), deadline).await;
        let Err(InvalidatorError::GaveUp { attempts, last, .. }) = result else { panic!("{result:?}") };
        assert!(matches!(*last, InvalidatorError::TooManyInProgress(_)));
        // Sleeps of 0.5, 1, 2, 4, 8 and 16 s end at 31.5 s; the next (20 s) plus
        // an attempt (10 s) would pass 60 s.
        assert_eq!(attempts, 7);
        assert_eq!(clock.now(), start() + Duration::from_millis(31_500));
        assert!(clock.now() + policy.attempt_timeout <= deadline);
    }

    #[tokio::test]
    async fn too_many_in_progress_makes_the_request_smaller_until_it_fits() {
        let api = MemoryInvalidations::new();
        // Other invalidations in progress leave room for 5 paths.
        api.leave_room("E1", 5, 15);
        let mut request = request();
        request.paths = (0..4).flat_map(|d| (0..10).map(move |f| format!("/d{d}/f{f}.jpg"))).collect();
        let original = request.paths.clone();
        let clock = ManualClock::starting_at(start()).with_fraction(0.0);
        let deadline = start() + Duration::from_secs(60);
        let id = create_with_retries(&api, &clock, &clock, &RetryPolicy::default(), &mut request, deadline).await;
        assert!(id.is_ok(), "{id:?}");
        let calls = api.calls();
        assert!(calls.len() >= 2, "{calls:?}");
        assert_eq!(calls[0].paths.len(), 40);
        // Each attempt is smaller than the one before, under a reference of its own.
        assert!(calls.windows(2).all(|pair| pair[1].paths.len() < pair[0].paths.len()), "{calls:?}");
        let references: BTreeSet<&str> = calls.iter().map(|call| call.caller_reference.as_str()).collect();
        assert_eq!(references.len(), calls.len());
        let sent = &calls.last().unwrap().paths;
        assert!(sent.len() <= 5);
        assert_eq!(&request.paths, sent);
        let covers = |path: &String| {
            sent.iter().any(|p| p == path || p.strip_suffix('*').is_some_and(|pre| path.starts_with(pre)))
        };
        assert!(original.iter().all(covers), "{sent:?}");
    }

    #[tokio::test]
    async fn fifteen_wildcards_shrink_down_to_one() {
        let api = MemoryInvalidations::new();
        // Another invalidation holds 14 of the 15 wildcards.
        api.leave_room("E1", 3000, 1);
        let mut request = request();
        request.paths = (0..15).map(|d| format!("/d{d:02}/*")).collect();
        let clock = ManualClock::starting_at(start()).with_fraction(0.0);
        let deadline = start() + Duration::from_secs(60);
        let id = create_with_retries(&api, &clock, &clock, &RetryPolicy::default(), &mut request, deadline).await;
        assert!(id.is_ok(), "{id:?}");
        // The narrowest prefix that covers them all, not the whole distribution.
        assert_eq!(api.calls().last().unwrap().paths, ["/d*"]);
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let api = MemoryInvalidations::new();
        api.fail("E1", 1, || InvalidatorError::Refused { code: "NoSuchDistribution".into(), message: String::new() });
        let clock = ManualClock::starting_at(start()).with_fraction(0.0);
        let result = create_with_retries(
            &api,
            &clock,
            &clock,
            &RetryPolicy::default(),
            &mut request(),
            start() + Duration::from_secs(60),
        )
        .await;
        assert!(matches!(result, Err(InvalidatorError::Refused { .. })), "{result:?}");
        assert_eq!(api.calls().len(), 1);
        assert!(clock.sleeps().is_empty());
    }
}
