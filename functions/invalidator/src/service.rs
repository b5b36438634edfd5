//! The business logic: changed objects in, invalidations out. No Lambda types here.

use std::collections::BTreeSet;
use std::time::SystemTime;

use futures_util::future::join_all;

use crate::change::ObjectChange;
use crate::config::Config;
use crate::error::InvalidatorError;
use crate::invalidations::Invalidations;
use crate::plan::{Request, plan_requests};
use crate::retry::{RetryPolicy, create_with_retries};
use plumbing::time::{Clock, Pause};

/// The service: one request per distribution for an invocation's changes, each retried until the deadline, on the
/// injected CloudFront, clock and pause.
pub struct Invalidator<A, C, P> {
    api: A,
    clock: C,
    pause: P,
    config: Config,
    retry: RetryPolicy,
}

/// What became of one distribution's request.
#[derive(Debug)]
pub struct Outcome {
    /// The request as last sent (smaller after TooManyInvalidationsInProgress); its `sources` fail with it.
    pub request: Request,
    /// The invalidation's id.
    pub result: Result<String, InvalidatorError>,
}

impl<A: Invalidations, C: Clock, P: Pause> Invalidator<A, C, P> {
    /// A service sending through `api`, on `clock` and `pause`, under `config`, with the default retry policy.
    pub fn new(api: A, clock: C, pause: P, config: Config) -> Self {
        Self { api, clock, pause, config, retry: RetryPolicy::default() }
    }

    /// The same service retrying by `retry`; its attempt timeout should be the SDK client's operation timeout.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The CreateInvalidation adapter it sends through; tests read the fake's calls here.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// The clock the deadline is checked against; tests read a manual clock's sleeps here.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Invalidates what `changes` (tagged with the delivery they came in)
    /// changed: one request per distribution, retried until `deadline`.
    pub async fn invalidate<'a>(
        &self,
        changes: impl IntoIterator<Item = (usize, &'a ObjectChange)>,
        deadline: SystemTime,
    ) -> Vec<Outcome> {
        let changes: Vec<(usize, &ObjectChange)> = changes.into_iter().collect();
        let requests = plan_requests(&self.config, changes.iter().copied());
        // Concurrently: each distribution's retries get all the remaining time.
        let settled = join_all(requests.into_iter().map(|request| self.settle(request, &changes, deadline))).await;
        settled.into_iter().flatten().collect()
    }

    /// Sends one distribution's request. When CloudFront refuses what it holds
    /// for good and several deliveries are behind it, it is split in two by
    /// delivery, again and again, so that only the deliveries whose paths are
    /// refused fail and the others are still invalidated.
    async fn settle(&self, request: Request, changes: &[(usize, &ObjectChange)], deadline: SystemTime) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        // Depth first: at most one pending request per level of splitting.
        let mut pending = vec![request];
        while let Some(mut request) = pending.pop() {
            let result =
                create_with_retries(&self.api, &self.clock, &self.pause, &self.retry, &mut request, deadline).await;
            if let Err(error) = &result
                && error.refuses_content()
                && request.sources.len() > 1
                && self.clock.now() + self.retry.attempt_timeout <= deadline
            {
                tracing::warn!(
                    distribution = %request.distribution, deliveries = request.sources.len(), %error,
                    "CloudFront refused the request; splitting it to find the deliveries it refuses"
                );
                let halves = split_in_two(&request.sources);
                for half in halves.into_iter().rev() {
                    let sub = changes.iter().copied().filter(|(source, _)| half.contains(source));
                    pending.extend(
                        plan_requests(&self.config, sub)
                            .into_iter()
                            .filter(|sub| sub.distribution == request.distribution),
                    );
                }
                continue;
            }
            match &result {
                Ok(id) => tracing::info!(
                    distribution = %request.distribution, invalidation = %id, paths = request.paths.len(),
                    caller_reference = %request.caller_reference, "invalidation created"
                ),
                Err(error) => tracing::error!(
                    distribution = %request.distribution, paths = request.paths.len(), %error,
                    "invalidation not created; its changes will come back"
                ),
            }
            outcomes.push(Outcome { request, result });
        }
        outcomes
    }
}

fn split_in_two(sources: &BTreeSet<usize>) -> [BTreeSet<usize>; 2] {
    let mut first: BTreeSet<usize> = sources.clone();
    let second = first.split_off(&sources.iter().copied().nth(sources.len() / 2).expect("at least two sources"));
    [first, second]
}
