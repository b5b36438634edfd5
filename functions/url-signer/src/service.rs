//! Signing requests, free of Lambda types: validate everything first, then
//! fetch the key, then sign. A request that fails validation never touches
//! Secrets Manager and never produces a signature.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use cfsign::{
    Clock, Conditions, CookieAttributes, Distribution, Epoch, Locator, RemoteKey, RemoteSignError, SignatureCount,
    parse_ipv4_range,
};

use crate::config::Config;
use crate::error::Error;
use crate::keys::{KeyCache, KeySource, SigningKey};
use crate::paths::Rules;
use crate::window;

/// The most `kms:Sign` calls one request has in flight.
pub const KMS_CALLS_AT_ONCE: usize = 16;

/// What a request asks for: signed URLs or signed cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Signed URLs, one per path (the default).
    Url,
    /// One set of signed cookies, for one path or one wildcard resource.
    Cookies,
}

/// A signing request as the API received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// URLs or cookies (`mode`; URLs unless the body says otherwise).
    pub mode: Mode,
    /// The objects to sign for: paths, object keys or locators.
    pub objects: Objects,
    /// A wildcard resource for cookies, such as `/images/*`.
    pub resource: Option<String>,
    /// Requested lifetime (`lifetimeSeconds`), clamped to MAX_LIFETIME_SECONDS; not with `expires_at`.
    pub lifetime_seconds: Option<u64>,
    /// Requested expiry in epoch seconds (`expiresAt`): in the future, clamped likewise.
    pub expires_at: Option<u64>,
    /// Epoch second before which the signature is not valid (`startsAt`); makes the policy custom.
    pub starts_at: Option<u64>,
    /// IPv4 address or CIDR range the signature is valid from (`clientIp`); makes the policy custom.
    pub client_ip: Option<String>,
}

/// The objects a request names, in one of three ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Objects {
    /// Paths as viewers request them, such as `/images/a%20b.jpg`.
    Paths(Vec<String>),
    /// Object keys of the stack's bucket, such as `images/a b.jpg`; in cookie
    /// mode, a key prefix ending in `*` is a wildcard.
    Keys(Vec<String>),
    /// `s3://bucket/key` locators, of any bucket a known distribution serves.
    Locators(Vec<String>),
}

impl Objects {
    /// How many objects are named.
    pub fn len(&self) -> usize {
        match self {
            Objects::Paths(all) | Objects::Keys(all) | Objects::Locators(all) => all.len(),
        }
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One object as the request named it, echoed in the answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Asked {
    /// A path, such as `/images/a.jpg`.
    Path(String),
    /// An object key of the stack's bucket.
    Key(String),
    /// An `s3://bucket/key` locator.
    Locator(String),
}

/// Who is asking, as the authorizer in front said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The JWT's claims (HTTP API JWT or REST API Cognito authorizer); empty for IAM callers.
    pub claims: HashMap<String, String>,
}

/// One object's signed URL; Debug leaves out the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedUrl {
    /// The object as the request named it.
    pub asked: Asked,
    /// The path signed (the request's path, or the path of its key).
    pub path: String,
    /// The signed URL: `https://`, the domain, the path and the signature's query.
    pub url: String,
}

/// What a request was signed as, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// When the signatures expire.
    pub expires: Epoch,
    /// Seconds from now to `expires`, after clamping and rounding.
    pub lifetime_seconds: u64,
    /// The URLs or the cookies.
    pub output: Output,
    /// How many signatures were computed with the key, and how many served from its cache.
    pub signatures: SignatureCount,
}

/// The signed URLs or cookies; Debug never shows a signature or policy.
#[derive(Clone, PartialEq, Eq)]
pub enum Output {
    /// One signed URL per requested path, in request order.
    Urls(Vec<SignedUrl>),
    /// One cookie set for `resource`: the cookie names and the Set-Cookie values.
    Cookies {
        /// The path, key or locator the request named.
        asked: Asked,
        /// The URL the cookies are signed for: `https://`, the domain and the path or wildcard.
        resource: String,
        /// The cookies' names, in the order of `set_cookie`.
        names: Vec<&'static str>,
        /// One `Set-Cookie` header value per cookie, attributes included.
        set_cookie: Vec<String>,
    },
}

/// Signed URLs and cookies are credentials: Debug shows what was signed, never
/// the signature or policy.
impl SignedUrl {
    /// The URL without its signature's query (a signed path holds no `?` of its own).
    pub fn unsigned(&self) -> &str {
        self.url.split_once('?').map_or(self.url.as_str(), |(url, _)| url)
    }
}

impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unsigned = self.unsigned();
        f.debug_struct("SignedUrl")
            .field("asked", &self.asked)
            .field("path", &self.path)
            .field("url", &format_args!("{unsigned}?<redacted>"))
            .finish()
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Urls(urls) => f.debug_tuple("Urls").field(urls).finish(),
            Output::Cookies { asked, resource, names, set_cookie } => f
                .debug_struct("Cookies")
                .field("asked", asked)
                .field("resource", resource)
                .field("names", names)
                .field("set_cookie", &format_args!("<{} redacted>", set_cookie.len()))
                .finish(),
        }
    }
}

/// The signing service, free of Lambda types: checks a request, reads the key, signs.
pub struct SigningService<S: KeySource, C> {
    config: Config,
    keys: KeyCache<S>,
    clock: C,
}

impl<S: KeySource, C: Clock> SigningService<S, C> {
    /// The service signing under `config` with the key `keys` holds, at the time `clock` tells.
    pub fn new(config: Config, keys: KeyCache<S>, clock: C) -> Self {
        Self { config, keys, clock }
    }

    /// The settings it signs under; the handler reads the CORS origins from them.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the current key's signature cache holds and has served (see [`KeyCache::signature_cache_stats`]).
    pub async fn signature_cache_stats(&self) -> Option<cfsign::CacheStats> {
        self.keys.signature_cache_stats().await
    }

    /// Reads the key at cold start, so the first request does not wait for
    /// Secrets Manager. A failure is logged, not fatal: requests retry it.
    pub async fn warm_up(&self) {
        if let Err(error) = self.keys.signer(self.clock.now()).await {
            tracing::error!(%error, "the signing key could not be loaded at start");
        }
    }

    /// The signed URLs or cookies for `request` by `caller`; a refused request is refused before the key is read.
    pub async fn sign(&self, request: &SignRequest, caller: &Caller) -> Result<Signed, Error> {
        let now = self.clock.now();
        let start = Epoch::from_system_time(now).map_err(|e| Error::SigningFailed(format!("clock: {e}")))?;
        let rules = Rules {
            allowed_prefixes: &self.config.allowed_prefixes,
            wildcard_prefixes: &self.config.wildcard_prefixes,
            caller_prefix: self.config.caller_prefix.as_ref().map(|p| p.for_claims(&caller.claims)).transpose()?,
        };
        let target = self.target(request, &rules)?;
        let conditions = self.conditions(request, self.expiry(request, start)?)?;
        // An exact expiresAt is signed as given; an expiry from a lifetime is
        // rounded to the window, so that repeated requests sign one policy.
        let conditions = match request.expires_at {
            Some(_) => conditions,
            None => {
                let latest = start.plus(self.config.max_lifetime).map_err(|e| Error::BadRequest(e.to_string()))?;
                window::round(conditions, self.config.expiry_window, latest)
            }
        };
        let expires = conditions.expires();
        let lifetime_seconds = expires.as_secs() - start.as_secs();

        let key = self.keys.signer(now).await?;
        let mut signatures = SignatureCount::default();
        let output = match target {
            Target::Urls(objects) => {
                let urls: Vec<String> = match &*key {
                    SigningKey::Local(signer) => objects
                        .iter()
                        .map(|object| signer.sign_url_counting(&object.url(), &conditions, &mut signatures))
                        .collect::<Result<_, _>>()
                        .map_err(refusal)?,
                    // Concurrently, each signature not cached being a KMS call,
                    // but bounded: the account's Sign quota is a few hundred a
                    // second, shared by every instance and every other use.
                    SigningKey::Kms(signer) => {
                        use futures_util::StreamExt as _;
                        // Collected first: a stream over a borrowing closure is
                        // not Send across the handler's await points.
                        let signing: Vec<_> = objects
                            .iter()
                            .map(|object| async {
                                let mut count = SignatureCount::default();
                                let url = signer.sign_url_counting(&object.url(), &conditions, &mut count).await;
                                (url, count)
                            })
                            .collect();
                        let signed: Vec<_> =
                            futures_util::stream::iter(signing).buffered(KMS_CALLS_AT_ONCE).collect().await;
                        let mut urls = Vec::with_capacity(objects.len());
                        for (url, count) in signed {
                            signatures.computed += count.computed;
                            signatures.cached += count.cached;
                            urls.push(url.map_err(remote_refusal::<S>)?);
                        }
                        urls
                    }
                };
                let signed = objects.into_iter().zip(urls);
                Output::Urls(signed.map(|(o, url)| SignedUrl { asked: o.asked, path: o.path, url }).collect())
            }
            Target::Cookies(object) => {
                let attributes = self.cookie_attributes_for(&object.path)?.max_age(lifetime_seconds);
                let resource = object.url();
                let cookies = match &*key {
                    SigningKey::Local(signer) => {
                        signer.sign_cookies_counting(&resource, &conditions, &mut signatures).map_err(refusal)?
                    }
                    SigningKey::Kms(signer) => signer
                        .sign_cookies_counting(&resource, &conditions, &mut signatures)
                        .await
                        .map_err(remote_refusal::<S>)?,
                };
                let set_cookie = cookies.set_cookie_headers(&attributes);
                let names = cookies.iter().map(|(n, _)| n).collect();
                Output::Cookies { asked: object.asked, resource, names, set_cookie }
            }
        };
        Ok(Signed { expires, lifetime_seconds, output, signatures })
    }

    /// Without COOKIE_PATH, a browser would scope the cookies to the API's own
    /// path (such as /prod/ behind a REST stage) and never send them to
    /// CloudFront: scope them to the directory of what they sign instead.
    fn cookie_attributes_for(&self, resource: &str) -> Result<CookieAttributes, Error> {
        let attributes = self.config.cookie_attributes.clone();
        if self.config.cookie_path_is_set {
            return Ok(attributes);
        }
        attributes.path(resource_directory(resource)).map_err(refusal)
    }

    fn target(&self, request: &SignRequest, rules: &Rules<'_>) -> Result<Target, Error> {
        let cookies = request.mode == Mode::Cookies;
        let mut objects = match (&request.objects, &request.resource) {
            (objects, Some(_)) if !objects.is_empty() => {
                return Err(Error::BadRequest("give either paths, keys or locators, or resource, not both".into()));
            }
            (_, Some(_)) if !cookies => {
                return Err(Error::BadRequest("a wildcard resource is signed as cookies; set mode to cookies".into()));
            }
            (_, Some(resource)) => vec![self.path_object(resource.clone(), true, rules)?],
            (objects, None) if objects.is_empty() => {
                return Err(Error::BadRequest("give at least one path, key or locator".into()));
            }
            (objects, None) if cookies && objects.len() > 1 => {
                return Err(Error::BadRequest(
                    "one cookie set covers one resource: give one path, key or locator, or a wildcard resource".into(),
                ));
            }
            (objects, None) if objects.len() > self.config.max_paths => {
                return Err(Error::BadRequest(format!(
                    "{} objects in one request; the limit is {}",
                    objects.len(),
                    self.config.max_paths
                )));
            }
            (Objects::Paths(paths), None) => {
                paths.iter().map(|path| self.path_object(path.clone(), false, rules)).collect::<Result<_, _>>()?
            }
            (Objects::Keys(keys), None) => keys
                .iter()
                .map(|key| self.key_object(Asked::Key(key.clone()), &self.config.distribution, key, cookies, rules))
                .collect::<Result<_, _>>()?,
            (Objects::Locators(locators), None) => {
                locators.iter().map(|locator| self.locator_object(locator, cookies, rules)).collect::<Result<_, _>>()?
            }
        };
        objects.iter().try_for_each(Object::requestable)?;
        match request.mode {
            Mode::Url => Ok(Target::Urls(objects)),
            Mode::Cookies => Ok(Target::Cookies(objects.remove(0))),
        }
    }

    /// A path as the caller wrote it: a wildcard only as a cookie `resource`.
    fn path_object(&self, path: String, wildcard: bool, rules: &Rules<'_>) -> Result<Object, Error> {
        if wildcard {
            rules.wildcard(&path)?
        } else {
            rules.object(&path)?
        }
        Ok(Object { distribution: self.config.distribution.clone(), path: path.clone(), asked: Asked::Path(path) })
    }

    /// The path of an object key served by `distribution`; in cookie mode, a
    /// key ending in `*` is the wildcard of the prefix before it.
    fn key_object(
        &self,
        asked: Asked,
        distribution: &Distribution,
        key: &str,
        cookies: bool,
        rules: &Rules<'_>,
    ) -> Result<Object, Error> {
        let invalid = |e: cfsign::Error| Error::InvalidKey(e.to_string());
        let path = match key.strip_suffix('*').filter(|_| cookies) {
            Some(prefix) => {
                let path = distribution.prefix_resource(prefix).map_err(invalid)?;
                rules.key_wildcard(&path)?;
                path
            }
            None => {
                let path = distribution.object_path(key).map_err(invalid)?;
                rules.key_object(&path)?;
                path
            }
        };
        Ok(Object { distribution: distribution.clone(), path, asked })
    }

    fn locator_object(&self, locator: &str, cookies: bool, rules: &Rules<'_>) -> Result<Object, Error> {
        let parsed = Locator::parse(locator).map_err(|e| Error::InvalidKey(e.to_string()))?;
        let distribution =
            self.config.buckets.get(parsed.bucket).ok_or_else(|| Error::BucketNotServed(parsed.bucket.to_owned()))?;
        // Cookies carry this stack's attributes (COOKIE_DOMAIN, or the API's
        // host): a browser would never send them to another distribution.
        if cookies && *distribution != self.config.distribution {
            return Err(Error::BadRequest(format!(
                "cookies are set for {}; the bucket {} is served by {}: sign URLs for its objects",
                self.config.distribution.domain(),
                parsed.bucket,
                distribution.domain()
            )));
        }
        self.key_object(Asked::Locator(locator.to_owned()), distribution, parsed.key, cookies, rules)
    }

    /// The expiry: the requested one, clamped to the maximum lifetime.
    fn expiry(&self, request: &SignRequest, now: Epoch) -> Result<Epoch, Error> {
        let max = self.config.max_lifetime.as_secs();
        let lifetime = match (request.lifetime_seconds, request.expires_at) {
            (Some(_), Some(_)) => return Err(Error::BadRequest("give lifetimeSeconds or expiresAt, not both".into())),
            (Some(0), None) => return Err(Error::BadRequest("lifetimeSeconds must be more than 0".into())),
            (Some(seconds), None) => seconds,
            (None, Some(at)) if at <= now.as_secs() => {
                return Err(Error::BadRequest(format!("expiresAt {at} is not in the future (now is {now})")));
            }
            (None, Some(at)) => at - now.as_secs(),
            (None, None) => self.config.default_lifetime.as_secs(),
        };
        now.plus(Duration::from_secs(lifetime.min(max))).map_err(|e| Error::BadRequest(e.to_string()))
    }

    fn conditions(&self, request: &SignRequest, expires: Epoch) -> Result<Conditions, Error> {
        let mut conditions = Conditions::expires_at(expires);
        if let Some(starts) = request.starts_at {
            let starts = Epoch::from_secs(starts).map_err(|e| Error::BadRequest(format!("startsAt: {e}")))?;
            if starts >= expires {
                return Err(Error::BadRequest(format!("startsAt {starts} is not before the expiry {expires}")));
            }
            conditions = conditions.not_before(starts);
        }
        if let Some(ip) = &request.client_ip {
            conditions = conditions
                .from_ip_range(parse_ipv4_range(ip).map_err(|e| Error::BadRequest(format!("clientIp: {e}")))?);
        }
        Ok(conditions)
    }
}

/// What one request signs: URLs for objects, or one cookie set for a resource.
enum Target {
    Urls(Vec<Object>),
    Cookies(Object),
}

/// One object checked and placed: the path signed, on the distribution that serves it.
struct Object {
    asked: Asked,
    distribution: Distribution,
    path: String,
}

impl Object {
    fn url(&self) -> String {
        self.distribution.url(&self.path)
    }

    fn requestable(&self) -> Result<(), Error> {
        let len = self.url().len();
        if len > cfsign::MAX_URL_LENGTH {
            return Err(Error::InvalidPath(format!(
                "the URL would be {len} bytes, over CloudFront's limit of {}",
                cfsign::MAX_URL_LENGTH
            )));
        }
        Ok(())
    }
}

/// `/images/gallery/*` and `/images/gallery/a.jpg` both give `/images/gallery/`.
fn resource_directory(resource: &str) -> &str {
    resource.rfind('/').map_or("/", |slash| &resource[..=slash])
}

/// A KMS key's refusal is the key source's to tell; the rest as [`refusal`].
fn remote_refusal<S: KeySource>(error: RemoteSignError<<S::KmsKey as RemoteKey>::Error>) -> Error {
    match error {
        RemoteSignError::Refused(error) => refusal(error),
        RemoteSignError::Remote(error) => S::kms_refusal(&error),
    }
}

/// The signing crate refuses what CloudFront or a browser would refuse (a URL
/// over 8,192 bytes, typically): that is the caller's input, so 400. Anything
/// else is this function's fault, so 500 and a log line, never a 400.
fn refusal(error: cfsign::Error) -> Error {
    use cfsign::Error as E;
    match error {
        E::InvalidUrl(_)
        | E::InvalidResource(_)
        | E::TimeOutOfRange(_)
        | E::StartNotBeforeExpiry { .. }
        | E::InvalidIpRange(_)
        | E::InvalidCookieAttribute(_)
        | E::UrlTooLong { .. }
        | E::CookieTooLong { .. } => Error::InvalidPath(error.to_string()),
        E::InvalidObjectKey(_) | E::InvalidLocator(_) => Error::InvalidKey(error.to_string()),
        E::InvalidKeyPairId(_)
        | E::InvalidDistribution(_)
        | E::MalformedKey(_)
        | E::MalformedSecret(_)
        | E::UnsupportedKey(_)
        | E::BackendUnavailable(_)
        | E::Crypto(_) => Error::SigningFailed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_caller_caused_signing_errors_are_400() {
        let caller_caused = [
            cfsign::Error::UrlTooLong { len: 9000, limit: 8192 },
            cfsign::Error::CookieTooLong { name: "CloudFront-Policy", len: 5000, limit: 4096 },
            cfsign::Error::InvalidUrl("x".into()),
            cfsign::Error::InvalidResource("x".into()),
            cfsign::Error::TimeOutOfRange("x".into()),
            cfsign::Error::InvalidCookieAttribute("x".into()),
        ];
        for error in caller_caused {
            assert_eq!(refusal(error.clone()).status(), 400, "{error}");
        }
        let ours = [
            cfsign::Error::Crypto("signing failed"),
            cfsign::Error::BackendUnavailable("openssl"),
            cfsign::Error::MalformedKey("x".into()),
            cfsign::Error::UnsupportedKey("x".into()),
        ];
        for error in ours {
            let refused = refusal(error.clone());
            assert_eq!((refused.status(), refused.code()), (500, "signing_failed"), "{error}");
            assert_eq!(refused.public_message(), "signing failed; the error is logged");
        }
    }

    #[test]
    fn cookies_default_to_the_directory_of_their_resource() {
        assert_eq!(resource_directory("/images/gallery/*"), "/images/gallery/");
        assert_eq!(resource_directory("/images/gal*"), "/images/");
        assert_eq!(resource_directory("/a/b.jpg"), "/a/");
        assert_eq!(resource_directory("/b.jpg"), "/");
    }
}
