//! CreateInvalidation, as the rest of the crate sees it.

mod cloudfront;
mod memory;

use std::future::Future;

pub use cloudfront::CloudFrontInvalidations;
pub use memory::{MemoryInvalidations, RecordedCall};

use crate::error::InvalidatorError;

pub trait Invalidations: Send + Sync {
    /// Creates an invalidation of `paths` and answers its id. The same
    /// `caller_reference` with the same paths answers the same invalidation.
    fn create(
        &self,
        distribution: &str,
        caller_reference: &str,
        paths: &[String],
    ) -> impl Future<Output = Result<String, InvalidatorError>> + Send;
}
