//! S3 object keys as CloudFront paths: the one path that CloudFront, in front
//! of an S3 origin, forwards to S3 as that same key.
//!
//! The rules, and why (`tests/object-keys/keys.json` holds the cases):
//! - The path is `/`, then the key's UTF-8 bytes with every byte percent-encoded
//!   (`%XX`, upper-case hex) except letters, digits, `/` and
//!   `- . _ ~ ! $ & ' ( ) , ; = : @`: the characters of a URL path that browsers
//!   send as they are, so the URL requested is the URL signed.
//! - `+` is encoded as `%2B`: S3 reads a raw `+` in a path as a space.
//! - `*` is encoded as `%2A`: raw, it is a wildcard in a custom policy.
//! - `%` is encoded as `%25`: S3 decodes the path once, so a key holding
//!   `%20` or `%2F` literally is requested as `%2520` or `%252F`.
//! - No normalisation: a key in NFC and the same text in NFD are two objects.
//! - With an origin path, the key must lie under it, and the path is the key
//!   below it (CloudFront puts the origin path back in front).
//!
//! Keys no URL can name as themselves are refused: a `.` or `..` segment
//! (browsers resolve it; `.;x` and `..;x` too), an empty segment (a leading
//! `/` or a `//`, which the stack's viewer-request guard refuses, encoded or
//! not), a backslash (browsers turn it into `/`; encoded, the guard refuses
//! it), a control character, and an empty key or one over S3's 1,024 bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};

/// S3's longest object key, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// Everything but letters, digits and the characters kept raw (see the module).
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The key's bytes as they stand in a path, without any check: the encoding
/// alone, for what builds paths of keys that are already known to exist (the
/// invalidator's). Signing goes through [`Distribution::object_path`].
pub fn encode_object_key(key: &str) -> String {
    utf8_percent_encode(key, ENCODED).to_string()
}

/// Where a bucket's objects are served: a distribution's domain (or custom
/// domain), and the origin path CloudFront puts in front of every path it
/// forwards, if the origin has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    domain: String,
    /// Empty, or `/a/b`: no trailing `/`.
    origin_path: String,
}

impl Distribution {
    /// `domain` is a host name with a dot, or `localhost`, with a `:port` for a
    /// local edge; `origin_path` is empty or `/` and segments of letters,
    /// digits and `- . _ ~`, as CloudFront's OriginPath.
    pub fn new(domain: &str, origin_path: &str) -> Result<Self> {
        if !is_domain(domain) {
            return Err(Error::InvalidDistribution(format!(
                "{domain:?} is not a host name such as d111111abcdef8.cloudfront.net (a :port only for a local edge)"
            )));
        }
        let origin_path = origin_path.strip_suffix('/').unwrap_or(origin_path);
        let plain_segments = origin_path.strip_prefix('/').is_some_and(|rest| {
            rest.split('/').all(|segment| {
                !matches!(segment, "" | "." | "..")
                    && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            })
        });
        if !origin_path.is_empty() && !plain_segments {
            return Err(Error::InvalidDistribution(format!(
                "origin path {origin_path:?} is not / and segments of letters, digits, - . _ ~ (such as /assets)"
            )));
        }
        Ok(Self { domain: domain.to_ascii_lowercase(), origin_path: origin_path.to_owned() })
    }

    /// The host the URLs name.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The origin path, empty when there is none.
    pub fn origin_path(&self) -> &str {
        &self.origin_path
    }

    /// `https://`, the domain and `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.domain)
    }

    /// The path a viewer requests for the object `key`, which CloudFront
    /// forwards to S3 as `key`; an error says why the key cannot be.
    pub fn object_path(&self, key: &str) -> Result<String> {
        let below = self.below_origin(key, false)?;
        if below.is_empty() {
            return Err(refused(key, &format!("names the origin path {} itself, not an object", self.origin_path)));
        }
        Ok(format!("/{}", encode_object_key(below)))
    }

    /// The wildcard resource for every key starting with `prefix` (which may
    /// be empty): its path, then `*`.
    pub fn prefix_resource(&self, prefix: &str) -> Result<String> {
        let below = self.below_origin(prefix, true)?;
        Ok(format!("/{}*", encode_object_key(below)))
    }

    fn below_origin<'k>(&self, key: &'k str, prefix: bool) -> Result<&'k str> {
        check_key(key, prefix)?;
        let origin = self.origin_path.strip_prefix('/').unwrap_or_default();
        if origin.is_empty() {
            return Ok(key);
        }
        key.strip_prefix(origin).and_then(|rest| rest.strip_prefix('/')).ok_or_else(|| {
            refused(
                key,
                &format!(
                    "is outside the origin path {} of {}: the distribution serves only keys under {origin}/",
                    self.origin_path, self.domain
                ),
            )
        })
    }
}

/// `DOMAIN` or `DOMAIN/ORIGIN/PATH`.
impl FromStr for Distribution {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self> {
        match value.find('/') {
            Some(slash) => Self::new(&value[..slash], &value[slash..]),
            None => Self::new(value, ""),
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.domain, self.origin_path)
    }
}

/// An `s3://bucket/key` locator: the key is everything after the bucket's
/// `/`, taken as written (not percent-decoded), as the AWS CLI reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locator<'a> {
    /// The bucket's name.
    pub bucket: &'a str,
    /// The object key, possibly ending in `*` when a wildcard is meant.
    pub key: &'a str,
}

impl<'a> Locator<'a> {
    /// Reads `s3://bucket/key`.
    pub fn parse(locator: &'a str) -> Result<Self> {
        let quoted = shown(locator);
        let rest = locator
            .strip_prefix("s3://")
            .ok_or_else(|| Error::InvalidLocator(format!("\"{quoted}\" is not an s3://bucket/key locator")))?;
        let (bucket, key) = rest
            .split_once('/')
            .filter(|(_, key)| !key.is_empty())
            .ok_or_else(|| Error::InvalidLocator(format!("\"{quoted}\" names no object key after the bucket")))?;
        if !is_bucket_name(bucket) {
            return Err(Error::InvalidLocator(format!(
                "\"{quoted}\": {:?} is not an S3 bucket name (3 to 63 of a-z 0-9 . -)",
                shown(bucket)
            )));
        }
        Ok(Self { bucket, key })
    }
}

/// Which distribution serves each bucket: the url-signer's
/// `BUCKET_DISTRIBUTIONS` and the CLI's `--distribution BUCKET=...`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketDistributions(BTreeMap<String, Distribution>);

impl BucketDistributions {
    /// The distribution serving `bucket`, if one does.
    pub fn get(&self, bucket: &str) -> Option<&Distribution> {
        self.0.get(bucket)
    }

    /// Adds `bucket`, refusing a bucket already mapped (two distributions for
    /// one bucket would make a locator's URL a matter of order).
    pub fn insert(&mut self, bucket: &str, distribution: Distribution) -> Result<()> {
        if !is_bucket_name(bucket) {
            return Err(Error::InvalidDistribution(format!(
                "{:?} is not an S3 bucket name (3 to 63 of a-z 0-9 . -)",
                shown(bucket)
            )));
        }
        if self.0.contains_key(bucket) {
            return Err(Error::InvalidDistribution(format!("the bucket {bucket} is mapped twice")));
        }
        self.0.insert(bucket.to_owned(), distribution);
        Ok(())
    }

    /// The buckets mapped, in name order.
    pub fn buckets(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Adds `BUCKET=DOMAIN[/ORIGIN/PATH]`.
    pub fn insert_entry(&mut self, entry: &str) -> Result<()> {
        let (bucket, distribution) = entry.split_once('=').ok_or_else(|| {
            Error::InvalidDistribution(format!(
                "{:?} is not BUCKET=DOMAIN[/ORIGIN-PATH], such as media=d111111abcdef8.cloudfront.net/assets",
                shown(entry)
            ))
        })?;
        self.insert(bucket.trim(), distribution.trim().parse()?)
    }
}

/// `BUCKET=DOMAIN[/ORIGIN/PATH]`, comma-separated; empty: none.
impl FromStr for BucketDistributions {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self> {
        let mut map = Self::default();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            map.insert_entry(entry)?;
        }
        Ok(map)
    }
}

/// What a key (or a key prefix, for a wildcard) must be to be named by a URL.
fn check_key(key: &str, prefix: bool) -> Result<()> {
    if key.is_empty() && !prefix {
        return Err(refused(key, "is empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(refused(key, &format!("is {} bytes, over S3's limit of {MAX_KEY_BYTES}", key.len())));
    }
    if let Some(c) = key.chars().find(|c| c.is_control()) {
        let why = format!("holds the control character U+{:04X}, which no URL this API signs may carry", c as u32);
        return Err(refused(key, &why));
    }
    if key.contains('\\') {
        return Err(refused(
            key,
            "holds a backslash: browsers turn it into /, and the viewer-request guard refuses it encoded",
        ));
    }
    if key.starts_with('/') || key.contains("//") {
        return Err(refused(
            key,
            "holds an empty segment (a leading / or a //), which the viewer-request guard refuses, encoded or not",
        ));
    }
    // A prefix's last segment may still grow (`photos/..*` covers `photos/..x`),
    // but as written it would be resolved too: every segment is checked.
    let dot = key.split('/').find(|segment| matches!(segment.split(';').next(), Some("." | "..")));
    if let Some(segment) = dot {
        return Err(refused(
            key,
            &format!("holds the segment {segment:?}, which browsers (or an origin dropping ;parameters) resolve away"),
        ));
    }
    Ok(())
}

fn refused(key: &str, why: &str) -> Error {
    Error::InvalidObjectKey(format!("\"{}\" {why}", shown(key)))
}

/// The text as a message quotes it: controls escaped, cut to 200 characters.
fn shown(text: &str) -> String {
    let mut shown: String = text.chars().take(200).flat_map(char::escape_debug).collect();
    if text.chars().nth(200).is_some() {
        shown.push('…');
    }
    shown
}

/// A host name with a dot, or `localhost`, and an optional port.
pub(crate) fn is_domain(value: &str) -> bool {
    let (host, port) = match value.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (value, None),
    };
    let host_ok = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && (host.contains('.') || host.eq_ignore_ascii_case("localhost"));
    let port_ok = port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|p| p > 0));
    host_ok && port_ok
}

/// S3's rules for bucket names in a URL: 3 to 63 lowercase letters, digits,
/// dots and hyphens, starting and ending with a letter or digit.
fn is_bucket_name(name: &str) -> bool {
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(name.bytes().next())
        && edge_ok(name.bytes().last())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_root() -> Distribution {
        "d111111abcdef8.cloudfront.net".parse().unwrap()
    }

    fn refusal(key: &str) -> String {
        at_root().object_path(key).unwrap_err().to_string()
    }

    #[test]
    fn keeps_what_browsers_send_raw_and_encodes_the_rest() {
        assert_eq!(at_root().object_path("a-b_c.d~e/!$&'(),;=:@").unwrap(), "/a-b_c.d~e/!$&'(),;=:@");
        assert_eq!(at_root().object_path("a b+c*d%e").unwrap(), "/a%20b%2Bc%2Ad%25e");
        assert_eq!(at_root().object_path("\"#<>?[]^`{|}").unwrap(), "/%22%23%3C%3E%3F%5B%5D%5E%60%7B%7C%7D");
        assert_eq!(at_root().object_path("café").unwrap(), "/caf%C3%A9");
        assert_eq!(at_root().object_path("cafe\u{301}").unwrap(), "/cafe%CC%81");
    }

    #[test]
    fn refuses_keys_no_url_names_as_themselves() {
        for (key, why) in [
            ("", "is empty"),
            ("/a", "empty segment"),
            ("a//b", "empty segment"),
            ("a/./b", "segment \".\""),
            ("a/..", "segment \"..\""),
            ("..;x/b", "segment \"..;x\""),
            ("a\\b", "backslash"),
            ("a\nb", "U+000A"),
            ("a\u{7f}", "U+007F"),
        ] {
            let message = refusal(key);
            assert!(message.contains(why), "{key:?}: {message}");
        }
        assert!(refusal(&"k".repeat(1025)).contains("1025 bytes, over S3's limit of 1024"));
        assert!(at_root().object_path(&"k".repeat(1024)).is_ok());
        // Dots that are not whole segments are names like any other.
        assert_eq!(at_root().object_path("a/.../b..c/.d").unwrap(), "/a/.../b..c/.d");
    }

    #[test]
    fn a_message_shows_the_key_escaped_and_cut() {
        assert_eq!(
            refusal("a\nb"),
            "invalid object key: \"a\\nb\" holds the control character U+000A, which no URL this API signs may carry"
        );
        let long = refusal(&format!("{}\\", "k".repeat(300)));
        assert!(long.contains(&format!("\"{}…\" holds a backslash", "k".repeat(200))), "{long}");
    }

    #[test]
    fn an_origin_path_is_taken_off_the_key() {
        let assets: Distribution = "d111111abcdef8.cloudfront.net/assets/v1".parse().unwrap();
        assert_eq!(assets.origin_path(), "/assets/v1");
        assert_eq!(assets.object_path("assets/v1/a b.jpg").unwrap(), "/a%20b.jpg");
        assert_eq!(assets.prefix_resource("assets/v1/img/").unwrap(), "/img/*");
        assert_eq!(assets.prefix_resource("assets/v1/").unwrap(), "/*");
        for outside in ["assets/v2/a.jpg", "assets/v1", "assets/v1x/a.jpg", "a.jpg"] {
            let message = assets.object_path(outside).unwrap_err().to_string();
            assert!(message.contains("outside the origin path /assets/v1"), "{message}");
        }
        assert!(assets.object_path("assets/v1/").unwrap_err().to_string().contains("names the origin path"));
    }

    #[test]
    fn wildcard_prefixes_are_encoded_then_given_their_star() {
        assert_eq!(at_root().prefix_resource("photos/2024 summer/").unwrap(), "/photos/2024%20summer/*");
        assert_eq!(at_root().prefix_resource("").unwrap(), "/*");
        assert_eq!(at_root().prefix_resource("a*b/").unwrap(), "/a%2Ab/*");
        assert!(at_root().prefix_resource("a//").is_err());
        assert!(at_root().prefix_resource("a/../").is_err());
    }

    #[test]
    fn distributions_are_a_domain_and_an_origin_path() {
        assert_eq!("D1.example.com".parse::<Distribution>().unwrap().domain(), "d1.example.com");
        assert_eq!("localhost:8443/a/".parse::<Distribution>().unwrap().to_string(), "localhost:8443/a");
        for bad in
            ["", "nodot", "d1.example.com:0", "d1.example.com/a//b", "d1.example.com/a/../b", "d1.example.com/a b"]
        {
            assert!(matches!(bad.parse::<Distribution>(), Err(Error::InvalidDistribution(_))), "{bad:?}");
        }
    }

    #[test]
    fn locators_are_a_bucket_and_a_key_taken_as_written() {
        let locator = Locator::parse("s3://media-1/photos/a%20b+c.jpg").unwrap();
        assert_eq!((locator.bucket, locator.key), ("media-1", "photos/a%20b+c.jpg"));
        assert_eq!(Locator::parse("s3://media-1//a").unwrap().key, "/a");
        for (bad, why) in [
            ("https://media-1/a", "is not an s3://bucket/key locator"),
            ("s3://media-1", "names no object key"),
            ("s3://media-1/", "names no object key"),
            ("s3://Media/a", "is not an S3 bucket name"),
            ("s3://ab/a", "is not an S3 bucket name"),
            ("s3://-ab/a", "is not an S3 bucket name"),
        ] {
            let message = Locator::parse(bad).unwrap_err().to_string();
            assert!(message.starts_with("invalid locator: ") && message.contains(why), "{bad}: {message}");
        }
    }

    #[test]
    fn bucket_maps_read_entries_and_refuse_a_bucket_twice() {
        let map: BucketDistributions = "media=d1.example.com/assets, logs=d2.example.com".parse().unwrap();
        assert_eq!(map.get("media").unwrap().to_string(), "d1.example.com/assets");
        assert_eq!(map.get("logs").unwrap().origin_path(), "");
        assert_eq!(map.buckets().collect::<Vec<_>>(), ["logs", "media"]);
        assert!(map.get("other").is_none());
        assert_eq!("".parse::<BucketDistributions>().unwrap(), BucketDistributions::default());
        for bad in ["media", "media=d1.example.com,media=d2.example.com", "Media=d1.example.com", "m=nodot"] {
            assert!(bad.parse::<BucketDistributions>().is_err(), "{bad}");
        }
    }
}
