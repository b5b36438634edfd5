//! KMS mode against the in-memory Secrets Manager, CloudFront and KMS: no
//! private key is ever written, keys are tagged and aliased per rotation, a
//! stack moves between modes by rotating, and a key that can no longer have
//! signed a valid URL stops signing (its deletion scheduled).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};

use cfsign::{HashAlgorithm, KeyAlgorithm, PublicKey, StoredSigningKey};
use key_rotator::cloudfront::{KeyGroups, MemoryCloudFront};
use key_rotator::keys::RandomKeys;
use key_rotator::kms::{GROUP_TAG, KmsAlias, KmsKeys, MemoryKms, NewKmsKey, TOKEN_TAG, TaggedKmsKey};
use key_rotator::secrets::{AWSCURRENT, MemorySecrets, Secrets};
use key_rotator::{Error, Rotator, Step, With};
use support::*;

type Memory<'c> = InMemory<'c>;

fn rotator(clock: &ManualClock, source: Source) -> Memory<'_> {
    in_memory(clock, config_in(KeyAlgorithm::EcdsaP256, source))
}

async fn rotate(rotator: &Memory<'_>, ledger: &mut Ledger, n: u32) {
    for step in [Step::Create, Step::Set, Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(n), None, None).await.unwrap();
        check_invariants(rotator, ledger, false).await;
    }
}

async fn current(rotator: &Memory<'_>) -> StoredSigningKey {
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let json = rotator.secrets().value(SECRET, state.labelled(AWSCURRENT).unwrap()).await.unwrap().unwrap();
    StoredSigningKey::from_json(&json).unwrap()
}

fn kms_arn(key: &StoredSigningKey) -> String {
    match key {
        StoredSigningKey::Kms(key) => key.kms_key_arn.clone(),
        StoredSigningKey::PrivateKey(_) => panic!("AWSCURRENT holds a private key"),
    }
}

fn key_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_owned()
}

/// Every value the secret was ever given (drafts included), as one text.
async fn every_value(rotator: &Memory<'_>, tokens: &[String]) -> String {
    let mut text = String::new();
    for version in tokens {
        for version in [version.clone(), format!("{version}-draft")] {
            if let Some(value) = rotator.secrets().value(SECRET, &version).await.unwrap() {
                text.push_str(&value);
            }
        }
    }
    text
}

#[tokio::test]
async fn kms_mode_keeps_every_private_key_in_kms_and_each_key_signs_for_its_public_key() {
    let clock = test_clock();
    let rotator = rotator(&clock, Source::Kms);
    let mut ledger = Ledger::default();
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    check_invariants(&rotator, &mut ledger, false).await;
    let first = current(&rotator).await;
    rotate(&rotator, &mut ledger, 1).await;
    let second = current(&rotator).await;
    assert_ne!(kms_arn(&first), kms_arn(&second), "each rotation has its own KMS key");

    let state = rotator.secrets().describe(SECRET).await.unwrap();
    let text = every_value(&rotator, &state.versions.keys().cloned().collect::<Vec<_>>()).await;
    assert!(text.contains("kmsKeyAlias") && text.contains("kmsKeyArn"), "{text}");
    assert!(!text.contains("PRIVATE KEY") && !text.contains("privateKey"), "a private key was written: {text}");

    let keys = rotator.kms().keys();
    let stored = &keys[&key_id(&kms_arn(&second))];
    assert_eq!(stored.tags[GROUP_TAG], GROUP);
    assert_eq!(stored.tags[TOKEN_TAG], token(1).as_str());
    assert_eq!(rotator.kms().alias_targets()[&token(1).kms_alias(GROUP)], key_id(&kms_arn(&second)));
    assert!(stored.policy.contains("cdn-UrlSignerFunctionRole") && stored.policy.contains("DIGEST"));

    // What the url-signer does with it: the KMS key signs, CloudFront's public key verifies.
    let public = rotator.cloudfront().public_key(second.key_pair_id()).await.unwrap().unwrap();
    let public = PublicKey::from_pem(&public.encoded_key).unwrap();
    let signature = rotator.kms().sign_sha256(&kms_arn(&second), public.algorithm(), b"policy").await.unwrap();
    assert!(public.verify(HashAlgorithm::Sha256, b"policy", &signature));
}

#[tokio::test]
async fn a_stack_moves_between_modes_by_rotating_and_the_old_kms_key_stops_signing_after_its_grace() {
    let clock = test_clock();
    let rotator = rotator(&clock, Source::Secret);
    let mut ledger = Ledger::default();
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    assert!(matches!(current(&rotator).await, StoredSigningKey::PrivateKey(_)));

    let rotator = rotator.with_config(config_in(KeyAlgorithm::EcdsaP256, Source::Kms));
    rotate(&rotator, &mut ledger, 1).await;
    let kms_key = current(&rotator).await;
    let arn = kms_arn(&kms_key);

    let rotator = rotator.with_config(config_in(KeyAlgorithm::EcdsaP256, Source::Secret));
    rotate(&rotator, &mut ledger, 2).await;
    assert!(matches!(current(&rotator).await, StoredSigningKey::PrivateKey(_)), "back to a PEM key");

    // In its grace period the KMS key still signs: URLs it signed are valid.
    let report = rotator.prune().await.unwrap();
    assert!(report.retired_kms_keys.is_empty(), "{report:?}");
    assert!(!rotator.kms().keys()[&key_id(&arn)].pending_deletion);

    clock.advance(GRACE);
    ledger.signed_with.clear();
    ledger.signed_with.insert(current(&rotator).await.key_pair_id().to_owned());
    let report = rotator.prune().await.unwrap();
    assert!(report.removed.contains(&kms_key.key_pair_id().to_owned()), "{report:?}");
    assert_eq!(report.retired_kms_keys, [key_id(&arn)]);
    assert!(rotator.kms().keys()[&key_id(&arn)].pending_deletion, "its deletion is scheduled");
    assert!(rotator.kms().alias_targets().is_empty(), "and its alias removed");
    check_invariants(&rotator, &mut ledger, true).await;
    assert!(rotator.prune().await.unwrap().retired_kms_keys.is_empty(), "retired once");
}

#[tokio::test]
async fn a_revoked_kms_key_stops_signing_at_once() {
    let clock = test_clock();
    let rotator = rotator(&clock, Source::Kms);
    let mut ledger = Ledger::default();
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    let compromised = current(&rotator).await;
    let report = rotator.revoke(compromised.key_pair_id()).await.unwrap();
    assert_eq!(report.retired_kms_keys, [key_id(&kms_arn(&compromised))]);
    let error = rotator.kms().sign_sha256(&kms_arn(&compromised), KeyAlgorithm::EcdsaP256, b"x").await.unwrap_err();
    assert_eq!(error.aws_code(), Some("KMSInvalidStateException"));
    ledger.revoked.insert(compromised.key_pair_id().to_owned());
    check_invariants(&rotator, &mut ledger, true).await;
}

#[tokio::test]
async fn a_kms_draft_is_finished_in_kms_even_after_the_stack_left_kms_mode() {
    let clock = test_clock();
    let rotator = rotator(&clock, Source::Kms);
    let mut ledger = Ledger::default();
    rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap();
    // The draft says where the key is: a retry under other settings keeps it there.
    let rotator = rotator.with_config(config_in(KeyAlgorithm::EcdsaP256, Source::Secret));
    rotate(&rotator, &mut ledger, 1).await;
    assert!(matches!(current(&rotator).await, StoredSigningKey::Kms(_)));
    assert_eq!(rotator.kms().keys().len(), 2, "no second key for the same rotation");
}

/// The in-memory KMS, whose CreateAlias fails while `alias_fails` is set (a
/// crash between CreateKey and CreateAlias), and whose key `foreign`, if
/// set, refuses the rotator's ScheduleKeyDeletion (its policy names another owner).
struct AliasFails {
    kms: MemoryKms,
    alias_fails: AtomicBool,
    foreign: std::sync::Mutex<Option<String>>,
}

impl KmsKeys for AliasFails {
    async fn find_alias(&self, alias: &str) -> Result<Option<String>, Error> {
        self.kms.find_alias(alias).await
    }
    async fn aliases(&self, prefix: &str) -> Result<Vec<KmsAlias>, Error> {
        self.kms.aliases(prefix).await
    }
    async fn create_key(&self, key: &NewKmsKey<'_>) -> Result<String, Error> {
        self.kms.create_key(key).await
    }
    async fn create_alias(&self, alias: &str, key: &str) -> Result<(), Error> {
        if self.alias_fails.load(Ordering::SeqCst) {
            return Err(Error::Aws {
                operation: "CreateAlias",
                code: "KMSInternalException".into(),
                message: "".into(),
            });
        }
        self.kms.create_alias(alias, key).await
    }
    async fn delete_alias(&self, alias: &str) -> Result<(), Error> {
        self.kms.delete_alias(alias).await
    }
    async fn public_key(&self, key: &str) -> Result<PublicKey, Error> {
        self.kms.public_key(key).await
    }
    async fn sign_sha256(&self, key: &str, algorithm: KeyAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.kms.sign_sha256(key, algorithm, message).await
    }
    async fn tagged_keys(&self, group: &str) -> Result<Vec<TaggedKmsKey>, Error> {
        self.kms.tagged_keys(group).await
    }
    async fn schedule_deletion(&self, key: &str) -> Result<(), Error> {
        if self.foreign.lock().unwrap().as_deref() == Some(key) {
            let message = "the key policy does not allow it".into();
            return Err(Error::Aws { operation: "ScheduleKeyDeletion", code: "AccessDeniedException".into(), message });
        }
        self.kms.schedule_deletion(key).await
    }
}

type Crashing<'c> = Rotator<With<MemorySecrets, MemoryCloudFront, RandomKeys, AliasFails, &'c ManualClock>>;

/// A KMS stack whose first rotation failed at CreateAlias once (its key
/// created, the alias not), then was retried to the end.
async fn rotated_after_an_alias_crash(clock: &ManualClock) -> (Crashing<'_>, Ledger, String) {
    let kms = AliasFails { kms: MemoryKms::new(), alias_fails: AtomicBool::new(false), foreign: Default::default() };
    let config = config_in(KeyAlgorithm::EcdsaP256, Source::Kms);
    let rotator = Rotator::new(MemorySecrets::new(), MemoryCloudFront::new(), RandomKeys, kms, clock, config);
    let mut ledger = Ledger::default();
    let keys = rotator.bootstrap(STACK, "SigningKeys").await.unwrap();
    rotator.kms().alias_fails.store(true, Ordering::SeqCst);
    let error = rotator.rotation_step(Step::Create, &token(1), None, None).await.unwrap_err();
    assert_eq!(error.aws_code(), Some("KMSInternalException"));
    rotator.kms().alias_fails.store(false, Ordering::SeqCst);
    for step in [Step::Create, Step::Set, Step::Test, Step::Finish] {
        rotator.rotation_step(step, &token(1), None, None).await.unwrap();
        check_invariants(&rotator, &mut ledger, false).await;
    }
    assert_eq!(rotator.kms().kms.keys().len(), 3, "the first key, the orphan, and its replacement");
    (rotator, ledger, keys.key_group_id)
}

#[tokio::test]
async fn the_prune_after_a_rotation_retires_the_key_a_crash_left_without_its_alias() {
    let clock = test_clock();
    let (rotator, mut ledger, _) = rotated_after_an_alias_crash(&clock).await;
    let aliased: Vec<String> = rotator.kms().kms.alias_targets().into_values().collect();
    let orphan: Vec<String> = rotator.kms().kms.keys().into_keys().filter(|id| !aliased.contains(id)).collect();
    let report = rotator.prune().await.unwrap();
    assert_eq!(report.retired_kms_keys, orphan);
    let state = rotator.secrets().describe(SECRET).await.unwrap();
    assert!(!state.tags.keys().any(|t| t.starts_with(key_rotator::naming::tags::KMS_KEY_OF)), "looked for once");
    check_invariants(&rotator, &mut ledger, true).await;
    assert!(rotator.prune().await.unwrap().retired_kms_keys.is_empty());
}

#[tokio::test]
async fn tearing_the_stack_down_schedules_the_deletion_of_every_kms_key_even_one_a_crash_left_without_its_alias() {
    let clock = test_clock();
    let (rotator, _, key_group_id) = rotated_after_an_alias_crash(&clock).await;
    rotator.tear_down(&key_group_id, STACK).await.unwrap();
    let kms = rotator.kms().kms.keys();
    assert!(kms.values().all(|key| key.pending_deletion), "every key, the orphan included");
}

#[tokio::test]
async fn a_key_tagged_for_the_group_that_refuses_the_rotator_is_left_alone_and_fails_nothing() {
    let clock = test_clock();
    let (rotator, _, key_group_id) = rotated_after_an_alias_crash(&clock).await;
    let aliased: Vec<String> = rotator.kms().kms.alias_targets().into_values().collect();
    let orphan = rotator.kms().kms.keys().into_keys().find(|id| !aliased.contains(id)).unwrap();
    // Tags are anyone's to set: this key has the group's, but another owner's policy.
    *rotator.kms().foreign.lock().unwrap() = Some(orphan.clone());
    assert!(rotator.prune().await.unwrap().retired_kms_keys.is_empty());
    rotator.tear_down(&key_group_id, STACK).await.unwrap();
    let kms = rotator.kms().kms.keys();
    assert!(!kms[&orphan].pending_deletion);
    assert!(kms.iter().filter(|(id, _)| **id != orphan).all(|(_, key)| key.pending_deletion));
}
