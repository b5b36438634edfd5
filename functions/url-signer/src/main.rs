use cfsign::SystemClock;
use lambda_http::{run, service_fn, tracing};
use url_signer::{Config, KeyCache, KeyPolicy, SecretsManager, SigningService, handle};

// One thread: Lambda sends one request at a time, and the thread that loads
// the key at start is then the one that signs with it.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let secrets = SecretsManager::new(aws_sdk_secretsmanager::Client::new(&aws_config::load_from_env().await));
    let policy = KeyPolicy {
        ttl: config.key_ttl,
        stale_limit: config.key_stale_limit,
        expected_algorithm: config.key_algorithm,
        hash: config.hash_algorithm,
    };
    let keys = KeyCache::new(secrets, config.key_secret_id.clone(), policy);
    let service = SigningService::new(config, keys, SystemClock)?;
    service.warm_up().await;
    run(service_fn(|request| handle(&service, request))).await
}
