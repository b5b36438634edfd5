//! CreateInvalidation through the AWS SDK.

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
use plumbing::aws_error::{AwsError, AwsErrorKind};

use super::Invalidations;
use crate::error::InvalidatorError;

/// The client should have the SDK's retries turned off: the service retries
/// within the invocation's remaining time, and nested retries would not.
#[derive(Debug, Clone)]
pub struct CloudFrontInvalidations {
    client: Client,
}

impl CloudFrontInvalidations {
    /// The adapter over `client`, which should have the SDK's retries off, as `main` builds it.
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
            Err(SdkError::ServiceError(context)) if context.err().is_too_many_invalidations_in_progress() => {
                Err(InvalidatorError::TooManyInProgress(context.err().message().unwrap_or_default().to_owned()))
            }
            Err(error) => Err(from_aws(AwsError::from_sdk("CreateInvalidation", &error))),
        }
    }
}

/// Throttling and unavailability are retried; anything else CloudFront
/// refused would be refused again.
fn from_aws(error: AwsError) -> InvalidatorError {
    let AwsError { code, message, kind, .. } = error;
    let detail = || match &code {
        Some(code) => format!("{code}: {message}"),
        None => message.clone(),
    };
    match kind {
        AwsErrorKind::Throttling => InvalidatorError::Throttled(detail()),
        AwsErrorKind::Unavailable => InvalidatorError::Unavailable(detail()),
        AwsErrorKind::NotSent => refused("ConstructionFailure", &message),
        _ => refused(code.as_deref().unwrap_or("Unknown"), &message),
    }
}

fn refused(code: &str, message: &str) -> InvalidatorError {
    InvalidatorError::Refused { code: code.to_owned(), message: message.to_owned() }
}
