//! The url-signer's one error type, and how each case answers over HTTP. A
//! mistake in the settings is not one of them: it stops the cold start as a
//! `plumbing::settings::SettingError` before any request is taken.

use thiserror::Error;

/// Why a request was not signed; each case has its HTTP status and code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The request is not something this API understands.
    #[error("{0}")]
    BadRequest(String),
    /// A path or resource that can never be signed as given.
    #[error("{0}")]
    InvalidPath(String),
    /// An object key or `s3://` locator that no URL can name as itself, or
    /// that is not a locator at all.
    #[error("{0}")]
    InvalidKey(String),
    /// A locator of a bucket no known distribution serves; the string is the bucket.
    #[error("no distribution of this signer serves the bucket {0}")]
    BucketNotServed(String),
    /// A well-formed path this caller may not have signed.
    #[error("{0}")]
    Forbidden(String),
    /// A path other than `/sign` (404); the string is the path, cut to 200 characters.
    #[error("no such route: {0}")]
    NotFound(String),
    /// `/sign` with a method other than GET, POST or OPTIONS (405); the string is the method.
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(String),

    /// Secrets Manager could not be read and no usable cached key is left.
    #[error("the signing key is unavailable: {0}")]
    KeyUnavailable(String),
    /// The KMS key refused to sign for now (ThrottlingException): the quota is spent.
    #[error("signing is throttled: {0}")]
    SigningThrottled(String),
    /// The secret is there but does not hold a usable key.
    #[error("the signing key secret is malformed: {0}")]
    KeyMalformed(String),
    /// Signing failed for a reason the caller did not cause (a crypto or
    /// clock failure): logged in detail, answered generically.
    #[error("signing failed: {0}")]
    SigningFailed(String),
}

impl Error {
    /// The HTTP status the case is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Error::BadRequest(_) | Error::InvalidPath(_) | Error::InvalidKey(_) => 400,
            Error::Forbidden(_) | Error::BucketNotServed(_) => 403,
            Error::NotFound(_) => 404,
            Error::MethodNotAllowed(_) => 405,
            Error::KeyUnavailable(_) | Error::KeyMalformed(_) | Error::SigningThrottled(_) => 503,
            Error::SigningFailed(_) => 500,
        }
    }

    /// The error body's `code` for the case, such as `invalid_path`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "invalid_request",
            Error::InvalidPath(_) => "invalid_path",
            Error::InvalidKey(_) => "invalid_key",
            Error::BucketNotServed(_) => "bucket_not_served",
            Error::Forbidden(_) => "path_not_allowed",
            Error::NotFound(_) => "not_found",
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::KeyUnavailable(_) | Error::KeyMalformed(_) => "signing_unavailable",
            Error::SigningThrottled(_) => "signing_throttled",
            Error::SigningFailed(_) => "signing_failed",
        }
    }

    /// What the caller is told. Key problems are logged in detail but answered
    /// with a generic message: the caller cannot fix them.
    pub fn public_message(&self) -> String {
        match self {
            Error::KeyUnavailable(_) | Error::KeyMalformed(_) => "signing is temporarily unavailable".into(),
            Error::SigningThrottled(_) => "signing is throttled for now; retry in a second".into(),
            Error::SigningFailed(_) => "signing failed; the error is logged".into(),
            other => other.to_string(),
        }
    }
}
