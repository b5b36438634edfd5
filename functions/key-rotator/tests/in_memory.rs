//! Every trigger against the in-memory Secrets Manager and CloudFront, with the
//! invariants checked after every step.

mod support;

use std::time::Duration;

use cfsign::{Backend, KeyAlgorithm, PrivateKey, SigningKeySecret};
use key_rotator::cloudfront::{
    KeyGroup, KeyGroups, MemoryCloudFront, PublicKeyDetail, PublicKeySpec, PublicKeySummary, Updated,
};
use key_rotator::keys::{Draft, RandomKeys};
use key_rotator::kms::MemoryKms;
use key_rotator::naming::{Token, tags};
use key_rotator::secrets::{AWSCURRENT, AWSPENDING, AWSPREVIOUS, DRAFT, MemorySecrets, Put, Secrets};
use key_rotator::{Error, Rotator, Step};
use plumbing::time::{Pause, TokioPause};
use support::*;

type Memory<'c, W = TokioPause> = InMemory<'c, W>;

async fn bootstrapped(clock: &ManualClock) -> (Memory<'_>, Ledger) {
    let rotator = in_memory(clock, config(KeyAlgorithm::EcdsaP256));
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    let mut ledger = Ledger::default();
    check(&rotator, &mut ledger).await;
    (rotator, ledger)
}

async fn check(rotator: &Memory<'_>, ledger: &mut Ledger) {
    check_invariants(rotator, ledger, false).await;
}

async fn rotate(rotator: &Memory<'_>, ledger: &mut Ledger, n: u32) {
    for step in [Step::Create, Step::Set, Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(n), None, None).await.unwrap();
        check(rotator, ledger).await;
    }
}

async fn current_key<W: Pause>(rotator: &Memory<'_, W>) -> SigningKeySecret {
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let json = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
    SigningKeySecret::from_json(&json).unwrap()
}

async fn members(rotator: &Memory<'_>) -> Vec<String> {
    let id = rotator.cloudfront().find_key_group(GROUP).await.unwrap().unwrap();
    rotator.cloudfront().key_group(&id).await.unwrap().unwrap().items
}

#[tokio::test]
async fn a_rotation_adds_the_new_key_and_keeps_the_old_one() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let second = current_key(&rotator).await.key_pair_id;
    assert_ne!(first, second);
    assert_eq!(members(&rotator).await, [first.clone(), second]);
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    assert_eq!(state.labelled(AWSCURRENT), Some(token(1).as_str()));
    assert_eq!(state.labelled(AWSPENDING), None, "a finished rotation leaves no AWSPENDING");
    assert!(state.labelled(AWSPREVIOUS).is_some());
    assert_eq!(state.time_tag(&tags::retired(&first)), Some(clock_secs(&clock)));
}

fn clock_secs(clock: &ManualClock) -> u64 {
    use cfsign::Clock;
    clock.now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn every_step_run_again_changes_nothing() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    for step in [Step::Create, Step::Create, Step::Set, Step::Set, Step::Test, Step::Test, Step::Finish, Step::Finish] {
        rotator.rotation_step(step, &token(1), None, None).await.unwrap();
        check(&rotator, &mut ledger).await;
    }
    // Secrets Manager retrying the whole rotation after it finished.
    rotate(&rotator, &mut ledger, 1).await;
    assert_eq!(members(&rotator).await.len(), 2);
    assert_eq!(rotator.cloudfront().public_keys().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_version_rotate_secret_creates_without_a_value_is_filled() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    rotator.secrets().add_empty_version(token(1).as_str(), AWSPENDING);
    rotate(&rotator, &mut ledger, 1).await;
    assert_eq!(rotator.secrets().describe(SECRET).await.unwrap().labelled(AWSCURRENT), Some(token(1).as_str()));
}

#[tokio::test]
async fn steps_out_of_order_are_refused_and_change_nothing() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    for step in [Step::Set, Step::Test, Step::Finish] {
        let error = rotator.rotation_step(step, &token(1), None, None).await.unwrap_err();
        assert!(matches!(error, Error::NotPending { .. }), "{error}");
    }
    rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap();
    // finishSecret before setSecret would make a key current that CloudFront does not trust.
    let error = rotator.rotation_step(Step::Finish, &token(1), None, None).await.unwrap_err();
    assert!(matches!(error, Error::NotInGroup { .. }), "{error}");
    check(&rotator, &mut ledger).await;
    assert_eq!(members(&rotator).await.len(), 1);
}

#[tokio::test]
async fn a_second_rotation_takes_over_an_abandoned_one() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap();
    rotate(&rotator, &mut ledger, 2).await;
    let error = rotator.rotation_step(Step::Set, &token(1), None, None).await.unwrap_err();
    assert!(matches!(error, Error::NotPending { .. }), "{error}");
    // The abandoned rotation's public key is deleted by the next prune.
    let report = rotator.prune().await.unwrap();
    assert_eq!(report.deleted.len(), 1);
    check_invariants(&rotator, &mut ledger, true).await;
}

/// What a createSecret of `token` that crashed right after writing its draft
/// leaves behind, `current` being the version AWSCURRENT was on then.
async fn crashed_after_its_draft(rotator: &Memory<'_>, token: &Token, current: &str) {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
    let draft = Draft::new(&key, Some(current)).unwrap().to_json();
    let version = token.draft_version();
    let put = Put { secret_id: SECRET, version_id: &version, value: &draft, stages: &[DRAFT], rotation_token: None };
    rotator.secrets().put(put).await.unwrap();
}

#[tokio::test]
async fn a_rotation_overtaken_after_its_draft_is_refused_whenever_it_is_retried() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = rotator.secrets().describe(SECRET).await.unwrap().labelled(AWSCURRENT).unwrap().to_owned();
    for step in [Step::Create, Step::Set, Step::Test] {
        rotator.rotation_step(step, &token(2), None, None).await.unwrap();
    }
    // Rotation 1's createSecret wrote its draft while rotation 2 was pending, then crashed.
    crashed_after_its_draft(&rotator, &token(1), &first).await;
    rotator.rotation_step(Step::Finish, &token(2), None, None).await.unwrap();
    check(&rotator, &mut ledger).await;
    let state = || async {
        let keys = rotator.cloudfront().public_keys().await.unwrap().len();
        (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await, keys)
    };
    let before = state().await;
    for _ in 0..2 {
        let error = rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap_err();
        assert!(matches!(&error, Error::NotPending { why, .. } if why.contains("overtook")), "{error}");
    }
    assert_eq!(before, state().await, "the overtaken rotation changes no secret, group or public key");
    check_invariants(&rotator, &mut ledger, true).await;
}

/// Secrets Manager's RotateSecret opened version 1, whose createSecret wrote
/// its draft and crashed; a later RotateSecret took AWSPENDING to version 2,
/// which finished. Version 1 and its draft have lost every label: a late
/// retry of version 1 is refused before it makes a key (a public key, or in
/// KMS mode a KMS key) that the prune would have to find and remove.
#[tokio::test]
async fn a_rotate_secret_overtaken_after_its_draft_makes_no_key_when_retried() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = rotator.secrets().describe(SECRET).await.unwrap().labelled(AWSCURRENT).unwrap().to_owned();
    rotator.secrets().add_empty_version(token(1).as_str(), AWSPENDING);
    crashed_after_its_draft(&rotator, &token(1), &first).await;
    rotator.secrets().add_empty_version(token(2).as_str(), AWSPENDING);
    rotate(&rotator, &mut ledger, 2).await;
    let public_keys = rotator.cloudfront().public_keys().await.unwrap().len();
    let error = rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap_err();
    assert!(matches!(&error, Error::NotPending { why, .. } if why.contains("overtook")), "{error}");
    assert_eq!(rotator.cloudfront().public_keys().await.unwrap().len(), public_keys, "no key was made");
}

#[tokio::test]
async fn prune_waits_for_the_grace_period_then_removes_and_deletes() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;

    clock.advance(GRACE - Duration::from_secs(1));
    let report = rotator.prune().await.unwrap();
    assert!(report.removed.is_empty() && report.deleted.is_empty(), "{report:?}");
    assert_eq!(report.waiting.len(), 1);
    check_invariants(&rotator, &mut ledger, true).await;

    clock.advance(Duration::from_secs(1));
    ledger.signed_with.remove(&first); // every URL it signed has expired now
    let report = rotator.prune().await.unwrap();
    assert_eq!(report.removed, [first.as_str()]);
    assert_eq!(report.deleted, [first.as_str()]);
    assert!(report.drift.is_empty());
    check_invariants(&rotator, &mut ledger, true).await;
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    assert!(!state.tags.keys().any(|t| t.contains(&first)), "tags about a deleted key remain: {:?}", state.tags);
    // Nothing left to do.
    assert_eq!(rotator.prune().await.unwrap().removed.len(), 0);
}

#[tokio::test]
async fn a_full_group_makes_room_only_with_a_key_past_its_grace() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    for n in 1..=4 {
        rotate(&rotator, &mut ledger, n).await;
    }
    assert_eq!(members(&rotator).await.len(), 5);
    rotator.rotation_step(Step::Create, &token(5), None, None).await.unwrap();
    let error = rotator.rotation_step(Step::Set, &token(5), None, None).await.unwrap_err();
    assert!(matches!(error, Error::GroupFull { .. }), "{error}");
    assert!(error.to_string().contains("5 public keys"), "{error}");
    check(&rotator, &mut ledger).await;

    clock.advance(GRACE);
    let oldest = members(&rotator).await[0].clone();
    ledger.signed_with.remove(&oldest);
    rotator.rotation_step(Step::Set, &token(5), None, None).await.unwrap();
    assert!(!members(&rotator).await.contains(&oldest));
    assert!(rotator.cloudfront().public_key(&oldest).await.unwrap().is_none(), "made room and deleted");
    for step in [Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(5), None, None).await.unwrap();
        check(&rotator, &mut ledger).await;
    }
}

#[tokio::test]
async fn revoking_the_current_key_rotates_and_removes_it_at_once() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let compromised = current_key(&rotator).await.key_pair_id;
    let report = rotator.revoke(&compromised).await.unwrap();
    let replacement = current_key(&rotator).await.key_pair_id;
    assert_eq!(report.replaced_by.as_deref(), Some(replacement.as_str()));
    assert_eq!(members(&rotator).await, std::slice::from_ref(&replacement));
    assert!(rotator.cloudfront().public_key(&compromised).await.unwrap().is_none());
    // Revoked on purpose: its URLs are meant to fail now.
    ledger.signed_with.remove(&compromised);
    check_invariants(&rotator, &mut ledger, true).await;
    // Again (a retry): already gone, nothing to do, and the same answer.
    assert_eq!(rotator.revoke(&compromised).await.unwrap().replaced_by, Some(replacement.clone()));
    assert_eq!(members(&rotator).await, [replacement]);
}

#[tokio::test]
async fn revoking_the_current_key_of_a_full_group_removes_it_before_adding_its_replacement() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    for n in 1..=4 {
        rotate(&rotator, &mut ledger, n).await;
    }
    // Five keys, none past its grace: a rotation alone would find no room.
    assert_eq!(members(&rotator).await.len(), 5);
    let compromised = current_key(&rotator).await.key_pair_id;
    let report = rotator.revoke(&compromised).await.unwrap();
    let replacement = current_key(&rotator).await.key_pair_id;
    assert_eq!(report.replaced_by.as_deref(), Some(replacement.as_str()));
    let after = members(&rotator).await;
    assert!(!after.contains(&compromised), "the compromised key is still trusted: {after:?}");
    assert_eq!(after.len(), 5, "the four older keys keep their grace: {after:?}");
    assert_eq!(after.last(), Some(&replacement));
    ledger.signed_with.remove(&compromised);
    check_invariants(&rotator, &mut ledger, true).await;
}

#[tokio::test]
async fn a_revoke_whose_rotation_was_overtaken_removes_the_key_without_rotating_again() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let compromised = current_key(&rotator).await.key_pair_id;
    let first = rotator.secrets().describe(SECRET).await.unwrap().labelled(AWSCURRENT).unwrap().to_owned();
    for step in [Step::Create, Step::Set, Step::Test] {
        rotator.rotation_step(step, &token(2), None, None).await.unwrap();
    }
    // The revoke's rotation wrote its draft and crashed; rotation 2 then replaced the key anyway.
    crashed_after_its_draft(&rotator, &Token::derived("revoke", &compromised), &first).await;
    rotator.rotation_step(Step::Finish, &token(2), None, None).await.unwrap();
    let replacement = current_key(&rotator).await.key_pair_id;
    ledger.revoked.insert(compromised.clone());
    let report = rotator.revoke(&compromised).await.unwrap();
    assert_eq!(report.replaced_by, None, "the key was no longer current: no rotation was due");
    assert_eq!(current_key(&rotator).await.key_pair_id, replacement);
    assert!(!members(&rotator).await.contains(&compromised));
    check(&rotator, &mut ledger).await;
}

#[tokio::test]
async fn revoking_an_old_key_skips_its_grace() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let old = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let report = rotator.revoke(&old).await.unwrap();
    assert_eq!(report.replaced_by, None);
    assert_eq!(members(&rotator).await.len(), 1);
    ledger.signed_with.remove(&old);
    check(&rotator, &mut ledger).await;
}

/// A finishSecret that crashed after moving AWSCURRENT leaves AWSPENDING on
/// the same version; Secrets Manager's configuration test leaves a copy of
/// AWSCURRENT as AWSPENDING. Neither is a rotation in progress.
#[tokio::test]
async fn a_compromised_current_key_is_revoked_despite_a_leftover_awspending() {
    for copy in [false, true] {
        let clock = test_clock();
        let (rotator, mut ledger) = bootstrapped(&clock).await;
        let compromised = current_key(&rotator).await.key_pair_id;
        let state = rotator.secrets().describe(SECRET).await.unwrap();
        let current_version = state.labelled(AWSCURRENT).unwrap().to_owned();
        if copy {
            let pending_version = token(9);
            let value = rotator.secrets().value(SECRET, &current_version).await.unwrap().unwrap();
            let put = Put {
                secret_id: SECRET,
                version_id: pending_version.as_str(),
                value: &value,
                stages: &[AWSPENDING],
                rotation_token: None,
            };
            rotator.secrets().put(put).await.unwrap();
        } else {
            rotator.secrets().move_stage(SECRET, AWSPENDING, Some(&current_version), None).await.unwrap();
        }
        let report = rotator.revoke(&compromised).await.unwrap_or_else(|e| panic!("copy {copy}: {e}"));
        let replacement = current_key(&rotator).await.key_pair_id;
        assert_eq!(report.replaced_by.as_deref(), Some(replacement.as_str()));
        assert_eq!(members(&rotator).await, [replacement]);
        assert_eq!(rotator.secrets().describe(SECRET).await.unwrap().labelled(AWSPENDING), None);
        ledger.signed_with.remove(&compromised);
        check_invariants(&rotator, &mut ledger, true).await;
    }
}

#[tokio::test]
async fn a_revoke_of_a_key_the_stack_does_not_know_fails_and_changes_nothing() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let current = current_key(&rotator).await.key_pair_id;
    let secret_before = rotator.secrets().describe(SECRET).await.unwrap();
    let error = rotator.revoke("K2JCJMDEHXQW5F").await.unwrap_err();
    match &error {
        Error::RevokeUnknown { key_id, members, .. } => {
            assert_eq!((key_id.as_str(), members.as_slice()), ("K2JCJMDEHXQW5F", std::slice::from_ref(&current)));
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains(&format!("(its members: {current})")), "{error}");
    assert!(error.to_string().contains("nothing was revoked"), "{error}");
    assert_eq!(members(&rotator).await, [current]);
    assert_eq!(rotator.secrets().describe(SECRET).await.unwrap(), secret_before);
    check(&rotator, &mut ledger).await;
}

#[tokio::test]
async fn the_pending_key_cannot_be_revoked() {
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap();
    let json = rotator.secrets().value(SECRET, token(1).as_str()).await.unwrap().unwrap();
    let pending = SigningKeySecret::from_json(&json).unwrap().key_pair_id;
    assert!(matches!(rotator.revoke(&pending).await.unwrap_err(), Error::RevokePending(_)));
}

#[tokio::test]
async fn prune_reports_drift_and_removes_a_foreign_member_after_grace_without_deleting_it() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let foreign_key = cfsign::PrivateKey::generate(KeyAlgorithm::EcdsaP256, cfsign::Backend::default()).unwrap();
    let spec = PublicKeySpec {
        caller_reference: "by-hand".into(),
        name: "added-by-hand".into(),
        encoded_key: foreign_key.public_key().unwrap().to_pem(),
        comment: String::new(),
    };
    let foreign = rotator.cloudfront().create_public_key(&spec).await.unwrap().unwrap();
    let group_id = rotator.cloudfront().find_key_group(GROUP).await.unwrap().unwrap();
    let mut group = rotator.cloudfront().key_group(&group_id).await.unwrap().unwrap();
    group.items.push(foreign.clone());
    rotator.cloudfront().update_key_group(&group).await.unwrap();

    let report = rotator.prune().await.unwrap();
    assert_eq!(report.drift, [foreign.as_str()]);
    assert!(report.removed.is_empty());
    clock.advance(GRACE);
    let report = rotator.prune().await.unwrap();
    assert_eq!(report.removed, [foreign.as_str()]);
    assert!(report.deleted.is_empty(), "a key the rotator did not create is left to its owner");
    assert!(rotator.cloudfront().public_key(&foreign).await.unwrap().is_some());
    check_invariants(&rotator, &mut ledger, true).await;
}

#[tokio::test]
async fn signers_switch_only_after_the_activation_delay() {
    let clock = test_clock();
    let mut config = config(KeyAlgorithm::EcdsaP256);
    config.activation_delay = Duration::from_secs(300);
    let rotator = in_memory(&clock, config).with_pause(&clock);
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    for step in [Step::Create, Step::Set, Step::Test] {
        rotator.rotation_step(step, &token(1), None, None).await.unwrap();
    }
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let pending =
        SigningKeySecret::from_json(&rotator.secrets().value(SECRET, token(1).as_str()).await.unwrap().unwrap())
            .unwrap()
            .key_pair_id;
    assert_eq!(state.time_tag(&tags::joined(&pending)), Some(clock_secs(&clock)), "setSecret records when it joined");
    clock.advance(Duration::from_secs(100));

    // No time left to wait: the step fails, Secrets Manager retries later.
    let error = rotator.rotation_step(Step::Finish, &token(1), None, None).await.unwrap_err();
    assert!(matches!(error, Error::NotYetPropagated { .. }), "{error}");
    let error = rotator.rotation_step(Step::Finish, &token(1), None, Some(in_seconds(&clock, 199))).await.unwrap_err();
    assert!(matches!(error, Error::NotYetPropagated { .. }), "{error}");
    assert!(rotator.pause().sleeps().is_empty(), "no wait that would outlast the invocation");
    assert_ne!(current_key(&rotator).await.key_pair_id, pending);

    // The rest of the delay (counted from setSecret) fits before the deadline: it is waited out.
    rotator.rotation_step(Step::Finish, &token(1), None, Some(in_seconds(&clock, 200))).await.unwrap();
    assert_eq!(rotator.pause().sleeps(), [Duration::from_secs(200)]);
    assert_eq!(current_key(&rotator).await.key_pair_id, pending);
}

#[tokio::test]
async fn a_public_key_of_another_private_key_is_never_paired() {
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    // A key already named for this token, holding some other key.
    let other = cfsign::PrivateKey::generate(KeyAlgorithm::EcdsaP256, cfsign::Backend::default()).unwrap();
    let name = token(1).public_key_name(GROUP);
    let spec = PublicKeySpec {
        caller_reference: name.clone(),
        name,
        encoded_key: other.public_key().unwrap().to_pem(),
        comment: String::new(),
    };
    rotator.cloudfront().create_public_key(&spec).await.unwrap();
    let error = rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap_err();
    assert!(matches!(error, Error::KeyMismatch { .. }), "{error}");
    assert!(rotator.secrets().value(SECRET, token(1).as_str()).await.unwrap().is_none(), "nothing pending was written");
}

#[tokio::test]
async fn a_malformed_current_secret_stops_the_prune() {
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    let put = Put {
        secret_id: SECRET,
        version_id: "edited-by-hand-00000000000000000000",
        value: "{}",
        stages: &[AWSCURRENT],
        rotation_token: None,
    };
    rotator.secrets().put(put).await.unwrap();
    let error = rotator.prune().await.unwrap_err();
    assert!(matches!(error, Error::MalformedSecret { .. }), "{error}");
}

/// Creating a RotationSchedule that does not rotate at once makes Secrets
/// Manager open a temporary AWSPENDING version and run testSecret on it alone;
/// whether that version is empty or a copy of AWSCURRENT, the test passes and
/// changes nothing.
#[tokio::test]
async fn the_test_secret_run_of_a_new_rotation_schedule_passes_on_an_empty_or_copied_version() {
    for copy in [false, true] {
        let clock = test_clock();
        let (rotator, mut ledger) = bootstrapped(&clock).await;
        let state = rotator.secrets().describe(SECRET).await.unwrap();
        let current = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
        let version = token(9);
        if copy {
            let put = Put {
                secret_id: SECRET,
                version_id: version.as_str(),
                value: &current,
                stages: &[AWSPENDING],
                rotation_token: None,
            };
            rotator.secrets().put(put).await.unwrap();
        } else {
            rotator.secrets().add_empty_version(version.as_str(), AWSPENDING);
        }
        let before = (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await);
        rotator.rotation_step(Step::Test, &version, None, None).await.unwrap_or_else(|e| panic!("copy {copy}: {e}"));
        let after = (rotator.secrets().describe(SECRET).await.unwrap(), members(&rotator).await);
        assert_eq!(before, after, "copy {copy}: the configuration test changed something");
        check(&rotator, &mut ledger).await;
    }
}

#[tokio::test]
async fn a_genuine_test_secret_stays_strict() {
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    // createSecret wrote the draft but not the pending value yet.
    rotator.secrets().add_empty_version(token(1).as_str(), AWSPENDING);
    let draft = Put {
        secret_id: SECRET,
        version_id: &token(1).draft_version(),
        value: r#"{"privateKey":"x"}"#,
        stages: &[DRAFT],
        rotation_token: None,
    };
    rotator.secrets().put(draft).await.unwrap();
    let error = rotator.rotation_step(Step::Test, &token(1), None, None).await.unwrap_err();
    assert!(matches!(error, Error::NotPending { .. }), "{error}");

    // A complete pending version whose key has not joined the group (setSecret not run).
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    rotator.rotation_step(Step::Create, &token(2), None, None).await.unwrap();
    let error = rotator.rotation_step(Step::Test, &token(2), None, None).await.unwrap_err();
    assert!(matches!(error, Error::NotInGroup { .. }), "{error}");
}

#[tokio::test]
async fn a_retirement_recorded_too_early_never_shortens_a_grace_period() {
    // A prune or setSecret reading the secret just before a rotation finished
    // may record the new key as retired; that record must not count later.
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let second = current_key(&rotator).await.key_pair_id;
    rotator.secrets().tag(SECRET, &tags::retired(&second), &clock_secs(&clock).to_string()).await.unwrap();

    clock.advance(GRACE * 10);
    rotate(&rotator, &mut ledger, 2).await;
    // The second key stopped signing just now: it stays for its whole grace period.
    let report = rotator.prune().await.unwrap();
    assert_eq!(report.removed, [first.as_str()], "only the first key's grace has passed");
    ledger.signed_with.remove(&first);
    check(&rotator, &mut ledger).await;
}

#[tokio::test]
async fn a_prune_clears_a_retirement_recorded_for_the_signing_key() {
    let clock = test_clock();
    let (rotator, _) = bootstrapped(&clock).await;
    let current = current_key(&rotator).await.key_pair_id;
    rotator.secrets().tag(SECRET, &tags::retired(&current), "0").await.unwrap();
    rotator.prune().await.unwrap();
    assert!(rotator.secrets().describe(SECRET).await.unwrap().time_tag(&tags::retired(&current)).is_none());
}

#[tokio::test]
async fn a_retired_key_also_in_another_group_is_skipped_not_failed_on() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    rotator.cloudfront().create_key_group("someone-elses", std::slice::from_ref(&first), "").await.unwrap();
    clock.advance(GRACE);
    ledger.signed_with.remove(&first);
    for run in 0..2 {
        let report = rotator.prune().await.unwrap_or_else(|e| panic!("run {run}: {e}"));
        assert!(report.deleted.is_empty(), "run {run}: {report:?}");
        check(&rotator, &mut ledger).await;
    }
    assert!(!members(&rotator).await.contains(&first));
    assert!(rotator.cloudfront().public_key(&first).await.unwrap().is_some(), "left to the other group");
}

#[tokio::test]
async fn a_current_key_missing_from_the_group_fails_the_prune() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let group_id = rotator.cloudfront().find_key_group(GROUP).await.unwrap().unwrap();
    let mut group = rotator.cloudfront().key_group(&group_id).await.unwrap().unwrap();
    group.items = vec![first];
    rotator.cloudfront().update_key_group(&group).await.unwrap();
    let error = rotator.prune().await.unwrap_err();
    assert!(matches!(error, Error::NotInGroup { .. }), "{error}");
}

/// CloudFront whose public keys change between every read and delete.
struct StaleDeletes(MemoryCloudFront);

impl KeyGroups for StaleDeletes {
    async fn find_key_group(&self, name: &str) -> Result<Option<String>, Error> {
        self.0.find_key_group(name).await
    }
    async fn key_group(&self, id: &str) -> Result<Option<KeyGroup>, Error> {
        self.0.key_group(id).await
    }
    async fn update_key_group(&self, group: &KeyGroup) -> Result<Updated, Error> {
        self.0.update_key_group(group).await
    }
    async fn create_key_group(&self, name: &str, items: &[String], comment: &str) -> Result<Option<KeyGroup>, Error> {
        self.0.create_key_group(name, items, comment).await
    }
    async fn delete_key_group(&self, id: &str, etag: &str) -> Result<Updated, Error> {
        self.0.delete_key_group(id, etag).await
    }
    async fn create_public_key(&self, spec: &PublicKeySpec) -> Result<Option<String>, Error> {
        self.0.create_public_key(spec).await
    }
    async fn public_keys(&self) -> Result<Vec<PublicKeySummary>, Error> {
        self.0.public_keys().await
    }
    async fn public_key(&self, id: &str) -> Result<Option<PublicKeyDetail>, Error> {
        self.0.public_key(id).await
    }
    async fn delete_public_key(&self, _id: &str, _etag: &str) -> Result<Updated, Error> {
        Ok(Updated::Stale)
    }
}

#[tokio::test]
async fn a_public_key_that_keeps_changing_fails_the_prune_instead_of_reporting_it_deleted() {
    let clock = test_clock();
    let rotator = Rotator::new(
        MemorySecrets::new(),
        StaleDeletes(MemoryCloudFront::new()),
        RandomKeys,
        MemoryKms::new(),
        &clock,
        config(KeyAlgorithm::EcdsaP256),
    );
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    for step in [Step::Create, Step::Set, Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(1), None, None).await.unwrap();
    }
    clock.advance(GRACE);
    let error = rotator.prune().await.unwrap_err();
    assert!(matches!(error, Error::PublicKeyContended { attempts: 8, .. }), "{error}");
}

/// Key group names are the account's: another stack's group of the same name
/// is neither adopted at Create nor deleted by this stack's Delete.
#[tokio::test]
async fn another_stacks_key_group_is_never_adopted_nor_deleted() {
    const OTHER: &str =
        "arn:aws:cloudformation:us-east-1:111122223333:stack/other/11111111-2222-4333-8444-555555555555";
    let clock = test_clock();
    let (theirs, _) = bootstrapped(&clock).await;
    let their_group = theirs.bootstrap(STACK, "SigningKeys").await.unwrap().key_group_id;
    let error = theirs.bootstrap(OTHER, "SigningKeys").await.unwrap_err();
    assert!(matches!(error, Error::ForeignKeyGroup { .. }), "{error}");
    assert!(error.to_string().contains(GROUP), "{error}");
    let keys = theirs.cloudfront().public_keys().await.unwrap().len();

    theirs.tear_down(&their_group, OTHER).await.unwrap();
    theirs.tear_down("failed-3e8d1c6a-2b5f-4a7e-8c9d-1f0e2d3c4b5a", OTHER).await.unwrap();
    assert!(theirs.cloudfront().key_group(&their_group).await.unwrap().is_some(), "not this stack's to delete");
    assert_eq!(theirs.cloudfront().public_keys().await.unwrap().len(), keys);

    theirs.tear_down(&their_group, STACK).await.unwrap();
    assert!(theirs.cloudfront().key_group(&their_group).await.unwrap().is_none(), "its own stack deletes it");
}

#[tokio::test]
async fn lowering_the_maximum_lifetime_never_prunes_a_key_before_its_urls_expire() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let leaves = clock_secs(&clock) + GRACE.as_secs();

    // A stack update lowers MaxLifetimeSeconds from 600 to 60: URLs the first
    // key signed under 600 still live until its recorded leave time.
    let rotator = rotator.with_config(config_with_max_lifetime(KeyAlgorithm::EcdsaP256, 60));
    clock.advance(Duration::from_secs(200));
    let report = rotator.prune().await.unwrap();
    assert!(report.removed.is_empty(), "pruned under the new, shorter grace: {report:?}");
    assert_eq!(report.waiting, [(first.clone(), leaves)]);
    check_invariants(&rotator, &mut ledger, true).await;

    clock.advance(GRACE - Duration::from_secs(200));
    ledger.signed_with.remove(&first);
    assert_eq!(rotator.prune().await.unwrap().removed, [first.as_str()]);
    check_invariants(&rotator, &mut ledger, true).await;
}

#[tokio::test]
async fn raising_the_maximum_lifetime_lengthens_a_grace_period_for_good() {
    let clock = test_clock();
    let (rotator, mut ledger) = bootstrapped(&clock).await;
    let first = current_key(&rotator).await.key_pair_id;
    rotate(&rotator, &mut ledger, 1).await;
    let retired_at = clock_secs(&clock);

    let rotator = rotator.with_config(config_with_max_lifetime(KeyAlgorithm::EcdsaP256, 6000));
    clock.advance(GRACE);
    let report = rotator.prune().await.unwrap();
    assert!(report.removed.is_empty(), "{report:?}");
    let longer = retired_at + 6000 + 60;
    assert_eq!(report.waiting, [(first.clone(), longer)]);

    // Lowered again: the longer leave time was recorded and still holds.
    let rotator = rotator.with_config(config(KeyAlgorithm::EcdsaP256));
    assert_eq!(rotator.prune().await.unwrap().waiting, [(first.clone(), longer)]);
    check_invariants(&rotator, &mut ledger, true).await;
}
