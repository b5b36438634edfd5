//! Viewer paths written the way CloudFront matches invalidation paths.
//!
//! A path is encoded exactly as a URL signed for its object key requests it
//! (`cfsign::encode_object_key`, the url-signer's and the CLI's encoding), so
//! the path an upload invalidates is the path viewers load. That is CloudFront's
//! guide (percent-encode non-ASCII and RFC 1738's unsafe characters) with one
//! more: `+` is `%2B`, because S3 reads a raw `+` as a space, so the object
//! `a+b.jpg` is requested, and cached, as `/a%2Bb.jpg`. `?` is encoded too:
//! raw, it would start a query string. `*` is never sent encoded (`%2A` is
//! not a wildcard, and matches nothing).
//!
//! `~` is the exception: it has been reported both refused raw and silently
//! matching nothing as `%7E`, and which of `~` and `%7E` CloudFront cached
//! depends on how the viewer wrote the URL. So neither is sent: the path is
//! cut into the wildcard that ends just before its first `~`, which matches
//! both forms (and counts as one path).
//!
//! Except at the root: there that wildcard would be `/*`, and anyone allowed
//! to upload `~x` could flush the whole distribution's cache. No single object
//! may do that, so its exact path is sent, `~` and `*` escaped as `%7E` and
//! `%2A`, the encoding CloudFront's guide asks for: a viewer that wrote the raw
//! form may keep the cached copy until it expires, which is the price.

use cfsign::encode_object_key;

/// The longest path CloudFront accepts.
pub const MAX_PATH_CHARS: usize = 4000;

/// The invalidation path for a decoded viewer path (which starts with `/`).
///
/// A `*` may only end a path, so a path with a `*` (or a `~`) becomes the
/// wildcard that ends at its first `*` (or just before its first `~`): it
/// still covers the object. So does the wildcard a path longer than
/// CloudFront's limit is cut to.
pub fn invalidation_path(viewer_path: &str) -> String {
    let mut path = match viewer_path.find(['*', '~']) {
        // The key encoding already writes `*` as `%2A`; `~` it keeps raw.
        Some(ROOT_CUT) => encode_object_key(viewer_path).replace('~', "%7E"),
        Some(cut) => encode_object_key(&viewer_path[..cut]) + "*",
        None => encode_object_key(viewer_path),
    };
    if path.len() > MAX_PATH_CHARS {
        let mut cut = MAX_PATH_CHARS - 1;
        // Never split a %XX escape.
        if let Some(percent) = path[cut - 2..cut].rfind('%') {
            cut = cut - 2 + percent;
        }
        path.truncate(cut);
        path.push('*');
    }
    path
}

/// Where a cut would leave `/*`: just after the root's `/`.
const ROOT_CUT: usize = 1;

#[cfg(test)]
mod tests {
    use super::{MAX_PATH_CHARS, invalidation_path};

    #[test]
    fn reserved_and_safe_characters_stay_as_they_are() {
        let path = "/a-b_c.d/!$&'(),;=:@/x";
        assert_eq!(invalidation_path(path), path);
    }

    #[test]
    fn a_plus_is_encoded_as_a_signed_url_for_the_key_requests_it() {
        assert_eq!(invalidation_path("/a+b.jpg"), "/a%2Bb.jpg");
        assert_eq!(invalidation_path("/a b+c.jpg"), "/a%20b%2Bc.jpg");
    }

    #[test]
    fn unsafe_characters_controls_and_non_ascii_are_escaped() {
        assert_eq!(invalidation_path("/a b"), "/a%20b");
        assert_eq!(invalidation_path("/<>\"#%{}|\\^[]`?"), "/%3C%3E%22%23%25%7B%7D%7C%5C%5E%5B%5D%60%3F");
        assert_eq!(invalidation_path("/tab\there\u{7f}"), "/tab%09here%7F");
        assert_eq!(invalidation_path("/café"), "/caf%C3%A9");
    }

    #[test]
    fn a_star_ends_the_path_as_a_wildcard() {
        assert_eq!(invalidation_path("/img/a*b/c*.jpg"), "/img/a*");
        assert_eq!(invalidation_path("/img/a*"), "/img/a*");
    }

    #[test]
    fn a_tilde_cuts_the_path_into_a_wildcard_matching_it_raw_and_encoded() {
        assert_eq!(invalidation_path("/js/runtime~main.js"), "/js/runtime*");
        assert_eq!(invalidation_path("/a b/x~y*z"), "/a%20b/x*");
        assert_eq!(invalidation_path("/a*b~c"), "/a*");
    }

    #[test]
    fn no_object_at_the_root_becomes_the_whole_distribution() {
        assert_eq!(invalidation_path("/~x"), "/%7Ex");
        assert_eq!(invalidation_path("/*x"), "/%2Ax");
        assert_eq!(invalidation_path("/~"), "/%7E");
        assert_eq!(invalidation_path("/*"), "/%2A");
        assert_eq!(invalidation_path("/~a/b~c*d"), "/%7Ea/b%7Ec%2Ad");
        assert_eq!(invalidation_path("/~ é"), "/%7E%20%C3%A9");
        // One level down, the cut still stands.
        assert_eq!(invalidation_path("/a/~x"), "/a/*");
        assert_eq!(invalidation_path("//~x"), "//*");
        let long = format!("/~{}", "a".repeat(MAX_PATH_CHARS));
        assert_ne!(invalidation_path(&long), "/*");
        for hostile in ["/~", "/*", "/**", "/~*", "/*~", "/~/", "/*/", "/~~~"] {
            assert_ne!(invalidation_path(hostile), "/*", "{hostile}");
        }
    }

    #[test]
    fn an_overlong_path_becomes_a_wildcard_that_fits() {
        let long = format!("/{}", "a".repeat(MAX_PATH_CHARS));
        let path = invalidation_path(&long);
        assert_eq!(path.len(), MAX_PATH_CHARS);
        assert!(path.ends_with("a*"));
        assert!(long.starts_with(path.trim_end_matches('*')));

        // 1 + 1332 * 3 = 3997 characters, then the escape that would straddle the cut.
        let escapes = format!("/{}", "é".repeat(1400));
        let path = invalidation_path(&escapes);
        assert!(path.len() <= MAX_PATH_CHARS, "{}", path.len());
        assert!(path.ends_with("%A9*"), "{}", &path[path.len() - 8..]);
    }
}
