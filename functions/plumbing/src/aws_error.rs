//! One reading of the AWS SDK's errors for the three functions: the
//! service's error code and message (or what kept the request from an
//! answer), the HTTP status, and a kind each function maps to its own error
//! enum, to decide what to retry and what to answer.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What an AWS error means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// Slow down and try again: a throttling code or HTTP 429.
    Throttling,
    /// Try again: no answer (a timeout, a broken connection, an unreadable
    /// answer) or a server error (HTTP 5xx).
    Unavailable,
    /// The resource named does not exist (a `NoSuch...` or `...NotFound...` code, or HTTP 404).
    NotFound,
    /// A conditional write lost to another writer (`PreconditionFailed`, HTTP 412).
    PreconditionFailed,
    /// The caller may not do this (`AccessDenied...`, HTTP 403).
    AccessDenied,
    /// The request could not even be built: a bug or a bad input, never retried.
    NotSent,
    /// Anything else the service refused: retrying the same request gets the same answer.
    Other,
}

/// An error of one SDK call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The operation, such as `GetSecretValue`.
    pub operation: &'static str,
    /// The service's error code; `None` when no service answered, or it gave none.
    pub code: Option<String>,
    /// The service's message, or a description of what kept the request from an answer.
    pub message: String,
    /// The HTTP status, when a response came back.
    pub status: Option<u16>,
    /// What it means.
    pub kind: AwsErrorKind,
}

impl AwsError {
    /// Reads `error`, returned by the SDK's `operation`.
    pub fn from_sdk<E>(operation: &'static str, error: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let status = error.raw_response().map(|response| response.status().as_u16());
        let described = || DisplayErrorContext(error).to_string();
        match error {
            SdkError::ServiceError(context) => {
                let code = context.err().code().map(str::to_owned);
                let message = context.err().message().map_or_else(described, str::to_owned);
                let kind = kind_of(code.as_deref().unwrap_or_default(), status);
                Self { operation, code, message, status, kind }
            }
            SdkError::ConstructionFailure(_) => {
                Self { operation, code: None, message: described(), status, kind: AwsErrorKind::NotSent }
            }
            _ => Self { operation, code: None, message: described(), status, kind: AwsErrorKind::Unavailable },
        }
    }

    /// The service's error code, if it gave one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
}

fn kind_of(code: &str, status: Option<u16>) -> AwsErrorKind {
    const THROTTLING: [&str; 4] =
        ["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"];
    match (code, status) {
        (code, _) if THROTTLING.contains(&code) => AwsErrorKind::Throttling,
        (_, Some(429)) => AwsErrorKind::Throttling,
        ("PreconditionFailed", _) | (_, Some(412)) => AwsErrorKind::PreconditionFailed,
        (code, _) if code.starts_with("NoSuch") || code.contains("NotFound") => AwsErrorKind::NotFound,
        (_, Some(404)) => AwsErrorKind::NotFound,
        (code, _) if code.starts_with("AccessDenied") => AwsErrorKind::AccessDenied,
        (_, Some(403)) => AwsErrorKind::AccessDenied,
        (_, Some(status)) if status >= 500 => AwsErrorKind::Unavailable,
        _ => AwsErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::{AwsErrorKind, kind_of};

    #[test]
    fn codes_first_then_statuses() {
        for (code, status, kind) in [
            ("Throttling", Some(400), AwsErrorKind::Throttling),
            ("ThrottlingException", Some(400), AwsErrorKind::Throttling),
            ("Unknown", Some(429), AwsErrorKind::Throttling),
            ("PreconditionFailed", Some(412), AwsErrorKind::PreconditionFailed),
            ("ResourceNotFoundException", Some(400), AwsErrorKind::NotFound),
            ("NoSuchDistribution", Some(404), AwsErrorKind::NotFound),
            ("NoSuchPublicKey", Some(404), AwsErrorKind::NotFound),
            ("AccessDenied", Some(403), AwsErrorKind::AccessDenied),
            ("AccessDeniedException", Some(400), AwsErrorKind::AccessDenied),
            ("InternalFailure", Some(500), AwsErrorKind::Unavailable),
            ("ServiceUnavailable", Some(503), AwsErrorKind::Unavailable),
            ("InvalidArgument", Some(400), AwsErrorKind::Other),
            ("PublicKeyInUse", Some(409), AwsErrorKind::Other),
        ] {
            assert_eq!(kind_of(code, status), kind, "{code} {status:?}");
        }
    }
}
