//! The url-signer with a KMS key named by the secret (`{"keyPairId",
//! "kmsKeyArn"}`), on the in-memory key source: every URL and cookie set is
//! signed through the KMS key with SHA-256, a cached signature costs no call,
//! and what KMS refuses is a 503 that says which kind of refusal.

mod common;

use std::time::Duration;

use cfsign::{KeyAlgorithm, Verifier};
use common::*;
use serde_json::json;
use url_signer::keys::fake::FakeSecrets;
use url_signer::{Config, KeyCache, KeyPolicy, SigningService};

const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

struct KmsSigner {
    service: SigningService<FakeSecrets, ManualClock>,
    secrets: FakeSecrets,
    clock: ManualClock,
}

fn kms_signer(overrides: &[(&str, &str)]) -> KmsSigner {
    let mut settings = vec![("HASH_ALGORITHM", "SHA256")];
    settings.extend_from_slice(overrides);
    let config: Config = config(&settings);
    let secrets = FakeSecrets::default();
    let keys = KeyCache::new(secrets.clone(), config.key_secret_id.clone(), KeyPolicy::of(&config));
    let clock = at_now();
    KmsSigner { service: SigningService::new(config, keys, clock.clone()), secrets, clock }
}

fn paths(count: usize) -> serde_json::Value {
    json!({ "paths": (0..count).map(|i| format!("/images/{i:02}.jpg")).collect::<Vec<_>>() })
}

#[tokio::test]
async fn urls_and_cookies_are_signed_by_the_kms_key_with_sha256_and_a_cached_one_costs_no_call() {
    for algorithm in [KeyAlgorithm::Rsa2048, KeyAlgorithm::EcdsaP256] {
        let signer = kms_signer(&[]);
        let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, algorithm);
        let verifier = Verifier::new().with_key("KKMS", key.public_key());

        let answer = call(&signer.service, post(&paths(25).to_string())).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        for entry in answer.json()["urls"].as_array().unwrap() {
            let url = entry["url"].as_str().unwrap();
            assert!(url.ends_with("&Key-Pair-Id=KKMS&Hash-Algorithm=SHA256"), "{url}");
            verifier.verify_url(url, &at(NOW)).unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        }
        assert_eq!(key.calls(), 1 + 25, "one self-check at load, then one call per URL");

        // The same page again, inside the expiry window: every signature from the cache.
        let again = call(&signer.service, post(&paths(25).to_string())).await;
        assert_eq!(again.json()["urls"], answer.json()["urls"]);
        assert_eq!(key.calls(), 26);

        let cookies = call(&signer.service, post(r#"{"mode":"cookies","resource":"/images/*"}"#)).await;
        assert_eq!(cookies.status, 200, "{}", cookies.body);
        assert!(cookies.set_cookies().iter().any(|c| c.starts_with("CloudFront-Hash-Algorithm=SHA256;")));
    }
}

#[tokio::test]
async fn kms_throttling_is_a_503_signing_throttled_and_cached_signatures_still_serve() {
    let signer = kms_signer(&[]);
    let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::EcdsaP256);
    let first = call(&signer.service, post(&paths(3).to_string())).await;
    assert_eq!(first.status, 200);

    key.fail_with(Some("ThrottlingException: Rate exceeded"));
    let cached = call(&signer.service, post(&paths(3).to_string())).await;
    assert_eq!((cached.status, cached.json()["urls"].clone()), (200, first.json()["urls"].clone()));
    let throttled = call(&signer.service, post(&paths(4).to_string())).await;
    assert_eq!(throttled.status, 503, "{}", throttled.body);
    assert_eq!(throttled.json()["error"]["code"], "signing_throttled");
    assert!(!throttled.carries_a_signature());
}

#[tokio::test]
async fn a_disabled_or_deleted_kms_key_is_a_503_signing_unavailable() {
    let signer = kms_signer(&[]);
    let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::Rsa2048);
    assert_eq!(call(&signer.service, post(&paths(1).to_string())).await.status, 200);
    for refusal in ["DisabledException: the key is disabled", "KMSInvalidStateException: pending deletion"] {
        key.fail_with(Some(refusal));
        let answer = call(&signer.service, post(&paths(2).to_string())).await;
        assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (503, Some("signing_unavailable")));
        assert_eq!(answer.json()["error"]["message"], "signing is temporarily unavailable");
    }
}

#[tokio::test]
async fn a_kms_key_with_sha1_configured_is_refused_at_load_with_the_reason() {
    let signer = kms_signer(&[("HASH_ALGORITHM", "SHA1")]);
    let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::Rsa2048);
    let answer = call(&signer.service, post(&paths(1).to_string())).await;
    assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (503, Some("signing_unavailable")));
    assert_eq!(key.calls(), 0, "nothing is signed with a hash the key cannot use");
    // The reason is the logged error's (the caller gets the generic message).
    let request = url_signer::api::parse_body(paths(1).to_string().as_bytes()).unwrap();
    let error = signer.service.sign(&request, &url_signer::service::Caller::default()).await.unwrap_err();
    assert!(error.to_string().contains("signs only with SHA-256, and HASH_ALGORITHM is SHA1"), "{error}");
}

#[tokio::test]
async fn a_stack_moves_between_a_private_key_and_a_kms_key_by_rotating() {
    let signer = kms_signer(&[]);
    signer.secrets.rotate_to_new_key("KPEM");
    let before = call(&signer.service, post(&paths(1).to_string())).await;
    assert!(before.body.contains("Key-Pair-Id=KPEM"), "{}", before.body);

    signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::EcdsaP256);
    signer.clock.advance(Duration::from_secs(301));
    let after = call(&signer.service, post(&paths(1).to_string())).await;
    assert!(after.body.contains("Key-Pair-Id=KKMS"), "{}", after.body);

    signer.secrets.rotate_to_new_key("KBACK");
    signer.clock.advance(Duration::from_secs(301));
    let back = call(&signer.service, post(&paths(1).to_string())).await;
    assert!(back.body.contains("Key-Pair-Id=KBACK"), "{}", back.body);
}

#[tokio::test]
async fn one_request_has_at_most_16_kms_calls_in_flight() {
    let signer = kms_signer(&[]);
    let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, post(&paths(40).to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(key.calls(), 1 + 40);
    assert_eq!(key.most_in_flight() as usize, url_signer::service::KMS_CALLS_AT_ONCE);
}

#[tokio::test]
async fn a_kms_key_throttled_while_loading_is_a_503_signing_throttled_not_a_malformed_secret() {
    let signer = kms_signer(&[]);
    let key = signer.secrets.rotate_to_kms_key("KKMS", ARN, KeyAlgorithm::EcdsaP256);
    key.fail_with(Some("ThrottlingException: Rate exceeded"));
    let answer = call(&signer.service, post(&paths(1).to_string())).await;
    assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (503, Some("signing_throttled")));
    // After the failure memory, the load is tried again and succeeds.
    key.fail_with(None);
    signer.clock.advance(Duration::from_secs(5));
    assert_eq!(call(&signer.service, post(&paths(1).to_string())).await.status, 200);
}
