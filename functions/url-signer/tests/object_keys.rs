//! Signing by S3 object key and by `s3://bucket/key` locator: every key of the
//! shared table (tests/object-keys/keys.json) gets the URL of its path on the
//! distribution that serves its bucket, or a 400 that says why not; the
//! prefix rules apply to the resulting path as to any other.

mod common;

use cfsign::KeyAlgorithm;
use common::*;
use serde_json::{Value, json};

const BUCKET: &str = "content-bucket";

fn table() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/object-keys/keys.json");
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    table["keys"].as_array().unwrap().clone()
}

/// Every key served, under ALLOWED_PREFIXES=/ (the table's keys are not all under /images/).
fn everything(extra: &[(&str, &str)]) -> Signer {
    let mut overrides = vec![("ALLOWED_PREFIXES", "/"), ("WILDCARD_PREFIXES", "/photos/"), ("CONTENT_BUCKET", BUCKET)];
    overrides.extend_from_slice(extra);
    signer(&overrides, KeyAlgorithm::Rsa2048)
}

async fn sign(signer: &Signer, body: Value) -> Answer {
    call(&signer.service, post(&body.to_string())).await
}

fn unsigned(url: &str) -> &str {
    url.split_once('?').map_or(url, |(url, _)| url)
}

#[tokio::test]
async fn each_key_of_the_table_is_signed_as_the_url_of_its_path() {
    let signer = everything(&[]);
    let table = table();
    let served: Vec<(&str, &str)> =
        table.iter().filter_map(|e| Some((e["key"].as_str()?, e["path"].as_str()?))).collect();
    let keys: Vec<&str> = served.iter().map(|(key, _)| *key).collect();
    let answer = sign(&signer, json!({ "keys": keys })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let urls = answer.json()["urls"].as_array().unwrap().clone();
    assert_eq!(urls.len(), served.len());
    for ((key, path), entry) in served.iter().zip(&urls) {
        assert_eq!(entry["key"], *key);
        assert!(entry.get("path").is_none(), "{entry}");
        let url = entry["url"].as_str().unwrap();
        assert_eq!(unsigned(url), format!("https://{DOMAIN}{path}"), "{key:?}");
        signer.verifier.verify_url(url, &at(NOW)).unwrap_or_else(|e| panic!("{key:?}: {e}"));
    }
}

#[tokio::test]
async fn each_refused_key_of_the_table_is_a_400_naming_it_and_why() {
    let signer = everything(&[]);
    for entry in table() {
        let Some(why) = entry["refused"].as_str() else { continue };
        let key = entry["key"].as_str().unwrap();
        let answer = sign(&signer, json!({ "keys": ["photos/fine.jpg", key] })).await;
        assert_eq!(answer.status, 400, "{key:?}: {}", answer.body);
        let error = &answer.json()["error"];
        assert_eq!(error["code"], "invalid_key", "{key:?}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(why), "{key:?}: {message}");
        assert!(!answer.carries_a_signature());
    }
}

#[tokio::test]
async fn a_locator_of_the_stacks_bucket_gets_the_url_its_key_gets() {
    let signer = everything(&[]);
    let answer = sign(&signer, json!({ "locators": [format!("s3://{BUCKET}/photos/a b+c.jpg")] })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let entry = &answer.json()["urls"][0];
    assert_eq!(entry["locator"], format!("s3://{BUCKET}/photos/a b+c.jpg"));
    assert_eq!(unsigned(entry["url"].as_str().unwrap()), format!("https://{DOMAIN}/photos/a%20b%2Bc.jpg"));
}

#[tokio::test]
async fn locators_of_other_buckets_go_to_their_distributions_below_the_origin_path() {
    let signer = everything(&[(
        "BUCKET_DISTRIBUTIONS",
        "media-archive=d222222abcdef8.cloudfront.net/assets,logs=d3.example.com",
    )]);
    let locators = [
        "s3://media-archive/assets/photos/caf\u{e9}.jpg",
        "s3://logs/2026/12/06/a.log",
        &format!("s3://{BUCKET}/photos/a.jpg"),
    ];
    let answer = sign(&signer, json!({ "locators": locators })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let urls: Vec<String> = answer.json()["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| unsigned(e["url"].as_str().unwrap()).to_owned())
        .collect();
    assert_eq!(
        urls,
        [
            "https://d222222abcdef8.cloudfront.net/photos/caf%C3%A9.jpg",
            "https://d3.example.com/2026/12/06/a.log",
            &format!("https://{DOMAIN}/photos/a.jpg"),
        ]
    );

    // Cookies are this stack's: a browser would not send them to another distribution.
    let cookies = sign(&signer, json!({ "mode": "cookies", "locators": ["s3://logs/2026/*"] })).await;
    assert_eq!((cookies.status, cookies.json()["error"]["code"].as_str()), (400, Some("invalid_request")));
    assert!(cookies.body.contains("the bucket logs is served by d3.example.com: sign URLs"), "{}", cookies.body);
    assert!(cookies.set_cookies().is_empty());

    let outside = sign(&signer, json!({ "locators": ["s3://media-archive/other/a.jpg"] })).await;
    assert_eq!((outside.status, outside.json()["error"]["code"].as_str()), (400, Some("invalid_key")));
    assert!(outside.body.contains("outside the origin path /assets"), "{}", outside.body);
}

#[tokio::test]
async fn a_locator_of_a_bucket_no_distribution_serves_is_a_403_naming_the_bucket() {
    let signer = everything(&[]);
    let answer = sign(&signer, json!({ "locators": ["s3://someone-elses-bucket/a.jpg"] })).await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.json()["error"]["code"], "bucket_not_served");
    assert_eq!(
        answer.json()["error"]["message"],
        "no distribution of this signer serves the bucket someone-elses-bucket"
    );
    assert!(!answer.carries_a_signature());
}

#[tokio::test]
async fn what_is_not_a_locator_is_a_400() {
    let signer = everything(&[]);
    for (locator, why) in [
        ("https://content-bucket/a.jpg", "is not an s3://bucket/key locator"),
        ("s3://content-bucket/", "names no object key"),
        ("s3://Content/a.jpg", "is not an S3 bucket name"),
    ] {
        let answer = sign(&signer, json!({ "locators": [locator] })).await;
        assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (400, Some("invalid_key")), "{locator}");
        assert!(answer.body.contains(why), "{locator}: {}", answer.body);
    }
}

#[tokio::test]
async fn a_key_prefix_ending_in_a_star_signs_wildcard_cookies_and_a_key_alone_exact_ones() {
    let signer = everything(&[]);
    let answer = sign(&signer, json!({ "mode": "cookies", "keys": ["photos/2026 summer/*"] })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["key"], "photos/2026 summer/*");
    assert_eq!(answer.json()["resource"], format!("https://{DOMAIN}/photos/2026%20summer/*"));
    assert!(answer.set_cookies().iter().any(|c| c.starts_with("CloudFront-Policy=")));

    // In URL mode a star is part of the key.
    let answer = sign(&signer, json!({ "keys": ["photos/*"] })).await;
    assert_eq!(unsigned(answer.json()["urls"][0]["url"].as_str().unwrap()), format!("https://{DOMAIN}/photos/%2A"));

    let exact =
        sign(&signer, json!({ "mode": "cookies", "locators": [format!("s3://{BUCKET}/photos/a b.jpg")] })).await;
    assert_eq!(exact.status, 200, "{}", exact.body);
    assert_eq!(exact.json()["resource"], format!("https://{DOMAIN}/photos/a%20b.jpg"));

    // Wildcards stay where WILDCARD_PREFIXES allows them.
    let elsewhere = sign(&signer, json!({ "mode": "cookies", "keys": ["videos/*"] })).await;
    assert_eq!((elsewhere.status, elsewhere.json()["error"]["code"].as_str()), (403, Some("path_not_allowed")));
}

#[tokio::test]
async fn allowed_and_caller_prefixes_apply_to_the_path_of_the_key() {
    let signer = signer(&[("CALLER_PREFIX", "/users/{sub}/"), ("CONTENT_BUCKET", BUCKET)], KeyAlgorithm::Rsa2048);
    let own = format!("users/{SUB}/my photo.jpg");
    let answer = sign(&signer, json!({ "keys": [own] })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    for key in ["videos/a.jpg".to_owned(), "users/someone-else/a.jpg".to_owned()] {
        let answer = sign(&signer, json!({ "keys": [key] })).await;
        assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (403, Some("path_not_allowed")), "{key}");
    }
}

#[tokio::test]
async fn one_request_names_objects_one_way() {
    let signer = everything(&[]);
    for body in [
        json!({ "paths": ["/photos/a.jpg"], "keys": ["photos/a.jpg"] }),
        json!({ "keys": ["photos/a.jpg"], "locators": [format!("s3://{BUCKET}/photos/a.jpg")] }),
    ] {
        let answer = sign(&signer, body.clone()).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json()["error"]["message"], "give one of paths, keys and locators, not several");
    }
    let answer = sign(&signer, json!({ "mode": "cookies", "keys": ["photos/a.jpg", "photos/b.jpg"] })).await;
    assert_eq!(answer.status, 400);
    let answer = sign(&signer, json!({ "keys": [] })).await;
    assert_eq!(answer.json()["error"]["message"], "give at least one path, key or locator");
}
