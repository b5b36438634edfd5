//! An in-memory Secrets Manager for tests and local runs without AWS.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cfsign::{Backend, KeyAlgorithm, PrivateKey, SigningKeySecret};
use zeroize::Zeroizing;

use super::{SecretSource, SecretVersion};

/// A secret held in memory: its value set by the test, its reads counted,
/// and every read failing on demand. Clones share one secret.
#[derive(Clone, Default)]
pub struct FakeSecrets {
    current: Arc<Mutex<Option<SecretVersion>>>,
    failing: Arc<AtomicBool>,
    reads: Arc<AtomicUsize>,
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

    /// From now on every read fails (`true`) or succeeds again (`false`).
    pub fn fail_reads(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// How many reads were made, failed ones included.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

impl SecretSource for FakeSecrets {
    async fn current(&self, _secret_id: &str) -> Result<SecretVersion, String> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err("ServiceUnavailable (injected)".into());
        }
        let current = self.current.lock().unwrap();
        let version = current.as_ref().ok_or("ResourceNotFoundException (fake)")?;
        Ok(SecretVersion { version_id: version.version_id.clone(), secret_string: version.secret_string.clone() })
    }
}
