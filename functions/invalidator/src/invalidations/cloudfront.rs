//! CreateInvalidation through the AWS SDK.

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};

use super::Invalidations;
use crate::error::InvalidatorError;

/// The client should have the SDK's retries turned off: the service retries
/// within the invocation's remaining time, and nested retries would not.
#[derive(Debug, Clone)]
pub struct CloudFrontInvalidations {
    client: Client,
}

impl CloudFrontInvalidations {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl Invalidations for CloudFrontInvalidations {
    async fn create(
        &self,
        distribution: &str,
        caller_reference: &str,
        paths: &[String],
    ) -> Result<String, InvalidatorError> {
        let quantity = i32::try_from(paths.len()).map_err(|_| refused("InvalidArgument", "too many paths"))?;
        let paths = Paths::builder().quantity(quantity).set_items(Some(paths.to_vec())).build();
        let batch = paths
            .and_then(|paths| InvalidationBatch::builder().caller_reference(caller_reference).paths(paths).build())
            .map_err(|e| refused("InvalidArgument", &DisplayErrorContext(e).to_string()))?;
        let sent =
            self.client.create_invalidation().distribution_id(distribution).invalidation_batch(batch).send().await;
        match sent {
            // Asking again is safe: the CallerReference makes it idempotent.
            Ok(output) => output
                .invalidation
                .map(|invalidation| invalidation.id)
                .ok_or_else(|| InvalidatorError::Unavailable("CloudFront answered without an invalidation".into())),
            Err(SdkError::ServiceError(context)) => {
                let status = context.raw().status().as_u16();
                let error = context.err();
                let message = error.message().unwrap_or_default();
                if error.is_too_many_invalidations_in_progress() {
                    return Err(InvalidatorError::TooManyInProgress(message.to_owned()));
                }
                Err(classify(error.code().unwrap_or("Unknown"), status, message))
            }
            Err(error @ SdkError::ConstructionFailure(_)) => {
                Err(refused("ConstructionFailure", &DisplayErrorContext(error).to_string()))
            }
            // Timeouts, broken connections, unreadable answers.
            Err(error) => Err(InvalidatorError::Unavailable(DisplayErrorContext(error).to_string())),
        }
    }
}

fn classify(code: &str, status: u16, message: &str) -> InvalidatorError {
    let detail = format!("{code}: {message}");
    match code {
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
            InvalidatorError::Throttled(detail)
        }
        _ if status == 429 => InvalidatorError::Throttled(detail),
        _ if status >= 500 => InvalidatorError::Unavailable(detail),
        _ => refused(code, message),
    }
}

fn refused(code: &str, message: &str) -> InvalidatorError {
    InvalidatorError::Refused { code: code.to_owned(), message: message.to_owned() }
}
