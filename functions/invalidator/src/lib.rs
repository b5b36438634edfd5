//! S3 uploads and deletes become exact, deduplicated, idempotent CloudFront
//! invalidations. See README.md for the configuration and the decisions.
#![warn(unreachable_pub, missing_docs)]

pub mod caller_reference;
pub mod change;
pub mod cloudfront_path;
pub mod config;
pub mod error;
pub mod events;
pub mod glob;
pub mod handler;
pub mod invalidations;
pub mod key_filter;
pub mod path_set;
pub mod plan;
pub mod retry;
pub mod routing;
pub mod s3_key;
pub mod service;
pub mod target;

pub use config::Config;
pub use error::InvalidatorError;
pub use handler::{Response, handle, respond};
pub use service::Invalidator;
