//! Wiring only: logging, settings, the CloudFront client, the runtime.

use std::process::ExitCode;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use invalidator::invalidations::CloudFrontInvalidations;
use invalidator::retry::RetryPolicy;
use invalidator::{Config, Invalidator, handle};
use lambda_runtime::{run, service_fn};
use plumbing::settings::SettingError;
use plumbing::time::{SystemClock, TokioPause};

type Service = Invalidator<CloudFrontInvalidations, SystemClock, TokioPause>;

#[tokio::main]
async fn main() -> ExitCode {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    plumbing::cold_start::run("invalidator", start().await, |invalidator| async move {
        run(service_fn(|event| handle(&invalidator, event))).await
    })
    .await
}

async fn start() -> Result<Service, SettingError> {
    let config = Config::from_env()?;
    let retry = RetryPolicy::default();
    // The service retries within the invocation's remaining time; SDK retries
    // on top of that would not know the deadline.
    let cloudfront = aws_sdk_cloudfront::config::Builder::from(&plumbing::cold_start::sdk_config().await)
        .retry_config(RetryConfig::disabled())
        .timeout_config(TimeoutConfig::builder().operation_timeout(retry.attempt_timeout).build())
        .build();
    let api = CloudFrontInvalidations::new(aws_sdk_cloudfront::Client::from_conf(cloudfront));
    Ok(Invalidator::new(api, SystemClock, TokioPause, config).with_retry_policy(retry))
}
