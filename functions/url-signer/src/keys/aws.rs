//! Secrets Manager through the AWS SDK.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use zeroize::Zeroizing;

use super::{SecretSource, SecretVersion};

pub struct SecretsManager(Client);

impl SecretsManager {
    pub fn new(client: Client) -> Self {
        Self(client)
    }
}

impl SecretSource for SecretsManager {
    async fn current(&self, secret_id: &str) -> Result<SecretVersion, String> {
        let out = self
            .0
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| format!("GetSecretValue failed: {}", DisplayErrorContext(&e)))?;
        let version_id = out.version_id.ok_or("GetSecretValue returned no VersionId")?;
        let secret_string = out.secret_string.ok_or("the secret holds binary data, not a SecretString")?;
        Ok(SecretVersion { version_id, secret_string: Zeroizing::new(secret_string) })
    }
}
