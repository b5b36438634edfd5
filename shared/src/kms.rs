//! AWS KMS keys as [`RemoteKey`]s: the private key is generated and kept in
//! KMS, and every signature is a `kms:Sign` call (recorded by CloudTrail).
//! CloudFront reads `RSASSA_PKCS1_V1_5_SHA_256` signatures of an RSA_2048 key
//! and `ECDSA_SHA_256` ones of an ECC_NIST_P256 key, both with
//! `Hash-Algorithm=SHA256`; KMS has no SHA-1 signing. The policy is hashed
//! here and its digest signed (MessageType DIGEST): KMS takes at most 4,096
//! bytes of a RAW message, and a canned policy holds the whole URL.

use aws_sdk_kms::Client;
use aws_sdk_kms::error::SdkError;
use aws_sdk_kms::operation::get_public_key::GetPublicKeyError;
use aws_sdk_kms::operation::sign::SignError;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, MessageType, SigningAlgorithmSpec};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::key::{KeyAlgorithm, PublicKey};
use crate::remote::RemoteKey;

/// Why `kms:Sign` made no signature.
#[derive(Debug, thiserror::Error)]
pub enum SignFailure {
    /// The call failed, as the SDK reports it (throttled, the key disabled or pending deletion, ...).
    #[error("Sign failed: {}", aws_sdk_kms::error::DisplayErrorContext(.0.as_ref()))]
    Call(Box<SdkError<SignError, HttpResponse>>),
    /// KMS answered without a signature.
    #[error("Sign returned no signature")]
    NoSignature,
}

/// Why a KMS key could not be described.
#[derive(Debug, thiserror::Error)]
pub enum DescribeError {
    /// GetPublicKey failed.
    #[error("GetPublicKey failed: {}", aws_sdk_kms::error::DisplayErrorContext(.0.as_ref()))]
    Call(Box<SdkError<GetPublicKeyError, HttpResponse>>),
    /// The key cannot sign for CloudFront.
    #[error("{0}")]
    Unusable(String),
}

/// The signing algorithm CloudFront reads for each key type.
pub fn signing_algorithm(algorithm: KeyAlgorithm) -> SigningAlgorithmSpec {
    match algorithm {
        KeyAlgorithm::Rsa2048 => SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
        KeyAlgorithm::EcdsaP256 => SigningAlgorithmSpec::EcdsaSha256,
    }
}

/// The KMS key spec of each key type CloudFront reads.
pub fn key_spec(algorithm: KeyAlgorithm) -> KeySpec {
    match algorithm {
        KeyAlgorithm::Rsa2048 => KeySpec::Rsa2048,
        KeyAlgorithm::EcdsaP256 => KeySpec::EccNistP256,
    }
}

/// One KMS key, by id, ARN or alias, that signs with the algorithm of its type.
#[derive(Clone)]
pub struct KmsKey {
    client: Client,
    key_id: String,
    algorithm: KeyAlgorithm,
}

impl KmsKey {
    /// `key_id`, known to be a SIGN_VERIFY key of `algorithm`: no call is made
    /// until it signs. A wrong `algorithm` makes Sign fail, never a wrong signature.
    pub fn with_algorithm(client: Client, key_id: &str, algorithm: KeyAlgorithm) -> Self {
        Self { client, key_id: key_id.to_owned(), algorithm }
    }

    /// `key_id`'s type and public key, read with GetPublicKey: the key must be
    /// RSA_2048 or ECC_NIST_P256, for SIGN_VERIFY. The public key is the one
    /// CloudFront's CreatePublicKey takes (as PEM) and a verifier checks with.
    pub async fn describe(client: Client, key_id: &str) -> Result<(Self, PublicKey), DescribeError> {
        let out = client.get_public_key().key_id(key_id).send().await.map_err(|e| DescribeError::Call(Box::new(e)))?;
        let algorithm = match out.key_spec() {
            Some(KeySpec::Rsa2048) => KeyAlgorithm::Rsa2048,
            Some(KeySpec::EccNistP256) => KeyAlgorithm::EcdsaP256,
            other => {
                return Err(DescribeError::Unusable(format!(
                    "the KMS key {key_id} is {}, not RSA_2048 or ECC_NIST_P256: CloudFront cannot read its signatures",
                    other.map_or("of no key spec", |spec| spec.as_str())
                )));
            }
        };
        if !out.signing_algorithms().contains(&signing_algorithm(algorithm)) {
            return Err(DescribeError::Unusable(format!(
                "the KMS key {key_id} does not sign with {} (its usage must be SIGN_VERIFY)",
                signing_algorithm(algorithm).as_str()
            )));
        }
        let der = out.public_key().ok_or_else(|| DescribeError::Unusable("GetPublicKey returned no key".into()))?;
        let public = PublicKey::from_bytes(der.as_ref())
            .map_err(|e| DescribeError::Unusable(format!("the KMS key's public key is unreadable: {e}")))?;
        if public.algorithm() != algorithm {
            return Err(DescribeError::Unusable(format!("the KMS key {key_id}'s public key is not {algorithm}")));
        }
        Ok((Self { client, key_id: key_id.to_owned(), algorithm }, public))
    }
}

impl std::fmt::Debug for KmsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsKey").field("key_id", &self.key_id).field("algorithm", &self.algorithm).finish()
    }
}

impl RemoteKey for KmsKey {
    type Error = SignFailure;

    fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// `kms:Sign` of the message's SHA-256 digest (MessageType DIGEST).
    async fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>, SignFailure> {
        use sha2::Digest as _;
        let out = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(sha2::Sha256::digest(message).to_vec()))
            .message_type(MessageType::Digest)
            .signing_algorithm(signing_algorithm(self.algorithm))
            .send()
            .await
            .map_err(|e| SignFailure::Call(Box::new(e)))?;
        out.signature.map(Blob::into_inner).filter(|s| !s.is_empty()).ok_or(SignFailure::NoSignature)
    }
}
