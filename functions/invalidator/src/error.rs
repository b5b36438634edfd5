//! The crate's one error type.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum InvalidatorError {
    /// The event (or one record of it) is not what AWS sends.
    #[error("bad event: {0}")]
    BadEvent(String),

    /// An object key that S3 could not have sent: S3 form-encodes keys.
    #[error("object key {key:?} is not form-encoded as S3 sends keys: {reason}")]
    BadKey { key: String, reason: String },

    /// CloudFront's request-rate limit (Throttling: Rate exceeded).
    #[error("CloudFront throttled CreateInvalidation: {0}")]
    Throttled(String),

    /// The 3,000 file paths or 15 wildcard paths in progress per distribution.
    #[error("too many invalidations in progress: {0}")]
    TooManyInProgress(String),

    /// A 5xx, a timeout or a broken connection: worth another attempt.
    #[error("CloudFront unavailable: {0}")]
    Unavailable(String),

    /// CloudFront refused the request for good (unknown distribution, access denied, bad path...).
    #[error("CloudFront refused CreateInvalidation ({code}): {message}")]
    Refused { code: String, message: String },

    /// The retries ran out of the invocation's time.
    #[error("gave up on distribution {distribution} after {attempts} attempts in {elapsed:?}: {last}")]
    GaveUp { distribution: String, attempts: u32, elapsed: Duration, last: Box<InvalidatorError> },
}

impl InvalidatorError {
    /// A short name for the kind of failure (Lambda's errorType).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadEvent(_) => "BadEvent",
            Self::BadKey { .. } => "BadKey",
            Self::Throttled(_) => "Throttled",
            Self::TooManyInProgress(_) => "TooManyInProgress",
            Self::Unavailable(_) => "Unavailable",
            Self::Refused { .. } => "Refused",
            Self::GaveUp { .. } => "GaveUp",
        }
    }

    /// Whether CloudFront refused what the request holds (a path it will never
    /// accept, say) rather than the distribution or the caller: then a request
    /// holding less of it may succeed.
    pub fn refuses_content(&self) -> bool {
        /// Refusals that any request to the distribution gets.
        const DISTRIBUTION_OR_CALLER: &[&str] = &[
            "NoSuchDistribution",
            "AccessDenied",
            "AccessDeniedException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "SignatureDoesNotMatch",
            "ExpiredToken",
        ];
        matches!(self, Self::Refused { code, .. } if !DISTRIBUTION_OR_CALLER.contains(&code.as_str()))
    }

    /// Whether another attempt at the same request may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Throttled(_) | Self::TooManyInProgress(_) | Self::Unavailable(_))
    }
}
