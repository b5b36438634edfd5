//! What a key is before a backend loads it: its algorithm, and its documents
//! (PKCS#8, SEC1, PKCS#1 and SPKI, in PEM or DER), read and checked. Below both
//! the keys and the backends, which each use it.

mod document;
pub(crate) mod pem;

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

pub(crate) use document::{PrivateKeyDocument, PublicKeyDocument};

/// The two key types CloudFront accepts in a key group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    Rsa2048,
    EcdsaP256,
}

impl KeyAlgorithm {
    pub const ALL: [KeyAlgorithm; 2] = [KeyAlgorithm::Rsa2048, KeyAlgorithm::EcdsaP256];

    pub const fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "rsa2048",
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyAlgorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown key algorithm {s:?}: expected rsa2048 or ecdsa-p256"))
    }
}

/// Input errors for keys never echo the input: it may be a private key.
pub(crate) fn malformed(what: impl Into<String>) -> Error {
    Error::MalformedKey(what.into())
}
