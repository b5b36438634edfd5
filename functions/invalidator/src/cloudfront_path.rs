//! Viewer paths written the way CloudFront matches invalidation paths.
//!
//! CloudFront's guide: percent-encode non-ASCII characters and the characters
//! RFC 1738 calls unsafe, and nothing else, or the old object stays cached.
//! `?` is encoded too: raw, it would start a query string. `*` is never
//! encoded (`%2A` is not a wildcard, and matches nothing).
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

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

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
        Some(ROOT_CUT) => percent_encode(viewer_path, ROOT_ESCAPES),
        Some(cut) => percent_encode(&viewer_path[..cut], ESCAPED) + "*",
        None => percent_encode(viewer_path, ESCAPED),
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

/// Controls, DEL (and every byte of a non-ASCII character, which the crate
/// always escapes), space, RFC 1738's unsafe characters but `~` (which never
/// reaches here), plus `?`.
const ESCAPED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'<')
    .add(b'>')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'`')
    .add(b'?');

/// A root path, which cannot be cut, escapes `~` and `*` as well.
const ROOT_ESCAPES: &AsciiSet = &ESCAPED.add(b'~').add(b'*');

fn percent_encode(text: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(text, set).to_string()
}

#[cfg(test)]
mod tests {
    use super::{MAX_PATH_CHARS, invalidation_path};

    #[test]
    fn reserved_and_safe_characters_stay_as_they_are() {
        let path = "/a-b_c.d/!$&'()+,;=:@/x";
        assert_eq!(invalidation_path(path), path);
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
