//! Signing requests, free of Lambda types: validate everything first, then
//! fetch the key, then sign. A request that fails validation never touches
//! Secrets Manager and never produces a signature.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use cfsign::{Clock, Conditions, CookieAttributes, Epoch, SignatureCount, parse_ipv4_range};

use crate::config::Config;
use crate::error::Error;
use crate::keys::{KeyCache, SecretSource};
use crate::paths::Rules;
use crate::window;

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
    /// Object paths, such as `/images/a.jpg`.
    pub paths: Vec<String>,
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

/// Who is asking, as the authorizer in front said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The JWT's claims (HTTP API JWT or REST API Cognito authorizer); empty for IAM callers.
    pub claims: HashMap<String, String>,
}

/// One path's signed URL; Debug leaves out the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedUrl {
    /// The path as the request gave it.
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
impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unsigned = self.url.split_once('?').map_or(self.url.as_str(), |(url, _)| url);
        f.debug_struct("SignedUrl")
            .field("path", &self.path)
            .field("url", &format_args!("{unsigned}?<redacted>"))
            .finish()
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Urls(urls) => f.debug_tuple("Urls").field(urls).finish(),
            Output::Cookies { resource, names, set_cookie } => f
                .debug_struct("Cookies")
                .field("resource", resource)
                .field("names", names)
                .field("set_cookie", &format_args!("<{} redacted>", set_cookie.len()))
                .finish(),
        }
    }
}

/// The signing service, free of Lambda types: checks a request, reads the key, signs.
pub struct SigningService<S, C> {
    config: Config,
    keys: KeyCache<S>,
    clock: C,
}

impl<S: SecretSource, C: Clock> SigningService<S, C> {
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

        let signer = self.keys.signer(now).await?;
        let mut signatures = SignatureCount::default();
        let output = match target {
            Target::Urls(paths) => {
                let urls = paths
                    .iter()
                    .map(|path| {
                        let url =
                            signer.sign_url_counting(&self.url(path), &conditions, &mut signatures).map_err(refusal)?;
                        Ok(SignedUrl { path: path.clone(), url })
                    })
                    .collect::<Result<_, Error>>()?;
                Output::Urls(urls)
            }
            Target::Cookies(resource) => {
                let attributes = self.cookie_attributes_for(&resource)?.max_age(lifetime_seconds);
                let resource = self.url(&resource);
                let cookies = signer.sign_cookies_counting(&resource, &conditions, &mut signatures).map_err(refusal)?;
                let set_cookie = cookies.set_cookie_headers(&attributes);
                Output::Cookies { resource, names: cookies.iter().map(|(n, _)| n).collect(), set_cookie }
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

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.config.domain)
    }

    fn target(&self, request: &SignRequest, rules: &Rules<'_>) -> Result<Target, Error> {
        let requestable = |path: &String| {
            let len = self.url(path).len();
            if len > cfsign::MAX_URL_LENGTH {
                return Err(Error::InvalidPath(format!(
                    "the URL would be {len} bytes, over CloudFront's limit of {}",
                    cfsign::MAX_URL_LENGTH
                )));
            }
            Ok(())
        };
        request.paths.iter().chain(&request.resource).try_for_each(requestable)?;
        match (request.mode, &request.resource, request.paths.as_slice()) {
            (_, Some(_), [_, ..]) => Err(Error::BadRequest("give either paths or resource, not both".into())),
            (Mode::Url, Some(_), []) => {
                Err(Error::BadRequest("a wildcard resource is signed as cookies; set mode to cookies".into()))
            }
            (Mode::Cookies, Some(resource), []) => {
                rules.wildcard(resource)?;
                Ok(Target::Cookies(resource.clone()))
            }
            (_, None, []) => Err(Error::BadRequest("give at least one path".into())),
            (Mode::Cookies, None, [path]) => {
                rules.object(path)?;
                Ok(Target::Cookies(path.clone()))
            }
            (Mode::Cookies, None, _) => Err(Error::BadRequest(
                "one cookie set covers one resource: give one path, or a wildcard resource".into(),
            )),
            (Mode::Url, None, paths) => {
                if paths.len() > self.config.max_paths {
                    return Err(Error::BadRequest(format!(
                        "{} paths in one request; the limit is {}",
                        paths.len(),
                        self.config.max_paths
                    )));
                }
                paths.iter().try_for_each(|p| rules.object(p))?;
                Ok(Target::Urls(paths.to_vec()))
            }
        }
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

/// What one request signs: URLs for paths, or one cookie set for a resource.
enum Target {
    Urls(Vec<String>),
    Cookies(String),
}

/// `/images/gallery/*` and `/images/gallery/a.jpg` both give `/images/gallery/`.
fn resource_directory(resource: &str) -> &str {
    resource.rfind('/').map_or("/", |slash| &resource[..=slash])
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
        E::InvalidKeyPairId(_)
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
