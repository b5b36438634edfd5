//! Wiring only: logging, settings, the SDK clients, the runtime.

use std::process::ExitCode;

use key_rotator::cloudfront::CloudFront;
use key_rotator::keys::RandomKeys;
use key_rotator::kms::Kms;
use key_rotator::responder::HttpResponder;
use key_rotator::secrets::SecretsManager;
use key_rotator::{Config, Error, Rotator, With, handle};
use lambda_runtime::{run, service_fn};
use plumbing::time::SystemClock;

type Service = Rotator<With<SecretsManager, CloudFront, RandomKeys, Kms, SystemClock>>;

#[tokio::main]
async fn main() -> ExitCode {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    plumbing::cold_start::run("key-rotator", start().await, |(rotator, responder)| async move {
        run(service_fn(|event| handle(&rotator, &responder, event))).await
    })
    .await
}

async fn start() -> Result<(Service, HttpResponder), Error> {
    let config = Config::from_env()?;
    let responder = HttpResponder::new(HttpResponder::TIMEOUT, config.response_hosts)?;
    let sdk = plumbing::cold_start::sdk_config().await;
    let rotator = Rotator::new(
        SecretsManager::new(aws_sdk_secretsmanager::Client::new(&sdk)),
        CloudFront::new(aws_sdk_cloudfront::Client::new(&sdk)),
        RandomKeys,
        Kms::new(aws_sdk_kms::Client::new(&sdk)),
        SystemClock,
        config,
    );
    Ok((rotator, responder))
}
