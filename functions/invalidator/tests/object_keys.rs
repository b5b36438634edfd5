//! From object key to invalidation path: each key below is put in an S3
//! notification the way S3 encodes it, through the whole function, and must
//! produce exactly the path shown.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/settings.rs"]
mod settings;

use fixtures::six_records_in_one_event;
use invalidator::invalidations::MemoryInvalidations;
use invalidator::{Invalidator, respond};
use plumbing::time::ManualClock;
use settings::{config, deadline, start};

/// (the key as stored, the key as S3's notification carries it, the path sent to CloudFront)
const KEYS: &[(&str, &str, &str)] = &[
    ("index.html", "index.html", "/index.html"),
    ("red flower.jpg", "red+flower.jpg", "/red%20flower.jpg"),
    // S3 reads a raw + in a path as a space: the object is requested, and cached, as %2B.
    ("c++/notes.txt", "c%2B%2B/notes.txt", "/c%2B%2B/notes.txt"),
    ("100%.jpg", "100%25.jpg", "/100%25.jpg"),
    ("café/menu.pdf", "caf%C3%A9/menu.pdf", "/caf%C3%A9/menu.pdf"),
    ("日本/富士.png", "%E6%97%A5%E6%9C%AC/%E5%AF%8C%E5%A3%AB.png", "/%E6%97%A5%E6%9C%AC/%E5%AF%8C%E5%A3%AB.png"),
    ("emoji/😀.gif", "emoji/%F0%9F%98%80.gif", "/emoji/%F0%9F%98%80.gif"),
    // ~ is reported both refused raw and matching nothing as %7E: the path is
    // cut into the wildcard just before it, which matches either form cached.
    ("js/runtime~main.js", "js/runtime~main.js", "/js/runtime*"),
    ("docs/~user/a~b.txt", "docs/%7Euser/a%7Eb.txt", "/docs/*"),
    // At the root, that wildcard would be the whole distribution: anyone who
    // can upload would flush the cache. The exact path goes instead, escaped.
    ("~user/a.txt", "%7Euser/a.txt", "/%7Euser/a.txt"),
    ("*x.jpg", "%2Ax.jpg", "/%2Ax.jpg"),
    // * may only end a path: the wildcard ending at the first * covers the object.
    ("img/a*b.jpg", "img/a%2Ab.jpg", "/img/a*"),
    ("img/star*", "img/star*", "/img/star*"),
    // ? would start a query string, # a fragment.
    ("what?.html", "what%3F.html", "/what%3F.html"),
    ("#1.txt", "%231.txt", "/%231.txt"),
    ("a&b=c;d,e:f@g$h!.txt", "a%26b%3Dc%3Bd%2Ce%3Af%40g%24h%21.txt", "/a&b=c;d,e:f@g$h!.txt"),
    ("(1) copy's.jpg", "%281%29+copy%27s.jpg", "/(1)%20copy's.jpg"),
    ("x<>\"{}|\\^[]`.txt", "x%3C%3E%22%7B%7D%7C%5C%5E%5B%5D%60.txt", "/x%3C%3E%22%7B%7D%7C%5C%5E%5B%5D%60.txt"),
    ("line\nbreak\t.txt", "line%0Abreak%09.txt", "/line%0Abreak%09.txt"),
    ("dir/a/b.txt", "dir%2Fa%2Fb.txt", "/dir/a/b.txt"),
    ("folder/", "folder/", "/folder/"),
];

async fn path_sent_for(encoded_key: &str) -> Vec<String> {
    let config = config(&[
        ("INVALIDATION_TARGETS", r#"[{"bucket":"example-assets","distribution_id":"EDFDVBD6EXAMPLE"}]"#),
        ("COLLAPSE_THRESHOLD", "1000"),
    ]);
    let clock = ManualClock::starting_at(start()).with_fraction(0.5);
    let invalidator = Invalidator::new(MemoryInvalidations::new(), clock.clone(), clock, config);
    let mut event = six_records_in_one_event();
    event["Records"].as_array_mut().unwrap().truncate(1);
    event["Records"][0]["s3"]["object"]["key"] = encoded_key.into();
    respond(&invalidator, event, deadline(60)).await.unwrap_or_else(|e| panic!("{encoded_key}: {e}"));
    let calls = invalidator.api().calls();
    assert_eq!(calls.len(), 1, "{encoded_key}");
    calls[0].paths.clone()
}

#[tokio::test]
async fn every_key_gives_exactly_its_path() {
    for &(stored, encoded, path) in KEYS {
        assert_eq!(invalidator::s3_key::decode(encoded).unwrap(), stored, "decoding {encoded}");
        assert_eq!(path_sent_for(encoded).await, [path], "the path for {stored:?}");
    }
}

/// The table every signer reads (tests/object-keys/keys.json): the path an
/// upload invalidates is the path a URL signed for that key requests, or, for
/// a key with `*` or `~`, a wildcard covering it.
#[tokio::test]
async fn each_key_of_the_shared_table_invalidates_the_path_its_signed_url_requests() {
    let table: serde_json::Value = serde_json::from_str(include_str!("../../../tests/object-keys/keys.json")).unwrap();
    let mut checked = 0;
    for entry in table["keys"].as_array().unwrap() {
        let (Some(key), Some(signed_path)) = (entry["key"].as_str(), entry["path"].as_str()) else { continue };
        // As S3 notifications carry keys: form-encoded.
        let notified: String = key
            .bytes()
            .map(|b| match b {
                b' ' => "+".to_owned(),
                b if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) => (b as char).to_string(),
                b => format!("%{b:02X}"),
            })
            .collect();
        let sent = path_sent_for(&notified).await;
        assert_eq!(sent.len(), 1, "{key:?}");
        let sent = &sent[0];
        match sent.strip_suffix('*') {
            Some(wildcard) => {
                assert!(key.contains(['*', '~']), "{key:?}: {sent}");
                assert!(signed_path.starts_with(wildcard), "{key:?}: {sent} does not cover {signed_path}");
            }
            None if key.starts_with('~') => assert_eq!(*sent, signed_path.replacen('~', "%7E", 1), "{key:?}"),
            None => assert_eq!(sent, signed_path, "{key:?}"),
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked}");
}

#[tokio::test]
async fn the_longest_keys_s3_allows_fit_in_a_path() {
    // S3 keys are at most 1,024 bytes of UTF-8.
    let ascii = "a".repeat(1024);
    assert_eq!(path_sent_for(&ascii).await, [format!("/{ascii}")]);
    let accents = "%C3%A9".repeat(512);
    let paths = path_sent_for(&accents).await;
    assert_eq!(paths, [format!("/{accents}")]);
    assert_eq!(paths[0].len(), 3073);
}

#[tokio::test]
async fn a_path_over_4000_characters_becomes_a_wildcard_that_covers_it() {
    let long_prefix = "p".repeat(1000);
    let targets = format!(r#"[{{"bucket":"example-assets","distribution_id":"E1","path_prefix":"/{long_prefix}"}}]"#);
    let config = config(&[("INVALIDATION_TARGETS", &targets)]);
    let clock = ManualClock::starting_at(start()).with_fraction(0.5);
    let invalidator = Invalidator::new(MemoryInvalidations::new(), clock.clone(), clock, config);
    let mut event = six_records_in_one_event();
    event["Records"].as_array_mut().unwrap().truncate(1);
    let key = "%E2%82%AC".repeat(341);
    event["Records"][0]["s3"]["object"]["key"] = key.as_str().into();
    respond(&invalidator, event, deadline(60)).await.unwrap();
    let sent = &invalidator.api().calls()[0].paths;
    let full = format!("/{long_prefix}/{key}");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].len() <= 4000 && sent[0].ends_with('*'), "{}", sent[0].len());
    assert!(full.starts_with(sent[0].trim_end_matches('*')));
}
