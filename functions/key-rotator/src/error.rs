//! The crate's one error type. Every variant fails the invocation, so that
//! Secrets Manager, EventBridge or the caller tries again; none carries key
//! material (cfsign's errors never do, and secret values are never formatted).

use std::time::Duration;

// Both SDK crates re-export the same smithy error types.
use aws_sdk_secretsmanager::config::http::HttpResponse;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use plumbing::aws_error::AwsError;
use plumbing::settings::SettingError;

/// Why an invocation failed; [`kind`](Self::kind) names the case as Lambda's errorType.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is missing or malformed; the function cannot start.
    #[error(transparent)]
    Config(#[from] SettingError),

    /// An event this function does not handle, or a malformed one.
    #[error("bad event: {0}")]
    BadEvent(String),

    /// A rotation event for a secret other than the configured one.
    #[error("this function rotates secret {configured}, not {requested}")]
    OtherSecret {
        /// The secret this function rotates (`KEY_SECRET_ID`).
        configured: String,
        /// The secret the event named (`SecretId`, usually an ARN).
        requested: String,
    },

    /// AWS answered with an error (or could not be reached).
    #[error("{operation} failed ({code}): {message}")]
    Aws {
        /// The AWS API called, such as `UpdateKeyGroup`.
        operation: &'static str,
        /// AWS's error code, such as `PublicKeyInUse`; `Unreachable` when the answer had none or never came.
        code: String,
        /// AWS's message, or what kept the request from an answer.
        message: String,
    },

    /// The key group changed between reading and writing it, every time we tried.
    #[error(
        "key group {group} kept changing under us ({attempts} read-modify-write attempts lost to PreconditionFailed)"
    )]
    GroupContended {
        /// Id of the key group that kept changing.
        group: String,
        /// Read-modify-write attempts made, each lost to PreconditionFailed.
        attempts: u32,
    },

    /// A public key's ETag changed between reading and deleting it, every time we tried.
    #[error("public key {key_id} kept changing under us ({attempts} delete attempts lost to PreconditionFailed)")]
    PublicKeyContended {
        /// Id of the public key that could not be deleted.
        key_id: String,
        /// Delete attempts made, each lost to PreconditionFailed.
        attempts: u32,
    },

    /// A key group of the configured name exists that this stack did not create.
    #[error(
        "a key group named {name:?} exists already and this stack did not create it (its comment: {comment:?}); key group names are unique per account: choose another name or delete that group"
    )]
    ForeignKeyGroup {
        /// The configured key group name (`KEY_GROUP_NAME`).
        name: String,
        /// The group's comment, which does not name this stack; empty when it has none.
        comment: String,
    },

    /// The key group does not exist, or was deleted while in use; the string is its name (its id on a stack update).
    #[error(
        "key group {0:?} does not exist: deploy the stack first (its SigningKeys custom resource creates the group)"
    )]
    NoKeyGroup(String),

    /// setSecret found the group full (5 keys) and no member past its grace period to make room.
    #[error(
        "key group {group} already holds 5 public keys, the most CloudFront allows, and none has passed its grace period of {grace:?} since it stopped signing{earliest}"
    )]
    GroupFull {
        /// Name of the key group.
        group: String,
        /// The grace period in force: MAX_LIFETIME_SECONDS plus PROPAGATION_MARGIN_SECONDS.
        grace: Duration,
        /// When the first member may leave (epoch seconds), as the message's ending; empty when every member signs.
        earliest: String,
    },

    /// CloudFront refused the write: the group would hold more than 5 keys.
    #[error(
        "key group {group} would hold more than 5 public keys, the most CloudFront allows (TooManyPublicKeysInKeyGroup): a key was added since it was read; run the prune, or revoke an old key, then retry"
    )]
    GroupLimit {
        /// Name of the key group.
        group: String,
    },

    /// The version of a rotation step is not the one being rotated.
    #[error("version {token} of the secret is not AWSPENDING ({why}); a step runs only on the pending version")]
    NotPending {
        /// The version the step ran on: the rotation's token.
        token: String,
        /// What the secret shows instead, such as the version that holds AWSPENDING.
        why: String,
    },

    /// A public key does not match the private key it is meant to pair with.
    #[error("public key {key_id} does not match the private key of version {token}; refusing to pair them")]
    KeyMismatch {
        /// Id of the CloudFront public key.
        key_id: String,
        /// The secret version whose private key it was checked against.
        token: String,
    },

    /// A step that needs the key in the group ran before setSecret completed.
    #[error("public key {key_id} is not in key group {group}: setSecret has not completed")]
    NotInGroup {
        /// Id of the public key that should be a member.
        key_id: String,
        /// Id of the key group.
        group: String,
    },

    /// CloudFront holds no public key of the id a secret version names; the string is that id.
    #[error("public key {0} does not exist in CloudFront")]
    NoPublicKey(String),

    /// A secret version's value is not what the rotator writes.
    #[error("version {version} of the secret is malformed: {reason}")]
    MalformedSecret {
        /// The version's id, or `AWSCURRENT` when the current version holds no signing key.
        version: String,
        /// What is wrong with the value; never the value itself.
        reason: String,
    },

    /// The new key is in the group, but not long enough for CloudFront's edges to know it.
    #[error(
        "public key {key_id} joined the key group at {joined}; signers switch to it from {ready} (ACTIVATION_DELAY_SECONDS), try again then"
    )]
    NotYetPropagated {
        /// Id of the new public key.
        key_id: String,
        /// When it joined the key group, in epoch seconds.
        joined: u64,
        /// When signers may switch to it, in epoch seconds: `joined` plus ACTIVATION_DELAY_SECONDS.
        ready: u64,
    },

    /// A revoke of the key a rotation in progress is about to make current.
    #[error("key {0} is the pending key of a rotation in progress: let the rotation finish, then revoke it")]
    RevokePending(String),

    /// A revoke of a key that is neither in the key group nor one of this stack's.
    #[error(
        "key {key_id} is not in key group {group} (its members: {}) nor a key of this stack: nothing was revoked; check the id",
        members.join(", ")
    )]
    RevokeUnknown {
        /// The key id the revoke named.
        key_id: String,
        /// Name of the key group.
        group: String,
        /// Ids of the group's members when it was read.
        members: Vec<String>,
    },

    /// A KMS key cannot sign for CloudFront, or answered without what it must.
    #[error("KMS key {key}: {reason}")]
    UnusableKmsKey {
        /// The key's ARN or alias.
        key: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Generating, reading or using a key failed.
    #[error("signing key: {0}")]
    Key(#[from] cfsign::Error),

    /// The work of a custom resource request did not finish before the Lambda deadline.
    #[error(
        "the request could not be completed before the function's deadline; what was done is kept, and a retry or the delete that follows picks it up"
    )]
    OutOfTime,

    /// The answer to CloudFormation could not be delivered.
    #[error("could not answer CloudFormation: {0}")]
    Response(String),
}

impl Error {
    /// A short name for the kind of failure (Lambda's errorType).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Config(_) => "Config",
            Self::BadEvent(_) => "BadEvent",
            Self::OtherSecret { .. } => "OtherSecret",
            Self::Aws { .. } => "Aws",
            Self::GroupContended { .. } => "GroupContended",
            Self::PublicKeyContended { .. } => "PublicKeyContended",
            Self::ForeignKeyGroup { .. } => "ForeignKeyGroup",
            Self::NoKeyGroup(_) => "NoKeyGroup",
            Self::GroupFull { .. } => "GroupFull",
            Self::GroupLimit { .. } => "GroupLimit",
            Self::NotPending { .. } => "NotPending",
            Self::KeyMismatch { .. } => "KeyMismatch",
            Self::NotInGroup { .. } => "NotInGroup",
            Self::NoPublicKey(_) => "NoPublicKey",
            Self::MalformedSecret { .. } => "MalformedSecret",
            Self::NotYetPropagated { .. } => "NotYetPropagated",
            Self::RevokePending(_) => "RevokePending",
            Self::RevokeUnknown { .. } => "RevokeUnknown",
            Self::UnusableKmsKey { .. } => "UnusableKmsKey",
            Self::Key(_) => "Key",
            Self::OutOfTime => "OutOfTime",
            Self::Response(_) => "Response",
        }
    }

    /// An AWS error from an SDK call: the service's code and message, or what
    /// kept the request from an answer.
    pub fn aws<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let AwsError { code, message, .. } = AwsError::from_sdk(operation, &error);
        Self::Aws { operation, code: code.unwrap_or_else(|| "Unreachable".into()), message }
    }

    /// The AWS error code, if this is an AWS error.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Self::Aws { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The crate's results, failing with [`Error`] unless a signature says otherwise.
pub type Result<T, E = Error> = std::result::Result<T, E>;
