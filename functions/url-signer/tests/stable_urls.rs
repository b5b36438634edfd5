//! Stable signed URLs: inside one expiry window (EXPIRY_WINDOW_SECONDS, five
//! minutes by default) the same request gets byte-identical URLs and cookies,
//! from the signature cache rather than the private key, for RSA and ECDSA
//! alike; never a signature of a key that is no longer current, never a
//! lifetime shorter than asked or longer than the maximum.

mod common;

use std::time::Duration;

use cfsign::{Backend, KeyAlgorithm, PrivateKey, SigningKeySecret, Verifier};
use common::*;
use serde_json::{Value, json};

/// 25 paths, as a gallery page asks for them.
fn gallery() -> Value {
    let paths: Vec<String> = (1..=25).map(|i| format!("/images/gallery/photo-{i:02}.jpg")).collect();
    json!({ "paths": paths })
}

async fn urls(signer: &Signer, body: &Value) -> Vec<String> {
    let answer = call(&signer.service, post(&body.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["urls"].as_array().unwrap().iter().map(|u| u["url"].as_str().unwrap().to_owned()).collect()
}

async fn expires_at(signer: &Signer, body: Value) -> u64 {
    let answer = call(&signer.service, post(&body.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["expiresAt"].as_u64().unwrap()
}

#[tokio::test]
async fn a_page_asked_again_inside_the_window_gets_the_same_urls_without_signing() {
    for algorithm in KeyAlgorithm::ALL {
        let signer = signer(&[], algorithm);
        let clock = &signer.clock;
        // NOW is a multiple of 300: asked from NOW + 1, the default 300 s round up to NOW + 600.
        clock.advance(Duration::from_secs(1));
        let first = urls(&signer, &gallery()).await;
        assert!(first[0].contains(&format!("Expires={}&", NOW + 600)), "{algorithm}: {}", first[0]);
        for url in &first {
            signer.verifier.verify_url(url, &at(NOW + 1)).unwrap();
        }
        clock.advance(Duration::from_secs(299));
        // ECDSA signatures are randomised: the same bytes again come from the signature cache.
        assert_eq!(urls(&signer, &gallery()).await, first, "{algorithm}: at the window's last second");
        let stats = signer.service.signature_cache_stats().await.unwrap();
        assert_eq!((stats.misses, stats.hits), (25, 25), "{algorithm}: the repeat made no signature");

        clock.advance(Duration::from_secs(1));
        let next = urls(&signer, &gallery()).await;
        assert!(next[0].contains(&format!("Expires={}&", NOW + 900)), "{algorithm}: {}", next[0]);
        assert!(next.iter().zip(&first).all(|(a, b)| a != b), "{algorithm}: a new window signs anew");
    }
}

#[tokio::test]
async fn cookies_refreshed_inside_the_window_carry_the_same_values() {
    for algorithm in KeyAlgorithm::ALL {
        let signer = signer(&[], algorithm);
        let body = json!({ "mode": "cookies", "resource": "/images/gallery/*" }).to_string();
        let values = |answer: &Answer| -> Vec<String> {
            answer.set_cookies().iter().map(|c| c.split(';').next().unwrap().to_owned()).collect()
        };
        // From NOW + 1 to NOW + 300, the default 300 s round up to NOW + 600.
        signer.clock.advance(Duration::from_secs(1));
        let first = call(&signer.service, post(&body)).await;
        assert_eq!(first.status, 200, "{}", first.body);
        signer.clock.advance(Duration::from_secs(120));
        let again = call(&signer.service, post(&body)).await;
        assert_eq!(values(&again), values(&first), "{algorithm}");
        assert_eq!(again.json()["expiresAt"], NOW + 600);
        // The browser keeps them until the shared expiry, not a full lifetime from now.
        assert!(again.set_cookies().iter().all(|c| c.contains("Max-Age=479")), "{:?}", again.set_cookies());
    }
}

#[tokio::test]
async fn after_a_rotation_only_the_new_key_signs_even_inside_the_window() {
    let signer = signer(&[("KEY_CACHE_TTL_SECONDS", "60")], KeyAlgorithm::EcdsaP256);
    // At NOW + 1 and at NOW + 62 the expiry rounds to NOW + 600: one policy, two keys.
    signer.clock.advance(Duration::from_secs(1));
    let before = urls(&signer, &gallery()).await;
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256, Backend::default()).unwrap();
    signer.secrets.set_value("v2", &SigningKeySecret::new("K3NEWKEYPAIRID", &key).unwrap().to_json());
    // Past the key cache's TTL, still inside the expiry window.
    signer.clock.advance(Duration::from_secs(61));
    let after = urls(&signer, &gallery()).await;
    let expires = |url: &str| url.split("Expires=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    assert_eq!(expires(&after[0]), expires(&before[0]));
    assert!(after.iter().zip(&before).all(|(a, b)| a != b));
    // The old key's signatures are not what the new URLs carry.
    assert!(signer.verifier.verify_url(&after[0].replace("K3NEWKEYPAIRID", KEY_PAIR_ID), &at(NOW + 62)).is_err());
    let stats = signer.service.signature_cache_stats().await.unwrap();
    assert_eq!((stats.entries, stats.hits), (25, 0), "the new key's cache started empty");
    let new_key = Verifier::new().with_key("K3NEWKEYPAIRID", key.public_key().unwrap());
    for url in &after {
        assert!(url.ends_with("Key-Pair-Id=K3NEWKEYPAIRID"), "{url}");
        new_key.verify_url(url, &at(NOW + 62)).unwrap();
    }
}

#[tokio::test]
async fn the_lifetime_asked_is_a_floor_and_the_maximum_a_ceiling() {
    let signer = signer(&[("MAX_LIFETIME_SECONDS", "600")], KeyAlgorithm::Rsa2048);
    signer.clock.advance(Duration::from_secs(100));
    let now = NOW + 100;
    // 60 s from NOW + 100 round up to NOW + 300: 200 s, at least the 60 asked.
    assert_eq!(expires_at(&signer, json!({ "paths": ["/images/a.jpg"], "lifetimeSeconds": 60 })).await, NOW + 300);
    // The whole maximum cannot be rounded up without passing it: signed as asked.
    assert_eq!(expires_at(&signer, json!({ "paths": ["/images/a.jpg"], "lifetimeSeconds": 600 })).await, now + 600);
    assert_eq!(expires_at(&signer, json!({ "paths": ["/images/a.jpg"], "lifetimeSeconds": 9999 })).await, now + 600);
    // An exact expiresAt is the caller's choice: signed as given.
    assert_eq!(expires_at(&signer, json!({ "paths": ["/images/a.jpg"], "expiresAt": now + 77 })).await, now + 77);
}

#[tokio::test]
async fn a_start_is_rounded_down_with_the_expiry() {
    let signer = signer(&[], KeyAlgorithm::Rsa2048);
    let body = json!({ "paths": ["/images/a.jpg"], "startsAt": NOW + 250, "lifetimeSeconds": 290 });
    let url = urls(&signer, &body).await.remove(0);
    let policy = url.split("Policy=").nth(1).unwrap().split('&').next().unwrap();
    let policy = String::from_utf8(cfsign::base64::decode(policy).unwrap()).unwrap();
    assert!(policy.contains(&format!(r#""DateLessThan":{{"AWS:EpochTime":{}}}"#, NOW + 300)), "{policy}");
    assert!(policy.contains(&format!(r#""DateGreaterThan":{{"AWS:EpochTime":{NOW}}}"#)), "{policy}");
}

#[tokio::test]
async fn without_a_window_every_second_is_a_new_url() {
    let signer = signer(&[("EXPIRY_WINDOW_SECONDS", "0"), ("SIGNATURE_CACHE_ENTRIES", "0")], KeyAlgorithm::Rsa2048);
    let first = urls(&signer, &gallery()).await;
    signer.clock.advance(Duration::from_secs(1));
    let next = urls(&signer, &gallery()).await;
    assert!(first[0].contains(&format!("Expires={}&", NOW + 300)));
    assert!(next[0].contains(&format!("Expires={}&", NOW + 301)));
    assert_eq!(signer.service.signature_cache_stats().await, None);
}
