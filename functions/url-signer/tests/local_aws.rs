//! The url-signer against the local AWS over real HTTP: the key comes from
//! Secrets Manager through the AWS SDK (or, for a KMS key, signs in the local
//! KMS), and every answer is checked with the verifier and the public key.

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

/// A KMS key of the local AWS, and the secret naming it.
async fn put_kms_key(sdk: &aws_config::SdkConfig, spec: aws_sdk_kms::types::KeySpec) -> (String, cfsign::PublicKey) {
    let kms = aws_sdk_kms::Client::new(sdk);
    let created =
        kms.create_key().key_spec(spec).key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify).send().await.unwrap();
    let arn = created.key_metadata.unwrap().arn.unwrap();
    let der = kms.get_public_key().key_id(&arn).send().await.unwrap().public_key.unwrap().into_inner();
    let secret = cfsign::KmsKeySecret { key_pair_id: "KKMS".into(), kms_key_arn: arn.clone() };
    let secrets = aws_sdk_secretsmanager::Client::new(sdk);
    secrets.create_secret().name("signing-key").secret_string(secret.to_json()).send().await.unwrap();
    (arn, cfsign::PublicKey::from_bytes(&der).unwrap())
}

#[tokio::test]
async fn signs_through_a_kms_key_of_the_local_aws_and_verifies_under_its_public_key() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    for spec in [aws_sdk_kms::types::KeySpec::Rsa2048, aws_sdk_kms::types::KeySpec::EccNistP256] {
        aws.reset();
        let (_, public) = put_kms_key(&sdk, spec.clone()).await;
        let service = service(AwsKeys::from_sdk_config(&sdk), config(&[("HASH_ALGORITHM", "SHA256")]), at_now());
        let paths: Vec<String> = (0..25).map(|i| format!("/images/{i}.jpg")).collect();
        let body = serde_json::json!({ "paths": paths }).to_string();
        let answer = call(&service, post(&body)).await;
        assert_eq!(answer.status, 200, "{spec:?}: {}", answer.body);
        let verifier = Verifier::new().with_key("KKMS", public);
        for entry in answer.json()["urls"].as_array().unwrap() {
            verifier.verify_url(entry["url"].as_str().unwrap(), &at(NOW)).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        }
        let signs = || aws.calls().iter().filter(|c| c.service == "kms" && c.action == "Sign").count();
        assert_eq!(signs(), 26, "the self-check at load, then one per URL");
        assert_eq!(call(&service, post(&body)).await.status, 200);
        assert_eq!(signs(), 26, "a repeated page is served from the signature cache");
    }
}

#[tokio::test]
async fn kms_throttling_and_a_disabled_key_of_the_local_aws_are_503s_that_say_which() {
    let aws = local_aws::session();
    let sdk = aws.sdk_config().await;
    let (arn, _) = put_kms_key(&sdk, aws_sdk_kms::types::KeySpec::Rsa2048).await;
    let service = service(AwsKeys::from_sdk_config(&sdk), config(&[("HASH_ALGORITHM", "SHA256")]), at_now());
    assert_eq!(call(&service, post(r#"{"paths":["/images/a.jpg"]}"#)).await.status, 200);

    aws.fail_next(local_aws::Fault::error("kms", "Sign", "ThrottlingException", 400).times(3));
    let answer = call(&service, post(r#"{"paths":["/images/b.jpg"]}"#)).await;
    assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (503, Some("signing_throttled")));
    aws.disarm();

    // By id: moto's DisableKey does not take an ARN.
    let kms = aws_sdk_kms::Client::new(&sdk);
    kms.disable_key().key_id(arn.rsplit_once('/').unwrap().1).send().await.unwrap();
    let answer = call(&service, post(r#"{"paths":["/images/c.jpg"]}"#)).await;
    assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (503, Some("signing_unavailable")));
    // What was signed before still is: the signature cache.
    assert_eq!(call(&service, post(r#"{"paths":["/images/a.jpg"]}"#)).await.status, 200);
}
