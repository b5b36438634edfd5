//! The signing key as stored in Secrets Manager: the shapes the url-signer
//! reads and the key-rotator writes, one with the private key, one naming a
//! KMS key that holds it.
//!
//! ```json
//! {"keyPairId":"K2JCJMDEHXQW5F","privateKey":"-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}
//! {"keyPairId":"K2JCJMDEHXQW5F","kmsKeyArn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-..."}
//! ```
//!
//! `privateKey` is an RSA-2048 or ECDSA P-256 key in any PEM form [`PrivateKey`]
//! reads; `kmsKeyArn` an asymmetric KMS key (RSA_2048 or ECC_NIST_P256,
//! SIGN_VERIFY); `keyPairId` is the CloudFront public key id of the public half.

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
        parse(json, "{\"keyPairId\": ..., \"privateKey\": ...}")
    }

    pub fn to_json(&self) -> Zeroizing<String> {
        Zeroizing::new(serde_json::to_string(self).expect("two strings always serialize"))
    }

    /// A signer for this key (with the default backend).
    pub fn signer(&self) -> Result<Signer> {
        Signer::new(&self.key_pair_id, PrivateKey::from_pem(&self.private_key)?)
    }
}

/// The secret's second shape: the key pair id and the KMS key that signs for
/// it. No private key at all: whoever reads it learns which key, not the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KmsKeySecret {
    pub key_pair_id: String,
    pub kms_key_arn: String,
}

impl KmsKeySecret {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("two strings always serialize")
    }
}

/// Whichever shape a secret version holds, as the url-signer reads AWSCURRENT.
#[derive(Debug)]
pub enum StoredSigningKey {
    /// `{"keyPairId", "privateKey"}`.
    PrivateKey(SigningKeySecret),
    /// `{"keyPairId", "kmsKeyArn"}`.
    Kms(KmsKeySecret),
}

/// Both shapes' fields, to tell them apart with errors that never quote a value.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AnyShape {
    key_pair_id: String,
    #[serde(default, with = "optional_zeroizing_string")]
    private_key: Option<Zeroizing<String>>,
    kms_key_arn: Option<String>,
}

/// Deserialize for an optional `Zeroizing<String>` field:
/// `#[serde(default, deserialize_with = "cfsign::optional_zeroizing_string::deserialize")]`.
pub mod optional_zeroizing_string {
    use serde::{Deserialize, Deserializer};
    use zeroize::Zeroizing;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Zeroizing<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(|value| value.map(Zeroizing::new))
    }
}

impl StoredSigningKey {
    /// The CloudFront public key id, whichever shape holds it.
    pub fn key_pair_id(&self) -> &str {
        match self {
            Self::PrivateKey(key) => &key.key_pair_id,
            Self::Kms(key) => &key.key_pair_id,
        }
    }

    /// Parses a SecretString of either shape; as [`SigningKeySecret::from_json`],
    /// an error says where the JSON is wrong, never what it holds.
    pub fn from_json(json: &str) -> Result<Self> {
        let shape: AnyShape =
            parse(json, "{\"keyPairId\": ..., \"privateKey\": ...} or {\"keyPairId\": ..., \"kmsKeyArn\": ...}")?;
        match (shape.private_key, shape.kms_key_arn) {
            (Some(private_key), None) => {
                Ok(Self::PrivateKey(SigningKeySecret { key_pair_id: shape.key_pair_id, private_key }))
            }
            (None, Some(kms_key_arn)) => Ok(Self::Kms(KmsKeySecret { key_pair_id: shape.key_pair_id, kms_key_arn })),
            (Some(_), Some(_)) => {
                Err(Error::MalformedSecret("it has both privateKey and kmsKeyArn; a key is in one place".into()))
            }
            (None, None) => Err(Error::MalformedSecret("it has neither privateKey nor kmsKeyArn".into())),
        }
    }
}

/// Reads a secret's JSON; the error says where it is wrong and what was
/// `expected`, never what it holds: a secret's text must not reach a log.
fn parse<'de, T: Deserialize<'de>>(json: &'de str, expected: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "a field is missing, unknown or of the wrong type",
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "it is not valid JSON",
            serde_json::error::Category::Io => "it could not be read",
        };
        Error::MalformedSecret(format!("{what} (line {}, column {}); expected {expected}", e.line(), e.column()))
    })
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

    #[test]
    fn either_shape_is_read_and_told_apart() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
        let pem = SigningKeySecret::new("K2JCJMDEHXQW5F", &key).unwrap().to_json();
        assert!(matches!(StoredSigningKey::from_json(&pem).unwrap(), StoredSigningKey::PrivateKey(_)));

        let kms = KmsKeySecret {
            key_pair_id: "K2JCJMDEHXQW5F".into(),
            kms_key_arn: "arn:aws:kms:us-east-1:111122223333:key/k1".into(),
        };
        let json = kms.to_json();
        assert_eq!(json, r#"{"keyPairId":"K2JCJMDEHXQW5F","kmsKeyArn":"arn:aws:kms:us-east-1:111122223333:key/k1"}"#);
        match StoredSigningKey::from_json(&json).unwrap() {
            StoredSigningKey::Kms(read) => assert_eq!(read, kms),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_secret_of_neither_or_both_shapes_is_malformed_without_its_content() {
        for (json, why) in [
            (r#"{"keyPairId":"K1"}"#, "neither privateKey nor kmsKeyArn"),
            (r#"{"keyPairId":"K1","privateKey":"secret-bytes","kmsKeyArn":"arn"}"#, "both privateKey and kmsKeyArn"),
            (r#"{"keyPairId":"K1","kmsKeyArn":"arn","other":"secret-bytes"}"#, "unknown"),
            ("secret-bytes", "not valid JSON"),
        ] {
            let message = StoredSigningKey::from_json(json).unwrap_err().to_string();
            assert!(message.contains(why) && !message.contains("secret-bytes"), "{message}");
        }
    }
}
