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

/// The label of the version signers use.
pub const AWSCURRENT: &str = "AWSCURRENT";
/// The label of the version a rotation is creating, until finishSecret makes it current.
pub const AWSPENDING: &str = "AWSPENDING";
/// The label Secrets Manager gives the version AWSCURRENT left.
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";
/// The label of the version holding a rotation's new private key before its
/// public key exists. Not AWSPENDING: that stays on the version RotateSecret
/// opened, which createSecret may fill only while it holds AWSPENDING.
pub const DRAFT: &str = "KEYROTATOR_DRAFT";

/// The Secrets Manager operations the rotator uses: the AWS SDK adapter, or an in-memory fake in tests.
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

    /// TagResource: sets the secret's tag `key` to `value`, replacing any earlier value.
    fn tag(&self, secret_id: &str, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;

    /// UntagResource: removes the secret's tags `keys`.
    fn untag(&self, secret_id: &str, keys: &[String]) -> impl Future<Output = Result<()>> + Send;
}

/// One PutSecretValue: a new version, its value and its labels.
pub struct Put<'a> {
    /// The secret written to, by name or ARN (`KEY_SECRET_ID`).
    pub secret_id: &'a str,
    /// Id of the new version, sent as its ClientRequestToken: the rotation's token or its draft version.
    pub version_id: &'a str,
    /// The SecretString: a complete signing key, or a draft.
    pub value: &'a str,
    /// The labels the version gets: AWSPENDING, or the draft label.
    pub stages: &'a [&'a str],
    /// Passed through from the rotation event, so Secrets Manager can tell the write is its rotation's.
    pub rotation_token: Option<&'a str>,
}

/// What DescribeSecret tells: which version holds which labels, and the tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretState {
    /// Each labelled version's id, with its labels.
    pub versions: BTreeMap<String, Vec<String>>,
    /// The secret's tags by key, among them the rotator's `cfsign:` time records.
    pub tags: BTreeMap<String, String>,
}

impl SecretState {
    /// The version holding `stage`.
    pub fn labelled(&self, stage: &str) -> Option<&str> {
        self.versions.iter().find(|(_, stages)| stages.iter().any(|s| s == stage)).map(|(id, _)| id.as_str())
    }

    /// Whether `version` holds the label `stage`.
    pub fn has(&self, version: &str, stage: &str) -> bool {
        self.versions.get(version).is_some_and(|stages| stages.iter().any(|s| s == stage))
    }

    /// An epoch-seconds tag.
    pub fn time_tag(&self, key: &str) -> Option<u64> {
        self.tags.get(key).and_then(|v| v.parse().ok())
    }
}
