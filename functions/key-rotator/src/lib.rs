//! Crash-safe rotation of a CloudFront signing key pair: the key group's
//! members, the public keys and the Secrets Manager secret the url-signer
//! reads. See README.md for the triggers, the configuration and the proofs.
#![warn(unreachable_pub, missing_docs)]

pub mod bootstrap;
pub mod cloudfront;
pub mod config;
pub mod custom_resource;
pub mod error;
pub mod events;
pub mod handler;
pub mod keys;
pub mod kms;
mod kms_lifecycle;
pub mod naming;
pub mod prune;
pub mod responder;
pub mod response_url;
pub mod revoke;
pub mod rotation;
pub mod rotator;
pub mod secrets;

pub use config::Config;
pub use error::Error;
pub use handler::{handle, respond};
pub use rotation::Step;
pub use rotator::{Ports, Rotator, With};
