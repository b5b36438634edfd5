//! AWS KMS through the AWS SDK.

use aws_sdk_kms::Client;
use aws_sdk_kms::types::{KeyUsageType, Tag};
use cfsign::RemoteKey;
use cfsign::kms::{DescribeError, KmsKey, SignFailure, key_spec};
use cfsign::{KeyAlgorithm, PublicKey};

use super::{DELETION_WINDOW_DAYS, GROUP_TAG, KmsAlias, KmsKeys, NewKmsKey, TOKEN_TAG, TaggedKmsKey};
use crate::error::{Error, Result};
use crate::naming::Token;

/// The KMS operations through the AWS SDK's client.
pub struct Kms(Client);

impl Kms {
    /// The adapter over `client`.
    pub fn new(client: Client) -> Self {
        Self(client)
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().tag_key(key).tag_value(value).build().expect("both fields are set")
}

impl KmsKeys for Kms {
    async fn find_alias(&self, alias: &str) -> Result<Option<String>> {
        match self.0.describe_key().key_id(alias).send().await {
            Ok(out) => Ok(out.key_metadata.and_then(|m| m.arn)),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found_exception()) => Ok(None),
            Err(e) => Err(Error::aws("DescribeKey", e)),
        }
    }

    async fn aliases(&self, prefix: &str) -> Result<Vec<KmsAlias>> {
        let mut pages = self.0.list_aliases().into_paginator().items().send();
        let mut found = Vec::new();
        while let Some(alias) = pages.next().await {
            let alias = alias.map_err(|e| Error::aws("ListAliases", e))?;
            if let (Some(name), Some(key_id)) = (alias.alias_name, alias.target_key_id)
                && name.starts_with(prefix)
            {
                found.push(KmsAlias { name, key_id });
            }
        }
        Ok(found)
    }

    async fn create_key(&self, key: &NewKmsKey<'_>) -> Result<String> {
        let out = self
            .0
            .create_key()
            .key_spec(key_spec(key.algorithm))
            .key_usage(KeyUsageType::SignVerify)
            .policy(key.policy)
            .description(key.description)
            .tags(tag(GROUP_TAG, key.group))
            .tags(tag(TOKEN_TAG, key.token.as_str()))
            .send()
            .await
            .map_err(|e| Error::aws("CreateKey", e))?;
        out.key_metadata.and_then(|m| m.arn).ok_or_else(|| Error::Aws {
            operation: "CreateKey",
            code: "NoKeyMetadata".into(),
            message: "CreateKey answered without the new key's ARN".into(),
        })
    }

    async fn create_alias(&self, alias: &str, key: &str) -> Result<()> {
        self.0
            .create_alias()
            .alias_name(alias)
            .target_key_id(key)
            .send()
            .await
            .map_err(|e| Error::aws("CreateAlias", e))?;
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> Result<()> {
        match self.0.delete_alias().alias_name(alias).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found_exception()) => Ok(()),
            Err(e) => Err(Error::aws("DeleteAlias", e)),
        }
    }

    async fn public_key(&self, key: &str) -> Result<PublicKey> {
        match KmsKey::describe(self.0.clone(), key).await {
            Ok((_, public)) => Ok(public),
            Err(DescribeError::Call(e)) => Err(Error::aws("GetPublicKey", *e)),
            Err(DescribeError::Unusable(reason)) => Err(Error::UnusableKmsKey { key: key.to_owned(), reason }),
        }
    }

    async fn sign_sha256(&self, key: &str, algorithm: KeyAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        match KmsKey::with_algorithm(self.0.clone(), key, algorithm).sign_sha256(message).await {
            Ok(signature) => Ok(signature),
            Err(SignFailure::Call(e)) => Err(Error::aws("Sign", *e)),
            Err(SignFailure::NoSignature) => {
                Err(Error::UnusableKmsKey { key: key.to_owned(), reason: "Sign returned no signature".into() })
            }
        }
    }

    async fn tagged_keys(&self, group: &str) -> Result<Vec<TaggedKmsKey>> {
        let mut pages = self.0.list_keys().into_paginator().items().send();
        let mut found = Vec::new();
        while let Some(key) = pages.next().await {
            let Some(id) = key.map_err(|e| Error::aws("ListKeys", e))?.key_id else { continue };
            let tags = match self.0.list_resource_tags().key_id(&id).send().await {
                Ok(out) => out.tags.unwrap_or_default(),
                // Another owner's key whose policy keeps us out is not ours
                // either; a key deleted since the listing is nobody's.
                Err(e)
                    if e.as_service_error().is_some_and(|e| {
                        e.is_not_found_exception() || e.meta().code() == Some("AccessDeniedException")
                    }) =>
                {
                    continue;
                }
                Err(e) => return Err(Error::aws("ListResourceTags", e)),
            };
            let value = |wanted: &str| tags.iter().find(|t| t.tag_key == wanted).map(|t| t.tag_value.as_str());
            if value(GROUP_TAG) == Some(group) {
                let token = value(TOKEN_TAG).and_then(|t| Token::parse(t).ok());
                found.push(TaggedKmsKey { id, token });
            }
        }
        Ok(found)
    }

    async fn schedule_deletion(&self, key: &str) -> Result<()> {
        match self.0.schedule_key_deletion().key_id(key).pending_window_in_days(DELETION_WINDOW_DAYS).send().await {
            Ok(_) => Ok(()),
            // The one state that refuses a scheduling for keys like ours: pending deletion already.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_kms_invalid_state_exception()) => Ok(()),
            Err(e) => Err(Error::aws("ScheduleKeyDeletion", e)),
        }
    }
}
