//! The url-signer: an HTTP API that answers with CloudFront signed URLs and
//! signed cookies for paths the caller may read.
#![warn(unreachable_pub, missing_docs)]

pub mod api;
pub mod caller_prefix;
pub mod config;
pub mod error;
pub mod handler;
pub mod keys;
pub mod paths;
pub mod service;
mod window;

pub use config::Config;
pub use error::Error;
pub use handler::handle;
pub use keys::{AwsKeys, KeyCache, KeyPolicy};
pub use service::SigningService;
