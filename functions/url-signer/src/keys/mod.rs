//! The signing key, read from Secrets Manager and kept between requests.
//!
//! Why not aws_secretsmanager_caching: it serves a stale value either never or
//! forever on errors (no stale limit), keeps time with its own clock (so TTL
//! and staleness cannot be tested without waiting), erases error types (a
//! malformed secret and an outage look alike), and caches the secret text where
//! we need the parsed key. What is kept here is small: one entry, re-read after
//! the TTL, re-parsed only when the current version changes.

mod aws;
#[cfg(any(test, feature = "test-util"))]
pub mod fake;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cfsign::{
    CacheLimits, CacheStats, HashAlgorithm, KeyAlgorithm, PublicKey, RemoteKey, RemoteSigner, Signer, StoredSigningKey,
};
use tokio::sync::Mutex;
use zeroize::Zeroizing;

pub use aws::{AwsKeys, OPERATION_TIMEOUT};

use crate::config::Config;
use crate::error::Error;

/// The current version of the secret, as Secrets Manager returns it.
pub struct SecretVersion {
    /// Secrets Manager's id of the version; another id means the key must be parsed again.
    pub version_id: String,
    /// The version's SecretString, zeroized when dropped.
    pub secret_string: Zeroizing<String>,
}

/// What the signer needs to get its key: read AWSCURRENT of the secret and,
/// when it names a KMS key, that key. Errors are a description fit for a log
/// (never the secret's content).
pub trait KeySource: Send + Sync {
    /// A KMS key as this source signs with it.
    type KmsKey: RemoteKey + 'static;

    /// The version holding AWSCURRENT; an error describes the failure, never the secret's content.
    fn current(&self, secret_id: &str) -> impl Future<Output = Result<SecretVersion, String>> + Send;

    /// The KMS key `key_arn` and its public key (GetPublicKey): a key that
    /// cannot sign for CloudFront is malformed, a failed call unavailable or
    /// throttled.
    fn kms_key(&self, key_arn: &str) -> impl Future<Output = Result<(Self::KmsKey, PublicKey), Error>> + Send;

    /// How a KMS key's refusal to sign is answered: throttling, or the key unavailable.
    fn kms_refusal(error: &<Self::KmsKey as RemoteKey>::Error) -> Error;
}

/// The key a secret version holds: a private key here, or a KMS key signing there.
#[derive(Debug)]
pub enum SigningKey<K> {
    /// `{"keyPairId", "privateKey"}`: signs in this process.
    Local(Signer),
    /// `{"keyPairId", "kmsKeyArn"}`: every signature not cached is a `kms:Sign` call.
    Kms(RemoteSigner<K>),
}

impl<K: RemoteKey> SigningKey<K> {
    /// The CloudFront public key id it signs as.
    pub fn key_pair_id(&self) -> &str {
        match self {
            Self::Local(signer) => signer.key_pair_id(),
            Self::Kms(signer) => signer.key_pair_id(),
        }
    }

    /// What its signature cache holds and has served, when it has one.
    pub fn signature_cache_stats(&self) -> Option<CacheStats> {
        match self {
            Self::Local(signer) => signer.signature_cache_stats(),
            Self::Kms(signer) => signer.signature_cache_stats(),
        }
    }
}

/// How the cache treats the key.
#[derive(Debug, Clone)]
pub struct KeyPolicy {
    /// How long a key read is used before Secrets Manager is asked again.
    pub ttl: Duration,
    /// How long after Secrets Manager last confirmed the key it keeps serving through failed reads.
    pub stale_limit: Duration,
    /// The one key type accepted, when set; a key of another type is malformed (503).
    pub expected_algorithm: Option<KeyAlgorithm>,
    /// The hash the signatures use (`HASH_ALGORITHM`), set on the signer when the key is loaded.
    pub hash: HashAlgorithm,
    /// The bounds of each loaded key's signature cache. The cache belongs to
    /// the signer, and a new secret version is a new signer: no signature
    /// outlives the key that made it being current.
    pub signature_cache: CacheLimits,
}

impl KeyPolicy {
    /// The policy the settings give.
    pub fn of(config: &Config) -> Self {
        Self {
            ttl: config.key_ttl,
            stale_limit: config.key_stale_limit,
            expected_algorithm: config.key_algorithm,
            hash: config.hash_algorithm,
            signature_cache: config.signature_cache,
        }
    }
}

struct Entry<K> {
    version_id: String,
    signer: Arc<SigningKey<K>>,
    /// When Secrets Manager was last asked (successfully or not).
    checked: SystemTime,
    /// When Secrets Manager last answered with a usable key.
    confirmed: SystemTime,
}

impl<K> Entry<K> {
    /// Whether the entry serves without asking Secrets Manager: for the TTL
    /// after a check. The stale limit bounds only an entry kept through a
    /// failed check, so a limit of 0 means "never serve through errors", not
    /// "never cache".
    fn usable(&self, now: SystemTime, policy: &KeyPolicy) -> bool {
        let confirmed_by_last_check = self.checked == self.confirmed;
        since(now, self.checked) < policy.ttl
            && (confirmed_by_last_check || since(now, self.confirmed) <= policy.stale_limit)
    }
}

/// How long a failed read with no key to fall back on is answered from
/// memory: a broken or unreachable secret costs one call per this interval,
/// not one per request.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(5);

struct Failure {
    at: SystemTime,
    error: Error,
}

struct State<K> {
    entry: Option<Entry<K>>,
    last_failure: Option<Failure>,
}

/// The signing key as last read from Secrets Manager, shared by every request.
pub struct KeyCache<S: KeySource> {
    source: S,
    secret_id: String,
    policy: KeyPolicy,
    state: Mutex<State<S::KmsKey>>,
}

fn since(now: SystemTime, then: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or_default()
}

impl<S: KeySource> KeyCache<S> {
    /// A cache of `secret_id` read from `source` under `policy`; the first `signer` call reads it.
    pub fn new(source: S, secret_id: impl Into<String>, policy: KeyPolicy) -> Self {
        Self {
            source,
            secret_id: secret_id.into(),
            policy,
            state: Mutex::new(State { entry: None, last_failure: None }),
        }
    }

    /// The signer for `now`: cached while younger than the TTL; otherwise
    /// re-read, and on a failed read the cached signer keeps serving until the
    /// stale limit has passed since Secrets Manager last confirmed it.
    pub async fn signer(&self, now: SystemTime) -> Result<Arc<SigningKey<S::KmsKey>>, Error> {
        let mut state = self.state.lock().await;
        if let Some(entry) = state.entry.as_ref()
            && entry.usable(now, &self.policy)
        {
            return Ok(entry.signer.clone());
        }
        if let Some(failure) = &state.last_failure
            && since(now, failure.at) < FAILURE_MEMORY
        {
            return Err(failure.error.clone());
        }
        let result = self.read(&mut state.entry, now).await;
        state.last_failure = result.as_ref().err().map(|error| Failure { at: now, error: error.clone() });
        result
    }

    /// What the current key's signature cache holds and has served; `None`
    /// before a key is loaded or when the cache is off.
    pub async fn signature_cache_stats(&self) -> Option<CacheStats> {
        self.state.lock().await.entry.as_ref().and_then(|entry| entry.signer.signature_cache_stats())
    }

    async fn read(
        &self,
        slot: &mut Option<Entry<S::KmsKey>>,
        now: SystemTime,
    ) -> Result<Arc<SigningKey<S::KmsKey>>, Error> {
        let failure = match self.source.current(&self.secret_id).await {
            Ok(version) => {
                if let Some(entry) = slot.as_mut()
                    && entry.version_id == version.version_id
                {
                    entry.checked = now;
                    entry.confirmed = now;
                    return Ok(entry.signer.clone());
                }
                match self.load(&version).await {
                    Ok(signer) => {
                        tracing::info!(version_id = %version.version_id, key_pair_id = signer.key_pair_id(), "signing key loaded");
                        *slot = Some(Entry {
                            version_id: version.version_id,
                            signer: signer.clone(),
                            checked: now,
                            confirmed: now,
                        });
                        return Ok(signer);
                    }
                    Err(error) => error,
                }
            }
            Err(reason) => Error::KeyUnavailable(reason),
        };
        match slot.as_mut() {
            Some(entry) if since(now, entry.confirmed) <= self.policy.stale_limit => {
                tracing::warn!(error = %failure, version_id = %entry.version_id, "serving the cached signing key");
                entry.checked = now;
                Ok(entry.signer.clone())
            }
            _ => Err(failure),
        }
    }

    /// The key `version` holds. A secret that can never sign is malformed;
    /// a KMS call that failed (throttled, the key disabled) is said as such,
    /// so that it is retried rather than reported as a bad secret.
    async fn load(&self, version: &SecretVersion) -> Result<Arc<SigningKey<S::KmsKey>>, Error> {
        let malformed = |reason: String| Error::KeyMalformed(format!("version {}: {reason}", version.version_id));
        let key = match StoredSigningKey::from_json(&version.secret_string).map_err(|e| malformed(e.to_string()))? {
            StoredSigningKey::PrivateKey(secret) => {
                let signer = secret.signer().map_err(|e| malformed(e.to_string()))?;
                self.check_algorithm(signer.private_key().algorithm()).map_err(malformed)?;
                let signer =
                    signer.with_hash_algorithm(self.policy.hash).with_signature_cache(self.policy.signature_cache);
                // One signature now proves the key signs, and pays AWS-LC's first-use
                // costs on this thread (seeding its per-thread random generator takes
                // tens of milliseconds) at load rather than in a caller's request.
                signer.private_key().sign(self.policy.hash, b"self-check").map_err(|e| malformed(e.to_string()))?;
                SigningKey::Local(signer)
            }
            StoredSigningKey::Kms(secret) => {
                if self.policy.hash != HashAlgorithm::Sha256 {
                    return Err(malformed(format!(
                        "the secret names the KMS key {}, which signs only with SHA-256, and HASH_ALGORITHM is {}",
                        secret.kms_key_arn, self.policy.hash
                    )));
                }
                let (key, public) = self.source.kms_key(&secret.kms_key_arn).await?;
                self.check_algorithm(key.algorithm()).map_err(malformed)?;
                // One signature now proves that the key signs, and is the key
                // whose public half the verifier holds.
                let proof = key.sign_sha256(b"self-check").await.map_err(|e| S::kms_refusal(&e))?;
                if !public.verify(HashAlgorithm::Sha256, b"self-check", &proof) {
                    return Err(malformed(format!(
                        "the KMS key {}'s signature does not verify under its public key",
                        secret.kms_key_arn
                    )));
                }
                let signer = RemoteSigner::new(&secret.key_pair_id, key).map_err(|e| malformed(e.to_string()))?;
                SigningKey::Kms(signer.with_signature_cache(self.policy.signature_cache))
            }
        };
        Ok(Arc::new(key))
    }

    fn check_algorithm(&self, algorithm: KeyAlgorithm) -> Result<(), String> {
        match self.policy.expected_algorithm {
            Some(expected) if algorithm != expected => {
                Err(format!("the key is {algorithm}, KEY_ALGORITHM says {expected}"))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeSecrets;
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn cache(source: FakeSecrets) -> KeyCache<FakeSecrets> {
        let policy = KeyPolicy {
            ttl: 5 * MINUTE,
            stale_limit: 60 * MINUTE,
            expected_algorithm: None,
            hash: HashAlgorithm::Sha1,
            signature_cache: CacheLimits { entries: 0, bytes: 0 },
        };
        KeyCache::new(source, "signing-key", policy)
    }

    fn at(minutes: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000) + MINUTE * minutes as u32
    }

    #[tokio::test]
    async fn reads_once_per_ttl_and_reparses_only_a_new_version() {
        let secrets = FakeSecrets::with_new_key("K1");
        let keys = cache(secrets.clone());
        assert_eq!(keys.signer(at(0)).await.unwrap().key_pair_id(), "K1");
        keys.signer(at(4)).await.unwrap();
        assert_eq!(secrets.reads(), 1);
        keys.signer(at(5)).await.unwrap();
        assert_eq!(secrets.reads(), 2);
        secrets.rotate_to_new_key("K2");
        assert_eq!(keys.signer(at(6)).await.unwrap().key_pair_id(), "K1", "within the TTL");
        assert_eq!(keys.signer(at(10)).await.unwrap().key_pair_id(), "K2");
    }

    #[tokio::test]
    async fn serves_the_cached_key_through_an_outage_up_to_the_stale_limit() {
        let secrets = FakeSecrets::with_new_key("K1");
        let keys = cache(secrets.clone());
        keys.signer(at(0)).await.unwrap();
        secrets.fail_reads(true);
        assert_eq!(keys.signer(at(30)).await.unwrap().key_pair_id(), "K1");
        assert_eq!(keys.signer(at(60)).await.unwrap().key_pair_id(), "K1");
        assert!(matches!(keys.signer(at(61)).await, Err(Error::KeyUnavailable(_))));
        secrets.fail_reads(false);
        assert_eq!(keys.signer(at(62)).await.unwrap().key_pair_id(), "K1");
    }

    #[tokio::test]
    async fn a_stale_limit_of_zero_still_caches_for_the_ttl_and_only_stops_serving_through_errors() {
        let secrets = FakeSecrets::with_new_key("K1");
        let mut keys = cache(secrets.clone());
        keys.policy.stale_limit = Duration::ZERO;
        keys.signer(at(0)).await.unwrap();
        keys.signer(at(1)).await.unwrap();
        keys.signer(at(4)).await.unwrap();
        assert_eq!(secrets.reads(), 1, "the TTL caches whatever the stale limit");
        secrets.fail_reads(true);
        assert!(matches!(keys.signer(at(5)).await, Err(Error::KeyUnavailable(_))), "no serving through errors");
    }

    #[tokio::test]
    async fn a_malformed_secret_is_503_without_a_cached_key_and_never_leaks() {
        let secrets = FakeSecrets::with_value("v1", r#"{"keyPairId":"K1","privateKey":"SECRET-MATERIAL"}"#);
        let keys = cache(secrets.clone());
        let error = keys.signer(at(0)).await.unwrap_err();
        assert!(matches!(error, Error::KeyMalformed(_)), "{error:?}");
        assert!(!format!("{error} {error:?}").contains("SECRET-MATERIAL"));
        assert_eq!(error.status(), 503);

        // A good key cached first keeps serving when a malformed version follows.
        let secrets = FakeSecrets::with_new_key("K1");
        let keys = cache(secrets.clone());
        keys.signer(at(0)).await.unwrap();
        secrets.set_value("v2", "not json");
        assert_eq!(keys.signer(at(10)).await.unwrap().key_pair_id(), "K1");
    }

    #[tokio::test]
    async fn a_failed_read_without_a_key_is_remembered_for_a_few_seconds() {
        let secrets = FakeSecrets::with_value("v1", "not json");
        let keys = cache(secrets.clone());
        let second = |s: u64| at(0) + Duration::from_secs(s);
        for s in [0, 1, 4] {
            assert!(matches!(keys.signer(second(s)).await, Err(Error::KeyMalformed(_))));
        }
        assert_eq!(secrets.reads(), 1, "one read per FAILURE_MEMORY");

        secrets.fail_reads(true);
        assert!(matches!(keys.signer(second(5)).await, Err(Error::KeyUnavailable(_))));
        assert!(matches!(keys.signer(second(9)).await, Err(Error::KeyUnavailable(_))));
        assert_eq!(secrets.reads(), 2);

        // Once the secret is fixed, the next read after the interval loads it.
        secrets.fail_reads(false);
        secrets.rotate_to_new_key("K1");
        assert_eq!(keys.signer(second(10)).await.unwrap().key_pair_id(), "K1");
        assert_eq!(secrets.reads(), 3);
    }

    #[tokio::test]
    async fn a_key_of_another_type_than_configured_is_refused() {
        let mut keys = cache(FakeSecrets::with_new_key("K1"));
        keys.policy.expected_algorithm = Some(KeyAlgorithm::Rsa2048);
        let error = keys.signer(at(0)).await.unwrap_err();
        assert!(error.to_string().contains("the key is ecdsa-p256, KEY_ALGORITHM says rsa2048"), "{error}");
    }
}
