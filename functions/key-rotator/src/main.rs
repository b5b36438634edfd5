//! Wiring only: logging, configuration, the SDK clients, the runtime.

use aws_config::BehaviorVersion;
use key_rotator::cloudfront::CloudFront;
use key_rotator::keys::RandomKeys;
use key_rotator::responder::HttpResponder;
use key_rotator::secrets::SecretsManager;
use key_rotator::{Config, Rotator, handle};
use lambda_runtime::{Error, run, service_fn};
use plumbing::time::SystemClock;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    let config = Config::from_env().inspect_err(|e| tracing::error!("cannot start: {e}"))?;

    let responder = HttpResponder::new(HttpResponder::TIMEOUT, config.response_hosts)
        .inspect_err(|e| tracing::error!("cannot start: {e}"))?;

    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let rotator = Rotator::new(
        SecretsManager::new(aws_sdk_secretsmanager::Client::new(&sdk)),
        CloudFront::new(aws_sdk_cloudfront::Client::new(&sdk)),
        RandomKeys,
        SystemClock,
        config,
    );
    run(service_fn(|event| handle(&rotator, &responder, event))).await
}
