//! Secrets Manager through the AWS SDK.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_secretsmanager::Client;
use plumbing::aws_error::AwsError;
use zeroize::Zeroizing;

use super::{SecretSource, SecretVersion};

/// The longest one read of the secret may take, retries included. A hung
/// call must fail fast: a request waits on it, and a cached key within the
/// stale limit could serve instead.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

/// The key's one read, GetSecretValue of AWSCURRENT, through the AWS SDK.
pub struct SecretsManager(Client);

impl SecretsManager {
    /// The adapter over `client` as it is; `from_sdk_config` also bounds each read by [`OPERATION_TIMEOUT`].
    pub fn new(client: Client) -> Self {
        Self(client)
    }

    /// A client for `sdk` bounded by [`OPERATION_TIMEOUT`].
    pub fn from_sdk_config(sdk: &SdkConfig) -> Self {
        let timeouts = TimeoutConfig::builder().operation_timeout(OPERATION_TIMEOUT).build();
        let config = aws_sdk_secretsmanager::config::Builder::from(sdk).timeout_config(timeouts).build();
        Self(Client::from_conf(config))
    }
}

impl SecretSource for SecretsManager {
    async fn current(&self, secret_id: &str) -> Result<SecretVersion, String> {
        let out = self.0.get_secret_value().secret_id(secret_id).send().await.map_err(|e| {
            let AwsError { code, message, .. } = AwsError::from_sdk("GetSecretValue", &e);
            format!("GetSecretValue failed: {}: {message}", code.as_deref().unwrap_or("no answer"))
        })?;
        let version_id = out.version_id.ok_or("GetSecretValue returned no VersionId")?;
        let secret_string = out.secret_string.ok_or("the secret holds binary data, not a SecretString")?;
        Ok(SecretVersion { version_id, secret_string: Zeroizing::new(secret_string) })
    }
}
