//! The url-signer against the local AWS over real HTTP: the key comes from
//! Secrets Manager through the AWS SDK, and every answer is checked with the
//! verifier and the public key.

mod common;

use std::time::Duration;

use cfsign::{Backend, Clock, KeyAlgorithm, PrivateKey, SigningKeySecret, Verifier};
use common::*;
use url_signer::{AwsKeys, Config, KeyCache, KeyPolicy, SigningService};

/// The signing service as the function builds it, over `store`.
fn service<C: Clock>(store: AwsKeys, config: Config, clock: C) -> SigningService<AwsKeys, C> {
    let keys = KeyCache::new(store, "signing-key", KeyPolicy::of(&config));
    SigningService::new(config, keys, clock)
}

async fn put_key(client: &aws_sdk_secretsmanager::Client, key_pair_id: &str, create: bool) -> PrivateKey {
    let key = PrivateKey::generate(KeyAlgorithm::Rsa2048, Backend::default()).unwrap();
    let value = SigningKeySecret::new(key_pair_id, &key).unwrap().to_json().to_string();
    if create {
        client.create_secret().name("signing-key").secret_string(value).send().await.unwrap();
    } else {
        client.put_secret_value().secret_id("signing-key").secret_string(value).send().await.unwrap();
    }
    key
}

#[tokio::test]
async fn signs_with_the_current_secret_and_follows_a_rotation() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let first = put_key(&client, "KFIRST", true).await;

    let config = config(&[]);
    let clock = at_now();
    let service = service(AwsKeys::from_sdk_config(&sdk), config, clock.clone());

    let paths: Vec<String> = (0..10).map(|i| format!("/images/{i}.jpg")).collect();
    let body = serde_json::json!({ "paths": paths }).to_string();
    let verifier = Verifier::new().with_key("KFIRST", first.public_key().unwrap());
    let answer = call(&service, post(&body)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for entry in answer.json()["urls"].as_array().unwrap() {
        verifier.verify_url(entry["url"].as_str().unwrap(), &at(NOW)).unwrap();
    }

    // A new AWSCURRENT is picked up once the TTL has passed, not before.
    let second = put_key(&client, "KSECOND", false).await;
    let answer = call(&service, post(&body)).await;
    assert!(answer.body.contains("Key-Pair-Id=KFIRST"));
    clock.advance(Duration::from_secs(301));
    let answer = call(&service, post(&body)).await;
    let verifier = Verifier::new().with_key("KSECOND", second.public_key().unwrap());
    for entry in answer.json()["urls"].as_array().unwrap() {
        verifier.verify_url(entry["url"].as_str().unwrap(), &at(NOW + 301)).unwrap();
    }
    let reads = aws.calls().iter().filter(|c| c.action == "GetSecretValue").count();
    assert_eq!(reads, 2, "one read per TTL");
}

#[tokio::test]
async fn keeps_signing_through_an_injected_outage_then_refuses_past_the_stale_limit() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let key = put_key(&client, "KFIRST", true).await;
    let config = config(&[("KEY_STALE_LIMIT_SECONDS", "600")]);
    let clock = at_now();
    let service = service(AwsKeys::from_sdk_config(&sdk), config, clock.clone());
    let body = r#"{"paths":["/images/a.jpg"]}"#;
    assert_eq!(call(&service, post(body)).await.status, 200);

    aws.fail_next(local_aws::Fault::error("secretsmanager", "GetSecretValue", "InternalServiceError", 500).times(10));
    clock.advance(Duration::from_secs(400));
    let answer = call(&service, post(body)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let verifier = Verifier::new().with_key("KFIRST", key.public_key().unwrap());
    verifier.verify_url(answer.json()["urls"][0]["url"].as_str().unwrap(), &at(NOW + 400)).unwrap();

    clock.advance(Duration::from_secs(201));
    let answer = call(&service, post(body)).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
}

#[tokio::test]
async fn a_missing_secret_is_503() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    let config = config(&[]);
    let service = service(AwsKeys::from_sdk_config(&sdk), config, at_now());
    let answer = call(&service, post(r#"{"paths":["/images/a.jpg"]}"#)).await;
    assert_eq!(answer.status, 503);
}

#[tokio::test]
async fn a_hung_read_gives_up_and_the_cached_key_serves() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let first = put_key(&client, "KFIRST", true).await;
    let config = config(&[]);
    let clock = at_now();
    let service = service(AwsKeys::from_sdk_config(&sdk), config, clock.clone());
    let body = r#"{"paths":["/images/a.jpg"]}"#;
    assert_eq!(call(&service, post(body)).await.status, 200);

    // The read after the TTL would find a new key, but answers only well after
    // the client's operation timeout: the cached key serves instead of waiting.
    put_key(&client, "KSECOND", false).await;
    let hang_ms = 3 * url_signer::keys::OPERATION_TIMEOUT.as_millis() as u64;
    aws.fail_next(local_aws::Fault::delay("secretsmanager", "GetSecretValue", hang_ms).times(5));
    clock.advance(Duration::from_secs(301));
    let answer = call(&service, post(body)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let url = answer.json()["urls"][0]["url"].as_str().unwrap().to_owned();
    assert!(url.contains("Key-Pair-Id=KFIRST"), "{url}");
    Verifier::new().with_key("KFIRST", first.public_key().unwrap()).verify_url(&url, &at(NOW + 301)).unwrap();
}
