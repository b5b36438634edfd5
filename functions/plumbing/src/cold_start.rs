//! How every function starts and stops: the service built once, a failure
//! to build it one ERROR line (JSON under AWS_LAMBDA_LOG_FORMAT=JSON) and a
//! failed exit, never a panic or a Debug dump on stderr; and one SDK
//! configuration for every client.

use std::fmt::Display;
use std::future::Future;
use std::process::ExitCode;

use aws_config::{BehaviorVersion, SdkConfig};

/// Serves with `serve` what `started` built, or logs why `function` could not start.
pub async fn run<S, E, F, Fut, R>(function: &str, started: Result<S, E>, serve: F) -> ExitCode
where
    E: Display,
    F: FnOnce(S) -> Fut,
    Fut: Future<Output = Result<(), R>>,
    R: Display,
{
    let service = match started {
        Ok(service) => service,
        Err(error) => {
            tracing::error!(error = %error, "the {function} cannot start");
            return ExitCode::FAILURE;
        }
    };
    // Boxed: a function's whole serving future inlined into `main`'s is deep
    // enough to pass the compiler's layout recursion limit.
    match Box::pin(serve(service)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

/// The SDK configuration every client of every function is built from: the
/// region and credentials Lambda provides (AWS_ENDPOINT_URL honoured, as the
/// local stack sets it) and the latest behaviour version.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}
