//! A remote key (KMS's shape: "sign these bytes with SHA-256") signs URLs and
//! cookies that are, byte for byte, what a local key signs with SHA-256.

mod common;

use cfsign::fake::MemoryRemoteKey;
use cfsign::{
    Backend, CacheLimits, Conditions, HashAlgorithm, KeyAlgorithm, RemoteKey, RemoteSignError, RemoteSigner,
    SignatureCount, Signer,
};
use common::*;

const URL: &str = "https://d111111abcdef8.cloudfront.net/images/a.jpg";

fn conditions() -> Conditions {
    Conditions::expires_at(epoch(EXPIRES))
}

#[tokio::test]
async fn rsa_urls_and_cookies_are_those_a_local_key_signs_with_sha256() {
    let local =
        Signer::new(KEY_PAIR_ID, rsa_key(Backend::default())).unwrap().with_hash_algorithm(HashAlgorithm::Sha256);
    let remote = RemoteSigner::new(KEY_PAIR_ID, MemoryRemoteKey::new(rsa_key(Backend::default()))).unwrap();
    let custom = conditions().from_ip_range(cfsign::parse_ipv4_range("192.0.2.0/24").unwrap());
    for conditions in [conditions(), custom] {
        let url = remote.sign_url(URL, &conditions).await.unwrap();
        assert_eq!(url, local.sign_url(URL, &conditions).unwrap());
        assert!(url.ends_with(&format!("&Key-Pair-Id={KEY_PAIR_ID}&Hash-Algorithm=SHA256")), "{url}");
        let resource = "https://d111111abcdef8.cloudfront.net/images/*";
        let cookies: Vec<(String, String)> = remote
            .sign_cookies(resource, &conditions)
            .await
            .unwrap()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let expected: Vec<(String, String)> = local
            .sign_cookies(resource, &conditions)
            .unwrap()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(cookies, expected);
    }
}

#[tokio::test]
async fn ecdsa_urls_verify_under_the_public_key() {
    let key = p256_key(Backend::default());
    let verifier = cfsign::Verifier::new().with_key(KEY_PAIR_ID, key.public_key().unwrap());
    let remote = RemoteSigner::new(KEY_PAIR_ID, MemoryRemoteKey::new(key)).unwrap();
    let url = remote.sign_url(URL, &conditions()).await.unwrap();
    let verified = verifier.verify_url(&url, &at(EXPIRES - 60)).unwrap();
    assert_eq!(verified.key_pair_id, KEY_PAIR_ID);
    assert_eq!(remote.key().algorithm(), KeyAlgorithm::EcdsaP256);
}

#[tokio::test]
async fn a_cached_policy_costs_no_remote_call() {
    let key = MemoryRemoteKey::new(rsa_key(Backend::default()));
    let remote = RemoteSigner::new(KEY_PAIR_ID, key.clone())
        .unwrap()
        .with_signature_cache(CacheLimits { entries: 10, bytes: 1 << 20 });
    let mut count = SignatureCount::default();
    let first = remote.sign_url_counting(URL, &conditions(), &mut count).await.unwrap();
    let again = remote.sign_url_counting(URL, &conditions(), &mut count).await.unwrap();
    assert_eq!(first, again);
    assert_eq!((count.computed, count.cached, key.calls()), (1, 1, 1));
    // With the remote key failing, what is cached still signs.
    key.fail_with(Some("ThrottlingException: Rate exceeded"));
    assert_eq!(remote.sign_url(URL, &conditions()).await.unwrap(), first);
    let other = remote.sign_url("https://d111111abcdef8.cloudfront.net/images/b.jpg", &conditions()).await;
    assert!(matches!(&other, Err(RemoteSignError::Remote(e)) if e.0.contains("ThrottlingException")), "{other:?}");
}

#[tokio::test]
async fn refused_input_never_reaches_the_remote_key() {
    let key = MemoryRemoteKey::new(rsa_key(Backend::default()));
    let remote = RemoteSigner::new(KEY_PAIR_ID, key.clone()).unwrap();
    let refused = remote.sign_url("https://d111111abcdef8.cloudfront.net/a b.jpg", &conditions()).await;
    assert!(matches!(refused, Err(RemoteSignError::Refused(cfsign::Error::InvalidUrl(_)))), "{refused:?}");
    assert_eq!(key.calls(), 0);
    assert!(RemoteSigner::new("not an id", key).is_err());
}
