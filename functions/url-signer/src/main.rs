use std::process::ExitCode;

use cfsign::SystemClock;
use lambda_http::{run, service_fn, tracing};
use url_signer::{Config, Error, KeyCache, KeyPolicy, SecretsManager, SigningService, handle};

// One thread: Lambda sends one request at a time, and the thread that loads
// the key at start is then the one that signs with it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // Lambda's default subscriber, but other crates never below INFO: at TRACE
    // they log raw events and request bodies (see plumbing::logging).
    plumbing::init_logging();
    // A configuration mistake is one readable log line (JSON under Lambda's
    // JSON log format), not a Debug dump, and a failed cold start.
    let service = match start().await {
        Ok(service) => service,
        Err(error) => {
            tracing::error!(error = %error, "the url-signer cannot start");
            return ExitCode::FAILURE;
        }
    };
    service.warm_up().await;
    match run(service_fn(|request| handle(&service, request))).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> Result<SigningService<SecretsManager, SystemClock>, Error> {
    let config = Config::from_env()?;
    let secrets = SecretsManager::from_sdk_config(&aws_config::load_from_env().await);
    let policy = KeyPolicy {
        ttl: config.key_ttl,
        stale_limit: config.key_stale_limit,
        expected_algorithm: config.key_algorithm,
        hash: config.hash_algorithm,
    };
    let keys = KeyCache::new(secrets, config.key_secret_id.clone(), policy);
    SigningService::new(config, keys, SystemClock)
}
