//! Logs name keys, steps and ETags, never key material. In a test binary of
//! its own: tracing's per-thread subscriber misses events while other tests
//! register the same call sites on other threads.

mod support;

use cfsign::{KeyAlgorithm, SigningKeySecret};
use key_rotator::respond;
use key_rotator::secrets::{AWSCURRENT, Secrets};
use lambda_runtime::tracing::subscriber::filter::LevelFilter;
use plumbing::logging::{CapturedLog, LogSettings};
use serde_json::{Value, json};
use support::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn logs_name_keys_and_steps_but_never_hold_key_material() {
    // The functions' own subscriber, as Lambda's JSON log format at DEBUG sets it.
    let (subscriber, captured) = CapturedLog::subscriber(LogSettings { level: LevelFilter::DEBUG, json: true });
    let _guard = tracing::dispatcher::set_default(&subscriber);

    let clock = test_clock();
    let rotator = in_memory(&clock, config(KeyAlgorithm::EcdsaP256));
    let responses = KeptResponses::default();
    respond(&rotator, &responses, fixture("cloudformation-create-signing-keys.json"), None).await.unwrap();
    for step in ["createSecret", "setSecret", "testSecret", "finishSecret"] {
        let event = json!({"Step": step, "SecretId": SECRET, "ClientRequestToken": token(1).as_str()});
        respond(&rotator, &responses, event, None).await.unwrap();
    }
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let json = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
    let key = SigningKeySecret::from_json(&json).unwrap();
    respond(&rotator, &responses, fixture("manual-prune.json"), None).await.unwrap();

    let logs = captured.text();
    assert!(logs.contains(&key.key_pair_id) && logs.contains("finishSecret") && logs.contains("etag_after"), "{logs}");
    assert!(!logs.contains("PRIVATE KEY"), "a private key reached the logs");
    let body: String = key.private_key.lines().filter(|l| !l.starts_with("-----")).collect();
    for chunk in body.as_bytes().chunks(16) {
        assert!(!logs.contains(std::str::from_utf8(chunk).unwrap()), "key material reached the logs");
    }
}
