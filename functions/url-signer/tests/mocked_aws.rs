//! Secrets Manager and KMS answers the local AWS cannot give, through
//! aws-smithy-mocks: each must end in a 503 (or the cached key or
//! signature), never a panic or a leak.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::get_secret_value::{GetSecretValueError, GetSecretValueOutput};
use aws_sdk_secretsmanager::primitives::Blob;
use aws_sdk_secretsmanager::types::error::{DecryptionFailure, InternalServiceError};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cfsign::{Backend, CacheLimits, HashAlgorithm, KeyAlgorithm, PrivateKey, SigningKeySecret};
use url_signer::keys::KeySource;
use url_signer::{AwsKeys, Error, KeyCache, KeyPolicy};

fn policy() -> KeyPolicy {
    KeyPolicy {
        ttl: Duration::from_secs(300),
        stale_limit: Duration::from_secs(3600),
        expected_algorithm: None,
        hash: HashAlgorithm::Sha1,
        signature_cache: CacheLimits { entries: 0, bytes: 0 },
    }
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600 + seconds)
}

/// A KMS client no test here calls: its calls would fail, having no rule.
fn no_kms() -> aws_sdk_kms::Client {
    mock_client!(aws_sdk_kms, [])
}

fn secret_json() -> String {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
    SigningKeySecret::new("K1", &key).unwrap().to_json().to_string()
}

#[tokio::test]
async fn decryption_failure_is_unavailable_and_names_the_error() {
    let rule = mock!(Client::get_secret_value)
        .sequence()
        .error(|| {
            GetSecretValueError::DecryptionFailure(DecryptionFailure::builder().message("KMS key disabled").build())
        })
        .repeatedly()
        .build();
    let source = AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&rule]), no_kms());
    let error = source.current("signing-key").await.err().unwrap();
    assert!(error.contains("DecryptionFailure") && error.contains("KMS key disabled"), "{error}");

    let keys = KeyCache::new(source, "signing-key", policy());
    let error = keys.signer(at(0)).await.unwrap_err();
    assert!(matches!(error, Error::KeyUnavailable(_)), "{error:?}");
    assert_eq!(error.status(), 503);
}

#[tokio::test]
async fn binary_secrets_and_missing_versions_are_refused() {
    let binary = mock!(Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder().version_id("v1").secret_binary(Blob::new(b"\x00key".to_vec())).build()
    });
    let source = AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&binary]), no_kms());
    let error = source.current("signing-key").await.err().unwrap();
    assert!(error.contains("binary data"), "{error}");

    let unversioned = mock!(Client::get_secret_value)
        .then_output(|| GetSecretValueOutput::builder().secret_string(secret_json()).build());
    let source = AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&unversioned]), no_kms());
    let error = source.current("signing-key").await.err().unwrap();
    assert!(error.contains("no VersionId"), "{error}");
}

#[tokio::test]
async fn a_failure_after_a_good_read_serves_the_cached_key() {
    let value = secret_json();
    let good = mock!(Client::get_secret_value)
        .then_output(move || GetSecretValueOutput::builder().version_id("v1").secret_string(value.clone()).build());
    let failing = mock!(Client::get_secret_value).then_error(|| {
        GetSecretValueError::InternalServiceError(InternalServiceError::builder().message("try later").build())
    });
    let client = mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&good, &failing]);
    let keys = KeyCache::new(AwsKeys::new(client, no_kms()), "signing-key", policy());
    assert_eq!(keys.signer(at(0)).await.unwrap().key_pair_id(), "K1");
    assert_eq!(keys.signer(at(400)).await.unwrap().key_pair_id(), "K1");
    assert_eq!(failing.num_calls(), 1);
}

#[tokio::test]
async fn a_failing_secret_is_asked_once_per_failure_memory_not_per_request() {
    let failing = mock!(Client::get_secret_value)
        .sequence()
        .error(|| GetSecretValueError::InternalServiceError(InternalServiceError::builder().build()))
        .repeatedly()
        .build();
    let keys = KeyCache::new(
        AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&failing]), no_kms()),
        "signing-key",
        policy(),
    );
    for second in [0, 1, 2, 4] {
        assert!(matches!(keys.signer(at(second)).await, Err(Error::KeyUnavailable(_))));
    }
    assert_eq!(failing.num_calls(), 1);
    assert!(matches!(keys.signer(at(5)).await, Err(Error::KeyUnavailable(_))));
    assert_eq!(failing.num_calls(), 2);
}

/// A secret naming a KMS key whose GetPublicKey and first Sign (the load's
/// self-check) answer as KMS would, then `sign` for every later Sign.
fn kms_keys(sign: aws_smithy_mocks::Rule) -> (KeyCache<AwsKeys>, aws_smithy_mocks::Rule) {
    use aws_sdk_kms::operation::get_public_key::GetPublicKeyOutput;
    use aws_sdk_kms::operation::sign::SignOutput;
    use aws_sdk_kms::types::{KeySpec, SigningAlgorithmSpec};

    let key = PrivateKey::generate(KeyAlgorithm::Rsa2048, Backend::default()).unwrap();
    let der = key.public_key().unwrap().to_der().to_vec();
    let proof = key.sign(HashAlgorithm::Sha256, b"self-check").unwrap();
    let arn = "arn:aws:kms:us-east-1:111122223333:key/k1";
    let secret = cfsign::KmsKeySecret { key_pair_id: "KKMS".into(), kms_key_arn: arn.into() }.to_json();
    let read = mock!(Client::get_secret_value)
        .then_output(move || GetSecretValueOutput::builder().version_id("v1").secret_string(secret.clone()).build());
    let describe = mock!(aws_sdk_kms::Client::get_public_key).then_output(move || {
        GetPublicKeyOutput::builder()
            .key_id(arn)
            .key_spec(KeySpec::Rsa2048)
            .signing_algorithms(SigningAlgorithmSpec::RsassaPkcs1V15Sha256)
            .public_key(aws_sdk_kms::primitives::Blob::new(der.clone()))
            .build()
    });
    let self_check = mock!(aws_sdk_kms::Client::sign).then_output(move || {
        SignOutput::builder().signature(aws_sdk_kms::primitives::Blob::new(proof.clone())).build()
    });
    let kms = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&describe, &self_check, &sign]);
    let mut policy = policy();
    policy.hash = HashAlgorithm::Sha256;
    (KeyCache::new(AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&read]), kms), "signing-key", policy), sign)
}

#[tokio::test]
async fn kms_refusals_to_sign_are_throttling_or_an_unavailable_key() {
    use aws_sdk_kms::operation::sign::SignError;
    use aws_sdk_kms::types::error::{DisabledException, KmsInvalidStateException, NotFoundException};
    use cfsign::{Conditions, Epoch, RemoteSignError};
    use url_signer::keys::SigningKey;

    fn throttling() -> SignError {
        SignError::generic(aws_sdk_kms::error::ErrorMetadata::builder().code("ThrottlingException").build())
    }
    fn disabled() -> SignError {
        SignError::DisabledException(DisabledException::builder().message("disabled").build())
    }
    fn pending_deletion() -> SignError {
        SignError::KmsInvalidStateException(KmsInvalidStateException::builder().message("pending deletion").build())
    }
    fn not_found() -> SignError {
        SignError::NotFoundException(NotFoundException::builder().build())
    }
    type Refusal = fn() -> SignError;
    let cases: [(Refusal, &str); 4] = [
        (throttling, "signing_throttled"),
        (disabled, "signing_unavailable"),
        (pending_deletion, "signing_unavailable"),
        (not_found, "signing_unavailable"),
    ];
    for (error, code) in cases {
        let sign = mock!(aws_sdk_kms::Client::sign).then_error(error);
        let (keys, sign) = kms_keys(sign);
        let key = keys.signer(at(0)).await.unwrap();
        let SigningKey::Kms(signer) = &*key else { panic!("{key:?}") };
        let url = "https://d111111abcdef8.cloudfront.net/a.jpg";
        let refused = signer.sign_url(url, &Conditions::expires_at(Epoch::from_secs(1_767_229_200).unwrap())).await;
        let Err(RemoteSignError::Remote(failure)) = refused else { panic!("{refused:?}") };
        assert_eq!(<AwsKeys as KeySource>::kms_refusal(&failure).code(), code, "{failure}");
        // The SDK's standard retry tries a throttled call three times; the others once.
        let expected_calls = if code == "signing_throttled" { 3 } else { 1 };
        assert_eq!(sign.num_calls(), expected_calls, "{failure}");
    }
}

#[tokio::test]
async fn a_kms_key_cloudfront_cannot_read_is_malformed() {
    use aws_sdk_kms::operation::get_public_key::GetPublicKeyOutput;
    use aws_sdk_kms::types::KeySpec;

    let secret = cfsign::KmsKeySecret { key_pair_id: "KKMS".into(), kms_key_arn: "arn:k".into() }.to_json();
    let read = mock!(Client::get_secret_value)
        .then_output(move || GetSecretValueOutput::builder().version_id("v1").secret_string(secret.clone()).build());
    let describe = mock!(aws_sdk_kms::Client::get_public_key)
        .then_output(|| GetPublicKeyOutput::builder().key_id("arn:k").key_spec(KeySpec::SymmetricDefault).build());
    let kms = mock_client!(aws_sdk_kms, [&describe]);
    let mut policy = policy();
    policy.hash = HashAlgorithm::Sha256;
    let keys = KeyCache::new(AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&read]), kms), "signing-key", policy);
    let error = keys.signer(at(0)).await.unwrap_err();
    assert!(
        matches!(&error, Error::KeyMalformed(m) if m.contains("SYMMETRIC_DEFAULT, not RSA_2048 or ECC_NIST_P256")),
        "{error:?}"
    );
}

/// A KMS key source whose GetPublicKey answers `describe` and whose Sign answers `sign`.
fn kms_answering(describe: aws_smithy_mocks::Rule, sign: aws_smithy_mocks::Rule) -> KeyCache<AwsKeys> {
    let secret = cfsign::KmsKeySecret { key_pair_id: "KKMS".into(), kms_key_arn: "arn:k".into() }.to_json();
    let read = mock!(Client::get_secret_value)
        .then_output(move || GetSecretValueOutput::builder().version_id("v1").secret_string(secret.clone()).build());
    let kms = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&describe, &sign]);
    let mut policy = policy();
    policy.hash = HashAlgorithm::Sha256;
    KeyCache::new(AwsKeys::new(mock_client!(aws_sdk_secretsmanager, [&read]), kms), "signing-key", policy)
}

#[tokio::test]
async fn what_getpublickey_and_sign_answer_while_loading_decides_the_503() {
    use aws_sdk_kms::operation::get_public_key::{GetPublicKeyError, GetPublicKeyOutput};
    use aws_sdk_kms::operation::sign::SignOutput;
    use aws_sdk_kms::primitives::Blob;
    use aws_sdk_kms::types::{KeySpec, SigningAlgorithmSpec};

    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
    let der = key.public_key().unwrap().to_der().to_vec();
    let described = move |algorithms: Vec<SigningAlgorithmSpec>, public: Option<Vec<u8>>| {
        mock!(aws_sdk_kms::Client::get_public_key).then_output(move || {
            GetPublicKeyOutput::builder()
                .key_id("arn:k")
                .key_spec(KeySpec::EccNistP256)
                .set_signing_algorithms(Some(algorithms.clone()))
                .set_public_key(public.clone().map(Blob::new))
                .build()
        })
    };
    let no_signature = || mock!(aws_sdk_kms::Client::sign).then_output(|| SignOutput::builder().build());
    let cases = [
        // GetPublicKey throttled: retried later, not a bad secret.
        (
            mock!(aws_sdk_kms::Client::get_public_key).then_error(|| {
                GetPublicKeyError::generic(
                    aws_sdk_kms::error::ErrorMetadata::builder().code("ThrottlingException").build(),
                )
            }),
            "signing_throttled",
            "GetPublicKey failed: ThrottlingException",
        ),
        (described(vec![SigningAlgorithmSpec::EcdsaSha256], Some(der.clone())), "signing_unavailable", "no signature"),
        (described(vec![SigningAlgorithmSpec::EcdsaSha256], None), "signing_unavailable", "returned no key"),
        (
            described(vec![SigningAlgorithmSpec::EcdsaSha384], Some(der.clone())),
            "signing_unavailable",
            "does not sign with ECDSA_SHA_256",
        ),
    ];
    for (describe, code, why) in cases {
        let keys = kms_answering(describe, no_signature());
        let error = keys.signer(at(0)).await.unwrap_err();
        assert_eq!(error.code(), code, "{error}");
        assert!(error.to_string().contains(why), "{error}");
    }
}
