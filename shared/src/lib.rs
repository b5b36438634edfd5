//! CloudFront signed URLs and signed cookies: canned and custom policies,
//! RSA-2048 and ECDSA P-256 keys, SHA-1 and SHA-256, and a verifier that says
//! why CloudFront would refuse a signature.
//!
//! ```
//! use cfsign::{Conditions, Epoch, PrivateKey, Signer, KeyAlgorithm, Backend, Verifier, RequestContext};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default())?;
//! let public = key.public_key()?;
//! let signer = Signer::new("K2JCJMDEHXQW5F", key)?;
//!
//! let expires = Epoch::from_secs(1_767_225_600)?;
//! let url = signer.sign_url("https://d111111abcdef8.cloudfront.net/a.jpg", &Conditions::expires_at(expires))?;
//! assert!(url.contains("?Expires=1767225600&Signature="));
//!
//! let verifier = Verifier::new().with_key("K2JCJMDEHXQW5F", public);
//! let at = RequestContext { at: Epoch::from_secs(1_767_225_000)?, client_ip: None };
//! assert!(verifier.verify_url(&url, &at).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod cookies;
mod draft;
mod encoding;
mod error;
mod hash;
mod key;
mod key_format;
#[cfg(feature = "kms")]
pub mod kms;
mod object_key;
mod policy;
mod remote;
mod resource;
mod secret;
mod signature_cache;
mod signer;
mod time;
mod verify;
mod wildcard;

pub use backend::Backend;
pub use cookies::{CookieAttributes, SameSite, SignedCookies};
pub use error::{Error, Result};
pub use hash::HashAlgorithm;
pub use ipnet::Ipv4Net;
pub use key::{KeyAlgorithm, PrivateKey, PublicKey};
pub use object_key::{BucketDistributions, Distribution, Locator, MAX_KEY_BYTES, encode_object_key};
pub use policy::{Conditions, Policy, parse_ipv4_range};
#[cfg(any(test, feature = "test-util"))]
pub use remote::fake;
pub use remote::{RemoteKey, RemoteSignError, RemoteSigner};
pub use resource::{DOT_SEGMENT_RISK, MAX_COOKIE_LENGTH, MAX_URL_LENGTH, dot_segment};
pub use secret::{KmsKeySecret, SigningKeySecret, StoredSigningKey, optional_zeroizing_string, zeroizing_string};
pub use signature_cache::{CacheLimits, CacheStats, ENTRY_OVERHEAD, SignatureCount};
pub use signer::Signer;
pub use time::{Clock, Epoch, SystemClock};
pub use verify::{Rejection, RequestContext, Verified, Verifier};

/// CloudFront's URL-safe base64, for callers that handle signatures or policies themselves.
pub mod base64 {
    pub use crate::encoding::{decode, encode};
}
