//! Changes made through the CloudFront API reach the edge within its 2 s,
//! with no restart: a key group switched on, a key added by a rotation.

mod support;

use std::time::Duration;

use cfsign::KeyAlgorithm;
use support::{Protocol, Stack, eventually, start_edge};

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread")]
async fn trusted_key_groups_switched_on_restrict_the_distribution() {
    let stack = Stack::new(KeyAlgorithm::Rsa2048).await;
    stack.trust_key_group(false).await;
    stack.put("a.txt", b"a".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    assert_eq!(edge.viewer.get(Protocol::Http2, "/a.txt").await.status, 200);
    assert!(edge.edge.distribution().trusted_keys.is_none());

    stack.trust_key_group(true).await;
    let took =
        eventually(LIMIT, || async { edge.viewer.get(Protocol::Http2, "/a.txt").await.code() == "MissingKey" }).await;
    eprintln!("TrustedKeyGroups on took effect after {took:?}");
    let signed = stack.sign(0, &edge, "/a.txt", Duration::from_secs(60));
    let path = &signed[signed.find("/a.txt").unwrap()..];
    assert_eq!(edge.viewer.get(Protocol::Http2, path).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_added_to_the_group_signs_at_once_and_the_old_one_keeps_working() {
    let mut stack = Stack::new(KeyAlgorithm::Rsa2048).await;
    stack.put("a.txt", b"a".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    let old = stack.sign(0, &edge, "/a.txt", Duration::from_secs(600));
    let new_key = stack.add_key(KeyAlgorithm::EcdsaP256).await;
    let new = stack.sign(new_key, &edge, "/a.txt", Duration::from_secs(600));
    let path = |url: &str| url[url.find("/a.txt").unwrap()..].to_owned();
    let took = eventually(LIMIT, || async { edge.viewer.get(Protocol::Http3, &path(&new)).await.status == 200 }).await;
    eprintln!("the new key was trusted after {took:?}");
    assert_eq!(edge.edge.distribution().key_ids, [stack.keys[0].0.clone(), stack.keys[1].0.clone()]);
    assert_eq!(edge.viewer.get(Protocol::Http1, &path(&old)).await.status, 200);
}
