//! Every trigger against the local AWS over real HTTP, and the crash tests:
//! each workflow is failed after each of its AWS calls in turn, then run again
//! as Secrets Manager (or the schedule) would; the invariants must hold after
//! every step and the run must converge.

mod support;

use std::time::Duration;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponseStatus as Status;
use aws_sdk_s3::presigning::PresigningConfig;
use cfsign::KeyAlgorithm;
use key_rotator::cloudfront::{CloudFront, KeyGroups};
use key_rotator::keys::RandomKeys;
use key_rotator::kms::Kms;
use key_rotator::responder::HttpResponder;
use key_rotator::response_url::ResponseHosts;
use key_rotator::secrets::{AWSCURRENT, AWSPENDING, Secrets, SecretsManager};
use key_rotator::{Rotator, Step, With, respond};
use local_aws::{Call, Fault, Session};
use serde_json::{Value, json};
use support::*;

type Local<'c> = Rotator<With<SecretsManager, CloudFront, RandomKeys, Kms, &'c ManualClock>>;

async fn rotator<'c>(aws: &Session, clock: &'c ManualClock, config: key_rotator::Config) -> Local<'c> {
    let sdk = aws.sdk_config().await;
    Rotator::new(
        SecretsManager::new(aws_sdk_secretsmanager::Client::new(&sdk)),
        CloudFront::new(aws_sdk_cloudfront::Client::new(&sdk)),
        RandomKeys,
        Kms::new(aws_sdk_kms::Client::new(&sdk)),
        clock,
        config,
    )
}

/// The stack's secret before the custom resource runs: no version at all, as the template creates it.
async fn create_secret(aws: &Session) {
    let client = aws_sdk_secretsmanager::Client::new(&aws.sdk_config().await);
    client.create_secret().name(SECRET).send().await.unwrap();
}

async fn deployed<'c>(aws: &Session, clock: &'c ManualClock, source: Source) -> (Local<'c>, Ledger) {
    create_secret(aws).await;
    let rotator = rotator(aws, clock, config_in(KeyAlgorithm::EcdsaP256, source)).await;
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    let mut ledger = Ledger::default();
    check_invariants(&rotator, &mut ledger, false).await;
    (rotator, ledger)
}

const STEPS: [Step; 4] = [Step::Create, Step::Set, Step::Test, Step::Finish];

async fn members(rotator: &Local<'_>) -> Vec<String> {
    let id = rotator.cloudfront().find_key_group(GROUP).await.unwrap().unwrap();
    rotator.cloudfront().key_group(&id).await.unwrap().unwrap().items
}

async fn current_key_id(rotator: &Local<'_>) -> String {
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let json = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
    cfsign::StoredSigningKey::from_json(&json).unwrap().key_pair_id().to_owned()
}

#[tokio::test]
async fn custom_resource_creates_updates_and_deletes_through_a_presigned_url() {
    let aws = local_aws::session();
    let clock = test_clock();
    create_secret(&aws).await;
    let rotator = rotator(&aws, &clock, config(KeyAlgorithm::Rsa2048)).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws.sdk_config().await).force_path_style(true).build(),
    );
    s3.create_bucket().bucket("cfn-responses").send().await.unwrap();
    let responder = HttpResponder::new(HttpResponder::TIMEOUT, ResponseHosts::Loopback).unwrap();

    let mut physical_id = String::new();
    for (request_type, fixture) in [
        ("Create", include_str!("fixtures/cloudformation-create-signing-keys.json")),
        ("Update", include_str!("fixtures/cloudformation-update-signing-keys.json")),
        ("Delete", include_str!("fixtures/cloudformation-delete-signing-keys.json")),
    ] {
        let presigned = s3
            .put_object()
            .bucket("cfn-responses")
            .key(request_type)
            .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
            .await
            .unwrap();
        let mut event: Value = serde_json::from_str(&fixture.replace("KEY_GROUP_ID", &physical_id)).unwrap();
        event["ResponseURL"] = json!(presigned.uri());
        respond(&rotator, &responder, event, None).await.unwrap();

        let body = s3.get_object().bucket("cfn-responses").key(request_type).send().await.unwrap().body;
        let answer: Value = serde_json::from_slice(&body.collect().await.unwrap().into_bytes()).unwrap();
        assert_eq!(answer["Status"], "SUCCESS", "{request_type}: {answer}");
        assert_eq!(answer["LogicalResourceId"], "SigningKeys");
        if request_type == "Create" {
            physical_id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
            assert_eq!(answer["Data"]["KeyGroupId"], physical_id.as_str());
            assert_eq!(members(&rotator).await, [answer["Data"]["PublicKeyId"].as_str().unwrap()]);
            check_invariants(&rotator, &mut Ledger::default(), true).await;
        } else {
            assert_eq!(answer["PhysicalResourceId"], physical_id.as_str(), "{request_type} keeps the id");
        }
    }
    assert!(rotator.cloudfront().key_group(&physical_id).await.unwrap().is_none(), "the group is deleted");
    assert!(rotator.cloudfront().public_keys().await.unwrap().is_empty(), "its keys are deleted");
}

#[tokio::test]
async fn a_failed_create_answers_failed_with_the_reason() {
    let aws = local_aws::session();
    let clock = test_clock();
    create_secret(&aws).await;
    let rotator = rotator(&aws, &clock, config(KeyAlgorithm::EcdsaP256)).await;
    aws.fail_next(Fault::error("cloudfront", "CreatePublicKey", "AccessDenied", 403));
    let responses = KeptResponses::default();
    let event: Value = serde_json::from_str(include_str!("fixtures/cloudformation-create-signing-keys.json")).unwrap();
    respond(&rotator, &responses, event, None).await.unwrap();
    let (_, answer) = responses.0.lock().unwrap().pop().unwrap();
    assert_eq!(answer.status, Status::Failed);
    assert!(answer.reason.unwrap().contains("AccessDenied"));
    assert_eq!(answer.physical_resource_id, "failed-3e8d1c6a-2b5f-4a7e-8c9d-1f0e2d3c4b5a");
}

/// Work that cannot finish before the deadline is answered FAILED in time.
#[tokio::test]
async fn a_create_that_cannot_finish_before_the_deadline_answers_failed() {
    let aws = local_aws::session();
    let clock = test_clock();
    create_secret(&aws).await;
    let rotator = rotator(&aws, &clock, config(KeyAlgorithm::EcdsaP256)).await.with_pause(&clock);
    // The work hangs on its first call; the fake sleeper reaches the deadline at once.
    // Held until the disarm below, however long the machine takes to get there.
    aws.fail_next(Fault::delay("secretsmanager", "DescribeSecret", 600_000));
    let responses = KeptResponses::default();
    let event: Value = serde_json::from_str(include_str!("fixtures/cloudformation-create-signing-keys.json")).unwrap();
    let answer = respond(&rotator, &responses, event, Some(in_seconds(&clock, 60))).await.unwrap();
    aws.disarm();
    assert_eq!(answer["Status"], "FAILED");
    let (_, answer) = responses.0.lock().unwrap().pop().unwrap();
    assert!(answer.reason.unwrap().contains("deadline"));
    assert_eq!(answer.physical_resource_id, "failed-3e8d1c6a-2b5f-4a7e-8c9d-1f0e2d3c4b5a");
    assert_eq!(rotator.pause().sleeps(), [Duration::from_secs(60)]);
}

#[tokio::test]
async fn a_failed_create_is_cleaned_up_by_the_delete_that_follows() {
    let aws = local_aws::session();
    let clock = test_clock();
    create_secret(&aws).await;
    let rotator = rotator(&aws, &clock, config(KeyAlgorithm::EcdsaP256)).await;
    // The group and its key exist when the create fails: its last step cannot make the key current.
    aws.fail_next(Fault::error("secretsmanager", "UpdateSecretVersionStage", "InternalServiceError", 500));
    let responses = KeptResponses::default();
    let create: Value = serde_json::from_str(include_str!("fixtures/cloudformation-create-signing-keys.json")).unwrap();
    respond(&rotator, &responses, create, None).await.unwrap();
    let (_, answer) = responses.0.lock().unwrap().pop().unwrap();
    assert_eq!(answer.status, Status::Failed);
    assert!(rotator.cloudfront().find_key_group(GROUP).await.unwrap().is_some());

    // CloudFormation rolls back: Delete with the physical id the failure answered.
    let delete = include_str!("fixtures/cloudformation-delete-signing-keys.json")
        .replace("KEY_GROUP_ID", &answer.physical_resource_id);
    respond(&rotator, &responses, serde_json::from_str(&delete).unwrap(), None).await.unwrap();
    let (_, answer) = responses.0.lock().unwrap().pop().unwrap();
    assert_eq!(answer.status, Status::Success, "{:?}", answer.reason);
    assert!(rotator.cloudfront().find_key_group(GROUP).await.unwrap().is_none(), "the stack's group is deleted");
    assert!(rotator.cloudfront().public_keys().await.unwrap().is_empty(), "and its keys");
}

#[tokio::test]
async fn rotation_prune_and_revoke_over_http() {
    let aws = local_aws::session();
    let clock = test_clock();
    let (rotator, mut ledger) = deployed(&aws, &clock, Source::Secret).await;
    let first = current_key_id(&rotator).await;
    let responder = KeptResponses::default();
    let mut event: Value =
        serde_json::from_str(include_str!("fixtures/secretsmanager-rotation-create-secret.json")).unwrap();
    event["SecretId"] = json!(SECRET);
    for step in ["createSecret", "setSecret", "testSecret", "finishSecret"] {
        event["Step"] = json!(step);
        respond(&rotator, &responder, event.clone(), None).await.unwrap();
        check_invariants(&rotator, &mut ledger, false).await;
    }
    let second = current_key_id(&rotator).await;
    assert_eq!(members(&rotator).await, [first.clone(), second.clone()]);

    let prune: Value = serde_json::from_str(include_str!("fixtures/eventbridge-scheduled-prune.json")).unwrap();
    let report = respond(&rotator, &responder, prune.clone(), None).await.unwrap();
    assert_eq!(report["removed"], json!([]));
    clock.advance(GRACE);
    ledger.signed_with.remove(&first);
    let report = respond(&rotator, &responder, prune, None).await.unwrap();
    assert_eq!(report["removed"], json!([first]));
    assert_eq!(report["deleted"], json!([first]));
    check_invariants(&rotator, &mut ledger, true).await;

    let revoke = include_str!("fixtures/manual-revoke.json").replace("KEY_PAIR_ID", &second);
    let report = respond(&rotator, &responder, serde_json::from_str(&revoke).unwrap(), None).await.unwrap();
    let third = current_key_id(&rotator).await;
    assert_eq!(report["replaced_by"], json!(third));
    assert_eq!(members(&rotator).await, [third]);
    ledger.signed_with.remove(&second);
    check_invariants(&rotator, &mut ledger, true).await;
}

/// What Secrets Manager's RotateSecret does before calling the function: the
/// token's version opens, AWSPENDING and without a value.
async fn rotate_secret(aws: &Session, n: u32) {
    let client = aws_sdk_secretsmanager::Client::new(&aws.sdk_config().await);
    client.rotate_secret().secret_id(SECRET).client_request_token(token(n).as_str()).send().await.unwrap();
}

async fn full_rotation(rotator: &Local<'_>, n: u32) -> Result<(), key_rotator::Error> {
    for step in STEPS {
        rotator.rotation_step(step, &token(n), None, None).await?;
    }
    Ok(())
}

/// The error each crash point injects: a server error of the call's service.
fn fault_code(call: &Call) -> (&'static str, u16) {
    match call.service.as_str() {
        "secretsmanager" => ("InternalServiceError", 500),
        "kms" => ("KMSInternalException", 500),
        _ => ("ServiceUnavailable", 503),
    }
}

fn fault_for(call: &Call, earlier: &[Call]) -> Fault {
    let skip = earlier.iter().filter(|c| *c == call).count() as u32;
    let (code, status) = fault_code(call);
    Fault::error(&call.service, &call.action, code, status).after(skip)
}

/// A crash point's work failed with the injected fault itself, named by its
/// operation and AWS code: not some other failure the fault happened to cause.
fn assert_failed_with_the_fault<T: std::fmt::Debug>(outcome: Result<T, key_rotator::Error>, call: &Call, point: &str) {
    match outcome {
        Err(key_rotator::Error::Aws { operation, code, .. }) => {
            assert_eq!((operation, code.as_str()), (call.action.as_str(), fault_code(call).0), "{point}")
        }
        other => panic!("{point}: expected the injected {} on {}, got {other:?}", fault_code(call).0, call.action),
    }
}

/// A RotationSchedule created without rotating at once: Secrets Manager opens
/// an AWSPENDING version (empty, or a copy of AWSCURRENT), runs testSecret on
/// it, then removes it. The test passes and changes nothing.
#[tokio::test]
async fn the_configuration_test_of_a_rotation_schedule_passes_over_http() {
    let aws = local_aws::session();
    for copy in [false, true] {
        aws.reset();
        let clock = test_clock();
        let (rotator, mut ledger) = deployed(&aws, &clock, Source::Secret).await;
        let client = aws_sdk_secretsmanager::Client::new(&aws.sdk_config().await);
        if copy {
            let current = client.get_secret_value().secret_id(SECRET).send().await.unwrap().secret_string.unwrap();
            client
                .put_secret_value()
                .secret_id(SECRET)
                .client_request_token(token(9).as_str())
                .secret_string(current)
                .version_stages(AWSPENDING)
                .send()
                .await
                .unwrap();
        } else {
            rotate_secret(&aws, 9).await;
        }
        let before = (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await);
        rotator.rotation_step(Step::Test, &token(9), None, None).await.unwrap_or_else(|e| panic!("copy {copy}: {e}"));
        assert_eq!(before, (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await));
        check_invariants(&rotator, &mut ledger, false).await;
    }
}

/// Where a crashed rotation starts from.
#[derive(Debug, Clone, Copy)]
enum Before {
    /// The stack as the custom resource left it: one key.
    FreshStack,
    /// Five keys in the group, the limit: the oldest is past its grace period,
    /// so setSecret must remove (and delete) it to make room.
    FullGroup,
}

/// The stack ready for a rotation: the rotator, the ledger, the rotation's
/// number, and the member its setSecret must remove to make room.
async fn ready_to_rotate<'c>(
    aws: &Session,
    clock: &'c ManualClock,
    before: Before,
    source: Source,
) -> (Local<'c>, Ledger, u32, Option<String>) {
    let (rotator, mut ledger) = deployed(aws, clock, source).await;
    match before {
        Before::FreshStack => (rotator, ledger, 1, None),
        Before::FullGroup => {
            let first = current_key_id(&rotator).await;
            full_rotation(&rotator, 1).await.unwrap();
            // Only the first key ages past its grace; the next three retire later.
            clock.advance(GRACE);
            ledger.signed_with.remove(&first);
            for n in 2..=4 {
                full_rotation(&rotator, n).await.unwrap();
                check_invariants(&rotator, &mut ledger, false).await;
            }
            assert_eq!(members(&rotator).await.len(), 5, "the group is full");
            (rotator, ledger, 5, Some(first))
        }
    }
}

/// Fails each AWS call of a rotation in turn (every step, every call), then
/// retries the rotation from its first step as Secrets Manager would; each
/// rotation starts as Secrets Manager starts one, with RotateSecret. Answers
/// the calls per step and the number of crash points.
async fn crash_every_rotation_call(aws: &Session, before: Before, source: Source) -> (Vec<String>, usize) {
    // The calls of each step of one rotation.
    let calls_per_step: Vec<Vec<Call>> = {
        aws.reset();
        let clock = test_clock();
        let (rotator, _, n, _) = ready_to_rotate(aws, &clock, before, source).await;
        rotate_secret(aws, n).await;
        let mut calls = Vec::new();
        for step in STEPS {
            aws.clear_calls();
            rotator.rotation_step(step, &token(n), None, None).await.unwrap();
            calls.push(aws.calls());
        }
        calls
    };
    let mut crash_points = 0;
    for (failing_step, calls) in calls_per_step.iter().enumerate() {
        for k in 0..calls.len() {
            let point = format!("{source:?} {before:?}: {} call {k} ({:?})", STEPS[failing_step].name(), calls[k]);
            aws.reset();
            let clock = test_clock();
            let (rotator, mut ledger, n, aged) = ready_to_rotate(aws, &clock, before, source).await;
            let old_key = current_key_id(&rotator).await;
            let old_members = members(&rotator).await;
            rotate_secret(aws, n).await;
            for step in &STEPS[..failing_step] {
                rotator.rotation_step(*step, &token(n), None, None).await.unwrap();
                check_invariants(&rotator, &mut ledger, false).await;
            }
            // Fails call k of the step: the step's earlier calls took effect, the rest never ran.
            aws.fail_next(fault_for(&calls[k], &calls[..k]));
            let outcome = rotator.rotation_step(STEPS[failing_step], &token(n), None, None).await;
            aws.disarm();
            assert_failed_with_the_fault(outcome, &calls[k], &point);
            check_invariants(&rotator, &mut ledger, false).await;
            // Secrets Manager retries the rotation from its first step.
            for step in STEPS {
                rotator
                    .rotation_step(step, &token(n), None, None)
                    .await
                    .unwrap_or_else(|e| panic!("retry after {point}: {e}"));
                check_invariants(&rotator, &mut ledger, false).await;
            }
            let new_key = current_key_id(&rotator).await;
            assert_ne!(old_key, new_key, "{point}: the rotation finished");
            let mut expected: Vec<String> = old_members.into_iter().filter(|m| Some(m) != aged.as_ref()).collect();
            expected.push(new_key);
            assert_eq!(members(&rotator).await, expected, "{point}");
            let state = rotator.secrets().describe(SECRET).await.unwrap();
            assert_eq!(state.labelled(AWSPENDING), None, "{point}: AWSPENDING left behind");
            // A prune leaves nothing unaccounted for (a crash may have left an
            // orphan key, or the key setSecret removed but had not deleted yet).
            rotator.prune().await.unwrap();
            check_invariants(&rotator, &mut ledger, true).await;
            if let Some(aged) = &aged {
                assert!(rotator.cloudfront().public_key(aged).await.unwrap().is_none(), "{point}: {aged} not deleted");
            }
            crash_points += 1;
        }
    }
    let per_step = calls_per_step.iter().zip(STEPS).map(|(c, s)| format!("{} {}", s.name(), c.len())).collect();
    (per_step, crash_points)
}

#[tokio::test]
async fn a_rotation_failed_after_any_of_its_calls_converges_when_retried() {
    let aws = local_aws::session();
    let (per_step, crash_points) = crash_every_rotation_call(&aws, Before::FreshStack, Source::Secret).await;
    // The README reports these; a change in the calls must be seen, not just printed.
    assert_eq!(per_step, ["createSecret 7", "setSecret 9", "testSecret 7", "finishSecret 9"]);
    assert_eq!(crash_points, 32);
    println!(
        "rotation: {crash_points} crash points ({}), each failing one AWS call; all converged",
        per_step.join(", ")
    );
}

#[tokio::test]
async fn a_kms_rotation_failed_after_any_of_its_calls_converges_when_retried() {
    let aws = local_aws::session();
    let (per_step, crash_points) = crash_every_rotation_call(&aws, Before::FreshStack, Source::Kms).await;
    // createSecret's five more calls: DescribeKey (the alias), the secret's tag recording
    // that a key is being made, CreateKey, CreateAlias, GetPublicKey. setSecret reads the
    // KMS key's public key (GetPublicKey), and testSecret signs through KMS.
    assert_eq!(per_step, ["createSecret 12", "setSecret 10", "testSecret 8", "finishSecret 9"]);
    assert_eq!(crash_points, 39);
    println!("KMS rotation: {crash_points} crash points ({}); all converged", per_step.join(", "));
}

#[tokio::test]
async fn a_rotation_that_makes_room_in_a_full_group_converges_after_any_crash() {
    let aws = local_aws::session();
    let (per_step, crash_points) = crash_every_rotation_call(&aws, Before::FullGroup, Source::Secret).await;
    // setSecret's two more calls than from a fresh stack: reading and deleting the key it removed.
    assert_eq!(per_step, ["createSecret 7", "setSecret 11", "testSecret 7", "finishSecret 9"]);
    assert_eq!(crash_points, 34);
    println!("full-group rotation: {crash_points} crash points ({}); all converged", per_step.join(", "));
}

#[tokio::test]
async fn a_kms_rotation_that_makes_room_in_a_full_group_converges_after_any_crash() {
    let aws = local_aws::session();
    let (per_step, crash_points) = crash_every_rotation_call(&aws, Before::FullGroup, Source::Kms).await;
    assert_eq!(per_step, ["createSecret 12", "setSecret 12", "testSecret 8", "finishSecret 9"]);
    assert_eq!(crash_points, 41);
    println!("KMS full-group rotation: {crash_points} crash points ({}); all converged", per_step.join(", "));
}

/// The stack after one rotation (members: the first key, in its grace
/// period, and the current one), and the key to revoke.
async fn ready_to_revoke<'c>(
    aws: &Session,
    clock: &'c ManualClock,
    current: bool,
    source: Source,
) -> (Local<'c>, Ledger, String) {
    let (rotator, mut ledger) = deployed(aws, clock, source).await;
    let first = current_key_id(&rotator).await;
    full_rotation(&rotator, 1).await.unwrap();
    check_invariants(&rotator, &mut ledger, false).await;
    let revoked = if current { current_key_id(&rotator).await } else { first };
    ledger.revoked.insert(revoked.clone());
    (rotator, ledger, revoked)
}

/// Fails each AWS call of a revoke in turn, then runs the revoke again as the
/// operator (or the event's retry) would. Answers the number of crash points.
async fn crash_every_revoke_call(aws: &Session, current: bool, source: Source) -> usize {
    let calls = {
        aws.reset();
        let clock = test_clock();
        let (rotator, _, revoked) = ready_to_revoke(aws, &clock, current, source).await;
        aws.clear_calls();
        rotator.revoke(&revoked).await.unwrap();
        aws.calls()
    };
    let mut crash_points = 0;
    for k in 0..calls.len() {
        let point = format!(
            "{source:?} revoke of the {} key, call {k} ({:?})",
            if current { "current" } else { "old" },
            calls[k]
        );
        aws.reset();
        let clock = test_clock();
        let (rotator, mut ledger, revoked) = ready_to_revoke(aws, &clock, current, source).await;
        let old_members = members(&rotator).await;
        aws.fail_next(fault_for(&calls[k], &calls[..k]));
        let outcome = rotator.revoke(&revoked).await;
        aws.disarm();
        assert_failed_with_the_fault(outcome, &calls[k], &point);
        check_invariants(&rotator, &mut ledger, false).await;
        let report = rotator.revoke(&revoked).await.unwrap_or_else(|e| panic!("revoke again after {point}: {e}"));
        check_invariants(&rotator, &mut ledger, false).await;
        assert_eq!(report.revoked, revoked);
        let mut expected: Vec<String> = old_members.into_iter().filter(|m| *m != revoked).collect();
        if current {
            let new_key = current_key_id(&rotator).await;
            assert_eq!(report.replaced_by.as_ref(), Some(&new_key), "{point}");
            expected.push(new_key);
        } else {
            assert_eq!(report.replaced_by, None, "{point}");
        }
        assert_eq!(members(&rotator).await, expected, "{point}");
        assert!(rotator.cloudfront().public_key(&revoked).await.unwrap().is_none(), "{point}: not deleted");
        rotator.prune().await.unwrap();
        check_invariants(&rotator, &mut ledger, true).await;
        // Nothing left behind blocks the next rotation.
        rotate_secret(aws, 7).await;
        full_rotation(&rotator, 7).await.unwrap_or_else(|e| panic!("rotation after {point}: {e}"));
        check_invariants(&rotator, &mut ledger, false).await;
        crash_points += 1;
    }
    crash_points
}

#[tokio::test]
async fn a_revoke_of_the_current_key_failed_after_any_of_its_calls_converges_when_run_again() {
    let aws = local_aws::session();
    let crash_points = crash_every_revoke_call(&aws, true, Source::Secret).await;
    assert_eq!(crash_points, 53, "the README reports these revoke crash points");
    let kms_crash_points = crash_every_revoke_call(&aws, true, Source::Kms).await;
    assert_eq!(kms_crash_points, 69, "the README reports these revoke crash points");
    println!(
        "revoke: {crash_points} crash points revoking the current key, {kms_crash_points} in KMS mode; all converged"
    );
}

#[tokio::test]
async fn a_revoke_of_an_old_key_failed_after_any_of_its_calls_converges_when_run_again() {
    let aws = local_aws::session();
    let crash_points = crash_every_revoke_call(&aws, false, Source::Secret).await;
    assert_eq!(crash_points, 18, "the README reports these revoke crash points");
    let kms_crash_points = crash_every_revoke_call(&aws, false, Source::Kms).await;
    assert_eq!(kms_crash_points, 25, "the README reports these revoke crash points");
    println!("revoke: {crash_points} crash points revoking an old key, {kms_crash_points} in KMS mode; all converged");
}

/// A prune with work to do: the first key past its grace, the orphan key of
/// an abandoned rotation, and a rotation in progress whose key it must keep.
async fn ready_to_prune<'c>(aws: &Session, clock: &'c ManualClock, source: Source) -> (Local<'c>, Ledger, String) {
    let (rotator, mut ledger, first) = with_an_expired_key(aws, clock, source).await;
    rotator.rotation_step(Step::Create, &token(2), None, None).await.unwrap();
    rotator.rotation_step(Step::Create, &token(3), None, None).await.unwrap();
    check_invariants(&rotator, &mut ledger, false).await;
    (rotator, ledger, first)
}

/// Fails each AWS call of a prune in turn, then prunes again as the next
/// scheduled run would. Answers the number of crash points.
async fn crash_every_prune_call(aws: &Session, source: Source) -> usize {
    let calls = {
        aws.reset();
        let clock = test_clock();
        let (rotator, _, _) = ready_to_prune(aws, &clock, source).await;
        aws.clear_calls();
        rotator.prune().await.unwrap();
        aws.calls()
    };
    let mut crash_points = 0;
    for k in 0..calls.len() {
        let point = format!("{source:?} prune call {k} ({:?})", calls[k]);
        aws.reset();
        let clock = test_clock();
        let (rotator, mut ledger, first) = ready_to_prune(aws, &clock, source).await;
        aws.fail_next(fault_for(&calls[k], &calls[..k]));
        let outcome = rotator.prune().await;
        aws.disarm();
        assert_failed_with_the_fault(outcome, &calls[k], &point);
        check_invariants(&rotator, &mut ledger, false).await;
        let report = rotator.prune().await.unwrap_or_else(|e| panic!("prune after {point}: {e}"));
        check_invariants(&rotator, &mut ledger, true).await;
        assert!(!members(&rotator).await.contains(&first), "{point}: {report:?}");
        // The rotation in progress goes on.
        for step in STEPS {
            rotator.rotation_step(step, &token(3), None, None).await.unwrap();
            check_invariants(&rotator, &mut ledger, false).await;
        }
        crash_points += 1;
    }
    crash_points
}

#[tokio::test]
async fn a_prune_failed_after_any_of_its_calls_converges_when_run_again() {
    let aws = local_aws::session();
    let crash_points = crash_every_prune_call(&aws, Source::Secret).await;
    assert_eq!(crash_points, 15, "the README reports 15 prune crash points");
    let kms_crash_points = crash_every_prune_call(&aws, Source::Kms).await;
    assert_eq!(kms_crash_points, 27, "the README reports these prune crash points in KMS mode");
    println!(
        "prune: {crash_points} crash points, {kms_crash_points} in KMS mode, one after each AWS call, all converged"
    );
}

#[tokio::test]
async fn two_rotations_at_once_leave_a_correct_state() {
    let aws = local_aws::session();
    let clock = test_clock();
    let (rotator, mut ledger) = deployed(&aws, &clock, Source::Secret).await;
    let first = current_key_id(&rotator).await;
    let (a, b) = tokio::join!(full_rotation(&rotator, 1), full_rotation(&rotator, 2));
    check_invariants(&rotator, &mut ledger, false).await;
    let current = current_key_id(&rotator).await;
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    assert_eq!(state.labelled(AWSPENDING), None, "a rotation left AWSPENDING behind");
    match (a, b) {
        // One after the other: both keys joined, the later one signs.
        (Ok(()), Ok(())) => assert_eq!(members(&rotator).await.len(), 3),
        (Ok(()), Err(loser)) | (Err(loser), Ok(())) => {
            let (winner, lost) = if state.has(token(1).as_str(), AWSCURRENT) { (1, 2) } else { (2, 1) };
            assert!(state.has(token(winner).as_str(), AWSCURRENT), "the winner's version is AWSCURRENT");
            let refused = |e: &key_rotator::Error| matches!(e, key_rotator::Error::NotPending { token: t, .. } if *t == token(lost).to_string());
            assert!(refused(&loser), "the loser is told its version is no longer pending: {loser}");
            assert_eq!(members(&rotator).await, [first.clone(), current.clone()], "only the winner's key joined");
            // Retried, the loser is refused again and changes nothing.
            let before = (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await);
            let again = full_rotation(&rotator, lost).await.unwrap_err();
            assert!(refused(&again), "{again}");
            assert_eq!(before, (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await));
        }
        (Err(a), Err(b)) => panic!("neither of two concurrent rotations finished: {a}; {b}"),
    }
    // The loser's public key, if it made one, is deleted by a prune once no labelled draft names it.
    rotator.prune().await.unwrap();
    check_invariants(&rotator, &mut ledger, true).await;
}

/// Runs `first` and `second` at once: `second` starts once `first`'s
/// UpdateKeyGroup is in flight, held there by a delay, so `second` changes the
/// group under it and `first`'s write fails on its stale ETag
/// (PreconditionFailed) and is made again. The delay only orders the calls;
/// the call log shows the order the caller asserts.
async fn with_first_group_write_held<A: Future, B: Future>(
    aws: &Session,
    first: A,
    second: B,
) -> (A::Output, B::Output) {
    aws.clear_calls();
    // Held until the second is done, however long that takes: disarming releases it.
    aws.fail_next(Fault::delay("cloudfront", "UpdateKeyGroup", 600_000));
    let second = async {
        while !aws.calls().iter().any(|c| c.action == "UpdateKeyGroup") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let outcome = second.await;
        aws.disarm();
        outcome
    };
    tokio::join!(first, second)
}

/// Where in the call log each UpdateKeyGroup, and the first UpdateSecretVersionStage, are.
fn group_writes_and_first_stage_move(calls: &[Call]) -> (Vec<usize>, Option<usize>) {
    let writes = calls.iter().enumerate().filter(|(_, c)| c.action == "UpdateKeyGroup").map(|(i, _)| i).collect();
    (writes, calls.iter().position(|c| c.action == "UpdateSecretVersionStage"))
}

/// The stack after one rotation, with its first key past its grace period: a prune has a key to remove.
async fn with_an_expired_key<'c>(aws: &Session, clock: &'c ManualClock, source: Source) -> (Local<'c>, Ledger, String) {
    let (rotator, mut ledger) = deployed(aws, clock, source).await;
    let first = current_key_id(&rotator).await;
    full_rotation(&rotator, 1).await.unwrap();
    check_invariants(&rotator, &mut ledger, false).await;
    clock.advance(GRACE);
    ledger.signed_with.remove(&first);
    (rotator, ledger, first)
}

#[tokio::test]
async fn a_prune_whose_group_write_lands_after_a_rotation_finished_retries_and_converges() {
    let aws = local_aws::session();
    let clock = test_clock();
    let (rotator, mut ledger, expired) = with_an_expired_key(&aws, &clock, Source::Secret).await;
    let signing = current_key_id(&rotator).await;
    let (prune, rotation) = with_first_group_write_held(&aws, rotator.prune(), full_rotation(&rotator, 2)).await;
    rotation.unwrap();
    let report = prune.unwrap();
    let (writes, moved) = group_writes_and_first_stage_move(&aws.calls());
    // The prune's held write, the rotation's setSecret, AWSCURRENT moves, the prune's write again.
    assert_eq!(writes.len(), 3, "{writes:?}");
    assert!(moved.is_some_and(|moved| writes[1] < moved && moved < writes[2]), "{writes:?} {moved:?}");
    check_invariants(&rotator, &mut ledger, false).await;
    assert_eq!((report.removed, report.deleted), (vec![expired.clone()], vec![expired]));
    let new_key = current_key_id(&rotator).await;
    assert_eq!(members(&rotator).await, [signing, new_key], "the key that signed until now is kept");
    rotator.prune().await.unwrap();
    check_invariants(&rotator, &mut ledger, true).await;
}

#[tokio::test]
async fn a_set_secret_whose_group_write_a_prune_overtook_retries_and_converges() {
    let aws = local_aws::session();
    let clock = test_clock();
    let (rotator, mut ledger, expired) = with_an_expired_key(&aws, &clock, Source::Secret).await;
    let signing = current_key_id(&rotator).await;
    rotator.rotation_step(Step::Create, &token(2), None, None).await.unwrap();
    let (set, prune) =
        with_first_group_write_held(&aws, rotator.rotation_step(Step::Set, &token(2), None, None), rotator.prune())
            .await;
    set.unwrap();
    let report = prune.unwrap();
    let (writes, _) = group_writes_and_first_stage_move(&aws.calls());
    // setSecret's held write, the prune's, setSecret's again.
    assert_eq!(writes.len(), 3, "{writes:?}");
    assert_eq!(report.removed, [expired]);
    check_invariants(&rotator, &mut ledger, false).await;
    for step in [Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(2), None, None).await.unwrap();
        check_invariants(&rotator, &mut ledger, false).await;
    }
    let new_key = current_key_id(&rotator).await;
    assert_eq!(members(&rotator).await, [signing, new_key]);
    rotator.prune().await.unwrap();
    check_invariants(&rotator, &mut ledger, true).await;
}

/// Unordered: whatever interleaving the scheduler makes, with a key to remove every time.
#[tokio::test]
async fn rotations_and_prunes_at_once_leave_a_correct_state() {
    let aws = local_aws::session();
    let clock = test_clock();
    let (rotator, mut ledger) = deployed(&aws, &clock, Source::Secret).await;
    full_rotation(&rotator, 1).await.unwrap();
    // The key signing before each rotation.
    let mut replaced = Vec::new();
    for n in 2..=4 {
        clock.advance(GRACE);
        let signing = current_key_id(&rotator).await;
        ledger.signed_with.retain(|k| *k == signing);
        replaced.push(signing);
        let (rotation, prune) = tokio::join!(full_rotation(&rotator, n), rotator.prune());
        rotation.unwrap();
        prune.unwrap();
        check_invariants(&rotator, &mut ledger, false).await;
    }
    // Past the grace of every key retired before the last rotation: whatever
    // the interleavings were, the last prune leaves the current key and the
    // one it replaced, which may still sign valid URLs.
    clock.advance(Duration::from_secs(1));
    rotator.prune().await.unwrap();
    check_invariants(&rotator, &mut ledger, true).await;
    let mut left = members(&rotator).await;
    left.sort();
    let mut expected = vec![replaced.pop().unwrap(), current_key_id(&rotator).await];
    expected.sort();
    assert_eq!(left, expected, "the prunes removed exactly the expired keys");
}
