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

/// The CloudFront operations the rotator uses: the AWS SDK adapter, or an in-memory fake in tests.
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

    /// DeleteKeyGroup IfMatch `etag`: `Stale` when the group changed since it was read, `Gone` when it is gone.
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

/// A key group as GetKeyGroup answered, with the ETag a write must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroup {
    /// CloudFront's id of the group.
    pub id: String,
    /// The group's name, unique in the account.
    pub name: String,
    /// The group's comment; the bootstrap's names the stack that created the group.
    pub comment: Option<String>,
    /// Ids of the public keys in the group: at most 5, and never none.
    pub items: Vec<String>,
    /// The ETag of this read, for IfMatch on the next write.
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

/// What CreatePublicKey is given for a new public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeySpec {
    /// CreatePublicKey's idempotency token; the rotator passes the key's name, so a retry is refused as a duplicate.
    pub caller_reference: String,
    /// The key's name, `<key group name>-<token>`, unique in the account.
    pub name: String,
    /// The public key, PEM-encoded.
    pub encoded_key: String,
    /// Which secret version the key belongs to, at most 128 characters.
    pub comment: String,
}

/// One public key as ListPublicKeys lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeySummary {
    /// The key's id: the key pair id that URLs are signed under.
    pub id: String,
    /// The key's name; the rotator's own are `<key group name>-<token>`.
    pub name: String,
    /// The public key, PEM-encoded.
    pub encoded_key: String,
}

/// One public key as GetPublicKey answered, with the ETag a delete must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyDetail {
    /// The key's id: the key pair id that URLs are signed under.
    pub id: String,
    /// The key's name; the rotator's own are `<key group name>-<token>`.
    pub name: String,
    /// The public key, PEM-encoded.
    pub encoded_key: String,
    /// The ETag of this read, for IfMatch on DeletePublicKey.
    pub etag: String,
}
