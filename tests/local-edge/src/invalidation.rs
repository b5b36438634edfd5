//! Which cached paths an invalidation path names.
//!
//! CloudFront's rules: a path is exact, or ends in `*`, which matches any
//! suffix (deeper paths included); matching is case-sensitive. Both sides are
//! compared percent-decoded, so `/my%20cat.jpg` and `/my cat.jpg` name the same
//! object whichever form the viewer and the invalidation used.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

fn decoded(path: &str) -> Cow<'_, str> {
    percent_decode_str(path).decode_utf8_lossy()
}

/// True when the invalidation path `pattern` covers the cached `path`.
pub fn covers(pattern: &str, path: &str) -> bool {
    let path = decoded(path);
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(decoded(prefix).as_ref()),
        None => decoded(pattern) == path,
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn exact_paths_and_trailing_wildcards() {
        assert!(covers("/images/cat.jpg", "/images/cat.jpg"));
        assert!(!covers("/images/cat.jpg", "/images/cat.jpg2"));
        assert!(!covers("/images/cat.jpg", "/Images/cat.jpg"));
        assert!(covers("/images/*", "/images/cat.jpg"));
        assert!(covers("/images/*", "/images/2024/deep/cat.jpg"));
        assert!(covers("/images*", "/images-old/cat.jpg"));
        assert!(!covers("/images/*", "/image/cat.jpg"));
        assert!(covers("/*", "/anything"));
    }

    #[test]
    fn encodings_of_one_path_match() {
        assert!(covers("/my%20cat.jpg", "/my cat.jpg"));
        assert!(covers("/my cat.jpg", "/my%20cat.jpg"));
        assert!(covers("/caf%C3%A9/*", "/café/menu.pdf"));
        assert!(!covers("/a%2Fb", "/a%2Fc"));
    }
}
