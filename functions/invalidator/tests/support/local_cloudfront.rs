//! CloudFront on the local AWS: a distribution to invalidate, and what it holds.

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig, TrustedKeyGroups, ViewerProtocolPolicy,
};

pub async fn create_distribution(client: &Client) -> String {
    let origin = Origin::builder()
        .id("assets")
        .domain_name("example-assets.s3.us-east-1.amazonaws.com")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let behavior = DefaultCacheBehavior::builder()
        .target_origin_id("assets")
        .viewer_protocol_policy(ViewerProtocolPolicy::HttpsOnly)
        .trusted_key_groups(TrustedKeyGroups::builder().enabled(false).quantity(0).build().unwrap())
        .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference("invalidator-test")
        .comment("")
        .enabled(true)
        .origins(Origins::builder().quantity(1).items(origin).build().unwrap())
        .default_cache_behavior(behavior)
        .build()
        .unwrap();
    client.create_distribution().distribution_config(config).send().await.unwrap().distribution.unwrap().id
}

/// Each invalidation of `distribution` (by id), with its paths sorted.
pub async fn invalidations(client: &Client, distribution: &str) -> Vec<(String, Vec<String>)> {
    let listed = client.list_invalidations().distribution_id(distribution).send().await.unwrap();
    let summaries = listed.invalidation_list.map(|list| list.items.unwrap_or_default()).unwrap_or_default();
    let mut found = Vec::new();
    for summary in summaries {
        let invalidation = client
            .get_invalidation()
            .distribution_id(distribution)
            .id(&summary.id)
            .send()
            .await
            .unwrap()
            .invalidation
            .unwrap();
        let mut paths = invalidation.invalidation_batch.unwrap().paths.unwrap().items.unwrap_or_default();
        paths.sort();
        found.push((summary.id, paths));
    }
    found.sort();
    found
}
