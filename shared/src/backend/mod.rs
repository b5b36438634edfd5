//! Signing backends. Both produce the same bytes for RSA (PKCS#1 v1.5 is
//! deterministic) and interoperable DER signatures for ECDSA; they differ in
//! speed and in side-channel hardening.

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!("enable at least one signing backend: the `aws-lc` or the `rust-crypto` feature");

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(feature = "rust-crypto")]
mod rust_crypto;

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::HashAlgorithm;
use crate::key_format::{KeyAlgorithm, PrivateKeyDocument, PublicKeyDocument};

/// Which cryptographic library signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// AWS-LC: constant-time, OpenSSL-class speed. The default when compiled in.
    AwsLc,
    /// The RustCrypto `rsa` and `p256` crates, in pure Rust.
    RustCrypto,
}

impl Backend {
    const ALL: [Backend; 2] = [Backend::AwsLc, Backend::RustCrypto];

    pub const fn name(self) -> &'static str {
        match self {
            Backend::AwsLc => "aws-lc",
            Backend::RustCrypto => "rust-crypto",
        }
    }

    pub const fn is_compiled(self) -> bool {
        match self {
            Backend::AwsLc => cfg!(feature = "aws-lc"),
            Backend::RustCrypto => cfg!(feature = "rust-crypto"),
        }
    }

    /// The backends this build carries, the default first.
    pub fn compiled() -> Vec<Backend> {
        Self::ALL.into_iter().filter(|b| b.is_compiled()).collect()
    }

    fn require(self) -> Result<Self> {
        if self.is_compiled() { Ok(self) } else { Err(Error::BackendUnavailable(self.name())) }
    }
}

impl Default for Backend {
    fn default() -> Self {
        if cfg!(feature = "aws-lc") { Backend::AwsLc } else { Backend::RustCrypto }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| format!("unknown backend {s:?}: expected aws-lc or rust-crypto"))
    }
}

pub(crate) enum SigningKey {
    #[cfg(feature = "aws-lc")]
    AwsLc(aws_lc::SigningKey),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(rust_crypto::SigningKey),
}

impl SigningKey {
    pub fn load(backend: Backend, document: &PrivateKeyDocument) -> Result<Self> {
        match backend.require()? {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => aws_lc::SigningKey::from_pkcs8(document.algorithm, &document.pkcs8).map(Self::AwsLc),
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                rust_crypto::SigningKey::from_pkcs8(document.algorithm, &document.pkcs8).map(Self::RustCrypto)
            }
            #[allow(unreachable_patterns)]
            other => Err(Error::BackendUnavailable(other.name())),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc(_) => Backend::AwsLc,
            #[cfg(feature = "rust-crypto")]
            Self::RustCrypto(_) => Backend::RustCrypto,
        }
    }

    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc(key) => key.sign(hash, message),
            #[cfg(feature = "rust-crypto")]
            Self::RustCrypto(key) => key.sign(hash, message),
        }
    }

    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc(key) => key.public_key_der(),
            #[cfg(feature = "rust-crypto")]
            Self::RustCrypto(key) => key.public_key_der(),
        }
    }

    pub fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc(key) => key.pkcs8_der(),
            #[cfg(feature = "rust-crypto")]
            Self::RustCrypto(key) => key.pkcs8_der(),
        }
    }
}

#[derive(Clone)]
pub(crate) enum VerifyingKey {
    #[cfg(feature = "aws-lc")]
    AwsLc(aws_lc::VerifyingKey),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(rust_crypto::VerifyingKey),
}

impl VerifyingKey {
    pub fn load(backend: Backend, document: &PublicKeyDocument) -> Result<Self> {
        match backend.require()? {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => aws_lc::VerifyingKey::from_spki(document.algorithm, &document.spki_der).map(Self::AwsLc),
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                rust_crypto::VerifyingKey::from_spki(document.algorithm, &document.spki_der).map(Self::RustCrypto)
            }
            #[allow(unreachable_patterns)]
            other => Err(Error::BackendUnavailable(other.name())),
        }
    }

    pub fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        match self {
            #[cfg(feature = "aws-lc")]
            Self::AwsLc(key) => key.verify(hash, message, signature),
            #[cfg(feature = "rust-crypto")]
            Self::RustCrypto(key) => key.verify(hash, message, signature),
        }
    }
}

pub(crate) fn generate_pkcs8(algorithm: KeyAlgorithm, backend: Backend) -> Result<Zeroizing<Vec<u8>>> {
    match backend.require()? {
        #[cfg(feature = "aws-lc")]
        Backend::AwsLc => aws_lc::generate_pkcs8(algorithm),
        #[cfg(feature = "rust-crypto")]
        Backend::RustCrypto => rust_crypto::generate_pkcs8(algorithm),
        #[allow(unreachable_patterns)]
        other => Err(Error::BackendUnavailable(other.name())),
    }
}
