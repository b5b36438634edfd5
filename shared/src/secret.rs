//! The signing key as stored in Secrets Manager: the one shape the url-signer
//! reads and the key-rotator writes.
//!
//! ```json
//! {"keyPairId":"K2JCJMDEHXQW5F","privateKey":"-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}
//! ```
//!
//! `privateKey` is an RSA-2048 or ECDSA P-256 key in any PEM form [`PrivateKey`]
//! reads; `keyPairId` is the CloudFront public key id of its public half.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::key::PrivateKey;
use crate::signer::Signer;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SigningKeySecret {
    pub key_pair_id: String,
    #[serde(with = "zeroizing_string")]
    pub private_key: Zeroizing<String>,
}

/// Serde for a `Zeroizing<String>` field: `#[serde(with = "cfsign::zeroizing_string")]`.
/// The same as zeroize's `serde` feature (the string is read, then wrapped
/// without a copy), which is left off: it would change zeroize's build, and
/// with it that of AWS-LC, rustls and the AWS SDK above them, in each function
/// that has cfsign but not in one that has not.
pub mod zeroizing_string {
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;

    pub fn serialize<S: Serializer>(value: &Zeroizing<String>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Zeroizing<String>, D::Error> {
        String::deserialize(deserializer).map(Zeroizing::new)
    }
}

impl SigningKeySecret {
    pub fn new(key_pair_id: impl Into<String>, private_key: &PrivateKey) -> Result<Self> {
        Ok(Self { key_pair_id: key_pair_id.into(), private_key: private_key.to_pkcs8_pem()? })
    }

    /// Parses a SecretString. The error says where the JSON is wrong, never
    /// what it holds: a secret's text must not reach a log.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => "a field is missing, unknown or of the wrong type",
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "it is not valid JSON",
                serde_json::error::Category::Io => "it could not be read",
            };
            Error::MalformedSecret(format!(
                "{what} (line {}, column {}); expected {{\"keyPairId\": ..., \"privateKey\": ...}}",
                e.line(),
                e.column()
            ))
        })
    }

    pub fn to_json(&self) -> Zeroizing<String> {
        Zeroizing::new(serde_json::to_string(self).expect("two strings always serialize"))
    }

    /// A signer for this key (with the default backend).
    pub fn signer(&self) -> Result<Signer> {
        Signer::new(&self.key_pair_id, PrivateKey::from_pem(&self.private_key)?)
    }
}

impl fmt::Debug for SigningKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeySecret").field("key_pair_id", &self.key_pair_id).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Backend, KeyAlgorithm};

    #[test]
    fn round_trips_and_builds_a_signer() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
        let secret = SigningKeySecret::new("K2JCJMDEHXQW5F", &key).unwrap();
        let json = secret.to_json();
        assert!(json.starts_with(r#"{"keyPairId":"K2JCJMDEHXQW5F","privateKey":"-----BEGIN PRIVATE KEY-----\n"#));
        let parsed = SigningKeySecret::from_json(&json).unwrap();
        assert_eq!(parsed.signer().unwrap().key_pair_id(), "K2JCJMDEHXQW5F");
        assert_eq!(format!("{parsed:?}"), r#"SigningKeySecret { key_pair_id: "K2JCJMDEHXQW5F", .. }"#);
    }

    #[test]
    fn malformed_secrets_are_explained_without_their_content() {
        for (json, why) in [
            ("not json", "not valid JSON"),
            (r#"{"keyPairId":"K1"}"#, "missing"),
            (r#"{"keyPairId":"K1","privateKey":"secret-bytes","extra":"secret-bytes"}"#, "unknown"),
            (r#"{"keyPairId":"secret-bytes","privateKey":7}"#, "wrong type"),
        ] {
            let message = SigningKeySecret::from_json(json).unwrap_err().to_string();
            assert!(message.contains(why), "{message}");
            assert!(!message.contains("secret-bytes"), "{message}");
        }
        let unreadable_key = SigningKeySecret::from_json(r#"{"keyPairId":"K1","privateKey":"secret-bytes"}"#).unwrap();
        let message = unreadable_key.signer().unwrap_err().to_string();
        assert!(!message.contains("secret-bytes"), "{message}");
    }
}
