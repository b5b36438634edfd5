//! Keys and helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use cfsign::{Backend, Epoch, KeyAlgorithm, PrivateKey, RequestContext};

pub const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
pub const EXPIRES: u64 = 1_767_225_600;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The committed test-only keys (never used outside tests).
pub fn rsa_key(backend: Backend) -> PrivateKey {
    PrivateKey::from_bytes_with(&fixture_bytes("keys/test-only-rsa2048.pkcs8.pem"), backend).unwrap()
}

pub fn p256_key(backend: Backend) -> PrivateKey {
    PrivateKey::from_bytes_with(&fixture_bytes("keys/test-only-p256.pkcs8.pem"), backend).unwrap()
}

pub fn key(algorithm: KeyAlgorithm, backend: Backend) -> PrivateKey {
    match algorithm {
        KeyAlgorithm::Rsa2048 => rsa_key(backend),
        KeyAlgorithm::EcdsaP256 => p256_key(backend),
    }
}

/// One generated PKCS#8 PEM per algorithm for tests that need a key nobody else
/// has (so a signature can only verify under its own public key).
pub fn other_key(algorithm: KeyAlgorithm) -> PrivateKey {
    static RSA: OnceLock<String> = OnceLock::new();
    static P256: OnceLock<String> = OnceLock::new();
    let cell = match algorithm {
        KeyAlgorithm::Rsa2048 => &RSA,
        KeyAlgorithm::EcdsaP256 => &P256,
    };
    let pem = cell.get_or_init(|| {
        PrivateKey::generate(algorithm, Backend::default()).unwrap().to_pkcs8_pem().unwrap().to_string()
    });
    PrivateKey::from_pem(pem).unwrap()
}

pub fn epoch(seconds: u64) -> Epoch {
    Epoch::from_secs(seconds).unwrap()
}

pub fn at(seconds: u64) -> RequestContext {
    RequestContext { at: epoch(seconds), client_ip: None }
}
