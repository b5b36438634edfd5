//! The crate's one error type.

use std::time::Duration;

/// Why an event could not be read or an invalidation not created. Either way its changes come back: the invocation
/// fails, or the SQS messages behind it are reported.
#[derive(Debug, thiserror::Error)]
pub enum InvalidatorError {
    /// The event (or one record of it) is not what AWS sends.
    #[error("bad event: {0}")]
    BadEvent(String),

    /// An object key that S3 could not have sent: S3 form-encodes keys.
    #[error("object key {key:?} is not form-encoded as S3 sends keys: {reason}")]
    BadKey {
        /// The key as the event carried it, still encoded.
        key: String,
        /// What is wrong with it: a `%` not followed by two hexadecimal digits, or bytes that are not UTF-8.
        reason: String,
    },

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
    Refused {
        /// CloudFront's error code, such as `InvalidArgument`; `ConstructionFailure` for a request never sent.
        code: String,
        /// CloudFront's explanation, as it gave it.
        message: String,
    },

    /// The retries ran out of the invocation's time.
    #[error("gave up on distribution {distribution} after {attempts} attempts in {elapsed:?}: {last}")]
    GaveUp {
        /// Id of the distribution whose request was given up.
        distribution: String,
        /// How many times the request was sent.
        attempts: u32,
        /// Time from the first attempt to giving up, on the service's clock.
        elapsed: Duration,
        /// What the last attempt failed with: always an error worth retrying, had there been time.
        last: Box<InvalidatorError>,
    },
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
