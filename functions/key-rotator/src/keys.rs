//! New key pairs (randomness, injected) and the draft that holds a new private
//! key before its public key exists.

use std::fmt;

use cfsign::{Backend, KeyAlgorithm, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::naming::Token;
use crate::secrets::{AWSCURRENT, DRAFT, SecretState};

/// Where new private keys come from.
pub trait KeySource: Send + Sync {
    /// A new private key of `algorithm`.
    fn generate(&self, algorithm: KeyAlgorithm) -> Result<PrivateKey>;
}

/// Keys from AWS-LC's generator, seeded by the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomKeys;

impl KeySource for RandomKeys {
    fn generate(&self, algorithm: KeyAlgorithm) -> Result<PrivateKey> {
        Ok(PrivateKey::generate(algorithm, Backend::default())?)
    }
}

/// The value of a draft version: the private key (its key pair id does not
/// exist yet) and the version that was AWSCURRENT when the rotation began.
/// Once another version has become current, the draft's rotation was
/// overtaken and its retries are refused, whenever they come.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Draft {
    #[serde(with = "cfsign::zeroizing_string")]
    private_key: Zeroizing<String>,
    replaces: Option<String>,
}

impl Draft {
    /// The draft of `key`, written while `replaces` holds AWSCURRENT (None when no version is current).
    pub fn new(key: &PrivateKey, replaces: Option<&str>) -> Result<Self> {
        Ok(Self { private_key: key.to_pkcs8_pem()?, replaces: replaces.map(str::to_owned) })
    }

    /// The draft stored as `version`; `MalformedSecret` when `json` is no draft.
    pub fn from_json(version: &str, json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|_| Error::MalformedSecret {
            version: version.to_owned(),
            reason: "a draft holds {\"privateKey\": ..., \"replaces\": ...} only".into(),
        })
    }

    /// Whether `token`'s rotation may still go on from this draft: it holds
    /// the draft label, and no other version has become current since it was
    /// written. (On a secret with no version, Secrets Manager makes the draft
    /// itself current.)
    pub fn open_in(&self, state: &SecretState, token: &Token) -> bool {
        let version = token.draft_version();
        let current = state.labelled(AWSCURRENT).filter(|v| *v != version);
        state.has(&version, DRAFT) && current == self.replaces.as_deref()
    }

    /// The draft as the secret stores it, zeroized when dropped.
    pub fn to_json(&self) -> Zeroizing<String> {
        Zeroizing::new(serde_json::to_string(self).expect("a string always serializes"))
    }

    /// The private key the draft holds.
    pub fn key(&self) -> Result<PrivateKey> {
        Ok(PrivateKey::from_pem(&self.private_key)?)
    }
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft").finish_non_exhaustive()
    }
}

/// Whether CloudFront's encoded key is the public half of `public`, whatever
/// the PEM's line breaks.
pub fn same_key(encoded_key: &str, public: &PublicKey) -> bool {
    PublicKey::from_pem(encoded_key).is_ok_and(|k| &k == public)
}
