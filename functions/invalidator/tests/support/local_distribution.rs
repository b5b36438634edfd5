//! A CloudFront distribution on the local AWS, to invalidate.

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
