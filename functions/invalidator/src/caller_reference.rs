//! CallerReferences derived from what a request carries, never from the clock.
//!
//! CloudFront answers a repeated CallerReference with the invalidation it
//! already made, so a batch delivered again as it was (same records, same
//! paths) creates nothing new; a duplicate in a differently composed batch has
//! other records beside it, so another reference. The records' event ids are
//! part of it because the same paths changing again later must be invalidated again.

use std::fmt::Write;

use sha2::{Digest, Sha256};

/// `distribution`'s request for `paths` (sorted, as sent) on behalf of the
/// records `event_ids` (sorted, deduplicated).
pub fn caller_reference<'a>(
    distribution: &str,
    paths: &[String],
    event_ids: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut hash = Sha256::new();
    // Every part and the number of paths are length-prefixed, so no two
    // different inputs hash the same bytes.
    let mut write = |part: &[u8]| {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    };
    write(distribution.as_bytes());
    write(&(paths.len() as u64).to_be_bytes());
    for path in paths {
        write(path.as_bytes());
    }
    for id in event_ids {
        write(id.as_bytes());
    }
    let mut reference = String::from("s3-");
    for byte in hash.finalize() {
        write!(reference, "{byte:02x}").expect("writing to a String cannot fail");
    }
    reference
}

#[cfg(test)]
mod tests {
    use super::caller_reference;

    fn reference(distribution: &str, paths: &[&str], events: &[&str]) -> String {
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        caller_reference(distribution, &paths, events.iter().copied())
    }

    #[test]
    fn the_same_content_gives_the_same_reference_across_deploys() {
        // Pinned: a change of the hashing makes every redelivered batch of the
        // old deploy a new invalidation. Computed independently: SHA-256 over
        // each part prefixed by its length as a big-endian u64.
        assert_eq!(
            reference("E1", &["/a", "/b"], &["x"]),
            "s3-2abe190993c0224f73c4d621e9ee4f1f5d4fe695d60a1ec0a96f36b8d13fc0ca"
        );
        assert_eq!(reference("E1", &["/a", "/b"], &["x"]), reference("E1", &["/a", "/b"], &["x"]));
    }

    #[test]
    fn any_difference_gives_another_reference() {
        let base = reference("E1", &["/a", "/b"], &["x"]);
        for other in [
            reference("E2", &["/a", "/b"], &["x"]),
            reference("E1", &["/a"], &["x"]),
            reference("E1", &["/a/b"], &["x"]),
            reference("E1", &["/a", "/b"], &["y"]),
            reference("E1", &["/a", "/b"], &["x", "y"]),
        ] {
            assert_ne!(base, other);
        }
        // No ambiguity between where the paths end and the events begin.
        assert_ne!(reference("E1", &["/a", "/b"], &[]), reference("E1", &["/a"], &["/b"]));
    }
}
