//! The CloudFront key-group and public-key operations the rotator needs, as a
//! trait: the AWS SDK adapter and an in-memory fake side by side (the fake behind the `test-util` feature).

mod aws;
#[cfg(any(test, feature = "test-util"))]
mod memory;

use std::future::Future;

pub use aws::CloudFront;
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemoryCloudFront;

use crate::error::Result;

/// CloudFront's limit on the public keys in one key group.
pub const MAX_KEYS_PER_GROUP: usize = 5;

pub trait KeyGroups: Send + Sync {
    /// The id of the key group named `name`, if there is one (ListKeyGroups, every page).
    fn find_key_group(&self, name: &str) -> impl Future<Output = Result<Option<String>>> + Send;

    /// None when there is no such group (NoSuchResource).
    fn key_group(&self, id: &str) -> impl Future<Output = Result<Option<KeyGroup>>> + Send;

    /// UpdateKeyGroup with the whole config of `group`, IfMatch its ETag.
    fn update_key_group(&self, group: &KeyGroup) -> impl Future<Output = Result<Updated>> + Send;

    /// None when a group with this name exists already.
    fn create_key_group(
        &self,
        name: &str,
        items: &[String],
        comment: &str,
    ) -> impl Future<Output = Result<Option<KeyGroup>>> + Send;

    fn delete_key_group(&self, id: &str, etag: &str) -> impl Future<Output = Result<Updated>> + Send;

    /// None when a public key with this CallerReference or name exists already.
    fn create_public_key(&self, spec: &PublicKeySpec) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Every public key of the account (ListPublicKeys, every page).
    fn public_keys(&self) -> impl Future<Output = Result<Vec<PublicKeySummary>>> + Send;

    /// A public key's encoded key and ETag; None when there is no such key.
    fn public_key(&self, id: &str) -> impl Future<Output = Result<Option<PublicKeyDetail>>> + Send;

    /// DeletePublicKey IfMatch `etag`. Fails while the key is in a group (PublicKeyInUse).
    fn delete_public_key(&self, id: &str, etag: &str) -> impl Future<Output = Result<Updated>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroup {
    pub id: String,
    pub name: String,
    pub comment: Option<String>,
    pub items: Vec<String>,
    pub etag: String,
}

/// The answer to a conditional write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Updated {
    /// Done; the new ETag (empty after a delete).
    Done(String),
    /// PreconditionFailed: someone changed it since it was read.
    Stale,
    /// The thing is gone (NoSuchResource, NoSuchPublicKey).
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeySpec {
    pub caller_reference: String,
    pub name: String,
    pub encoded_key: String,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeySummary {
    pub id: String,
    pub name: String,
    pub encoded_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyDetail {
    pub id: String,
    pub name: String,
    pub encoded_key: String,
    pub etag: String,
}
