//! The local AWS for Rust tests.
//!
//! A [`session`] has a local AWS to itself, reset to empty and to the settings
//! it started with, so tests in one binary may run in any order and on any
//! number of threads. A test process starts `tests/local-aws/start` on a free
//! loopback port when a session finds no idle server, up to one server per
//! core (at most 4); the servers stop when the process exits, and their logs,
//! `$TMPDIR/local-aws-<pid>-<n>.log`, are removed then unless a server failed.
//! `LOCAL_AWS_ENDPOINT` (never `AWS_ENDPOINT_URL`) names one running server
//! to use instead, and sessions then take turns on it.
//!
//! ```no_run
//! # async fn demo() {
//! let aws = local_aws::session();
//! let config = aws.sdk_config().await;
//! let cloudfront = aws_sdk_cloudfront::Client::new(&config);
//! aws.fail_next(local_aws::Fault::error("cloudfront", "CreateInvalidation", "Throttling", 400));
//! # }
//! ```

mod admin;
mod pool;
mod server;

use std::sync::LazyLock;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub use admin::{Call, Fault};

/// One server per core, or only the one `LOCAL_AWS_ENDPOINT` names.
static SERVERS: LazyLock<pool::Pool> =
    LazyLock::new(|| pool::Pool::new(if server::reused_endpoint().is_some() { 1 } else { server::capacity() }));

/// Exclusive use of one local AWS for one test, until dropped.
pub struct Session {
    endpoint: &'static str,
}

/// Waits for a local AWS to be free, resets it and hands it over.
///
/// Panics if the server cannot be started: a test cannot go on without it.
pub fn session() -> Session {
    let start = || server::reused_endpoint().map_or_else(server::start, Ok);
    let endpoint = SERVERS.take(start).unwrap_or_else(|e| panic!("local AWS: {e}"));
    // Given back (by Drop) even if the reset below panics.
    let session = Session { endpoint };
    session.reset();
    session
}

impl Drop for Session {
    fn drop(&mut self) {
        SERVERS.give_back(self.endpoint);
    }
}

impl Session {
    /// `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL.
    pub fn endpoint(&self) -> &str {
        self.endpoint
    }

    /// SDK configuration for the local AWS: dummy credentials, us-east-1, and no
    /// SDK retries, so a test sees each injected fault itself. S3 clients also
    /// need `force_path_style(true)`.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "local-aws"))
            .retry_config(RetryConfig::disabled())
            .load()
            .await
    }

    /// Clears all AWS state, the faults and the call log, and restores the
    /// settings (invalidation time) the server started with: as at the session's start.
    pub fn reset(&self) {
        admin::post(self.endpoint, "reset", None).unwrap_or_else(|e| panic!("local AWS reset: {e}"));
    }

    /// Makes the next `fault.count` calls of one operation fail or wait.
    pub fn fail_next(&self, fault: Fault) {
        admin::post(self.endpoint, "faults", Some(serde_json::to_value(&fault).unwrap()))
            .unwrap_or_else(|e| panic!("arming {fault:?}: {e}"));
    }

    /// Disarms every fault not yet spent.
    pub fn disarm(&self) {
        admin::delete(self.endpoint, "faults").unwrap_or_else(|e| panic!("disarming faults: {e}"));
    }

    /// The operations called since the session began (or [`Self::clear_calls`]), in order.
    pub fn calls(&self) -> Vec<Call> {
        admin::get_calls(self.endpoint).unwrap_or_else(|e| panic!("reading the call log: {e}"))
    }

    pub fn clear_calls(&self) {
        admin::delete(self.endpoint, "calls").unwrap_or_else(|e| panic!("clearing the call log: {e}"));
    }

    /// How long new invalidations stay InProgress.
    pub fn set_invalidation_seconds(&self, seconds: f64) {
        let body = serde_json::json!({ "invalidation_seconds": seconds });
        admin::post(self.endpoint, "config", Some(body)).unwrap_or_else(|e| panic!("configuring: {e}"));
    }

    /// Holds every invalidation of `distribution_id` InProgress until
    /// [`Self::complete_invalidations`] releases it, however long that takes: the
    /// local AWS waits for an edge that follows the distribution (and now
    /// stays silent for up to an hour without being taken for stopped).
    pub fn hold_invalidations(&self, distribution_id: &str) {
        let config = serde_json::json!({ "edge_silence_seconds": 3600 });
        admin::post(self.endpoint, "config", Some(config)).unwrap_or_else(|e| panic!("configuring: {e}"));
        self.complete_invalidations(distribution_id, &[]);
    }

    /// Releases held invalidations: the edge reports them applied.
    pub fn complete_invalidations(&self, distribution_id: &str, ids: &[&str]) {
        let report = serde_json::json!({ "distribution_id": distribution_id, "applied": ids });
        admin::post(self.endpoint, "edge", Some(report)).unwrap_or_else(|e| panic!("reporting as an edge: {e}"));
    }
}
