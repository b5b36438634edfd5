//! What the key-rotator's tests share: configuration, the clock tests start with,
//! a responder that keeps CloudFormation's answers, and the invariants.
#![allow(dead_code)] // each test binary uses a part

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponse;
use cfsign::{HashAlgorithm, KeyAlgorithm, PrivateKey, PublicKey, StoredSigningKey};
use key_rotator::cloudfront::KeyGroups;
use key_rotator::cloudfront::MemoryCloudFront;
use key_rotator::keys::RandomKeys;
use key_rotator::kms::KmsKeys;
use key_rotator::kms::MemoryKms;
use key_rotator::naming::Token;
use key_rotator::responder::Responder;
use key_rotator::secrets::MemorySecrets;
use key_rotator::secrets::{AWSCURRENT, AWSPENDING, DRAFT, Secrets};
use key_rotator::{Config, Error, Ports, Rotator, With};
use plumbing::settings::Settings;
use plumbing::time::TokioPause;
pub use plumbing::time::{Clock, ManualClock};

pub const SECRET: &str = "cdn-signing-key";
pub const GROUP: &str = "cdn-signers";
pub const STACK: &str = "arn:aws:cloudformation:us-east-1:111122223333:stack/cdn/0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21";
/// MAX_LIFETIME_SECONDS + PROPAGATION_MARGIN_SECONDS below.
pub const GRACE: Duration = Duration::from_secs(600 + 60);

pub fn config(algorithm: KeyAlgorithm) -> Config {
    config_with_max_lifetime(algorithm, 600)
}

/// Where a test's rotations make their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// PEM private keys in the secret.
    Secret,
    /// KMS keys, the secret naming them.
    Kms,
}

/// [`config`] with new keys made in `source`.
pub fn config_in(algorithm: KeyAlgorithm, source: Source) -> Config {
    settings(algorithm, 600, source)
}

/// [`config`] with another MAX_LIFETIME_SECONDS, as a stack update sets it.
pub fn config_with_max_lifetime(algorithm: KeyAlgorithm, seconds: u64) -> Config {
    settings(algorithm, seconds, Source::Secret)
}

fn settings(algorithm: KeyAlgorithm, seconds: u64, source: Source) -> Config {
    let max_lifetime = seconds.to_string();
    let mut vars = vec![
        ("KEY_SECRET_ID", SECRET),
        ("KEY_GROUP_NAME", GROUP),
        ("KEY_ALGORITHM", algorithm.name()),
        ("MAX_LIFETIME_SECONDS", max_lifetime.as_str()),
        ("PROPAGATION_MARGIN_SECONDS", "60"),
        // Tests of the delay set it themselves.
        ("ACTIVATION_DELAY_SECONDS", "0"),
        ("KMS_SIGNER_ROLE_ARN", "arn:aws:iam::123456789012:role/cdn-UrlSignerFunctionRole"),
        ("KMS_ROTATOR_ROLE_ARN", "arn:aws:iam::123456789012:role/cdn-KeyRotatorFunctionRole"),
    ];
    if source == Source::Kms {
        vars.push(("SIGNING_KEY_SOURCE", "kms"));
    }
    Config::from_settings(&Settings::from_pairs(vars)).unwrap()
}

pub fn token(n: u32) -> Token {
    Token::parse(&format!("{n:08x}-0000-4000-8000-000000000000")).unwrap()
}

/// A rotator on the in-memory fake of every port.
pub type InMemory<'c, W = TokioPause> =
    Rotator<With<MemorySecrets, MemoryCloudFront, RandomKeys, MemoryKms, &'c ManualClock, W>>;

/// A rotator on new in-memory fakes, under `config`.
pub fn in_memory(clock: &ManualClock, config: Config) -> InMemory<'_> {
    Rotator::new(MemorySecrets::new(), MemoryCloudFront::new(), RandomKeys, MemoryKms::new(), clock, config)
}

/// The instant every test starts at.
pub fn test_clock() -> ManualClock {
    ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_795_000_000))
}

/// `seconds` after the clock's now: an invocation's deadline.
pub fn in_seconds(clock: &ManualClock, seconds: u64) -> SystemTime {
    clock.now() + Duration::from_secs(seconds)
}

/// Keeps every answer instead of sending it.
#[derive(Default)]
pub struct KeptResponses(pub Mutex<Vec<(String, CloudFormationCustomResourceResponse)>>);

impl Responder for KeptResponses {
    async fn send(&self, url: &str, response: &CloudFormationCustomResourceResponse) -> Result<(), Error> {
        self.0.lock().unwrap().push((url.to_owned(), response.clone()));
        Ok(())
    }
}

/// The keys a test has seen signing, whose URLs may still be valid.
#[derive(Default, Debug)]
pub struct Ledger {
    pub signed_with: BTreeSet<String>,
    /// Keys a revoke may remove from the group, valid URLs or not.
    pub revoked: BTreeSet<String>,
}

/// The invariants, read through the same operations the rotator uses:
/// - the public key of the AWSCURRENT key (a private key, or a KMS key) is in
///   the key group, and is its pair, unless the current key is being revoked;
/// - every key that signed (`ledger`) is still in the group, unless it is being revoked;
/// - `after_prune`: every public key this rotator created is in the group or
///   named by a labelled secret version; and every KMS key of the group that
///   still signs is named by a labelled version whose public key is in the
///   group, or belongs to a rotation that has not written its version yet.
///
/// Also records the current key in the ledger.
pub async fn check_invariants<P: Ports>(rotator: &Rotator<P>, ledger: &mut Ledger, after_prune: bool) {
    let (secrets, cloudfront, kms) = (rotator.secrets(), rotator.cloudfront(), rotator.kms());
    let state = secrets.describe(SECRET).await.unwrap();
    let current = state.labelled(AWSCURRENT).expect("a version is AWSCURRENT");
    let json = secrets.value(SECRET, current).await.unwrap().expect("AWSCURRENT has a value");
    let current = StoredSigningKey::from_json(&json).expect("AWSCURRENT holds a signing key");
    let current_id = current.key_pair_id().to_owned();
    let group_id = cloudfront.find_key_group(GROUP).await.unwrap().expect("the key group exists");
    let group = cloudfront.key_group(&group_id).await.unwrap().unwrap();
    // A revoke takes the compromised key out of the group before its
    // replacement is current: its URLs are meant to fail from then on.
    if !ledger.revoked.contains(&current_id) {
        assert!(group.items.contains(&current_id), "current key {current_id} not in group {:?}", group.items);
        let public = cloudfront.public_key(&current_id).await.unwrap().expect("current public key exists");
        let public = PublicKey::from_pem(&public.encoded_key).unwrap();
        let verified = match &current {
            StoredSigningKey::PrivateKey(key) => {
                let signature =
                    PrivateKey::from_pem(&key.private_key).unwrap().sign(HashAlgorithm::Sha1, b"invariant").unwrap();
                public.verify(HashAlgorithm::Sha1, b"invariant", &signature)
            }
            StoredSigningKey::Kms(key) => {
                let signature = kms.sign_sha256(&key.kms_key_arn, public.algorithm(), b"invariant").await.unwrap();
                public.verify(HashAlgorithm::Sha256, b"invariant", &signature)
            }
        };
        assert!(verified, "current key {current_id} is not paired with CloudFront's public key");
    }
    ledger.signed_with.insert(current_id);
    for key in ledger.signed_with.difference(&ledger.revoked) {
        assert!(
            group.items.contains(key),
            "key {key} signed URLs that may be valid, but left the group {:?}",
            group.items
        );
    }
    if after_prune {
        let mut named = BTreeSet::new();
        // KMS keys a labelled version names, and whether its public key is in the group.
        let mut kms_keys = Vec::new();
        let mut unwritten = BTreeSet::new();
        for (version, stages) in &state.versions {
            match secrets.value(SECRET, version).await.unwrap() {
                Some(json) => {
                    if let Ok(key) = StoredSigningKey::from_json(&json) {
                        if let StoredSigningKey::Kms(kms_key) = &key {
                            let signs = stages.iter().any(|s| s == AWSCURRENT || s == AWSPENDING);
                            let needed = signs || group.items.contains(&kms_key.key_pair_id);
                            kms_keys.push((kms_key.kms_key_arn.clone(), needed));
                        }
                        named.insert(key.key_pair_id().to_owned());
                    }
                }
                None => {
                    unwritten.insert(version.clone());
                }
            }
            if stages.iter().any(|s| s == DRAFT)
                && let Some(token) = Token::of_draft(version)
            {
                named.insert(token.public_key_name(GROUP));
            }
            if stages.iter().any(|s| s == AWSPENDING)
                && let Ok(token) = Token::parse(version)
            {
                named.insert(token.public_key_name(GROUP));
            }
        }
        let public_keys = cloudfront.public_keys().await.unwrap();
        for key in &public_keys {
            if Token::of_public_key(&key.name, GROUP).is_some() {
                let accounted = group.items.contains(&key.id) || named.contains(&key.id) || named.contains(&key.name);
                assert!(accounted, "public key {} ({}) is accounted for by nothing", key.id, key.name);
            }
        }
        let in_progress = |token: &Token| {
            let drafted = state.has(&token.draft_version(), DRAFT) || state.has(token.as_str(), AWSPENDING);
            drafted && !state.versions.contains_key(token.as_str()) || unwritten.contains(token.as_str())
        };
        for key in kms.tagged_keys(GROUP).await.unwrap() {
            let Ok(public) = kms.public_key(&key.id).await else { continue };
            if kms.sign_sha256(&key.id, public.algorithm(), b"invariant").await.is_err() {
                continue; // pending deletion: it signs nothing any more
            }
            // A version that lost its labels still has its public key named after its token,
            // and its one key is the alias's.
            let of_a_member = match &key.token {
                Some(token) => {
                    let public = public_keys.iter().find(|k| k.name == token.public_key_name(GROUP));
                    let aliased = kms.find_alias(&token.kms_alias(GROUP)).await.unwrap();
                    public.is_some_and(|k| group.items.contains(&k.id))
                        && aliased.is_some_and(|arn| arn.ends_with(&key.id))
                }
                None => false,
            };
            let needed = kms_keys.iter().any(|(arn, needed)| *needed && arn.ends_with(&key.id))
                || of_a_member
                || key.token.as_ref().is_some_and(in_progress);
            assert!(
                needed,
                "KMS key {} ({:?}) still signs, and no valid URL needs it; versions name {kms_keys:?}, members {:?}",
                key.id, key.token, group.items
            );
        }
    }
}
