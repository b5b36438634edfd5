//! The AWS KMS operations the rotator needs when the signing keys live in
//! KMS, as a trait: the AWS SDK adapter and an in-memory fake side by side
//! (the fake behind the `test-util` feature).
//!
//! Every key the rotator creates carries two tags, [`GROUP_TAG`] (the key
//! group it signs for) and [`TOKEN_TAG`] (the rotation that made it), and an
//! alias named after the token ([`crate::naming::Token::kms_alias`]): a retried
//! createSecret finds its key through the alias, the prune finds the stack's
//! keys through the aliases, and a key a crash left without its alias through
//! the tags.

mod aws;
#[cfg(any(test, feature = "test-util"))]
mod memory;
mod policy;

use std::future::Future;

use cfsign::{KeyAlgorithm, PublicKey};

pub use aws::Kms;
#[cfg(any(test, feature = "test-util"))]
pub use memory::{MemoryKms, MemoryKmsKey};
pub use policy::{KeyPolicyRoles, RoleArn, key_policy};

use crate::error::Result;
use crate::naming::Token;

/// The tag naming the key group a KMS key signs for; the IAM grants of both
/// functions reach only keys that carry this stack's.
pub const GROUP_TAG: &str = "key-rotator:key-group";
/// The tag naming the rotation (its token) that created a KMS key.
pub const TOKEN_TAG: &str = "key-rotator:token";
/// The shortest wait KMS allows before it deletes a key: an operator can
/// still cancel the deletion (CancelKeyDeletion) within it.
pub const DELETION_WINDOW_DAYS: i32 = 7;

/// A KMS key to create for one rotation.
#[derive(Debug)]
pub struct NewKmsKey<'a> {
    /// RSA_2048 or ECC_NIST_P256, usage SIGN_VERIFY.
    pub algorithm: KeyAlgorithm,
    /// The key group it signs for ([`GROUP_TAG`]).
    pub group: &'a str,
    /// The rotation that creates it ([`TOKEN_TAG`]).
    pub token: &'a Token,
    /// The key policy (JSON), from [`key_policy`].
    pub policy: &'a str,
    /// What the key is, for people reading the KMS console.
    pub description: &'a str,
}

/// A key found by its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedKmsKey {
    /// The key's id.
    pub id: String,
    /// Its [`TOKEN_TAG`], when the tag holds a token.
    pub token: Option<Token>,
}

/// An alias and the id of the key it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsAlias {
    /// The alias's name, `alias/...`.
    pub name: String,
    /// The id of the key it points to.
    pub key_id: String,
}

/// The KMS operations the rotator uses: the AWS SDK adapter, or an in-memory fake in tests.
pub trait KmsKeys: Send + Sync {
    /// The ARN of the key `alias` points to (DescribeKey); None when no such alias exists.
    fn find_alias(&self, alias: &str) -> impl Future<Output = Result<Option<String>>> + Send;

    /// Every alias whose name starts with `prefix` (ListAliases, every page).
    fn aliases(&self, prefix: &str) -> impl Future<Output = Result<Vec<KmsAlias>>> + Send;

    /// CreateKey: a new SIGN_VERIFY key, tagged; answers its ARN.
    fn create_key(&self, key: &NewKmsKey<'_>) -> impl Future<Output = Result<String>> + Send;

    /// CreateAlias: `alias` points to `key`. An alias of that name already
    /// there fails with AlreadyExistsException.
    fn create_alias(&self, alias: &str, key: &str) -> impl Future<Output = Result<()>> + Send;

    /// DeleteAlias; an alias gone already is done.
    fn delete_alias(&self, alias: &str) -> impl Future<Output = Result<()>> + Send;

    /// GetPublicKey: the key's public half, as CloudFront's CreatePublicKey takes it (PEM-wrapped).
    fn public_key(&self, key: &str) -> impl Future<Output = Result<PublicKey>> + Send;

    /// Sign: the signature of SHA-256(`message`) by `key`, a key of `algorithm`.
    fn sign_sha256(
        &self,
        key: &str,
        algorithm: KeyAlgorithm,
        message: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Every key whose [`GROUP_TAG`] is `group` (ListKeys, then each key's
    /// tags): the one way to find a key a crash left without its alias.
    fn tagged_keys(&self, group: &str) -> impl Future<Output = Result<Vec<TaggedKmsKey>>> + Send;

    /// ScheduleKeyDeletion after [`DELETION_WINDOW_DAYS`]; from then on the key
    /// signs nothing. A key already pending deletion is done.
    fn schedule_deletion(&self, key: &str) -> impl Future<Output = Result<()>> + Send;
}
