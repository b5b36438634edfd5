//! What a caller may have signed. A path is refused unless it is plainly one
//! object under an allowed prefix: nothing that a proxy, CloudFront or S3 could
//! read as another path (traversal, doubled or encoded separators, backslashes)
//! gets through, so the prefix check below cannot be walked around.

use crate::error::Error;

/// The rules for one request: the configured prefixes and, when configured,
/// this caller's own prefix.
pub struct Rules<'a> {
    /// A path must start with one of these (`ALLOWED_PREFIXES`).
    pub allowed_prefixes: &'a [String],
    /// A wildcard resource must start with one of these (`WILDCARD_PREFIXES`); empty: none is signed.
    pub wildcard_prefixes: &'a [String],
    /// This caller's own prefix, filled from its claims, which every path must also start with.
    pub caller_prefix: Option<String>,
}

impl Rules<'_> {
    /// Checks an object path (no wildcards).
    pub fn object(&self, path: &str) -> Result<(), Error> {
        check_syntax(path, false, Writer::Caller)?;
        self.authorize(path, self.allowed_prefixes, "outside the allowed prefixes")
    }

    /// Checks the path of an object key, as `cfsign::Distribution` wrote it.
    pub fn key_object(&self, path: &str) -> Result<(), Error> {
        check_syntax(path, false, Writer::KeyEncoder)?;
        self.authorize(path, self.allowed_prefixes, "outside the allowed prefixes")
    }

    /// Checks the wildcard resource of a key prefix, as `cfsign::Distribution` wrote it.
    pub fn key_wildcard(&self, resource: &str) -> Result<(), Error> {
        check_syntax(resource, true, Writer::KeyEncoder)?;
        self.authorize_wildcard(resource)
    }

    /// Checks a wildcard cookie resource: a prefix ending in one `*`, under a
    /// prefix where wildcards are allowed.
    pub fn wildcard(&self, resource: &str) -> Result<(), Error> {
        check_syntax(resource, true, Writer::Caller)?;
        self.authorize_wildcard(resource)
    }

    fn authorize_wildcard(&self, resource: &str) -> Result<(), Error> {
        if self.wildcard_prefixes.is_empty() {
            return Err(Error::Forbidden("wildcard resources are not enabled".into()));
        }
        self.authorize(resource, self.wildcard_prefixes, "outside the prefixes where wildcards are allowed")
    }

    fn authorize(&self, path: &str, prefixes: &[String], why: &str) -> Result<(), Error> {
        if !prefixes.iter().any(|p| path.starts_with(p.as_str())) {
            return Err(Error::Forbidden(format!("{path} is {why}")));
        }
        match &self.caller_prefix {
            Some(own) if !path.starts_with(own.as_str()) => {
                Err(Error::Forbidden(format!("{path} is outside this caller's prefix {own}")))
            }
            _ => Ok(()),
        }
    }
}

fn invalid(path: &str, why: &str) -> Error {
    let shown: String = path.chars().take(200).flat_map(char::escape_default).collect();
    Error::InvalidPath(format!("path \"{shown}\" {why}"))
}

/// A prefix no path check could be walked around: it starts and ends with `/`
/// and holds no empty or dot segment (the rule paths follow, `.;x` and
/// `..;x` included), wildcard, escape, or character a path may not hold.
pub(crate) fn well_formed_prefix(prefix: &str) -> bool {
    prefix.starts_with('/')
        && prefix.ends_with('/')
        && !prefix.contains("//")
        && cfsign::dot_segment(prefix).is_none()
        && prefix.bytes().all(|b| is_path_char(b) && b != b'*')
}

/// RFC 3986 `pchar` outside percent-escapes, plus `/`: the characters a
/// browser sends as they are, so the URL CloudFront sees is the one signed.
pub(crate) fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

/// Who wrote a path. A caller's `%25` only ever serves to disguise a path; the
/// key encoder writes one for each `%` an object key holds, and nothing else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writer {
    Caller,
    KeyEncoder,
}

fn check_syntax(path: &str, wildcard: bool, writer: Writer) -> Result<(), Error> {
    if !path.starts_with('/') {
        return Err(invalid(path, "must start with /"));
    }
    if path.len() > cfsign::MAX_URL_LENGTH {
        return Err(invalid(path, "is longer than any URL CloudFront accepts"));
    }
    for (at, c) in path.char_indices() {
        let why = match c {
            ' ' => "holds a raw space; percent-encode it as %20",
            c if !c.is_ascii() => "holds raw non-ASCII; percent-encode its UTF-8 bytes",
            c if c.is_ascii_control() => "holds a control character",
            '\\' => "holds a backslash",
            '?' | '#' => "holds ? or #; give the path alone",
            '*' if !(wildcard && at == path.len() - 1) => "holds * where no wildcard is allowed",
            '*' | '%' => continue,
            c if !is_path_char(c as u8) => {
                "holds a character browsers percent-encode or rewrite (such as \" < > ` { } | ^ [ ]); percent-encode it"
            }
            _ => continue,
        };
        return Err(invalid(path, why));
    }
    if wildcard && !path.ends_with('*') {
        return Err(invalid(path, "is not a wildcard resource (a prefix ending in *)"));
    }
    if path.contains("//") {
        return Err(invalid(path, "holds an empty segment (//)"));
    }
    if let Some(segment) = cfsign::dot_segment(path) {
        return Err(invalid(path, &format!("holds the dot segment {segment:?}: {}", cfsign::DOT_SEGMENT_RISK)));
    }
    check_percent_encoding(path, writer)
}

/// Percent-encoding is for bytes a URL cannot carry raw; an encoded dot, slash,
/// backslash, percent or control byte only ever serves to disguise a path.
fn check_percent_encoding(path: &str, writer: Writer) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'%') {
        let start = at + offset;
        // from_str_radix alone would also take a sign, as in `%+1`.
        let hex = bytes.get(start + 1..start + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        let byte = hex
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
            .ok_or_else(|| invalid(path, "holds a % that does not start a %XX escape"))?;
        let percent_of_a_key = byte == b'%' && writer == Writer::KeyEncoder;
        if matches!(byte, b'.' | b'/' | b'\\' | b'%') && !percent_of_a_key || byte.is_ascii_control() {
            return Err(invalid(path, "holds an encoded dot, slash, backslash, percent or control byte"));
        }
        at = start + 3;
    }
    Ok(())
}
