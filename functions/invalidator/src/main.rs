//! Wiring only: logging, configuration, the CloudFront client, the runtime.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use invalidator::invalidations::CloudFrontInvalidations;
use invalidator::retry::RetryPolicy;
use invalidator::{Config, Invalidator, handle};
use lambda_runtime::{Error, run, service_fn};
use plumbing::time::{SystemClock, TokioPause};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    let config = Config::from_env().inspect_err(|e| tracing::error!("cannot start: {e}"))?;

    let retry = RetryPolicy::default();
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    // The service retries within the invocation's remaining time; SDK retries
    // on top of that would not know the deadline.
    let cloudfront = aws_sdk_cloudfront::config::Builder::from(&sdk)
        .retry_config(RetryConfig::disabled())
        .timeout_config(TimeoutConfig::builder().operation_timeout(retry.attempt_timeout).build())
        .build();
    let api = CloudFrontInvalidations::new(aws_sdk_cloudfront::Client::from_conf(cloudfront));
    let invalidator = Invalidator::new(api, SystemClock, TokioPause, config).with_retry_policy(retry);

    run(service_fn(|event| handle(&invalidator, event))).await
}
