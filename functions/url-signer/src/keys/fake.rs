//! An in-memory Secrets Manager and KMS for tests and local runs without AWS.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cfsign::fake::{FakeRemoteError, MemoryRemoteKey};
use cfsign::{Backend, KeyAlgorithm, KmsKeySecret, PrivateKey, PublicKey, SigningKeySecret};
use zeroize::Zeroizing;

use super::{KeySource, SecretVersion};
use crate::error::Error;

/// A secret held in memory: its value set by the test, its reads counted,
/// and every read failing on demand; and the KMS keys it may name. Clones
/// share one secret and one set of keys.
#[derive(Clone, Default)]
pub struct FakeSecrets {
    current: Arc<Mutex<Option<SecretVersion>>>,
    failing: Arc<AtomicBool>,
    reads: Arc<AtomicUsize>,
    kms_keys: Arc<Mutex<HashMap<String, MemoryRemoteKey>>>,
}

impl FakeSecrets {
    /// A secret whose current version `version_id` holds `secret_string`.
    pub fn with_value(version_id: &str, secret_string: &str) -> Self {
        let fake = Self::default();
        fake.set_value(version_id, secret_string);
        fake
    }

    /// A secret holding a fresh P-256 key for `key_pair_id`, as version `key_pair_id`.
    pub fn with_new_key(key_pair_id: &str) -> Self {
        let fake = Self::default();
        fake.rotate_to_new_key(key_pair_id);
        fake
    }

    /// Makes a fresh P-256 key for `key_pair_id` the current version, as a rotation would.
    pub fn rotate_to_new_key(&self, key_pair_id: &str) {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).expect("key generation");
        let secret = SigningKeySecret::new(key_pair_id, &key).expect("PKCS#8 encoding");
        self.set_value(key_pair_id, &secret.to_json());
    }

    /// Makes `secret_string` the current value, as version `version_id`.
    pub fn set_value(&self, version_id: &str, secret_string: &str) {
        let version = SecretVersion {
            version_id: version_id.to_owned(),
            secret_string: Zeroizing::new(secret_string.to_owned()),
        };
        *self.current.lock().unwrap() = Some(version);
    }

    /// Makes a new KMS key of `algorithm`, named `key_arn`, the current
    /// version (`{"keyPairId", "kmsKeyArn"}`), as a rotation in KMS mode would;
    /// returns the key, whose calls a test counts and fails.
    pub fn rotate_to_kms_key(&self, key_pair_id: &str, key_arn: &str, algorithm: KeyAlgorithm) -> MemoryRemoteKey {
        let key = MemoryRemoteKey::new(PrivateKey::generate(algorithm, Backend::default()).expect("key generation"));
        self.kms_keys.lock().unwrap().insert(key_arn.to_owned(), key.clone());
        let secret = KmsKeySecret { key_pair_id: key_pair_id.to_owned(), kms_key_arn: key_arn.to_owned() };
        self.set_value(key_pair_id, &secret.to_json());
        key
    }

    /// From now on every read fails (`true`) or succeeds again (`false`).
    pub fn fail_reads(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// How many reads were made, failed ones included.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

impl KeySource for FakeSecrets {
    type KmsKey = MemoryRemoteKey;

    async fn current(&self, _secret_id: &str) -> Result<SecretVersion, String> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err("ServiceUnavailable (injected)".into());
        }
        let current = self.current.lock().unwrap();
        let version = current.as_ref().ok_or("ResourceNotFoundException (fake)")?;
        Ok(SecretVersion { version_id: version.version_id.clone(), secret_string: version.secret_string.clone() })
    }

    async fn kms_key(&self, key_arn: &str) -> Result<(MemoryRemoteKey, PublicKey), Error> {
        let key = self.kms_keys.lock().unwrap().get(key_arn).cloned();
        let key = key.ok_or_else(|| {
            Error::KeyUnavailable(format!("GetPublicKey failed: NotFoundException: {key_arn} (fake)"))
        })?;
        let public = key.public_key();
        Ok((key, public))
    }

    /// A failure whose message names ThrottlingException is throttling, as in AWS.
    fn kms_refusal(error: &FakeRemoteError) -> Error {
        if error.0.contains("ThrottlingException") {
            Error::SigningThrottled(error.to_string())
        } else {
            Error::KeyUnavailable(error.to_string())
        }
    }
}
