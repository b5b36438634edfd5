//! Following the distribution through the CloudFront API, as an edge follows
//! the control plane: its configuration and key groups, and its invalidations.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::error::DisplayErrorContext;
use aws_sdk_cloudfront::types::DistributionConfig;
use cfsign::{PublicKey, Verifier};
use tokio::sync::watch;

use crate::cache::Cache;
use crate::distribution::{Distribution, HttpVersions, ViewerProtocol, bucket_of_origin};
use crate::error::{Error, Result};
use crate::trusted_keys::TrustedKeys;

/// How often the edge asks for changes: well inside the 2 s within which a
/// change made through the API must take effect.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

fn control_plane(operation: &'static str) -> impl Fn(aws_sdk_cloudfront::Error) -> Error {
    move |e| Error::ControlPlane { operation, message: DisplayErrorContext(e).to_string() }
}

/// Reads the distribution and its trusted key groups' public keys.
///
/// Public keys never change once created, so `known` keeps them by id across reads.
pub struct DistributionReader {
    client: Client,
    id: String,
    known: HashMap<String, PublicKey>,
}

impl DistributionReader {
    pub fn new(client: Client, id: impl Into<String>) -> Self {
        Self { client, id: id.into(), known: HashMap::new() }
    }

    pub async fn read(&mut self) -> Result<Distribution> {
        let answer = self
            .client
            .get_distribution_config()
            .id(&self.id)
            .send()
            .await
            .map_err(|e| control_plane("GetDistributionConfig")(e.into()))?;
        let config = answer.distribution_config.ok_or_else(|| self.invalid("no DistributionConfig in the answer"))?;
        let mut distribution = self.parse(&config)?;
        if let Some(group_ids) = trusted_key_groups(&config) {
            let mut verifier = Verifier::new();
            for group_id in group_ids {
                for key_id in self.key_group_members(&group_id).await? {
                    verifier.add_key(key_id.clone(), self.public_key(&key_id).await?);
                    distribution.key_ids.push(key_id);
                }
            }
            distribution.trusted_keys = Some(Arc::new(TrustedKeys::new(verifier)));
        }
        Ok(distribution)
    }

    fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::Distribution { id: self.id.clone(), reason: reason.into() }
    }

    fn parse(&self, config: &DistributionConfig) -> Result<Distribution> {
        let behaviour = config.default_cache_behavior().ok_or_else(|| self.invalid("no default cache behaviour"))?;
        let origin = config
            .origins()
            .map(|o| o.items())
            .unwrap_or_default()
            .iter()
            .find(|o| o.id() == behaviour.target_origin_id())
            .ok_or_else(|| self.invalid(format!("no origin {:?}", behaviour.target_origin_id())))?;
        let bucket = bucket_of_origin(origin.domain_name())
            .ok_or_else(|| self.invalid(format!("origin {:?} is not an S3 bucket", origin.domain_name())))?;
        let viewer_protocol = ViewerProtocol::parse(behaviour.viewer_protocol_policy().as_str())
            .ok_or_else(|| self.invalid(format!("viewer protocol policy {:?}", behaviour.viewer_protocol_policy())))?;
        // A missing HttpVersion is CloudFront's default, http2.
        let http_version = config.http_version().map_or("http2", |v| v.as_str());
        let http_versions =
            HttpVersions::parse(http_version).ok_or_else(|| self.invalid(format!("HttpVersion {http_version:?}")))?;
        if let Some(methods) = behaviour.allowed_methods() {
            let beyond: Vec<_> =
                methods.items().iter().map(|m| m.as_str()).filter(|m| !matches!(*m, "GET" | "HEAD")).collect();
            if !beyond.is_empty() {
                return Err(self.invalid(format!(
                    "it allows {beyond:?}; this edge serves GET and HEAD from S3 only, as the stack's distribution does"
                )));
            }
        }
        Ok(Distribution {
            id: self.id.clone(),
            bucket: bucket.to_owned(),
            viewer_protocol,
            http_versions,
            trusted_keys: None,
            key_ids: Vec::new(),
        })
    }

    async fn key_group_members(&self, group_id: &str) -> Result<Vec<String>> {
        let answer = self
            .client
            .get_key_group()
            .id(group_id)
            .send()
            .await
            .map_err(|e| control_plane("GetKeyGroup")(e.into()))?;
        let config =
            answer.key_group.and_then(|g| g.key_group_config).ok_or_else(|| self.invalid("empty key group"))?;
        Ok(config.items)
    }

    async fn public_key(&mut self, key_id: &str) -> Result<PublicKey> {
        if let Some(key) = self.known.get(key_id) {
            return Ok(key.clone());
        }
        let answer = self
            .client
            .get_public_key()
            .id(key_id)
            .send()
            .await
            .map_err(|e| control_plane("GetPublicKey")(e.into()))?;
        let encoded = answer
            .public_key
            .and_then(|k| k.public_key_config)
            .map(|c| c.encoded_key)
            .ok_or_else(|| self.invalid(format!("public key {key_id} has no encoded key")))?;
        let key = PublicKey::from_pem(&encoded).map_err(|e| self.invalid(format!("public key {key_id}: {e}")))?;
        self.known.insert(key_id.to_owned(), key.clone());
        Ok(key)
    }
}

/// The key group ids the default cache behaviour trusts, if it restricts viewer access.
fn trusted_key_groups(config: &DistributionConfig) -> Option<Vec<String>> {
    let groups = config.default_cache_behavior()?.trusted_key_groups()?;
    (groups.enabled() && !groups.items().is_empty()).then(|| groups.items().to_vec())
}

/// Re-reads the distribution every [`POLL_INTERVAL`] and publishes each change.
/// A failed read keeps the last good snapshot: a control plane that hiccups
/// must not take the edge down (CloudFront's edges keep serving too).
pub async fn follow_distribution(mut reader: DistributionReader, published: watch::Sender<Arc<Distribution>>) {
    loop {
        tokio::time::sleep(POLL_INTERVAL).await;
        match reader.read().await {
            Ok(next) => {
                let changed = {
                    let current = published.borrow();
                    current.key_ids != next.key_ids
                        || current.bucket != next.bucket
                        || current.viewer_protocol != next.viewer_protocol
                        || current.http_versions != next.http_versions
                        || current.trusted_keys.is_some() != next.trusted_keys.is_some()
                };
                if changed {
                    tracing::info!(keys = ?next.key_ids, restricted = next.trusted_keys.is_some(), "distribution changed");
                    published.send_replace(Arc::new(next));
                }
            }
            Err(e) => tracing::warn!("reading the distribution failed, serving the last configuration: {e}"),
        }
    }
}

/// Purges the cache of what each new invalidation names, once, and tells the
/// local AWS which it applied: there an invalidation is Completed only once its
/// edge applied it (`POST /_local/edge`), as on CloudFront.
pub struct InvalidationFollower {
    client: Client,
    distribution_id: String,
    seen: HashSet<String>,
    /// The local AWS's admin URL for edge reports; none when the endpoint is not known.
    report_to: Option<String>,
}

impl InvalidationFollower {
    /// Invalidations that exist already name objects this edge has not cached yet.
    pub async fn start(client: Client, distribution_id: impl Into<String>, local_aws: Option<&str>) -> Result<Self> {
        let report_to = local_aws.map(|endpoint| format!("{}/_local/edge", endpoint.trim_end_matches('/')));
        let mut follower = Self { client, distribution_id: distribution_id.into(), seen: HashSet::new(), report_to };
        let existing = follower.list().await?;
        // An empty cache has applied every invalidation there is; from now on
        // new ones wait for this edge.
        follower.report(&existing).await;
        follower.seen = existing.into_iter().collect();
        Ok(follower)
    }

    async fn list(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        let mut pages = self.client.list_invalidations().distribution_id(&self.distribution_id).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| control_plane("ListInvalidations")(e.into()))?;
            let items = page.invalidation_list.map(|l| l.items.unwrap_or_default()).unwrap_or_default();
            ids.extend(items.into_iter().map(|i| i.id));
        }
        Ok(ids)
    }

    /// One round: purges for every invalidation not seen before, then reports
    /// them (an empty report says the edge still follows); returns how many.
    pub async fn purge_new(&mut self, cache: &Cache) -> Result<usize> {
        let mut applied = Vec::new();
        for id in self.list().await? {
            if self.seen.contains(&id) {
                continue;
            }
            let answer = self
                .client
                .get_invalidation()
                .distribution_id(&self.distribution_id)
                .id(&id)
                .send()
                .await
                .map_err(|e| control_plane("GetInvalidation")(e.into()))?;
            let paths = answer
                .invalidation
                .and_then(|i| i.invalidation_batch)
                .and_then(|b| b.paths)
                .and_then(|p| p.items)
                .unwrap_or_default();
            let removed = cache.purge(&paths);
            tracing::info!(invalidation = %id, paths = paths.len(), removed, "invalidation applied");
            self.seen.insert(id.clone());
            applied.push(id);
        }
        self.report(&applied).await;
        Ok(applied.len())
    }

    async fn report(&self, applied: &[String]) {
        let Some(url) = self.report_to.clone() else { return };
        let body = serde_json::json!({ "distribution_id": self.distribution_id, "applied": applied });
        let sent = tokio::task::spawn_blocking(move || ureq::post(&url).send_json(body).map(drop)).await;
        if let Ok(Err(e)) = sent {
            tracing::warn!("reporting applied invalidations to the local AWS: {e}");
        }
    }

    pub async fn follow(mut self, cache: Arc<Cache>) {
        loop {
            tokio::time::sleep(POLL_INTERVAL).await;
            if let Err(e) = self.purge_new(&cache).await {
                tracing::warn!("reading invalidations failed, trying again: {e}");
            }
        }
    }
}
