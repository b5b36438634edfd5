//! CreateInvalidation, as the rest of the crate sees it.

mod cloudfront;
#[cfg(any(test, feature = "test-util"))]
mod memory;

use std::future::Future;

pub use cloudfront::CloudFrontInvalidations;
#[cfg(any(test, feature = "test-util"))]
pub use memory::{MemoryInvalidations, RecordedCall};

use crate::error::InvalidatorError;

/// CreateInvalidation as the service calls it: the AWS SDK adapter, or an in-memory fake for tests and benchmarks.
pub trait Invalidations: Send + Sync {
    /// Creates an invalidation of `paths` and returns its id. The same
    /// `caller_reference` with the same paths returns the same invalidation.
    fn create(
        &self,
        distribution: &str,
        caller_reference: &str,
        paths: &[String],
    ) -> impl Future<Output = Result<String, InvalidatorError>> + Send;
}
