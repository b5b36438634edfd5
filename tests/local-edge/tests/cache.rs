//! The cache as CachingOptimized keeps it: keyed by path only, TTLs from the
//! origin's Cache-Control within the policy's bounds, revalidation, purges by
//! invalidation; and the origin's answers: ranges, 304s, missing objects.

mod support;

use std::time::Duration;

use cfsign::KeyAlgorithm;
use support::{Protocol, RunningEdge, Stack, eventually, start_edge, start_edge_with};

async fn public_stack() -> Stack {
    let stack = Stack::new(KeyAlgorithm::EcdsaP256).await;
    stack.trust_key_group(false).await;
    stack
}

async fn get(edge: &RunningEdge, path: &str) -> support::Answer {
    edge.viewer.get(Protocol::Http2, path).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_miss_then_hits_until_the_ttl_then_a_revalidation() {
    let stack = public_stack().await;
    stack.put("a.txt", b"first".to_vec(), "text/plain", Some("max-age=60")).await;
    let edge = start_edge(&stack).await;

    let miss = get(&edge, "/a.txt").await;
    assert_eq!((miss.status, miss.header("x-cache")), (200, "Miss from cloudfront"));
    assert_eq!(miss.body, "first");
    assert_eq!(miss.header("content-type"), "text/plain");
    assert_eq!(miss.header("cache-control"), "max-age=60");
    assert!(miss.header("via").ends_with(".cloudfront.net (CloudFront)"), "{}", miss.header("via"));
    assert_eq!(miss.header("x-amz-cf-id").len(), 56);
    assert_eq!(miss.header("age"), "");

    edge.clock.advance(Duration::from_secs(30));
    let hit = get(&edge, "/a.txt").await;
    assert_eq!((hit.header("x-cache"), hit.header("age")), ("Hit from cloudfront", "30"));
    assert_eq!(hit.body, "first");
    assert_eq!(hit.header("etag"), miss.header("etag"));

    // Past the TTL, unchanged at the origin: revalidated with its ETag (S3 answers 304).
    edge.clock.advance(Duration::from_secs(31));
    let refreshed = get(&edge, "/a.txt").await;
    assert_eq!((refreshed.header("x-cache"), refreshed.body.as_ref()), ("RefreshHit from cloudfront", &b"first"[..]));
    let after = get(&edge, "/a.txt").await;
    assert_eq!(after.header("x-cache"), "Hit from cloudfront");

    // Changed at the origin: the next load past the TTL gets the new bytes.
    stack.put("a.txt", b"second".to_vec(), "text/plain", Some("max-age=60")).await;
    assert_eq!(get(&edge, "/a.txt").await.body, "first", "still fresh in the cache");
    edge.clock.advance(Duration::from_secs(61));
    let changed = get(&edge, "/a.txt").await;
    assert_eq!((changed.header("x-cache"), changed.body.as_ref()), ("Miss from cloudfront", &b"second"[..]));
}

#[tokio::test(flavor = "multi_thread")]
async fn ttls_follow_cache_control_within_the_policys_bounds() {
    let stack = public_stack().await;
    stack.put("no-store.txt", b"n".to_vec(), "text/plain", Some("no-store")).await;
    stack.put("shared.txt", b"s".to_vec(), "text/plain", Some("max-age=5, s-maxage=600")).await;
    stack.put("default.txt", b"d".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    for path in ["/no-store.txt", "/shared.txt", "/default.txt"] {
        assert_eq!(get(&edge, path).await.header("x-cache"), "Miss from cloudfront");
        assert_eq!(get(&edge, path).await.header("x-cache"), "Hit from cloudfront", "{path}");
    }
    // no-store is still cached for the minimum TTL, 1 s.
    edge.clock.advance(Duration::from_secs(1));
    assert_eq!(get(&edge, "/no-store.txt").await.header("x-cache"), "RefreshHit from cloudfront");
    edge.clock.advance(Duration::from_secs(599));
    assert_eq!(get(&edge, "/shared.txt").await.header("x-cache"), "RefreshHit from cloudfront");
    assert_eq!(get(&edge, "/default.txt").await.header("x-cache"), "Hit from cloudfront");
    edge.clock.advance(Duration::from_secs(86_400 - 600));
    assert_eq!(get(&edge, "/default.txt").await.header("x-cache"), "RefreshHit from cloudfront");
}

#[tokio::test(flavor = "multi_thread")]
async fn signature_parameters_and_query_strings_are_not_in_the_cache_key() {
    let stack = Stack::new(KeyAlgorithm::Rsa2048).await;
    stack.put("img/cat.jpg", b"cat".to_vec(), "image/jpeg", None).await;
    let edge = start_edge(&stack).await;
    let first = stack.sign(0, &edge, "/img/cat.jpg?v=1", Duration::from_secs(60));
    let second = stack.sign(0, &edge, "/img/cat.jpg?v=2", Duration::from_secs(120));
    let path = |url: &str| url[url.find("/img").unwrap()..].to_owned();
    assert_eq!(get(&edge, &path(&first)).await.header("x-cache"), "Miss from cloudfront");
    let hit = get(&edge, &path(&second)).await;
    assert_eq!((hit.status, hit.header("x-cache"), hit.body.as_ref()), (200, "Hit from cloudfront", &b"cat"[..]));
    // And a cached object is still refused without a signature.
    assert_eq!(get(&edge, "/img/cat.jpg").await.code(), "MissingKey");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalidations_purge_what_they_name_before_they_are_completed() {
    let stack = public_stack().await;
    for key in ["img/a.jpg", "img/b.jpg", "img/2024/c.jpg", "imgs/d.jpg", "doc/e.pdf"] {
        stack.put(key, b"v1".to_vec(), "image/jpeg", None).await;
    }
    let edge = start_edge(&stack).await;
    for path in ["/img/a.jpg", "/img/b.jpg", "/img/2024/c.jpg", "/imgs/d.jpg", "/doc/e.pdf"] {
        assert_eq!(get(&edge, path).await.header("x-cache"), "Miss from cloudfront");
        stack.put(&path[1..], b"v2".to_vec(), "image/jpeg", None).await;
        assert_eq!(get(&edge, path).await.body, "v1", "cached");
    }

    // No time in progress at all: only the edge's report of having purged
    // what the invalidation names can make it Completed.
    stack.aws.set_invalidation_seconds(0.0);
    let id = stack.invalidate(&["/img/a.jpg", "/img/2024/*"]).await;
    eventually(Duration::from_secs(30), || async {
        let answer = stack.cloudfront.get_invalidation().distribution_id(&stack.distribution_id).id(&id).send().await;
        answer.unwrap().invalidation.unwrap().status == "Completed"
    })
    .await;
    for (path, body) in [("/img/a.jpg", "v2"), ("/img/2024/c.jpg", "v2"), ("/img/b.jpg", "v1"), ("/imgs/d.jpg", "v1")] {
        assert_eq!(get(&edge, path).await.body, body, "{path}");
    }
    stack.invalidate(&["/*"]).await;
    let took = eventually(Duration::from_secs(30), || async { get(&edge, "/doc/e.pdf").await.body == "v2" }).await;
    eprintln!("a purge showed {took:?} after its CreateInvalidation");
    assert_eq!(get(&edge, "/img/b.jpg").await.body, "v2");
}

#[tokio::test(flavor = "multi_thread")]
async fn ranges_and_conditional_requests_from_the_cache_and_the_origin() {
    let stack = public_stack().await;
    let body: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    stack.put("data.bin", body.clone(), "application/octet-stream", None).await;
    let edge = start_edge(&stack).await;
    for round in ["miss", "hit"] {
        let range = |header: &'static str| edge.viewer.request("/data.bin").header("range", header);
        if round == "hit" {
            assert_eq!(get(&edge, "/data.bin").await.header("x-cache"), "Hit from cloudfront");
        }
        let part = edge.viewer.send(Protocol::Http2, range("bytes=10-19")).await;
        assert_eq!((part.status, part.header("content-range")), (206, "bytes 10-19/1000"), "{round}");
        assert_eq!(part.body, body[10..20]);
        let tail = edge.viewer.send(Protocol::Http1, range("bytes=-5")).await;
        assert_eq!((tail.status, tail.body.as_ref()), (206, &body[995..]));
        let past = edge.viewer.send(Protocol::Http3, range("bytes=1000-")).await;
        assert_eq!((past.status, past.header("content-range")), (416, "bytes */1000"));
        if round == "miss" {
            get(&edge, "/data.bin").await;
        }
    }
    let whole = get(&edge, "/data.bin").await;
    assert_eq!(whole.header("accept-ranges"), "bytes");
    let etag = whole.header("etag").to_owned();
    let modified = whole.header("last-modified").to_owned();
    assert!(!etag.is_empty() && !modified.is_empty());

    let conditional = |name: &'static str, value: String| edge.viewer.request("/data.bin").header(name, value);
    let unchanged = edge.viewer.send(Protocol::Http2, conditional("if-none-match", etag.clone())).await;
    assert_eq!((unchanged.status, unchanged.header("etag")), (304, etag.as_str()));
    assert!(unchanged.body.is_empty());
    let other = edge.viewer.send(Protocol::Http2, conditional("if-none-match", "\"other\"".into())).await;
    assert_eq!(other.status, 200);
    let since = edge.viewer.send(Protocol::Http2, conditional("if-modified-since", modified)).await;
    assert_eq!(since.status, 304);
    let before = edge
        .viewer
        .send(Protocol::Http2, conditional("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT".into()))
        .await;
    assert_eq!(before.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_objects_are_s3s_403_without_list_bucket_and_404_with_it() {
    let stack = public_stack().await;
    let without = start_edge(&stack).await;
    let answer = get(&without, "/nothing-here.jpg").await;
    assert_eq!(
        (answer.status, answer.code(), answer.header("x-cache")),
        (403, "AccessDenied", "Error from cloudfront")
    );
    assert!(answer.text().contains("<Message>Access Denied</Message>"));
    assert_eq!(get(&without, "/").await.code(), "AccessDenied");
    let with = start_edge_with(&stack, 64 << 20, true).await;
    let answer = get(&with, "/nothing-here.jpg").await;
    assert_eq!((answer.status, answer.code()), (404, "NoSuchKey"));
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_is_bounded_and_large_objects_stream_uncached() {
    let stack = public_stack().await;
    let large: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    stack.put("large.bin", large.clone(), "application/octet-stream", None).await;
    for i in 0..20 {
        stack.put(&format!("small/{i}.bin"), vec![i as u8; 90_000], "application/octet-stream", None).await;
    }
    // 800 kB of cache: objects over 100 kB stream, and at most 8 of the small ones stay.
    let edge = start_edge_with(&stack, 800_000, false).await;
    for protocol in support::PROTOCOLS {
        let answer = edge.viewer.get(protocol, "/large.bin").await;
        assert_eq!((answer.status, answer.header("x-cache")), (200, "Miss from cloudfront"), "{protocol:?}");
        assert_eq!(answer.body, large, "{protocol:?}");
    }
    let part = edge
        .viewer
        .send(Protocol::Http2, edge.viewer.request("/large.bin").header("range", "bytes=150000-150009"))
        .await;
    assert_eq!((part.status, part.body.as_ref()), (206, &large[150_000..150_010]));
    for i in 0..20 {
        assert_eq!(get(&edge, &format!("/small/{i}.bin")).await.body.len(), 90_000);
    }
    let (entries, bytes) = edge.edge.cache().usage();
    assert!(bytes <= 800_000, "{bytes}");
    assert_eq!(entries, 8);
    assert_eq!(get(&edge, "/small/19.bin").await.header("x-cache"), "Hit from cloudfront");
    assert_eq!(get(&edge, "/small/0.bin").await.header("x-cache"), "Miss from cloudfront");
}
