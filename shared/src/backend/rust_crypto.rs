//! The pure-Rust backend on the RustCrypto `rsa` and `p256` crates.
//!
//! Selectable with the `rust-crypto` feature. RSA signing always blinds with
//! the OS random source, which narrows but does not close the timing channel
//! of RUSTSEC-2023-0071; prefer the aws-lc backend where it builds.

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rand_core::OsRng;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::HashAlgorithm;
use crate::key_format::{KeyAlgorithm, malformed};

pub(crate) enum SigningKey {
    // Both key types zeroize their secrets on drop.
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

fn digest(hash: HashAlgorithm, message: &[u8]) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha1 => Sha1::digest(message).to_vec(),
        HashAlgorithm::Sha256 => Sha256::digest(message).to_vec(),
    }
}

fn pkcs1v15(hash: HashAlgorithm) -> Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
        HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
    }
}

impl SigningKey {
    pub fn from_pkcs8(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self> {
        match algorithm {
            KeyAlgorithm::Rsa2048 => RsaPrivateKey::from_pkcs8_der(der)
                .map(|key| Self::Rsa(Box::new(key)))
                .map_err(|_| malformed("the RSA private key does not decode")),
            KeyAlgorithm::EcdsaP256 => p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map(Self::P256)
                .map_err(|_| malformed("the P-256 private key does not decode")),
        }
    }

    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let digest = digest(hash, message);
        match self {
            Self::Rsa(key) => {
                key.sign_with_rng(&mut OsRng, pkcs1v15(hash), &digest).map_err(|_| Error::Crypto("RSA signing"))
            }
            // A 20-byte SHA-1 digest is read as a 160-bit integer, as ECDSA with
            // SHA-1 on P-256 requires; RFC 6979 makes the nonce deterministic.
            Self::P256(key) => {
                let signature: p256::ecdsa::Signature =
                    key.sign_prehash(&digest).map_err(|_| Error::Crypto("ECDSA signing"))?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }

    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let document = match self {
            Self::Rsa(key) => key.to_public_key().to_public_key_der(),
            Self::P256(key) => key.verifying_key().to_public_key_der(),
        };
        document.map(|d| d.into_vec()).map_err(|_| Error::Crypto("public key encoding"))
    }

    pub fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let document = match self {
            Self::Rsa(key) => key.to_pkcs8_der(),
            Self::P256(key) => key.to_pkcs8_der(),
        };
        document.map(|d| Zeroizing::new(d.as_bytes().to_vec())).map_err(|_| Error::Crypto("PKCS#8 encoding"))
    }
}

#[derive(Clone)]
pub(crate) enum VerifyingKey {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl VerifyingKey {
    pub fn from_spki(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self> {
        match algorithm {
            KeyAlgorithm::Rsa2048 => RsaPublicKey::from_public_key_der(der)
                .map(Self::Rsa)
                .map_err(|_| malformed("the RSA public key does not decode")),
            KeyAlgorithm::EcdsaP256 => p256::ecdsa::VerifyingKey::from_public_key_der(der)
                .map(Self::P256)
                .map_err(|_| malformed("the P-256 public key does not decode")),
        }
    }

    pub fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        let digest = digest(hash, message);
        match self {
            Self::Rsa(key) => key.verify(pkcs1v15(hash), &digest, signature).is_ok(),
            Self::P256(key) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|signature| key.verify_prehash(&digest, &signature).is_ok()),
        }
    }
}

pub(crate) fn generate_pkcs8(algorithm: KeyAlgorithm) -> Result<Zeroizing<Vec<u8>>> {
    let document = match algorithm {
        KeyAlgorithm::Rsa2048 => {
            RsaPrivateKey::new(&mut OsRng, 2048).map_err(|_| Error::Crypto("RSA key generation"))?.to_pkcs8_der()
        }
        KeyAlgorithm::EcdsaP256 => p256::ecdsa::SigningKey::random(&mut OsRng).to_pkcs8_der(),
    };
    document.map(|d| Zeroizing::new(d.as_bytes().to_vec())).map_err(|_| Error::Crypto("PKCS#8 encoding"))
}
