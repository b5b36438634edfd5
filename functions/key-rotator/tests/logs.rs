//! Logs name keys, steps and ETags, never key material. In a test binary of
//! its own: tracing's per-thread subscriber misses events while other tests
//! register the same call sites on other threads.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use cfsign::{KeyAlgorithm, SigningKeySecret};
use key_rotator::cloudfront::MemoryCloudFront;
use key_rotator::keys::RandomKeys;
use key_rotator::secrets::{AWSCURRENT, MemorySecrets, Secrets};
use key_rotator::{Rotator, respond};
use serde_json::{Value, json};
use support::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Collects everything tracing writes, as Lambda's JSON log format would.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_keys_and_steps_but_never_hold_key_material() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let clock = TestClock::new();
    let rotator = Rotator::new(
        MemorySecrets::new(),
        MemoryCloudFront::new(),
        RandomKeys,
        &clock,
        config(KeyAlgorithm::EcdsaP256),
    );
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

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(&key.key_pair_id) && logs.contains("finishSecret") && logs.contains("etag_after"), "{logs}");
    assert!(!logs.contains("PRIVATE KEY"), "a private key reached the logs");
    let body: String = key.private_key.lines().filter(|l| !l.starts_with("-----")).collect();
    for chunk in body.as_bytes().chunks(16) {
        assert!(!logs.contains(std::str::from_utf8(chunk).unwrap()), "key material reached the logs");
    }
}
