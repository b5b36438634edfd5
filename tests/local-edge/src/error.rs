//! What can stop the edge from starting or following its distribution.

use thiserror::Error;

/// Failures of the edge itself; a viewer's bad request is never one of these
/// (it gets CloudFront's answer instead).
#[derive(Debug, Error)]
pub enum Error {
    #[error("the distribution {id}: {reason}")]
    Distribution { id: String, reason: String },
    #[error("CloudFront {operation}: {message}")]
    ControlPlane { operation: &'static str, message: String },
    #[error("the local CA under {path}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("listening on {address}: {source}")]
    Listen { address: String, source: std::io::Error },
    #[error("TLS configuration: {0}")]
    Tls(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
