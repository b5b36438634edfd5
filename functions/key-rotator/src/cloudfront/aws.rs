//! CloudFront through the AWS SDK.

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{KeyGroupConfig, PublicKeyConfig};

use super::{KeyGroup, KeyGroups, PublicKeyDetail, PublicKeySpec, PublicKeySummary, Updated};
use crate::error::{Error, Result};

/// The key-group and public-key operations through the AWS SDK's CloudFront client.
pub struct CloudFront(Client);

impl CloudFront {
    /// The adapter over `client`.
    pub fn new(client: Client) -> Self {
        Self(client)
    }
}

fn config(operation: &'static str, name: &str, items: &[String], comment: Option<&str>) -> Result<KeyGroupConfig> {
    KeyGroupConfig::builder()
        .name(name)
        .set_items(Some(items.to_vec()))
        .set_comment(comment.map(str::to_owned))
        .build()
        .map_err(|e| not_sent(operation, format!("key group config: {e}")))
}

/// A request the SDK could not build (a required field missing): a bug here,
/// reported as the SDK reports its own construction failures.
fn not_sent(operation: &'static str, message: String) -> Error {
    Error::Aws { operation, code: "ConstructionFailure".into(), message }
}

fn key_group(group: aws_sdk_cloudfront::types::KeyGroup, etag: Option<String>) -> KeyGroup {
    let config = group.key_group_config;
    KeyGroup {
        id: group.id,
        name: config.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        comment: config.as_ref().and_then(|c| c.comment.clone()),
        items: config.map(|c| c.items).unwrap_or_default(),
        etag: etag.unwrap_or_default(),
    }
}

impl KeyGroups for CloudFront {
    async fn find_key_group(&self, name: &str) -> Result<Option<String>> {
        // ListKeyGroups has no paginator in the SDK (its model marks none): the
        // marker is followed here, stopping as the SDK's paginators stop.
        let mut marker = None;
        loop {
            let out =
                self.0.list_key_groups().set_marker(marker).send().await.map_err(|e| Error::aws("ListKeyGroups", e))?;
            let Some(list) = out.key_group_list else { return Ok(None) };
            let found = list
                .items
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| s.key_group)
                .find(|g| g.key_group_config.as_ref().is_some_and(|c| c.name == name));
            if let Some(group) = found {
                return Ok(Some(group.id));
            }
            match list.next_marker.filter(|m| !m.is_empty()) {
                Some(next) => marker = Some(next),
                None => return Ok(None),
            }
        }
    }

    async fn key_group(&self, id: &str) -> Result<Option<KeyGroup>> {
        match self.0.get_key_group().id(id).send().await {
            Ok(out) => Ok(out.key_group.map(|g| key_group(g, out.e_tag))),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_resource()) => Ok(None),
            Err(e) => Err(Error::aws("GetKeyGroup", e)),
        }
    }

    async fn update_key_group(&self, group: &KeyGroup) -> Result<Updated> {
        let request = self.0.update_key_group().id(&group.id).if_match(&group.etag).key_group_config(config(
            "UpdateKeyGroup",
            &group.name,
            &group.items,
            group.comment.as_deref(),
        )?);
        match request.send().await {
            Ok(out) => Ok(Updated::Done(out.e_tag.unwrap_or_default())),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_precondition_failed()) => Ok(Updated::Stale),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_resource()) => Ok(Updated::Gone),
            Err(e) => Err(Error::aws("UpdateKeyGroup", e)),
        }
    }

    async fn create_key_group(&self, name: &str, items: &[String], comment: &str) -> Result<Option<KeyGroup>> {
        match self
            .0
            .create_key_group()
            .key_group_config(config("CreateKeyGroup", name, items, Some(comment))?)
            .send()
            .await
        {
            Ok(out) => Ok(out.key_group.map(|g| key_group(g, out.e_tag))),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_key_group_already_exists()) => Ok(None),
            Err(e) => Err(Error::aws("CreateKeyGroup", e)),
        }
    }

    async fn delete_key_group(&self, id: &str, etag: &str) -> Result<Updated> {
        match self.0.delete_key_group().id(id).if_match(etag).send().await {
            Ok(_) => Ok(Updated::Done(String::new())),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_precondition_failed()) => Ok(Updated::Stale),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_resource()) => Ok(Updated::Gone),
            Err(e) => Err(Error::aws("DeleteKeyGroup", e)),
        }
    }

    async fn create_public_key(&self, spec: &PublicKeySpec) -> Result<Option<String>> {
        let config = PublicKeyConfig::builder()
            .caller_reference(&spec.caller_reference)
            .name(&spec.name)
            .encoded_key(&spec.encoded_key)
            .comment(&spec.comment)
            .build()
            .map_err(|e| not_sent("CreatePublicKey", format!("public key config: {e}")))?;
        match self.0.create_public_key().public_key_config(config).send().await {
            Ok(out) => Ok(out.public_key.map(|k| k.id)),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_public_key_already_exists()) => Ok(None),
            Err(e) => Err(Error::aws("CreatePublicKey", e)),
        }
    }

    async fn public_keys(&self) -> Result<Vec<PublicKeySummary>> {
        // The SDK's paginator follows NextMarker, and stops on an empty one.
        let keys =
            self.0.list_public_keys().into_paginator().items().send().collect::<std::result::Result<Vec<_>, _>>();
        let keys = keys.await.map_err(|e| Error::aws("ListPublicKeys", e))?;
        Ok(keys.into_iter().map(|k| PublicKeySummary { id: k.id, name: k.name, encoded_key: k.encoded_key }).collect())
    }

    async fn public_key(&self, id: &str) -> Result<Option<PublicKeyDetail>> {
        match self.0.get_public_key().id(id).send().await {
            Ok(out) => Ok(out.public_key.and_then(|key| {
                let config = key.public_key_config?;
                Some(PublicKeyDetail {
                    id: key.id,
                    name: config.name,
                    encoded_key: config.encoded_key,
                    etag: out.e_tag.unwrap_or_default(),
                })
            })),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_public_key()) => Ok(None),
            Err(e) => Err(Error::aws("GetPublicKey", e)),
        }
    }

    async fn delete_public_key(&self, id: &str, etag: &str) -> Result<Updated> {
        match self.0.delete_public_key().id(id).if_match(etag).send().await {
            Ok(_) => Ok(Updated::Done(String::new())),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_precondition_failed()) => Ok(Updated::Stale),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_public_key()) => Ok(Updated::Gone),
            Err(e) => Err(Error::aws("DeletePublicKey", e)),
        }
    }
}
