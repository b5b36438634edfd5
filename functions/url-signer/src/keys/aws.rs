//! Secrets Manager and KMS through the AWS SDK.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use cfsign::PublicKey;
use cfsign::kms::{DescribeError, KmsKey, SignFailure};
use plumbing::aws_error::{AwsError, AwsErrorKind};
use zeroize::Zeroizing;

use super::{KeySource, SecretVersion};
use crate::error::Error;

/// The longest one read of the secret may take, retries included. A hung
/// call must fail fast: a request waits on it, and a cached key within the
/// stale limit could serve instead.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

/// The key's reads through the AWS SDK: GetSecretValue of AWSCURRENT and,
/// for a secret naming a KMS key, GetPublicKey of that key (whose Sign calls
/// then make the signatures).
pub struct AwsKeys {
    secrets: aws_sdk_secretsmanager::Client,
    kms: aws_sdk_kms::Client,
}

impl AwsKeys {
    /// The adapter over the clients as they are; `from_sdk_config` also bounds each call by [`OPERATION_TIMEOUT`].
    pub fn new(secrets: aws_sdk_secretsmanager::Client, kms: aws_sdk_kms::Client) -> Self {
        Self { secrets, kms }
    }

    /// Clients for `sdk`, each call bounded by [`OPERATION_TIMEOUT`].
    pub fn from_sdk_config(sdk: &SdkConfig) -> Self {
        let timeouts = TimeoutConfig::builder().operation_timeout(OPERATION_TIMEOUT).build();
        let secrets = aws_sdk_secretsmanager::config::Builder::from(sdk).timeout_config(timeouts.clone()).build();
        let kms = aws_sdk_kms::config::Builder::from(sdk).timeout_config(timeouts).build();
        Self::new(aws_sdk_secretsmanager::Client::from_conf(secrets), aws_sdk_kms::Client::from_conf(kms))
    }
}

impl KeySource for AwsKeys {
    type KmsKey = KmsKey;

    async fn current(&self, secret_id: &str) -> Result<SecretVersion, String> {
        let out = self
            .secrets
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| described(&AwsError::from_sdk("GetSecretValue", &e)))?;
        let version_id = out.version_id.ok_or("GetSecretValue returned no VersionId")?;
        let secret_string = out.secret_string.ok_or("the secret holds binary data, not a SecretString")?;
        Ok(SecretVersion { version_id, secret_string: Zeroizing::new(secret_string) })
    }

    async fn kms_key(&self, key_arn: &str) -> Result<(KmsKey, PublicKey), Error> {
        KmsKey::describe(self.kms.clone(), key_arn).await.map_err(|e| match e {
            DescribeError::Call(e) => kms_failure(&AwsError::from_sdk("GetPublicKey", &e)),
            unusable => Error::KeyMalformed(unusable.to_string()),
        })
    }

    fn kms_refusal(error: &SignFailure) -> Error {
        match error {
            SignFailure::Call(call) => kms_failure(&AwsError::from_sdk("Sign", call)),
            SignFailure::NoSignature => Error::KeyUnavailable(error.to_string()),
        }
    }
}

/// A failed call as a log line says it: the operation, the code, the message.
fn described(error: &AwsError) -> String {
    format!("{} failed: {}: {}", error.operation, error.code.as_deref().unwrap_or("no answer"), error.message)
}

/// A failed KMS call: throttling is said as such (the caller may retry soon);
/// a disabled key, one pending deletion, a missing one or a refused call is
/// the key being unavailable.
fn kms_failure(error: &AwsError) -> Error {
    match error.kind {
        AwsErrorKind::Throttling => Error::SigningThrottled(described(error)),
        _ => Error::KeyUnavailable(described(error)),
    }
}
