//! What the three functions share around their business logic.
#![warn(unreachable_pub, missing_docs)]

pub mod aws_error;
pub mod backoff;
pub mod cold_start;
pub mod logging;
pub mod settings;
pub mod time;

pub use logging::init_logging;
