//! The Secrets Manager operations the rotator needs, as a trait: the AWS SDK
//! adapter and an in-memory fake side by side (the fake behind the `test-util` feature).

mod aws;
#[cfg(any(test, feature = "test-util"))]
mod memory;

use std::collections::BTreeMap;
use std::future::Future;

use zeroize::Zeroizing;

pub use aws::SecretsManager;
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemorySecrets;

use crate::error::Result;

pub const AWSCURRENT: &str = "AWSCURRENT";
pub const AWSPENDING: &str = "AWSPENDING";
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";
/// The label of the version holding a rotation's new private key before its
/// public key exists. Not AWSPENDING: that stays on the version RotateSecret
/// opened, which createSecret may fill only while it holds AWSPENDING.
pub const DRAFT: &str = "KEYROTATOR_DRAFT";

pub trait Secrets: Send + Sync {
    /// The labelled versions and the tags (DescribeSecret).
    fn describe(&self, secret_id: &str) -> impl Future<Output = Result<SecretState>> + Send;

    /// A version's SecretString, or None when the version does not exist or holds no value yet.
    fn value(
        &self,
        secret_id: &str,
        version_id: &str,
    ) -> impl Future<Output = Result<Option<Zeroizing<String>>>> + Send;

    /// PutSecretValue with `version_id` as the ClientRequestToken. The same
    /// value again is a success; another value fails (ResourceExistsException).
    fn put(&self, put: Put<'_>) -> impl Future<Output = Result<()>> + Send;

    /// UpdateSecretVersionStage: moves `stage` to `to` (or removes it when None) from `from`.
    fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn tag(&self, secret_id: &str, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;

    fn untag(&self, secret_id: &str, keys: &[String]) -> impl Future<Output = Result<()>> + Send;
}

pub struct Put<'a> {
    pub secret_id: &'a str,
    pub version_id: &'a str,
    pub value: &'a str,
    pub stages: &'a [&'a str],
    /// Passed through from the rotation event, so Secrets Manager can tell the write is its rotation's.
    pub rotation_token: Option<&'a str>,
}

/// What DescribeSecret tells: which version holds which labels, and the tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretState {
    pub versions: BTreeMap<String, Vec<String>>,
    pub tags: BTreeMap<String, String>,
}

impl SecretState {
    /// The version holding `stage`.
    pub fn labelled(&self, stage: &str) -> Option<&str> {
        self.versions.iter().find(|(_, stages)| stages.iter().any(|s| s == stage)).map(|(id, _)| id.as_str())
    }

    pub fn has(&self, version: &str, stage: &str) -> bool {
        self.versions.get(version).is_some_and(|stages| stages.iter().any(|s| s == stage))
    }

    /// An epoch-seconds tag.
    pub fn time_tag(&self, key: &str) -> Option<u64> {
        self.tags.get(key).and_then(|v| v.parse().ok())
    }
}
