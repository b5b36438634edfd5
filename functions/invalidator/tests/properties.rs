//! Properties over arbitrary input: hostile keys and event bodies never panic,
//! every path is one CloudFront accepts, and fitting paths into one request
//! never loses a path.

use invalidator::cloudfront_path::{MAX_PATH_CHARS, invalidation_path};
use invalidator::events::{Delivery, read_invocation};
use invalidator::path_set::{MAX_PATHS_PER_REQUEST, MAX_WILDCARDS_PER_REQUEST, fit_paths};
use invalidator::s3_key;
use proptest::prelude::*;
use serde_json::json;

/// Undoes the percent-encoding (for the round trip).
fn percent_decode(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            decoded.push(u8::from_str_radix(&path[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    decoded
}

fn covered(path: &str, by: &[String]) -> bool {
    by.iter().any(|p| p == path || p.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix)))
}

proptest! {
    #[test]
    fn decoding_any_text_never_panics(key in ".*") {
        let _ = s3_key::decode(&key);
    }

    #[test]
    fn every_path_is_one_cloudfront_accepts(key in any::<String>()) {
        let viewer = format!("/{key}");
        let path = invalidation_path(&viewer);
        prop_assert!(path.starts_with('/'));
        prop_assert!(path.len() <= MAX_PATH_CHARS);
        prop_assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path}");
        prop_assert!(!path.contains(['~', '?', '#', ' ']), "{path}");
        prop_assert!(path.find('*').is_none_or(|star| star == path.len() - 1), "{path}");
        match path.strip_suffix('*') {
            // A wildcard covers the object: it stands for a prefix of the object's path.
            Some(prefix) => prop_assert!(viewer.as_bytes().starts_with(&percent_decode(prefix)), "{path}"),
            None => prop_assert_eq!(percent_decode(&path), viewer.as_bytes()),
        }
    }

    #[test]
    fn any_sqs_body_is_read_without_panicking(body in any::<String>(), key in any::<String>()) {
        let records = json!([
            {"messageId": "1", "body": body, "eventSource": "aws:sqs"},
            {"messageId": "2", "eventSource": "aws:sqs",
             "body": json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventTime": "2024-05-14T09:21:07.310Z",
                 "eventName": "ObjectCreated:Put", "userIdentity": {}, "requestParameters": {},
                 "s3": {"bucket": {"name": "b"}, "object": {"key": key}}}]}).to_string()},
        ]);
        let delivery = read_invocation(json!({"Records": records}));
        prop_assert!(matches!(delivery, Ok(Delivery::Queue(ref messages)) if messages.len() == 2), "{delivery:?}");
    }
}

proptest! {
    // Thousands of paths per case: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fitting_never_loses_a_path_and_always_fits(
        paths in proptest::collection::vec("(/[a-c]{1,2}){1,4}(/[a-z]{0,3}\\*?)?", 0..4000),
        threshold in 1usize..40,
    ) {
        let fitted = fit_paths(paths.iter().cloned(), threshold);
        prop_assert!(fitted.len() <= MAX_PATHS_PER_REQUEST);
        prop_assert!(fitted.iter().filter(|p| p.ends_with('*')).count() <= MAX_WILDCARDS_PER_REQUEST);
        for path in &paths {
            prop_assert!(covered(path, &fitted), "{path} is lost");
        }
        prop_assert!(fitted.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
