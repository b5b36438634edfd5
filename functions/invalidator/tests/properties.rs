//! Properties over arbitrary input: hostile keys and event bodies never panic,
//! every path is one CloudFront accepts, and fitting paths into one request
//! never loses a path.

use invalidator::cloudfront_path::{MAX_PATH_CHARS, invalidation_path};
use invalidator::events::{Delivery, read_invocation};
use invalidator::path_set::{MAX_PATHS_PER_REQUEST, MAX_WILDCARDS_PER_REQUEST, fit_paths};
use invalidator::s3_key;
use proptest::prelude::*;
use serde_json::json;

#[path = "support/s3_notifications.rs"]
#[allow(dead_code)]
mod s3_notifications;
use s3_notifications::form_encode;

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

    /// Anyone allowed to upload may name a key `~x` or `*x`: no single object
    /// may flush the whole distribution's cache.
    #[test]
    fn no_key_invalidates_the_whole_distribution(key in "[~*]?\\PC{0,8}") {
        prop_assert_ne!(invalidation_path(&format!("/{key}")), "/*");
    }

    /// Whatever a key holds, S3's encoding of it decodes to it: keys drawn from
    /// all of Unicode, so %XX escapes of multi-byte characters, `+` and `%`
    /// themselves come up in most cases.
    #[test]
    fn s3s_encoding_of_any_key_decodes_to_the_key(key in any::<String>()) {
        let encoded = form_encode(&key);
        prop_assert_eq!(s3_key::decode(&encoded).map_err(|e| e.to_string()), Ok(key));
    }

    /// A hostile body beside a good one: the batch is read, the good message
    /// yields its object, however its key is made, and the hostile one nothing.
    #[test]
    fn any_sqs_body_is_read_without_panicking(body in any::<String>(), key in any::<String>()) {
        let records = json!([
            {"messageId": "1", "body": body, "eventSource": "aws:sqs"},
            {"messageId": "2", "eventSource": "aws:sqs",
             "body": json!({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventTime": "2024-05-14T09:21:07.310Z",
                 "eventName": "ObjectCreated:Put", "userIdentity": {}, "requestParameters": {},
                 "s3": {"bucket": {"name": "b"}, "object": {"key": form_encode(&key), "sequencer": "0A"}}}]}).to_string()},
        ]);
        let delivery = read_invocation(json!({"Records": records}));
        let Ok(Delivery::Queue(messages)) = delivery else {
            return Err(TestCaseError::fail(format!("not a queue delivery: {delivery:?}")));
        };
        prop_assert_eq!(messages.len(), 2);
        prop_assert_eq!(messages[1].message_id.as_str(), "2");
        let changes = &messages[1].reading.changes;
        prop_assert!(changes.len() == 1 && changes[0].bucket == "b" && changes[0].keys == [key.clone()], "{changes:?}");
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
        // A wildcard the batch did not hold stands for at least two of its entries:
        // nothing is collapsed that covers nothing or one path alone.
        for wildcard in fitted.iter().filter(|p| p.ends_with('*') && !paths.contains(p)) {
            let prefix = &wildcard[..wildcard.len() - 1];
            prop_assert!(paths.iter().filter(|p| p.starts_with(prefix)).count() >= 2, "{wildcard} covers under two paths");
        }
    }

    /// A batch that fits and has no crowded directory is sent as it is:
    /// answering `/*` to everything would fail here.
    #[test]
    fn a_batch_that_fits_is_sent_exactly(paths in proptest::collection::btree_set("(/[a-z]{1,3}){1,4}", 0..200)) {
        let fitted = fit_paths(paths.iter().cloned(), paths.len().max(1));
        prop_assert_eq!(fitted, paths.into_iter().collect::<Vec<_>>());
    }
}
