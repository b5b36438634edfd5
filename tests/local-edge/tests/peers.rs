//! URLs and cookies made by the official signers (botocore's CloudFrontSigner,
//! `aws cloudfront sign`, @aws-sdk/cloudfront-signer), committed in
//! shared/tests/fixtures/peer-vectors.json, load through the edge byte for
//! byte as they would through CloudFront.

mod support;

use std::time::{Duration, SystemTime};

use cfsign::{PrivateKey, Verifier};
use local_edge::distribution::{Distribution, HttpVersions, ViewerProtocol};
use serde_json::Value;
use support::{Protocol, Stack, start_fixed_edge};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/tests/fixtures");

fn vectors() -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(format!("{FIXTURES}/peer-vectors.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let key_pair_id = file["key_pair_id"].as_str().unwrap().to_owned();
    (key_pair_id, file["vectors"].as_array().unwrap().clone())
}

fn public_key(key_file: &str) -> cfsign::PublicKey {
    let pem = std::fs::read(format!("{FIXTURES}/keys/{key_file}")).unwrap();
    PrivateKey::from_bytes(&pem).unwrap().public_key().unwrap()
}

/// The object key a vector's URL names: its path, decoded once as S3 decodes it.
fn object_key(url: &str) -> String {
    let path = url.split_once("://").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    let path = path.split('?').next().unwrap();
    local_edge::origin::object_key(path).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_peer_vector_is_accepted_byte_for_byte() {
    let (key_pair_id, vectors) = vectors();
    let total = vectors.len();
    let stack = Stack::new(cfsign::KeyAlgorithm::Rsa2048).await;
    // Every vector signs under one key pair id with one of several key files:
    // one edge per key file trusts that key under the id.
    let mut by_key = std::collections::BTreeMap::new();
    for vector in &vectors {
        by_key.entry(vector["key_file"].as_str().unwrap().to_owned()).or_insert_with(Vec::new).push(vector.clone());
    }
    let mut checked = 0;
    for (key_file, vectors) in by_key {
        let verifier = Verifier::new().with_key(key_pair_id.clone(), public_key(&key_file));
        let distribution = Distribution {
            id: "EPEERS".into(),
            bucket: support::BUCKET.into(),
            viewer_protocol: ViewerProtocol::HttpsOnly,
            http_versions: HttpVersions { h2: true, h3: true },
            trusted_keys: Some(std::sync::Arc::new(local_edge::trusted_keys::TrustedKeys::new(verifier))),
            key_ids: vec![key_pair_id.clone()],
        };
        let edge = start_fixed_edge(&stack, distribution);
        for vector in vectors {
            let name = vector["name"].as_str().unwrap();
            let url = vector["url"].as_str().unwrap();
            // The object the request names: the signed URL's path (the JS
            // signer rewrites the URL it is given, and `+` and `%2B` name
            // different objects in S3), or for cookies the URL they go with.
            let key = object_key(vector["signed_url"].as_str().unwrap_or(url));
            // Vectors share paths, so the body names the object, not the vector.
            stack.put(&key, key.as_bytes().to_vec(), "text/plain", None).await;
            // Inside the vector's window: after its start, a minute before its expiry.
            let expires = vector["expires"].as_u64().unwrap();
            edge.clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(expires - 60));
            let request = match vector["kind"].as_str().unwrap() {
                "url" => edge.viewer.request("/").uri(vector["signed_url"].as_str().unwrap()),
                _ => {
                    let cookies = vector["cookies"].as_object().unwrap();
                    let header: Vec<String> = cookies
                        .iter()
                        // The JS signer gives CloudFront-Expires as a number.
                        .map(|(n, v)| format!("{n}={}", v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                        .collect();
                    edge.viewer.request("/").uri(url).header("cookie", header.join("; "))
                }
            };
            let answer = edge.viewer.send(Protocol::Http2, request).await;
            if vector["ip"].is_null() {
                assert_eq!(answer.status, 200, "{name}: {} {}", answer.reason(), answer.text());
                assert_eq!(answer.body, key.as_bytes(), "{name}");
            } else {
                // The viewer is 127.0.0.1, outside every range the vectors name: the
                // signature verified, and the IP condition is what refused it.
                assert_eq!(answer.status, 403, "{name}");
                assert!(answer.reason().starts_with("IP not allowed"), "{name}: {}", answer.reason());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, total);
    assert!(total >= 70, "the fixture lost vectors: {total}");
}
