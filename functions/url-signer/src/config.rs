//! Configuration from the environment, read once at cold start. Any mistake
//! fails the cold start with a message naming the variable.

use std::time::Duration;

use cfsign::{BucketDistributions, CacheLimits, CookieAttributes, Distribution, HashAlgorithm, KeyAlgorithm, SameSite};
use plumbing::settings::{SettingError, Settings};

use crate::caller_prefix::CallerPrefix;

/// The longest lifetime a signature may be given. A week keeps every expiry
/// far inside the 32-bit epoch seconds CloudFront reads (until 2038), so a
/// configured maximum can never make a request's expiry out of range.
pub const MAX_LIFETIME_BOUND: Duration = Duration::from_secs(7 * 24 * 3600);

/// The expiry window when `EXPIRY_WINDOW_SECONDS` is unset: five minutes, the
/// default lifetime. Every page view in those five minutes gets the same URLs
/// (so the browser's cache and the edge's serve them), while a URL outlives
/// what was asked by at most five minutes, never past MAX_LIFETIME_SECONDS.
pub const DEFAULT_EXPIRY_WINDOW: Duration = Duration::from_secs(300);

/// The signature cache's bounds when unset: 10,000 signatures (the distinct
/// objects an instance signs in one window for a busy site; a repeat inside
/// the window is then a lookup) and 16 MiB (an RSA-2048 entry for a URL of a
/// hundred bytes costs about 600 bytes, so the entry bound is the one met
/// first; the byte bound caps the cost of long URLs and custom policies).
pub const DEFAULT_SIGNATURE_CACHE: CacheLimits = CacheLimits { entries: 10_000, bytes: 16 << 20 };

/// Every setting, typed. See README.md for the variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The distribution that serves the content, by its domain or a custom
    /// domain (`DISTRIBUTION_DOMAIN`): paths and the stack's object keys are signed for it.
    pub distribution: Distribution,
    /// Which distribution serves each bucket an `s3://` locator may name: the
    /// stack's bucket (`CONTENT_BUCKET`) served by `distribution`, and the
    /// entries of `BUCKET_DISTRIBUTIONS` (`BUCKET=DOMAIN[/ORIGIN-PATH]`, comma-separated).
    pub buckets: BucketDistributions,
    /// Secrets Manager secret holding the signing key, by name or ARN (`KEY_SECRET_ID`).
    pub key_secret_id: String,
    /// Paths must start with one of these (each ends with `/`).
    pub allowed_prefixes: Vec<String>,
    /// Lifetime of a signature when the request names none (`DEFAULT_LIFETIME_SECONDS`, default 300 s).
    pub default_lifetime: Duration,
    /// Longest lifetime: longer requests are clamped to it (`MAX_LIFETIME_SECONDS`, default 3600 s, at most 7 days).
    pub max_lifetime: Duration,
    /// Prefixes under which a wildcard cookie resource (`<prefix>…*`) may be signed; empty: none.
    pub wildcard_prefixes: Vec<String>,
    /// A prefix every path of a caller must also start with, built from the
    /// authorizer's claims, e.g. `/users/{sub}/`.
    pub caller_prefix: Option<CallerPrefix>,
    /// The most paths one request may have signed (`MAX_PATHS`, 1 to 1000, default 100).
    pub max_paths: usize,
    /// The cookies' Domain (`COOKIE_DOMAIN`: a parent domain shared by the
    /// API's host and the CloudFront host), Path (`COOKIE_PATH`) and SameSite
    /// (`COOKIE_SAME_SITE`: Strict, Lax or None), checked as a browser takes them.
    pub cookie_attributes: CookieAttributes,
    /// Whether `COOKIE_PATH` fixes the cookies' Path; otherwise each cookie set
    /// gets the directory of what it signs.
    pub cookie_path_is_set: bool,
    /// Origins allowed to call with credentials (`CORS_ORIGINS`), as browsers send them: `https://app.example.com`.
    pub cors_origins: Vec<String>,
    /// When set, a key of another type in the secret is refused (503).
    pub key_algorithm: Option<KeyAlgorithm>,
    /// The hash signatures use (`HASH_ALGORITHM`: SHA1, the default, or SHA256).
    pub hash_algorithm: HashAlgorithm,
    /// How long the key is used before Secrets Manager is asked again (`KEY_CACHE_TTL_SECONDS`, default 300 s).
    pub key_ttl: Duration,
    /// How long past the last good read a cached key serves on errors (`KEY_STALE_LIMIT_SECONDS`, default 3600 s).
    pub key_stale_limit: Duration,
    /// Expiries from a lifetime are rounded up to a multiple of this
    /// (`EXPIRY_WINDOW_SECONDS`, default 300 s or the maximum lifetime if
    /// shorter; 0 rounds nothing), so a
    /// repeated request inside one window gets the same URL or cookies.
    pub expiry_window: Duration,
    /// The bounds of the signer's signature cache (`SIGNATURE_CACHE_ENTRIES`,
    /// default 10,000, 0 keeps none; `SIGNATURE_CACHE_BYTES`, default 16 MiB).
    pub signature_cache: CacheLimits,
}

impl Config {
    /// The settings in the process environment, read by `main` at cold start; an error names the variable at fault.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_settings(&Settings::from_env())
    }

    /// The settings `settings` holds (tests pass pairs); an error names the variable at fault.
    pub fn from_settings(settings: &Settings) -> Result<Self, SettingError> {
        let distribution = Distribution::new(&settings.required("DISTRIBUTION_DOMAIN")?, "").map_err(|_| {
            invalid(
                "DISTRIBUTION_DOMAIN",
                "a host name such as d111111abcdef8.cloudfront.net, with a :port only for a local edge (localhost:8443)",
            )
        })?;
        let max_lifetime = settings.seconds("MAX_LIFETIME_SECONDS", 3600)?;
        let config = Self {
            buckets: buckets(settings, &distribution)?,
            distribution,
            key_secret_id: settings.required("KEY_SECRET_ID")?,
            allowed_prefixes: prefixes(settings, "ALLOWED_PREFIXES", "/")?,
            default_lifetime: settings.seconds("DEFAULT_LIFETIME_SECONDS", 300)?,
            max_lifetime,
            wildcard_prefixes: prefixes(settings, "WILDCARD_PREFIXES", "")?,
            caller_prefix: settings.get("CALLER_PREFIX").map(|t| CallerPrefix::parse(&t)).transpose()?,
            max_paths: settings.parsed("MAX_PATHS", "a whole number")?.unwrap_or(100),
            cookie_attributes: cookie_attributes(settings)?,
            cookie_path_is_set: settings.get("COOKIE_PATH").is_some(),
            cors_origins: list(&settings.get("CORS_ORIGINS").unwrap_or_default()),
            key_algorithm: settings.parsed("KEY_ALGORITHM", "rsa2048 or ecdsa-p256")?,
            hash_algorithm: settings.parsed("HASH_ALGORITHM", "SHA1 or SHA256")?.unwrap_or(HashAlgorithm::Sha1),
            key_ttl: settings.seconds("KEY_CACHE_TTL_SECONDS", 300)?,
            key_stale_limit: settings.seconds("KEY_STALE_LIMIT_SECONDS", 3600)?,
            // Unset, never longer than the maximum: a deployment with a short maximum starts as before.
            expiry_window: settings
                .seconds("EXPIRY_WINDOW_SECONDS", DEFAULT_EXPIRY_WINDOW.min(max_lifetime).as_secs())?,
            signature_cache: CacheLimits {
                entries: settings
                    .parsed("SIGNATURE_CACHE_ENTRIES", "a whole number of signatures")?
                    .unwrap_or(DEFAULT_SIGNATURE_CACHE.entries),
                bytes: settings
                    .parsed("SIGNATURE_CACHE_BYTES", "a whole number of bytes")?
                    .unwrap_or(DEFAULT_SIGNATURE_CACHE.bytes),
            },
        };
        config.check()
    }

    fn check(self) -> Result<Self, SettingError> {
        if self.max_lifetime.is_zero() || self.max_lifetime > MAX_LIFETIME_BOUND {
            return Err(invalid("MAX_LIFETIME_SECONDS", "more than 0 and at most 604800 (7 days)"));
        }
        if self.default_lifetime.is_zero() || self.default_lifetime > self.max_lifetime {
            return Err(invalid("DEFAULT_LIFETIME_SECONDS", "more than 0 and at most MAX_LIFETIME_SECONDS"));
        }
        // A rounded expiry must stay within the maximum lifetime, so a longer
        // window would almost never apply: a mistake, not a setting.
        if self.expiry_window > self.max_lifetime {
            return Err(invalid("EXPIRY_WINDOW_SECONDS", "at most MAX_LIFETIME_SECONDS (0 rounds nothing)"));
        }
        if !(1..=1000).contains(&self.max_paths) {
            return Err(invalid("MAX_PATHS", "between 1 and 1000"));
        }
        if self.key_ttl.is_zero() {
            return Err(invalid("KEY_CACHE_TTL_SECONDS", "more than 0"));
        }
        if !self.wildcard_prefixes.iter().all(|w| self.allowed_prefixes.iter().any(|a| w.starts_with(a.as_str()))) {
            return Err(invalid("WILDCARD_PREFIXES", "prefixes each under one of ALLOWED_PREFIXES"));
        }
        if !self.cors_origins.iter().all(|o| is_origin(o)) {
            return Err(invalid(
                "CORS_ORIGINS",
                "origins as browsers send them, scheme and host without a path or trailing /, such as https://app.example.com",
            ));
        }
        Ok(self)
    }
}

/// `BUCKET_DISTRIBUTIONS`, and `CONTENT_BUCKET` served by the stack's own distribution.
fn buckets(settings: &Settings, own: &Distribution) -> Result<BucketDistributions, SettingError> {
    let mut buckets: BucketDistributions = settings.get("BUCKET_DISTRIBUTIONS").unwrap_or_default().parse().map_err(|_| {
        invalid(
            "BUCKET_DISTRIBUTIONS",
            "comma-separated BUCKET=DOMAIN[/ORIGIN-PATH] entries, one per bucket, such as media=d111111abcdef8.cloudfront.net/assets",
        )
    })?;
    if let Some(bucket) = settings.get("CONTENT_BUCKET") {
        buckets
            .insert(&bucket, own.clone())
            .map_err(|_| invalid("CONTENT_BUCKET", "an S3 bucket name that BUCKET_DISTRIBUTIONS does not also map"))?;
    }
    Ok(buckets)
}

/// The cookies' attributes, refused here if a browser would not accept them,
/// so that a cold start, not a request, reports them.
fn cookie_attributes(settings: &Settings) -> Result<CookieAttributes, SettingError> {
    let mut attributes = CookieAttributes::default();
    if let Some(domain) = settings.get("COOKIE_DOMAIN") {
        attributes =
            attributes.domain(domain).map_err(|_| invalid("COOKIE_DOMAIN", "a domain without ; , or spaces"))?;
    }
    if let Some(path) = settings.get("COOKIE_PATH") {
        attributes = attributes
            .path(path)
            .map_err(|_| invalid("COOKIE_PATH", "a path starting with / without ; , or spaces"))?;
    }
    if let Some(same_site) = settings.parsed::<SameSite>("COOKIE_SAME_SITE", "Strict, Lax or None")? {
        attributes = attributes.same_site(same_site).map_err(|_| invalid("COOKIE_SAME_SITE", "Strict, Lax or None"))?;
    }
    Ok(attributes)
}

/// A browser sends an Origin header as `scheme://host[:port]`, nothing more:
/// an origin configured with a path or a trailing `/` would never match.
fn is_origin(origin: &str) -> bool {
    let host = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
    host.is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
}

fn invalid(name: &'static str, expected: &'static str) -> SettingError {
    SettingError::invalid(name, expected)
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn prefixes(settings: &Settings, name: &'static str, default: &str) -> Result<Vec<String>, SettingError> {
    let prefixes = list(&settings.get(name).unwrap_or_else(|| default.to_owned()));
    if prefixes.iter().all(|p| crate::paths::well_formed_prefix(p)) {
        Ok(prefixes)
    } else {
        Err(invalid(name, "comma-separated path prefixes that start and end with /, such as /images/,/video/"))
    }
}
