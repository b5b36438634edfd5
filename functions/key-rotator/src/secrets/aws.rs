//! Secrets Manager through the AWS SDK.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::Tag;
use zeroize::Zeroizing;

use super::{Put, SecretState, Secrets};
use crate::error::{Error, Result};

/// The Secrets Manager operations through the AWS SDK's client.
pub struct SecretsManager(Client);

impl SecretsManager {
    /// The adapter over `client`.
    pub fn new(client: Client) -> Self {
        Self(client)
    }
}

impl Secrets for SecretsManager {
    async fn describe(&self, secret_id: &str) -> Result<SecretState> {
        let out =
            self.0.describe_secret().secret_id(secret_id).send().await.map_err(|e| Error::aws("DescribeSecret", e))?;
        // AWS lists only versions that carry a label; moto also lists the
        // deprecated (unlabelled) ones. Keep AWS's answer.
        let versions = out
            .version_ids_to_stages
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, stages)| !stages.is_empty())
            .collect();
        let tags = out.tags.unwrap_or_default().into_iter().filter_map(|t| Some((t.key?, t.value?))).collect();
        Ok(SecretState { versions, tags })
    }

    async fn value(&self, secret_id: &str, version_id: &str) -> Result<Option<Zeroizing<String>>> {
        match self.0.get_secret_value().secret_id(secret_id).version_id(version_id).send().await {
            Ok(out) => Ok(out.secret_string.map(Zeroizing::new)),
            // A version Secrets Manager created for a rotation holds no value until createSecret writes it.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(None),
            Err(e) => Err(Error::aws("GetSecretValue", e)),
        }
    }

    async fn put(&self, put: Put<'_>) -> Result<()> {
        self.0
            .put_secret_value()
            .secret_id(put.secret_id)
            .client_request_token(put.version_id)
            .secret_string(put.value)
            .set_version_stages(Some(put.stages.iter().map(|s| s.to_string()).collect()))
            .set_rotation_token(put.rotation_token.map(str::to_owned))
            .send()
            .await
            .map_err(|e| Error::aws("PutSecretValue", e))?;
        Ok(())
    }

    async fn move_stage(&self, secret_id: &str, stage: &str, to: Option<&str>, from: Option<&str>) -> Result<()> {
        self.0
            .update_secret_version_stage()
            .secret_id(secret_id)
            .version_stage(stage)
            .set_move_to_version_id(to.map(str::to_owned))
            .set_remove_from_version_id(from.map(str::to_owned))
            .send()
            .await
            .map_err(|e| Error::aws("UpdateSecretVersionStage", e))?;
        Ok(())
    }

    async fn tag(&self, secret_id: &str, key: &str, value: &str) -> Result<()> {
        self.0
            .tag_resource()
            .secret_id(secret_id)
            .tags(Tag::builder().key(key).value(value).build())
            .send()
            .await
            .map_err(|e| Error::aws("TagResource", e))?;
        Ok(())
    }

    async fn untag(&self, secret_id: &str, keys: &[String]) -> Result<()> {
        self.0
            .untag_resource()
            .secret_id(secret_id)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(|e| Error::aws("UntagResource", e))?;
        Ok(())
    }
}
