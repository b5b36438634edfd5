//! What may be signed. CloudFront compares the policy with the request byte for
//! byte, so nothing here rewrites its input: anything a browser or CloudFront
//! would change on the way (a raw space, raw non-ASCII, a fragment) is refused
//! with the fix, rather than signed in one form and requested in another.

use crate::error::{Error, Result};

/// The query parameters CloudFront reads for signed URLs.
pub(crate) const CLOUDFRONT_PARAMETERS: [&str; 5] = ["Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"];

/// CloudFront refuses longer URLs with 414.
pub const MAX_URL_LENGTH: usize = 8192;

/// Browsers keep cookies of at least this size (name, `=` and value; RFC 6265)
/// and may silently drop larger ones.
pub const MAX_COOKIE_LENGTH: usize = 4096;

/// Checks a URL that is about to be signed and requested as it is.
pub(crate) fn check_url(url: &str) -> Result<()> {
    check_absolute(url, false).map_err(Error::InvalidUrl)?;
    if let Some((_, query)) = url.split_once('?') {
        if query.is_empty() {
            return Err(Error::InvalidUrl("the URL ends with an empty query (a bare ?); remove the ?".into()));
        }
        // An empty pair (`?&a`, `a&&b`, `a&`) is kept by browsers but is easily
        // dropped by anything that rebuilds the query; refused so the URL
        // requested is certain to be the URL signed.
        let mut at = url.len() - query.len();
        for pair in query.split('&') {
            if pair.is_empty() {
                return Err(Error::InvalidUrl(format!(
                    "empty query parameter at byte {at} (a leading, trailing or doubled &); remove the extra &"
                )));
            }
            at += pair.len() + 1;
        }
        let taken = query
            .split('&')
            .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
            .find(|name| CLOUDFRONT_PARAMETERS.contains(name));
        if let Some(name) = taken {
            return Err(Error::InvalidUrl(format!(
                "the URL already carries the CloudFront parameter {name}; sign the URL without it"
            )));
        }
    }
    Ok(())
}

/// Checks a policy resource: an absolute URL in which `*` and `?` are wildcards
/// and the scheme may also be `*://`.
pub(crate) fn check_resource(resource: &str) -> Result<()> {
    // A bare `*` is documented as matching every URL of the distribution.
    if resource == "*" {
        return Ok(());
    }
    check_absolute(resource, true).map_err(Error::InvalidResource)
}

pub(crate) fn has_wildcard(resource: &str, question_mark_is_wildcard: bool) -> bool {
    resource.contains('*') || (question_mark_is_wildcard && resource.contains('?'))
}

fn check_absolute(text: &str, pattern: bool) -> Result<(), String> {
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(format!(
            "{text:?} is not an absolute URL; give one such as https://d111111abcdef8.cloudfront.net/path"
        ));
    };
    match scheme {
        "https" | "http" => {}
        "*" if pattern => {}
        other => {
            let allowed = if pattern { "http, https or *" } else { "http or https" };
            return Err(format!("the scheme {other:?} is not {allowed} (lowercase)"));
        }
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err("the URL has no host".into());
    }
    if let Some(at) = text.find('#') {
        return Err(format!(
            "the fragment at byte {at} is never sent to CloudFront; remove it or percent-encode # as %23"
        ));
    }
    check_characters(text)?;
    check_browser_rewrites(text, pattern)?;
    match url_path(text).and_then(dot_segment) {
        Some(segment) => Err(format!("the path holds the dot segment {segment:?}: {DOT_SEGMENT_RISK}")),
        None => Ok(()),
    }
}

/// The path of an absolute URL (`/` and what follows, without the query);
/// none when the URL has no path.
pub(crate) fn url_path(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let path = &rest[rest.find('/')?..];
    Some(path.split('?').next().unwrap_or(path))
}

/// Why a dot segment is never signed, for the messages that refuse one.
pub const DOT_SEGMENT_RISK: &str = "browsers resolve . and .. (also written %2e) before the request leaves them, \
     and an origin that drops ;parameters resolves .;x and ..;x the same way, so the object \
     served is not the one signed; sign the path it stands for";

/// The first segment of `path` that is `.` or `..` (a dot also written
/// `%2e`, as browsers read it), alone or followed by `;` and anything: a
/// segment some part of the way to the object resolves, so that a signature
/// for `/users/alice/*` would reach `/users/alice/..;/bob/x`.
pub fn dot_segment(path: &str) -> Option<&str> {
    path.split('/').find(|segment| {
        let name = segment.split(';').next().unwrap_or_default();
        let dots = name.to_ascii_lowercase().replace("%2e", ".");
        dots == "." || dots == ".."
    })
}

/// Characters a browser changes before the request leaves it (the WHATWG URL
/// standard's percent-encode sets for http and https): CloudFront would then
/// compare the policy with another URL than the one signed. In a policy
/// resource `?` may be a wildcard, so its first `?` is taken as the start of
/// the query, and `'` (encoded only in queries) is left to the caller there.
fn check_browser_rewrites(text: &str, pattern: bool) -> Result<(), String> {
    let query_start = text.find('?').unwrap_or(text.len());
    for (at, c) in text.char_indices() {
        let rewritten = if at < query_start {
            matches!(c, '\\' | '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^')
        } else {
            matches!(c, '"' | '<' | '>') || (c == '\'' && !pattern)
        };
        if rewritten {
            let encoded = format!("%{:02X}", c as u8);
            let what =
                if c == '\\' { "browsers turn it into /".to_owned() } else { format!("browsers send it as {encoded}") };
            let part = if at < query_start { "path" } else { "query" };
            return Err(format!("raw {c:?} in the {part} at byte {at}: {what}; percent-encode it as {encoded}"));
        }
    }
    Ok(())
}

fn check_characters(text: &str) -> Result<(), String> {
    for (at, c) in text.char_indices() {
        if c == ' ' {
            return Err(format!("raw space at byte {at}; percent-encode it as %20"));
        }
        if !c.is_ascii() {
            let mut utf8 = [0u8; 4];
            let encoded: String = c.encode_utf8(&mut utf8).bytes().map(|b| format!("%{b:02X}")).collect();
            return Err(format!(
                "raw non-ASCII character {c:?} at byte {at}; percent-encode its UTF-8 bytes as {encoded}"
            ));
        }
        if c.is_ascii_control() {
            return Err(format!(
                "control character 0x{:02X} at byte {at}; percent-encode it as %{:02X}",
                c as u8, c as u8
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_error(url: &str) -> String {
        check_url(url).unwrap_err().to_string()
    }

    #[test]
    fn accepts_absolute_http_and_https_urls_with_queries() {
        for url in [
            "https://d111111abcdef8.cloudfront.net/a.jpg",
            "http://example.com/a%20b.jpg?size=1&x=%C3%A9",
            "https://example.com:8443/~user/%22quoted%22%5C&%3Ctag%3E'",
            "https://example.com/a?q=`{x}|^\\",
        ] {
            check_url(url).unwrap();
        }
    }

    #[test]
    fn refuses_what_browsers_rewrite_naming_the_encoding() {
        for (c, encoded) in [
            ('\\', "%5C"),
            ('"', "%22"),
            ('<', "%3C"),
            ('>', "%3E"),
            ('`', "%60"),
            ('{', "%7B"),
            ('}', "%7D"),
            ('|', "%7C"),
            ('^', "%5E"),
        ] {
            let message = url_error(&format!("https://example.com/a{c}b"));
            assert!(message.contains("in the path at byte 21"), "{message}");
            assert!(message.ends_with(&format!("percent-encode it as {encoded}")), "{message}");
            let in_resource = check_resource(&format!("https://example.com/*{c}b"));
            assert!(
                matches!(&in_resource, Err(Error::InvalidResource(m)) if m.ends_with(encoded)),
                "{c}: {in_resource:?}"
            );
        }
        assert!(url_error("https://example.com/a\\b").contains("browsers turn it into /"));
        for (c, encoded) in [('"', "%22"), ('<', "%3C"), ('>', "%3E"), ('\'', "%27")] {
            let message = url_error(&format!("https://example.com/a?q={c}"));
            assert!(message.contains("in the query") && message.ends_with(encoded), "{message}");
        }
        // In a resource the first ? may be a wildcard: ' after it is the caller's call.
        check_resource("https://example.com/a?b'c").unwrap();
        let angle = check_resource("https://example.com/a?<");
        assert!(
            matches!(&angle, Err(Error::InvalidResource(m)) if m.contains("in the query") && m.ends_with("%3C")),
            "{angle:?}"
        );
    }

    #[test]
    fn refuses_dot_segments_with_or_without_path_parameters() {
        for url in [
            "https://example.com/a/../b",
            "https://example.com/a/./b",
            "https://example.com/a/..",
            "https://example.com/..;/b",
            "https://example.com/a/.;/b",
            "https://example.com/a/..;jsessionid=1/b",
            "https://example.com/a/%2e%2e/b",
            "https://example.com/a/.%2E;x/b",
            "https://example.com/a/../b?x=1",
        ] {
            let message = url_error(url);
            assert!(
                message.contains("dot segment") && message.contains("sign the path it stands for"),
                "{url}: {message}"
            );
            assert!(check_resource(url).is_err(), "{url}");
        }
        for url in [
            "https://example.com/a/.../b",
            "https://example.com/a/.hidden",
            "https://example.com/a/..x;y",
            "https://example.com/a/x;..",
            "https://example.com/a?p=/../b",
        ] {
            check_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        check_resource("https://example.com/users/alice/*").unwrap();
        assert!(check_resource("https://example.com/users/alice/..;/*").is_err());
    }

    #[test]
    fn refuses_what_would_be_requested_differently() {
        assert!(url_error("/a.jpg").contains("not an absolute URL"));
        assert!(url_error("ftp://example.com/a").contains("\"ftp\" is not http or https"));
        assert!(url_error("HTTPS://example.com/a").contains("lowercase"));
        assert!(url_error("https:///a").contains("no host"));
        assert!(url_error("https://example.com/a#top").contains("fragment at byte 21"));
        assert!(url_error("https://example.com/a b").contains("raw space at byte 21; percent-encode it as %20"));
        assert!(url_error("https://example.com/café").contains("percent-encode its UTF-8 bytes as %C3%A9"));
        assert!(url_error("https://example.com/a\nb").contains("control character 0x0A"));
        assert!(url_error("https://example.com/a?").contains("empty query"));
        assert!(url_error("https://example.com/a?x=1&").contains("empty query parameter at byte 26"));
        assert!(url_error("https://example.com/a?a&&b").contains("empty query parameter at byte 24"));
        assert!(url_error("https://example.com/a?&a").contains("empty query parameter at byte 22"));
    }

    #[test]
    fn refuses_urls_already_carrying_cloudfront_parameters() {
        for name in CLOUDFRONT_PARAMETERS {
            let message = url_error(&format!("https://example.com/a?x=1&{name}=2"));
            assert!(message.contains(name), "{message}");
        }
        // A parameter that merely contains a reserved name is the caller's own.
        check_url("https://example.com/a?MyExpires=1&Signatures").unwrap();
    }

    #[test]
    fn resources_may_use_wildcards_and_any_scheme() {
        check_resource("*://example.com/images/*").unwrap();
        check_resource("https://example.com/a?.jpg").unwrap();
        let relative = check_resource("*.example.com/a");
        assert!(
            matches!(&relative, Err(Error::InvalidResource(m)) if m.contains("not an absolute URL")),
            "{relative:?}"
        );
    }
}
