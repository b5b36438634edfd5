//! Signing by S3 object key, checked against the table every part of the
//! toolkit reads (tests/object-keys/keys.json): each key's path is the one
//! the table gives, a browser requests that URL unchanged, CloudFront accepts
//! its signature, and S3, decoding the path, finds that very key.

mod common;

use cfsign::{Backend, Conditions, Distribution, Signer, Verifier};
use common::*;
use serde_json::Value;

fn table() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/object-keys/keys.json");
    let text = std::fs::read_to_string(path).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    table["keys"].as_array().unwrap().clone()
}

fn served() -> impl Iterator<Item = (String, String)> {
    table().into_iter().filter_map(|entry| {
        let path = entry["path"].as_str()?.to_owned();
        Some((entry["key"].as_str().unwrap().to_owned(), path))
    })
}

/// The key S3 reads from the path it is sent: a raw `+` is a space, then one
/// percent-decoding; none when the bytes are not UTF-8.
fn s3_key(path: &str) -> Option<String> {
    let plus_as_space = path.strip_prefix('/')?.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space).decode_utf8().ok().map(|key| key.into_owned())
}

/// The committed RSA test key as a signer, and a verifier trusting it.
fn signer_and_verifier() -> (Signer, Verifier) {
    let key_pair = rsa_key(Backend::default());
    let verifier = Verifier::new().with_key(KEY_PAIR_ID, key_pair.public_key().unwrap());
    (Signer::new(KEY_PAIR_ID, key_pair).unwrap(), verifier)
}

fn distribution(value: &str) -> Distribution {
    value.parse().unwrap()
}

#[test]
fn the_table_holds_at_least_sixty_keys_served_and_a_dozen_refused() {
    let table = table();
    let refused = table.iter().filter(|e| e.get("refused").is_some()).count();
    assert!(table.len() - refused >= 60 && refused >= 12, "{} served, {refused} refused", table.len() - refused);
}

#[test]
fn every_key_gets_the_path_the_table_gives_and_s3_reads_it_back_as_the_key() {
    let root = distribution("d111111abcdef8.cloudfront.net");
    for (key, path) in served() {
        assert_eq!(root.object_path(&key).unwrap(), path, "{key:?}");
        assert_eq!(s3_key(&path).as_deref(), Some(key.as_str()), "{path}");
    }
}

#[test]
fn the_path_below_an_origin_path_is_the_path_of_the_key_below_it() {
    let assets = distribution("d111111abcdef8.cloudfront.net/assets");
    for (key, path) in served() {
        let key = format!("assets/{key}");
        if key.len() <= cfsign::MAX_KEY_BYTES {
            assert_eq!(assets.object_path(&key).unwrap(), path, "{key:?}");
        }
    }
}

#[test]
fn refused_keys_are_refused_with_the_reason_the_table_gives() {
    let root = distribution("d111111abcdef8.cloudfront.net");
    for entry in table() {
        let Some(why) = entry["refused"].as_str() else { continue };
        let key = entry["key"].as_str().unwrap();
        let message = root.object_path(key).unwrap_err().to_string();
        assert!(message.starts_with("invalid object key: ") && message.contains(why), "{key:?}: {message}");
    }
}

/// What a browser does to the URL before sending it (the `url` crate follows
/// the WHATWG URL standard browsers implement): nothing, for every key.
#[test]
fn browsers_request_each_signed_url_unchanged_and_it_verifies() {
    let root = distribution("d111111abcdef8.cloudfront.net");
    let (signer, verifier) = signer_and_verifier();
    let conditions = Conditions::expires_at(epoch(EXPIRES));
    for (key, path) in served() {
        let signed = signer.sign_url(&root.url(&path), &conditions).unwrap();
        let sent = url::Url::parse(&signed).unwrap();
        assert_eq!(sent.as_str(), signed, "{key:?}");
        assert_eq!(sent.path(), path, "{key:?}");
        verifier.verify_url(sent.as_str(), &at(EXPIRES - 60)).unwrap_or_else(|e| panic!("{key:?}: {e}"));
    }
}

#[test]
fn a_wildcard_of_a_key_prefix_covers_the_keys_under_it() {
    let root = distribution("d111111abcdef8.cloudfront.net");
    let (signer, verifier) = signer_and_verifier();
    let resource = root.url(&root.prefix_resource("photos/").unwrap());
    assert_eq!(resource, "https://d111111abcdef8.cloudfront.net/photos/*");
    let cookies = signer.sign_cookies(&resource, &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    for (key, path) in served().filter(|(key, _)| key.starts_with("photos/")) {
        verifier
            .verify_cookies(&root.url(&path), cookies.iter(), &at(EXPIRES - 60))
            .unwrap_or_else(|e| panic!("{key:?}: {e}"));
    }
}

/// What a browser loading `signed` for `key` gets, as CloudFront and S3
/// answer: the browser is the `url` crate (the WHATWG URL standard browsers
/// implement), CloudFront's signature check is the verifier, S3 reads the
/// path with a raw `+` as a space and one percent-decoding.
fn outcome(verifier: &Verifier, key: &str, signed: &Value) -> &'static str {
    let Some(signed) = signed.as_str() else { return "the signer fails" };
    let Ok(sent) = url::Url::parse(signed) else { return "no URL a browser loads" };
    if verifier.verify_url(sent.as_str(), &at(EXPIRES - 60)).is_err() {
        return "403: the browser sends another URL than the one signed";
    }
    let path = sent.path();
    let malformed = path
        .match_indices('%')
        .any(|(at, _)| !path.as_bytes().get(at + 1..at + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)));
    if malformed {
        return "a % that starts no escape: S3's answer unknown";
    }
    if s3_key(path).as_deref() == Some(key) { "served" } else { "another object than the key" }
}

fn outcomes(peer: &str) -> std::collections::BTreeMap<&'static str, Vec<String>> {
    let peers: Value = serde_json::from_str(include_str!("../../tests/object-keys/peers.json")).unwrap();
    let (_, verifier) = signer_and_verifier();
    let mut outcomes = std::collections::BTreeMap::<_, Vec<String>>::new();
    let urls = peers["peers"][peer]["urls"].as_object().unwrap();
    assert_eq!(urls.len(), served().count(), "{peer}: regenerate tests/object-keys/peers.json");
    for (key, signed) in urls {
        outcomes.entry(outcome(&verifier, key, signed)).or_default().push(key.clone());
    }
    outcomes
}

fn counts(outcomes: &std::collections::BTreeMap<&'static str, Vec<String>>) -> Vec<(&'static str, usize)> {
    outcomes.iter().map(|(outcome, keys)| (*outcome, keys.len())).collect()
}

#[test]
fn every_url_signed_by_key_here_serves_its_key() {
    let root = distribution("d111111abcdef8.cloudfront.net");
    let (signer, verifier) = signer_and_verifier();
    for (key, path) in served() {
        let signed = signer.sign_url(&root.url(&path), &Conditions::expires_at(epoch(EXPIRES))).unwrap();
        assert_eq!(outcome(&verifier, &key, &Value::String(signed)), "served", "{key:?}");
    }
}

/// botocore signs the URL it is given as it is: raw spaces and non-ASCII are
/// then encoded by the browser after signing (403), a `+` reaches S3 as a
/// space, and `%XX` written in a key is decoded by S3.
#[test]
fn botocore_given_the_key_as_it_is_fails_on_these_keys() {
    let outcomes = outcomes("botocore");
    assert_eq!(
        counts(&outcomes),
        [
            ("403: the browser sends another URL than the one signed", 25),
            ("a % that starts no escape: S3's answer unknown", 3),
            ("another object than the key", 8),
            ("served", 27),
        ]
    );
    let another = &outcomes["another object than the key"];
    for key in ["photos/1+1=2.png", "photos/a%2Fb.jpg", "photos/a?b.jpg"] {
        assert!(another.contains(&key.to_owned()), "{key}: {another:?}");
    }
    assert!(
        outcomes["403: the browser sends another URL than the one signed"].contains(&"photos/my cat.jpg".to_owned())
    );
}

/// @aws-sdk/cloudfront-signer decodes, then encodes each segment before
/// signing: spaces, `+` and unicode come out right, but a `%XX` written in a
/// key is decoded first (so `%2F` becomes a separator, `%2e%2e` a `..` the
/// browser resolves), and `?` still starts a query.
#[test]
fn the_js_signer_given_the_key_as_it_is_fails_on_these_keys() {
    let outcomes = outcomes("@aws-sdk/cloudfront-signer");
    assert_eq!(
        counts(&outcomes),
        [
            ("403: the browser sends another URL than the one signed", 2),
            ("another object than the key", 6),
            ("served", 55),
        ]
    );
    let failing: Vec<&String> = outcomes.iter().filter(|(o, _)| **o != "served").flat_map(|(_, k)| k).collect();
    for key in ["photos/%2e%2e/x.jpg", "photos/a%20b.jpg", "photos/a%2Fb.jpg", "photos/a+%2B+b.jpg", "photos/a?b.jpg"] {
        assert!(failing.contains(&&key.to_owned()), "{key}: {failing:?}");
    }
}
