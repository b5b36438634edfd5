//! The local AWS for Rust tests.
//!
//! The first [`session`] in a test process starts `tests/local-aws/start` on a
//! free loopback port (or uses the one named by `LOCAL_AWS_ENDPOINT`, never
//! `AWS_ENDPOINT_URL`), and the server stops when the process exits; its log,
//! `$TMPDIR/local-aws-<pid>.log`, is removed then unless the server failed. Each session has the local AWS to
//! itself, reset to empty and to the settings it started with, so tests in
//! one binary may run in any order and on any number of threads.
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
mod server;

use std::sync::{Mutex, MutexGuard};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub use admin::{Call, Fault};

/// Exclusive use of the local AWS for one test.
pub struct Session {
    endpoint: &'static str,
    _exclusive: MutexGuard<'static, ()>,
}

/// Waits for the local AWS to be free, resets it and hands it over.
///
/// Panics if the server cannot be started: a test cannot go on without it.
pub fn session() -> Session {
    static EXCLUSIVE: Mutex<()> = Mutex::new(());
    // A test that panicked while holding the lock left nothing to repair: the
    // next session resets everything anyway.
    let guard = EXCLUSIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let endpoint = server::endpoint().unwrap_or_else(|e| panic!("local AWS: {e}"));
    admin::post(endpoint, "reset", None).unwrap_or_else(|e| panic!("local AWS reset: {e}"));
    Session { endpoint, _exclusive: guard }
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
}
