//! The function's edge: every trigger from its fixture in AWS's shape, and bad
//! events refused without a change.

mod support;

use cfsign::{KeyAlgorithm, SigningKeySecret};
use key_rotator::secrets::{AWSCURRENT, Secrets};
use std::time::Duration;

use key_rotator::{Error, handle, respond};
use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};
use support::*;

type Memory<'c> = InMemory<'c>;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn rotator(clock: &ManualClock) -> Memory<'_> {
    in_memory(clock, config(KeyAlgorithm::EcdsaP256))
}

/// The rotation fixture for `step`, naming the configured secret by ARN as Secrets Manager does.
fn rotation_event(step: &str) -> Value {
    let mut event = fixture("secretsmanager-rotation-create-secret.json");
    event["Step"] = json!(step);
    event["SecretId"] = json!(format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{SECRET}-a1B2c3"));
    event
}

async fn current(rotator: &Memory<'_>) -> SigningKeySecret {
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let json = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
    SigningKeySecret::from_json(&json).unwrap()
}

#[tokio::test]
async fn every_trigger_is_answered_from_its_fixture() {
    let clock = test_clock();
    let rotator = rotator(&clock);
    let responses = KeptResponses::default();

    let answer = respond(&rotator, &responses, fixture("cloudformation-create-signing-keys.json"), None).await.unwrap();
    assert_eq!(answer["Status"], "SUCCESS");
    let group_id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
    let first = current(&rotator).await.key_pair_id;

    for step in ["createSecret", "setSecret", "testSecret"] {
        respond(&rotator, &responses, rotation_event(step), None).await.unwrap();
    }
    // Both spellings of the step names.
    let mut finish = fixture("secretsmanager-rotation-finish-secret-snake-case.json");
    finish["SecretId"] = json!(SECRET);
    let answer = respond(&rotator, &responses, finish, None).await.unwrap();
    assert_eq!(answer, json!({"step": "finishSecret", "token": "5d9b6a14-1f3c-4d2e-8a7b-2c4e6f8a0b1d"}));
    assert_ne!(current(&rotator).await.key_pair_id, first);

    let report = respond(&rotator, &responses, fixture("eventbridge-scheduled-prune.json"), None).await.unwrap();
    assert_eq!(report["waiting"][0][0], first.as_str());
    let report = respond(&rotator, &responses, fixture("manual-prune.json"), None).await.unwrap();
    assert_eq!(report["removed"], json!([]));

    let revoke = fixture("manual-revoke.json").to_string().replace("KEY_PAIR_ID", &first);
    let report = respond(&rotator, &responses, serde_json::from_str(&revoke).unwrap(), None).await.unwrap();
    assert_eq!(report, json!({"revoked": first, "replaced_by": null, "retired_kms_keys": []}));

    let update = fixture("cloudformation-update-signing-keys.json").to_string().replace("KEY_GROUP_ID", &group_id);
    respond(&rotator, &responses, serde_json::from_str(&update).unwrap(), None).await.unwrap();
    let delete = fixture("cloudformation-delete-signing-keys.json").to_string().replace("KEY_GROUP_ID", &group_id);
    respond(&rotator, &responses, serde_json::from_str(&delete).unwrap(), None).await.unwrap();
    let signing = current(&rotator).await.key_pair_id;
    let answers = responses.0.lock().unwrap();
    let statuses: Vec<String> =
        answers.iter().map(|(_, r)| format!("{:?} {}", r.status, r.physical_resource_id)).collect();
    assert_eq!(statuses, [format!("Success {group_id}"), format!("Success {group_id}"), format!("Success {group_id}")]);
    assert_eq!(answers[1].1.data["PublicKeyId"], signing, "update reports the signing key");
    assert!(answers[0].0.starts_with("https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/"));
}

#[tokio::test]
async fn bad_events_are_refused_and_change_nothing() {
    let clock = test_clock();
    let rotator = rotator(&clock);
    let responses = KeptResponses::default();
    let cases = [
        (json!({}), "expected a Secrets Manager rotation step"),
        (json!([1, 2]), "expected"),
        (json!({"Step": "createSecret"}), "missing field"),
        (
            json!({"Step": "rotateEverything", "SecretId": SECRET, "ClientRequestToken": token(1).as_str()}),
            "unknown rotation step",
        ),
        (json!({"Step": "createSecret", "SecretId": SECRET, "ClientRequestToken": "../etc"}), "not a UUID"),
        (
            json!({"Step": "createSecret", "SecretId": "other-secret", "ClientRequestToken": token(1).as_str()}),
            "not other-secret",
        ),
        (json!({"action": "delete-everything"}), "unknown variant"),
        (json!({"action": "revoke"}), "missing field"),
        (json!({"action": "revoke", "keyPairId": "K1/../../"}), "not a CloudFront public key id"),
        (json!({"action": "revoke", "keyPairId": "k2jcjmdehxqw5f"}), "not a CloudFront public key id"),
        (json!({"action": "revoke", "keyPairId": "K2JC"}), "not a CloudFront public key id"),
        (json!({"action": "prune", "extra": 1}), "unknown field"),
        (json!({"RequestType": "Create"}), "missing field"),
        (json!({"source": "aws.s3", "detail-type": "Object Created"}), "expected"),
    ];
    for (event, why) in cases {
        let error = respond(&rotator, &responses, event.clone(), None).await.unwrap_err();
        assert!(error.to_string().contains(why), "{event}: {error}");
        assert!(matches!(error, Error::BadEvent(_) | Error::OtherSecret { .. }), "{event}: {error:?}");
    }
    assert!(rotator.secrets().describe(SECRET).await.unwrap().versions.is_empty(), "nothing was written");
    assert!(responses.0.lock().unwrap().is_empty());
}

/// The Lambda deadline reaches finishSecret: with time left, it waits out the
/// activation delay (here on a fake clock) instead of failing.
#[tokio::test]
async fn finish_secret_waits_out_the_activation_delay_within_the_lambda_deadline() {
    let clock = test_clock();
    let mut config = config(KeyAlgorithm::EcdsaP256);
    config.activation_delay = Duration::from_secs(300);
    let rotator = in_memory(&clock, config).with_pause(&clock);
    let responses = KeptResponses::default();
    respond(&rotator, &responses, fixture("cloudformation-create-signing-keys.json"), None).await.unwrap();
    for step in ["createSecret", "setSecret", "testSecret"] {
        respond(&rotator, &responses, rotation_event(step), None).await.unwrap();
    }
    let invocation = |seconds_left: u64| {
        let mut context = lambda_runtime::Context::default();
        let deadline = in_seconds(&clock, seconds_left).duration_since(std::time::UNIX_EPOCH).unwrap();
        context.deadline = u64::try_from(deadline.as_millis()).unwrap();
        LambdaEvent::new(rotation_event("finishSecret"), context)
    };
    // 300 s of delay and the 15 s margin do not fit in 310 s.
    let error = handle(&rotator, &responses, invocation(310)).await.unwrap_err();
    assert!(matches!(error, Error::NotYetPropagated { .. }), "{error}");
    handle(&rotator, &responses, invocation(315)).await.unwrap();
    assert_eq!(rotator.pause().sleeps(), [Duration::from_secs(300)]);
}

/// A request that names where to answer is always answered, or CloudFormation
/// waits an hour: FAILED, with its physical id (or one for a create), a
/// reason, and nothing changed.
#[tokio::test]
async fn a_malformed_custom_resource_request_is_answered_failed() {
    let clock = test_clock();
    let rotator = rotator(&clock);
    for (fixture_name, physical_id, why) in [
        ("cloudformation-unknown-request-type.json", "G0000000000001", "RequestType"),
        (
            "cloudformation-create-without-resource-properties.json",
            "failed-3e8d1c6a-2b5f-4a7e-8c9d-1f0e2d3c4b5a",
            "ResourceProperties",
        ),
    ] {
        let responses = KeptResponses::default();
        let answer = respond(&rotator, &responses, fixture(fixture_name), None).await.unwrap();
        assert_eq!(answer["Status"], "FAILED", "{fixture_name}");
        let (url, response) = responses.0.lock().unwrap().pop().expect("an answer was sent");
        assert!(url.starts_with("https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/"));
        assert_eq!(response.physical_resource_id, physical_id, "{fixture_name}");
        let reason = response.reason.unwrap();
        assert!(reason.contains(why), "{fixture_name}: {reason}");
        assert_eq!(response.logical_resource_id, "SigningKeys");
    }
    assert!(rotator.secrets().describe(SECRET).await.unwrap().versions.is_empty(), "nothing was written");
}
