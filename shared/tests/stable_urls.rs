//! Stable signed URLs: an expiry rounded to a window gives every signing
//! inside it the same URL, and the signature cache serves a repeated policy
//! without the private key, for RSA and ECDSA alike.

mod common;

use std::time::Duration;

use cfsign::{Backend, CacheLimits, Conditions, HashAlgorithm, KeyAlgorithm, SignatureCount, Signer, Verifier};
use common::*;

const WINDOW: Duration = Duration::from_secs(300);
const URL: &str = "https://d111111abcdef8.cloudfront.net/images/a.jpg";
const LIMITS: CacheLimits = CacheLimits { entries: 100, bytes: 100_000 };

fn signer(algorithm: KeyAlgorithm) -> Signer {
    Signer::new(KEY_PAIR_ID, key(algorithm, Backend::default())).unwrap()
}

/// The conditions a request at `now` asking for `lifetime` seconds signs under.
fn rounded(now: u64, lifetime: u64) -> Conditions {
    Conditions::expires_at(epoch(now + lifetime)).rounded_to(WINDOW).unwrap()
}

#[test]
fn rsa_urls_are_identical_for_the_whole_window_and_change_at_its_end() {
    let signer = signer(KeyAlgorithm::Rsa2048);
    let boundary = 1_767_225_600; // a multiple of 300
    let first = signer.sign_url(URL, &rounded(boundary - 599, 300)).unwrap();
    for now in [boundary - 599, boundary - 450, boundary - 300] {
        assert_eq!(signer.sign_url(URL, &rounded(now, 300)).unwrap(), first, "at {now}");
    }
    assert_ne!(signer.sign_url(URL, &rounded(boundary - 299, 300)).unwrap(), first);
    assert!(first.contains(&format!("Expires={boundary}&")));
}

#[test]
fn ecdsa_urls_are_stable_only_through_the_signature_cache() {
    let conditions = rounded(1_767_225_000, 300);
    let uncached = signer(KeyAlgorithm::EcdsaP256);
    let (one, two) = (uncached.sign_url(URL, &conditions).unwrap(), uncached.sign_url(URL, &conditions).unwrap());
    // AWS-LC draws a fresh nonce for every ECDSA signature; the RustCrypto
    // backend derives it from the key and message (RFC 6979), so its
    // signatures repeat without a cache.
    match Backend::default() {
        Backend::AwsLc => assert_ne!(one, two),
        Backend::RustCrypto => assert_eq!(one, two),
    }

    let cached = signer(KeyAlgorithm::EcdsaP256).with_signature_cache(LIMITS);
    let url = cached.sign_url(URL, &conditions).unwrap();
    assert_eq!(cached.sign_url(URL, &conditions).unwrap(), url);
    let verifier =
        Verifier::new().with_key(KEY_PAIR_ID, key(KeyAlgorithm::EcdsaP256, Backend::default()).public_key().unwrap());
    verifier.verify_url(&url, &at(conditions.expires().as_secs() - 1)).unwrap();
}

#[test]
fn a_repeated_policy_is_served_from_the_cache_and_counted() {
    for algorithm in KeyAlgorithm::ALL {
        let signer = signer(algorithm).with_signature_cache(LIMITS);
        let conditions = rounded(1_767_225_000, 300);
        let mut count = SignatureCount::default();
        for _ in 0..3 {
            signer.sign_url_counting(URL, &conditions, &mut count).unwrap();
        }
        let cookies = |count: &mut SignatureCount| {
            signer.sign_cookies_counting("https://d111111abcdef8.cloudfront.net/images/*", &conditions, count).unwrap()
        };
        let first = cookies(&mut count);
        assert_eq!(cookies(&mut count), first, "{algorithm}: cookies refreshed in the window are the same");
        assert_eq!(count, SignatureCount { computed: 2, cached: 3 }, "{algorithm}");
        let stats = signer.signature_cache_stats().unwrap();
        assert_eq!((stats.entries, stats.hits, stats.misses), (2, 3, 2), "{algorithm}");
    }
}

#[test]
fn a_url_and_a_cookie_over_the_same_policy_share_one_signature() {
    let signer = signer(KeyAlgorithm::EcdsaP256).with_signature_cache(LIMITS);
    let conditions = rounded(1_767_225_000, 300);
    let url = signer.sign_url(URL, &conditions).unwrap();
    let mut count = SignatureCount::default();
    let cookies = signer.sign_cookies_counting(URL, &conditions, &mut count).unwrap();
    assert_eq!(count, SignatureCount { computed: 0, cached: 1 });
    assert!(url.contains(&format!("Signature={}&", cookies.get("CloudFront-Signature").unwrap())));
}

#[test]
fn a_signature_is_never_served_for_another_hash_or_another_key() {
    let conditions = rounded(1_767_225_000, 300);
    let signer = signer(KeyAlgorithm::EcdsaP256).with_signature_cache(LIMITS);
    signer.sign_url(URL, &conditions).unwrap();
    let sha256 = signer.with_hash_algorithm(HashAlgorithm::Sha256);
    assert_eq!(sha256.signature_cache_stats().unwrap().entries, 0);
    let mut count = SignatureCount::default();
    let url = sha256.sign_url_counting(URL, &conditions, &mut count).unwrap();
    assert_eq!(count.computed, 1);
    let verifier =
        Verifier::new().with_key(KEY_PAIR_ID, key(KeyAlgorithm::EcdsaP256, Backend::default()).public_key().unwrap());
    assert_eq!(verifier.verify_url(&url, &at(conditions.expires().as_secs() - 1)).unwrap().hash, HashAlgorithm::Sha256);
}

#[test]
fn a_cache_limit_of_zero_keeps_nothing() {
    for limits in [CacheLimits { entries: 0, bytes: 100_000 }, CacheLimits { entries: 100, bytes: 0 }] {
        let signer = signer(KeyAlgorithm::Rsa2048).with_signature_cache(limits);
        assert_eq!(signer.signature_cache_stats(), None);
    }
}

#[test]
fn debug_shows_cache_figures_never_signatures() {
    let signer = signer(KeyAlgorithm::Rsa2048).with_signature_cache(LIMITS);
    let url = signer.sign_url(URL, &rounded(1_767_225_000, 300)).unwrap();
    let signature = url.split("Signature=").nth(1).unwrap().split('&').next().unwrap();
    let debug = format!("{signer:?}");
    assert!(debug.contains("entries: 1"), "{debug}");
    assert!(!debug.contains(signature), "{debug}");
}
