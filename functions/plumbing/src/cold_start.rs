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

#[cfg(any(test, feature = "test-util"))]
mod failed_start {
    use std::process::Command;

    /// A function's binary that could not start, checked to have failed as
    /// [`run`](super::run) promises: a failed exit, nothing on stderr, and one
    /// JSON line on stdout at ERROR.
    #[derive(Debug)]
    pub struct FailedStart {
        /// The line's message, such as "the url-signer cannot start".
        pub message: String,
        /// Why, as the line's `error` field has it.
        pub error: String,
    }

    impl FailedStart {
        /// Starts `binary` with AWS_LAMBDA_LOG_FORMAT=JSON and `vars` as its
        /// whole environment; panics unless it failed as promised.
        pub fn of(binary: &str, vars: &[(&str, &str)]) -> Self {
            let output = Command::new(binary)
                .env_clear()
                .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
                .envs(vars.iter().copied())
                .output()
                .expect("the function's binary runs");
            assert!(!output.status.success(), "{binary} started");
            assert!(output.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
            let stdout = String::from_utf8(output.stdout).expect("UTF-8 log lines");
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(lines.len(), 1, "{stdout}");
            let line: serde_json::Value = serde_json::from_str(lines[0]).expect("a JSON log line");
            assert_eq!(line["level"], "ERROR", "{line}");
            let field = |name: &str| line["fields"][name].as_str().unwrap_or_default().to_owned();
            Self { message: field("message"), error: field("error") }
        }
    }
}

#[cfg(any(test, feature = "test-util"))]
pub use failed_start::FailedStart;
