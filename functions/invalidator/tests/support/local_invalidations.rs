//! The invalidations a distribution on the local AWS holds.

use aws_sdk_cloudfront::Client;

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
