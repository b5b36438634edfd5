//! Wiring only: logging, settings, the Secrets Manager client, the runtime.

use std::process::ExitCode;

use lambda_http::{run, service_fn};
use plumbing::settings::SettingError;
use plumbing::time::SystemClock;
use url_signer::{AwsKeys, Config, KeyCache, KeyPolicy, SigningService, handle};

type Service = SigningService<AwsKeys, SystemClock>;

// One thread: Lambda sends one request at a time, and the thread that loads
// the key at start is then the one that signs with it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    plumbing::cold_start::run("url-signer", start().await, |service| async move {
        service.warm_up().await;
        run(service_fn(|request| handle(&service, request))).await
    })
    .await
}

async fn start() -> Result<Service, SettingError> {
    let config = Config::from_env()?;
    let secrets = AwsKeys::from_sdk_config(&plumbing::cold_start::sdk_config().await);
    let keys = KeyCache::new(secrets, config.key_secret_id.clone(), KeyPolicy::of(&config));
    Ok(SigningService::new(config, keys, SystemClock))
}
