//! The AWS-LC backend.
//!
//! aws-lc-rs's safe API signs RSA only with SHA-256 and up, and ECDSA only
//! with SHA-256 and up, while CloudFront's default is SHA-1 for both. The one
//! route that covers all four combinations with AWS-LC's constant-time code is
//! its EVP interface, called here through aws-lc-sys (the same build of AWS-LC
//! that aws-lc-rs links, so nothing new is compiled). The unsafe surface is
//! kept in this file, each with the invariant it relies on: seven unsafe blocks
//! (parse a PKCS#8 key: CBS_init, EVP_parse_private_key, CBS_len; pick the
//! digest: EVP_sha1/EVP_sha256; sign: EVP_DigestSignInit and two EVP_DigestSign
//! calls, then Vec::set_len; free the key; allocate and free the digest
//! context; clear the thread's error queue) and the `Send`/`Sync` impls, which
//! tests/sign_verify.rs exercises from eight threads. Everything else (public
//! keys, verification, key generation) goes through aws-lc-rs's safe API.

use std::ptr::{self, NonNull};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, ParsedPublicKey, VerificationAlgorithm};
use aws_lc_sys as ffi;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::HashAlgorithm;
use crate::key_format::{KeyAlgorithm, malformed};

pub(crate) struct SigningKey {
    /// Owned: freed exactly once, in `Drop`. AWS-LC cleanses key memory when
    /// it frees it, so the parsed key is zeroized like the PKCS#8 copy below.
    pkey: NonNull<ffi::EVP_PKEY>,
    /// Kept to derive the public key and to re-export the key without more FFI.
    pkcs8: Zeroizing<Vec<u8>>,
    algorithm: KeyAlgorithm,
}

// SAFETY: an EVP_PKEY is not tied to the thread that parsed it, and AWS-LC
// allows concurrent signing with one key: signing takes the key as const,
// and RSA's lazily built blinding and Montgomery caches are guarded by the
// key's own lock. aws-lc-rs relies on the same for its key-pair types.
unsafe impl Send for SigningKey {}
unsafe impl Sync for SigningKey {}

impl SigningKey {
    pub fn from_pkcs8(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self> {
        let mut cbs = ffi::CBS { data: ptr::null(), len: 0 };
        // SAFETY: `cbs` borrows `der`, which outlives both calls; EVP_parse_private_key
        // copies what it keeps and returns an owned key or null.
        let (pkey, trailing) = unsafe {
            ffi::CBS_init(&mut cbs, der.as_ptr(), der.len());
            let pkey = ffi::EVP_parse_private_key(&mut cbs);
            (pkey, ffi::CBS_len(&cbs))
        };
        let Some(pkey) = NonNull::new(pkey) else {
            clear_errors();
            return Err(malformed("AWS-LC could not parse the private key"));
        };
        let key = Self { pkey, pkcs8: Zeroizing::new(der.to_vec()), algorithm };
        if trailing != 0 {
            return Err(malformed("unexpected bytes after the private key"));
        }
        Ok(key)
    }

    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        // SAFETY: EVP_sha1/EVP_sha256 return static tables.
        let md = unsafe {
            match hash {
                HashAlgorithm::Sha1 => ffi::EVP_sha1(),
                HashAlgorithm::Sha256 => ffi::EVP_sha256(),
            }
        };
        let ctx = DigestContext::new()?;
        let mut signature = Vec::new();
        // SAFETY: `ctx` and `self.pkey` are valid for the whole block (the key is
        // only read; the context takes its own reference). The first
        // EVP_DigestSign call, with a null output, reports the maximum signature
        // length; the second writes at most that many bytes into a buffer of that
        // capacity and reports how many it wrote, which bounds `set_len`.
        unsafe {
            if ffi::EVP_DigestSignInit(ctx.0.as_ptr(), ptr::null_mut(), md, ptr::null_mut(), self.pkey.as_ptr()) != 1 {
                return Err(failure("EVP_DigestSignInit"));
            }
            let mut len = 0usize;
            if ffi::EVP_DigestSign(ctx.0.as_ptr(), ptr::null_mut(), &mut len, message.as_ptr(), message.len()) != 1 {
                return Err(failure("EVP_DigestSign (length)"));
            }
            signature.reserve_exact(len);
            if ffi::EVP_DigestSign(ctx.0.as_ptr(), signature.as_mut_ptr(), &mut len, message.as_ptr(), message.len())
                != 1
            {
                return Err(failure("EVP_DigestSign"));
            }
            assert!(len <= signature.capacity());
            signature.set_len(len);
        }
        Ok(signature)
    }

    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        let der: PublicKeyX509Der<'static> = match self.algorithm {
            KeyAlgorithm::Rsa2048 => {
                RsaKeyPair::from_pkcs8(&self.pkcs8).map_err(|_| Error::Crypto("RSA key pair"))?.public_key().as_der()
            }
            KeyAlgorithm::EcdsaP256 => {
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &self.pkcs8)
                    .map_err(|_| Error::Crypto("EC key pair"))?
                    .public_key()
                    .as_der()
            }
        }
        .map_err(|_| Error::Crypto("public key encoding"))?;
        Ok(der.as_ref().to_vec())
    }

    pub fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(self.pkcs8.clone())
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        // SAFETY: `pkey` came from EVP_parse_private_key and is freed only here.
        unsafe { ffi::EVP_PKEY_free(self.pkey.as_ptr()) }
    }
}

/// An EVP_MD_CTX freed on every path out of `sign`.
struct DigestContext(NonNull<ffi::EVP_MD_CTX>);

impl DigestContext {
    fn new() -> Result<Self> {
        // SAFETY: plain allocation; null on failure.
        NonNull::new(unsafe { ffi::EVP_MD_CTX_new() }).map(Self).ok_or(Error::Crypto("EVP_MD_CTX_new"))
    }
}

impl Drop for DigestContext {
    fn drop(&mut self) {
        // SAFETY: allocated by EVP_MD_CTX_new and freed only here; freeing also
        // releases the context's reference to the key.
        unsafe { ffi::EVP_MD_CTX_free(self.0.as_ptr()) }
    }
}

/// AWS-LC queues an error per failed call on the thread; drop it so it cannot
/// be misread by a later, unrelated call on the same thread.
fn clear_errors() {
    // SAFETY: touches only this thread's error queue.
    unsafe { ffi::ERR_clear_error() }
}

fn failure(call: &'static str) -> Error {
    clear_errors();
    Error::Crypto(call)
}

#[derive(Clone)]
pub(crate) struct VerifyingKey {
    sha1: std::sync::Arc<ParsedPublicKey>,
    sha256: std::sync::Arc<ParsedPublicKey>,
}

impl VerifyingKey {
    pub fn from_spki(algorithm: KeyAlgorithm, der: &[u8]) -> Result<Self> {
        let (sha1, sha256): (&'static dyn VerificationAlgorithm, &'static dyn VerificationAlgorithm) = match algorithm {
            KeyAlgorithm::Rsa2048 => {
                (&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, &signature::RSA_PKCS1_2048_8192_SHA256)
            }
            KeyAlgorithm::EcdsaP256 => (&signature::ECDSA_P256_SHA1_ASN1, &signature::ECDSA_P256_SHA256_ASN1),
        };
        let parse = |alg| {
            ParsedPublicKey::new(alg, der)
                .map(std::sync::Arc::new)
                .map_err(|_| malformed("AWS-LC could not parse the public key"))
        };
        Ok(Self { sha1: parse(sha1)?, sha256: parse(sha256)? })
    }

    pub fn verify(&self, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        let key = match hash {
            HashAlgorithm::Sha1 => &self.sha1,
            HashAlgorithm::Sha256 => &self.sha256,
        };
        key.verify_sig(message, signature).is_ok()
    }
}

pub(crate) fn generate_pkcs8(algorithm: KeyAlgorithm) -> Result<Zeroizing<Vec<u8>>> {
    let der: Pkcs8V1Der<'static> = match algorithm {
        KeyAlgorithm::Rsa2048 => RsaKeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| Error::Crypto("RSA key generation"))?
            .as_der()
            .map_err(|_| Error::Crypto("PKCS#8 encoding"))?,
        KeyAlgorithm::EcdsaP256 => {
            let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_ASN1_SIGNING)
                .map_err(|_| Error::Crypto("EC key generation"))?;
            let document = pair.to_pkcs8v1().map_err(|_| Error::Crypto("PKCS#8 encoding"))?;
            return Ok(Zeroizing::new(document.as_ref().to_vec()));
        }
    };
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}
