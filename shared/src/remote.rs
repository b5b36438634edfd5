//! Signing where the private key is not: a remote operation that signs bytes
//! with SHA-256, such as an AWS KMS key ([`crate::kms`]). The URLs and cookies
//! are built here exactly as [`crate::Signer`] builds them; only the signature
//! comes from elsewhere, and it is always SHA-256 (`Hash-Algorithm=SHA256`):
//! KMS has no SHA-1 signing.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::cookies::SignedCookies;
use crate::draft::Draft;
use crate::encoding;
use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::key::KeyAlgorithm;
use crate::policy::Conditions;
use crate::signature_cache::{CacheLimits, CacheStats, Memo, SignatureCount};
use crate::signer::check_key_pair_id;

/// "Sign these bytes with SHA-256": the one operation a remote key offers.
pub trait RemoteKey: Send + Sync {
    /// Why a signature was not made (throttled, a disabled key, ...).
    type Error: std::error::Error + Send + Sync + 'static;

    /// The key's type, which fixes the signature's form.
    fn algorithm(&self) -> KeyAlgorithm;

    /// The signature of SHA-256(`message`) as CloudFront reads it: RSASSA
    /// PKCS#1 v1.5, or ECDSA in DER.
    fn sign_sha256(&self, message: &[u8]) -> impl Future<Output = Result<Vec<u8>, Self::Error>> + Send;
}

/// Why a remote signer made no URL or cookies: the input, or the remote key.
#[derive(Debug, thiserror::Error)]
pub enum RemoteSignError<E> {
    /// The URL, resource or conditions were refused before anything was signed.
    #[error(transparent)]
    Refused(#[from] Error),
    /// The remote key did not sign.
    #[error("the remote key did not sign: {0}")]
    Remote(E),
}

/// Signs with a CloudFront public key id and a remote key holding its private half.
pub struct RemoteSigner<K> {
    key_pair_id: String,
    key: K,
    cache: Memo,
}

impl<K: RemoteKey> RemoteSigner<K> {
    /// `key_pair_id` is the id CloudFront gave the public key of `key`.
    pub fn new(key_pair_id: impl Into<String>, key: K) -> crate::Result<Self> {
        let key_pair_id = key_pair_id.into();
        check_key_pair_id(&key_pair_id)?;
        Ok(Self { key_pair_id, key, cache: Memo::off() })
    }

    /// As [`crate::Signer::with_signature_cache`]: a repeated policy is served
    /// from memory, which for a remote key also saves a call and its quota.
    pub fn with_signature_cache(mut self, limits: CacheLimits) -> Self {
        self.cache = Memo::within(limits);
        self
    }

    /// What the signature cache holds and has served, when there is one.
    pub fn signature_cache_stats(&self) -> Option<CacheStats> {
        self.cache.stats()
    }

    /// The CloudFront public key id.
    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// The remote key.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// As [`crate::Signer::sign_url`], with SHA-256.
    pub async fn sign_url(&self, url: &str, conditions: &Conditions) -> Result<String, RemoteSignError<K::Error>> {
        self.sign_url_counting(url, conditions, &mut SignatureCount::default()).await
    }

    /// As [`crate::Signer::sign_url_counting`], with SHA-256.
    pub async fn sign_url_counting(
        &self,
        url: &str,
        conditions: &Conditions,
        count: &mut SignatureCount,
    ) -> Result<String, RemoteSignError<K::Error>> {
        let draft = Draft::url(url, conditions)?;
        let signature = self.signature(draft.policy_json(), count).await?;
        Ok(draft.into_url(&signature, &self.key_pair_id, HashAlgorithm::Sha256)?)
    }

    /// As [`crate::Signer::sign_cookies`], with SHA-256.
    pub async fn sign_cookies(
        &self,
        resource: &str,
        conditions: &Conditions,
    ) -> Result<SignedCookies, RemoteSignError<K::Error>> {
        self.sign_cookies_counting(resource, conditions, &mut SignatureCount::default()).await
    }

    /// As [`crate::Signer::sign_cookies_counting`], with SHA-256.
    pub async fn sign_cookies_counting(
        &self,
        resource: &str,
        conditions: &Conditions,
        count: &mut SignatureCount,
    ) -> Result<SignedCookies, RemoteSignError<K::Error>> {
        let draft = Draft::cookies(resource, conditions)?;
        let signature = self.signature(draft.policy_json(), count).await?;
        Ok(draft.into_cookies(&signature, &self.key_pair_id, HashAlgorithm::Sha256)?)
    }

    async fn signature(
        &self,
        policy_json: &str,
        count: &mut SignatureCount,
    ) -> Result<Arc<str>, RemoteSignError<K::Error>> {
        if let Some(kept) = self.cache.lookup(policy_json, count) {
            return Ok(kept);
        }
        let signature = self.key.sign_sha256(policy_json.as_bytes()).await.map_err(RemoteSignError::Remote)?;
        Ok(self.cache.keep(policy_json, encoding::encode(&signature), count))
    }
}

impl<K: fmt::Debug> fmt::Debug for RemoteSigner<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteSigner")
            .field("key_pair_id", &self.key_pair_id)
            .field("key", &self.key)
            .field("signature_cache", &self.cache.stats())
            .finish()
    }
}

/// A remote key that is a local private key: the in-memory stand-in for a
/// KMS key in tests, signing exactly as KMS would.
#[cfg(any(test, feature = "test-util"))]
pub mod fake {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use super::RemoteKey;
    use crate::{HashAlgorithm, KeyAlgorithm, PrivateKey};

    /// Why the fake did not sign: what a test told it to answer.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("{0}")]
    pub struct FakeRemoteError(pub String);

    /// Signs with a private key held here, counts its calls (and how many
    /// were in flight at once: each call yields once, as a network call would),
    /// and fails on demand.
    #[derive(Clone)]
    pub struct MemoryRemoteKey {
        key: Arc<PrivateKey>,
        calls: Arc<AtomicU32>,
        in_flight: Arc<AtomicU32>,
        most_in_flight: Arc<AtomicU32>,
        failure: Arc<Mutex<Option<FakeRemoteError>>>,
    }

    impl MemoryRemoteKey {
        /// A remote key holding `key`.
        pub fn new(key: PrivateKey) -> Self {
            Self {
                key: Arc::new(key),
                calls: Arc::default(),
                in_flight: Arc::default(),
                most_in_flight: Arc::default(),
                failure: Arc::default(),
            }
        }

        /// The public half, as KMS's GetPublicKey gives it.
        pub fn public_key(&self) -> crate::PublicKey {
            self.key.public_key().expect("a generated key has a public key")
        }

        /// How many signatures were asked for, failed ones included.
        pub fn calls(&self) -> u32 {
            self.calls.load(Ordering::SeqCst)
        }

        /// The most calls that were in flight at one time.
        pub fn most_in_flight(&self) -> u32 {
            self.most_in_flight.load(Ordering::SeqCst)
        }

        /// From now on every call fails with `message` (`None`: signs again).
        pub fn fail_with(&self, message: Option<&str>) {
            *self.failure.lock().unwrap() = message.map(|m| FakeRemoteError(m.to_owned()));
        }
    }

    /// Pending once, then ready: lets the other calls of a batch start.
    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();

        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }

    impl std::fmt::Debug for MemoryRemoteKey {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("MemoryRemoteKey").field("algorithm", &self.key.algorithm()).finish_non_exhaustive()
        }
    }

    impl RemoteKey for MemoryRemoteKey {
        type Error = FakeRemoteError;

        fn algorithm(&self) -> KeyAlgorithm {
            self.key.algorithm()
        }

        async fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, FakeRemoteError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_in_flight.fetch_max(now, Ordering::SeqCst);
            YieldOnce(false).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if let Some(failure) = self.failure.lock().unwrap().clone() {
                return Err(failure);
            }
            self.key.sign(HashAlgorithm::Sha256, message).map_err(|e| FakeRemoteError(e.to_string()))
        }
    }
}
