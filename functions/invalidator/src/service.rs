//! The business logic: changed objects in, invalidations out. No Lambda types here.

use std::time::SystemTime;

use futures_util::future::join_all;

use crate::change::ObjectChange;
use crate::clock::{Clock, Jitter};
use crate::config::Config;
use crate::error::InvalidatorError;
use crate::invalidations::Invalidations;
use crate::plan::{Request, plan_requests};
use crate::retry::{RetryPolicy, create_with_retries};

pub struct Invalidator<A, C, J> {
    api: A,
    clock: C,
    jitter: J,
    config: Config,
    retry: RetryPolicy,
}

/// What became of one distribution's request.
#[derive(Debug)]
pub struct Outcome {
    pub request: Request,
    /// The invalidation's id.
    pub result: Result<String, InvalidatorError>,
}

impl<A: Invalidations, C: Clock, J: Jitter> Invalidator<A, C, J> {
    pub fn new(api: A, clock: C, jitter: J, config: Config) -> Self {
        Self { api, clock, jitter, config, retry: RetryPolicy::default() }
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn api(&self) -> &A {
        &self.api
    }

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
        let requests = plan_requests(&self.config, changes);
        // Concurrently: each distribution's retries get all the remaining time.
        join_all(requests.into_iter().map(|request| async move {
            let result =
                create_with_retries(&self.api, &self.clock, &self.jitter, &self.retry, &request, deadline).await;
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
            Outcome { request, result }
        }))
        .await
    }
}
