//! What the key-rotator's tests share: configuration, the clock tests start with,
//! a responder that keeps CloudFormation's answers, and the invariants.
#![allow(dead_code)] // each test binary uses a part

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponse;
use cfsign::{HashAlgorithm, KeyAlgorithm, PrivateKey, PublicKey, SigningKeySecret};
use key_rotator::cloudfront::KeyGroups;
use key_rotator::naming::Token;
use key_rotator::responder::Responder;
use key_rotator::secrets::{AWSCURRENT, AWSPENDING, DRAFT, Secrets};
use key_rotator::{Config, Error};
use plumbing::settings::Settings;
pub use plumbing::time::{Clock, ManualClock};

pub const SECRET: &str = "cdn-signing-key";
pub const GROUP: &str = "cdn-signers";
pub const STACK: &str = "arn:aws:cloudformation:us-east-1:111122223333:stack/cdn/0b4e2cd4-6a3f-4b8e-9d2c-5f1e7a9c3b21";
/// MAX_LIFETIME_SECONDS + PROPAGATION_MARGIN_SECONDS below.
pub const GRACE: Duration = Duration::from_secs(600 + 60);

pub fn config(algorithm: KeyAlgorithm) -> Config {
    config_with_max_lifetime(algorithm, 600)
}

/// [`config`] with another MAX_LIFETIME_SECONDS, as a stack update sets it.
pub fn config_with_max_lifetime(algorithm: KeyAlgorithm, seconds: u64) -> Config {
    let max_lifetime = seconds.to_string();
    let vars = [
        ("KEY_SECRET_ID", SECRET),
        ("KEY_GROUP_NAME", GROUP),
        ("KEY_ALGORITHM", algorithm.name()),
        ("MAX_LIFETIME_SECONDS", max_lifetime.as_str()),
        ("PROPAGATION_MARGIN_SECONDS", "60"),
        // Tests of the delay set it themselves.
        ("ACTIVATION_DELAY_SECONDS", "0"),
    ];
    Config::from_settings(&Settings::from_pairs(vars.iter().copied())).unwrap()
}

pub fn token(n: u32) -> Token {
    Token::parse(&format!("{n:08x}-0000-4000-8000-000000000000")).unwrap()
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
/// - the public key of the AWSCURRENT private key is in the key group, and is its pair,
///   unless the current key is being revoked;
/// - every key that signed (`ledger`) is still in the group, unless it is being revoked;
/// - `after_prune`: every public key this rotator created is in the group or
///   named by a labelled secret version.
///
/// Also records the current key in the ledger.
pub async fn check_invariants(
    secrets: &impl Secrets,
    cloudfront: &impl KeyGroups,
    ledger: &mut Ledger,
    after_prune: bool,
) {
    let state = secrets.describe(SECRET).await.unwrap();
    let current = state.labelled(AWSCURRENT).expect("a version is AWSCURRENT");
    let json = secrets.value(SECRET, current).await.unwrap().expect("AWSCURRENT has a value");
    let current = SigningKeySecret::from_json(&json).expect("AWSCURRENT holds a signing key");
    let group_id = cloudfront.find_key_group(GROUP).await.unwrap().expect("the key group exists");
    let group = cloudfront.key_group(&group_id).await.unwrap().unwrap();
    // A revoke takes the compromised key out of the group before its
    // replacement is current: its URLs are meant to fail from then on.
    if !ledger.revoked.contains(&current.key_pair_id) {
        assert!(
            group.items.contains(&current.key_pair_id),
            "current key {} not in group {:?}",
            current.key_pair_id,
            group.items
        );
        let public = cloudfront.public_key(&current.key_pair_id).await.unwrap().expect("current public key exists");
        let private = PrivateKey::from_pem(&current.private_key).unwrap();
        let signature = private.sign(HashAlgorithm::Sha1, b"invariant").unwrap();
        assert!(
            PublicKey::from_pem(&public.encoded_key).unwrap().verify(HashAlgorithm::Sha1, b"invariant", &signature),
            "current private key {} is not paired with CloudFront's public key",
            current.key_pair_id
        );
    }
    ledger.signed_with.insert(current.key_pair_id.clone());
    for key in ledger.signed_with.difference(&ledger.revoked) {
        assert!(
            group.items.contains(key),
            "key {key} signed URLs that may be valid, but left the group {:?}",
            group.items
        );
    }
    if after_prune {
        let mut named = BTreeSet::new();
        for (version, stages) in &state.versions {
            if let Some(json) = secrets.value(SECRET, version).await.unwrap()
                && let Ok(key) = SigningKeySecret::from_json(&json)
            {
                named.insert(key.key_pair_id);
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
        for key in cloudfront.public_keys().await.unwrap() {
            if Token::of_public_key(&key.name, GROUP).is_some() {
                let accounted = group.items.contains(&key.id) || named.contains(&key.id) || named.contains(&key.name);
                assert!(accounted, "public key {} ({}) is accounted for by nothing", key.id, key.name);
            }
        }
    }
}
