//! Signed URLs and signed cookies.

use std::fmt;
use std::sync::Arc;

use crate::cookies::SignedCookies;
use crate::draft::Draft;
use crate::encoding;
use crate::error::{Error, Result};
use crate::hash::HashAlgorithm;
use crate::key::PrivateKey;
use crate::policy::Conditions;
use crate::signature_cache::{CacheLimits, CacheStats, Memo, SignatureCount};

/// Signs with one key pair: the CloudFront public key id and its private key.
pub struct Signer {
    key_pair_id: String,
    key: PrivateKey,
    hash: HashAlgorithm,
    cache: Memo,
}

impl Signer {
    /// `key_pair_id` is the id CloudFront gave the public key (or a legacy
    /// `APKA…` key pair id).
    pub fn new(key_pair_id: impl Into<String>, key: PrivateKey) -> Result<Self> {
        let key_pair_id = key_pair_id.into();
        check_key_pair_id(&key_pair_id)?;
        Ok(Self { key_pair_id, key, hash: HashAlgorithm::default(), cache: Memo::off() })
    }

    /// SHA-256 adds `Hash-Algorithm=SHA256` to URLs and `CloudFront-Hash-Algorithm` to cookies.
    /// A signature cache starts empty again: its signatures were made with the other hash.
    pub fn with_hash_algorithm(mut self, hash: HashAlgorithm) -> Self {
        if hash != self.hash {
            self.cache = self.cache.emptied();
        }
        self.hash = hash;
        self
    }

    /// Keeps up to `limits` of the signatures this signer makes, keyed by the
    /// policy they sign, and serves them again instead of signing: a repeated
    /// policy (one expiry rounded to a window, `Conditions::rounded_to`) costs
    /// a lookup, and an ECDSA signature, randomised when computed, comes out
    /// the same every time. A limit of 0 keeps none.
    pub fn with_signature_cache(mut self, limits: CacheLimits) -> Self {
        self.cache = Memo::within(limits);
        self
    }

    /// What the signature cache holds and has served, when there is one.
    pub fn signature_cache_stats(&self) -> Option<CacheStats> {
        self.cache.stats()
    }

    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash
    }

    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// `url` with `Expires` (canned) or `Policy` (custom), `Signature`,
    /// `Key-Pair-Id` and, for SHA-256, `Hash-Algorithm` appended. The URL is
    /// signed and returned exactly as given; its own query string is kept.
    pub fn sign_url(&self, url: &str, conditions: &Conditions) -> Result<String> {
        self.sign_url_counting(url, conditions, &mut SignatureCount::default())
    }

    /// [`Signer::sign_url`], adding to `count` whether the signature was
    /// computed or served from the signature cache.
    pub fn sign_url_counting(&self, url: &str, conditions: &Conditions, count: &mut SignatureCount) -> Result<String> {
        let draft = Draft::url(url, conditions)?;
        let signature = self.signature(draft.policy_json(), count)?;
        draft.into_url(&signature, &self.key_pair_id, self.hash)
    }

    /// Cookies for `resource`, which may hold `*` and `?` wildcards (one set
    /// covering every object under a prefix is the usual use).
    pub fn sign_cookies(&self, resource: &str, conditions: &Conditions) -> Result<SignedCookies> {
        self.sign_cookies_counting(resource, conditions, &mut SignatureCount::default())
    }

    /// [`Signer::sign_cookies`], adding to `count` whether the signature was
    /// computed or served from the signature cache.
    pub fn sign_cookies_counting(
        &self,
        resource: &str,
        conditions: &Conditions,
        count: &mut SignatureCount,
    ) -> Result<SignedCookies> {
        let draft = Draft::cookies(resource, conditions)?;
        let signature = self.signature(draft.policy_json(), count)?;
        draft.into_cookies(&signature, &self.key_pair_id, self.hash)
    }

    fn signature(&self, policy_json: &str, count: &mut SignatureCount) -> Result<Arc<str>> {
        if let Some(kept) = self.cache.lookup(policy_json, count) {
            return Ok(kept);
        }
        let signature = encoding::encode(&self.key.sign(self.hash, policy_json.as_bytes())?);
        Ok(self.cache.keep(policy_json, signature, count))
    }
}

/// A CloudFront public key id (or a legacy `APKA…` key pair id): letters and digits.
pub(crate) fn check_key_pair_id(key_pair_id: &str) -> Result<()> {
    if key_pair_id.is_empty() || key_pair_id.len() > 128 || !key_pair_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::InvalidKeyPairId(key_pair_id.to_owned()));
    }
    Ok(())
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key_pair_id", &self.key_pair_id)
            .field("key", &self.key)
            .field("hash", &self.hash)
            .field("signature_cache", &self.signature_cache_stats())
            .finish()
    }
}
