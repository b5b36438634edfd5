//! A local CloudFront edge for one distribution of the local AWS.
//!
//! It reads the distribution (origin bucket, allowed methods, viewer protocol
//! policy, trusted key groups) and its invalidations from the local CloudFront
//! API, as an edge follows the control plane, and serves viewers over HTTPS with
//! HTTP/1.1, HTTP/2 and HTTP/3: signed URLs and cookies are checked as
//! CloudFront checks them (with an `x-cfsign-reason` header that says why a
//! request was refused), objects come from the local S3 as through Origin Access
//! Control, and responses are cached as the CachingOptimized policy caches them.
//! The template's viewer-request guard (a CloudFront Function) runs on every
//! request before the signature check, as the template attaches it.
//!
//! What it does not emulate: geography and several edge locations, WAF,
//! Lambda@Edge and other CloudFront Functions, more than the default cache behaviour,
//! origins other than S3, and cached error responses.

pub mod body;
pub mod cache;
pub mod cache_control;
pub mod control_plane;
pub mod distribution;
pub mod edge;
pub mod enforce;
pub mod error;
pub mod invalidation;
pub mod origin;
pub mod quic;
pub mod ranges;
pub mod refusal;
pub mod server;
pub mod tcp;
pub mod tls;
pub mod trusted_keys;
pub mod viewer_request;

pub use edge::{Edge, Protocol, Viewer};
pub use error::{Error, Result};
