//! Verification that answers as CloudFront would, and says why when it refuses.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::Ipv4Net;
use thiserror::Error;

use crate::encoding;
use crate::hash::HashAlgorithm;
use crate::key::PublicKey;
use crate::policy::Policy;
use crate::time::Epoch;
use crate::wildcard;

/// Why CloudFront would answer 403 (or, for a malformed URL, never route it).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("malformed URL: {0}")]
    MalformedUrl(String),
    #[error("missing {0}")]
    MissingParameter(&'static str),
    #[error("{0} is given more than once")]
    DuplicateParameter(&'static str),
    #[error("both {0} and {1} are given; a signature uses one of them")]
    ConflictingParameters(&'static str, &'static str),
    #[error("unknown key pair id {0:?}: not among the trusted public keys")]
    UnknownKeyId(String),
    #[error("unsupported hash algorithm {0:?}: CloudFront reads SHA1 or SHA256")]
    UnsupportedHashAlgorithm(String),
    #[error("malformed base64 in {0}")]
    MalformedBase64(&'static str),
    #[error("malformed policy: {0}")]
    MalformedPolicy(String),
    #[error("bad signature: it does not verify under key {key_pair_id} with {hash}")]
    BadSignature { key_pair_id: String, hash: HashAlgorithm },
    #[error("expired at {expires} (epoch seconds), checked at {at}")]
    Expired { expires: Epoch, at: Epoch },
    #[error("not yet valid: valid only after {starts} (epoch seconds), checked at {at}")]
    NotYetValid { starts: Epoch, at: Epoch },
    #[error("IP not allowed: the policy allows {allowed}, the client is {}", client.map_or("unknown".to_owned(), |ip| ip.to_string()))]
    IpNotAllowed { allowed: Ipv4Net, client: Option<IpAddr> },
    #[error("resource does not match: the policy covers {resource}, the request is for {url}")]
    ResourceMismatch { resource: String, url: String },
}

/// What a valid signature allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub key_pair_id: String,
    pub hash: HashAlgorithm,
    /// True for a canned policy (`Expires`), false for a custom one (`Policy`).
    pub canned: bool,
    pub policy: Policy,
}

impl Verified {
    /// Whether this signature, already verified for a URL, also allows a
    /// request for the same URL at another time or from another address:
    /// the checks of the policy's dates and source IP alone. A verifier that
    /// remembers signatures it verified (a busy edge) calls this instead of
    /// checking the signature again.
    pub fn allows(&self, request: &RequestContext) -> Result<(), Rejection> {
        conditions(&self.policy, request)
    }
}

/// The policy's conditions on the request's time and address.
fn conditions(policy: &Policy, request: &RequestContext) -> Result<(), Rejection> {
    if request.at >= policy.expires() {
        return Err(Rejection::Expired { expires: policy.expires(), at: request.at });
    }
    // CloudFront: "users are not allowed to access the file on or before the
    // specified date"; DateLessThan's time is itself refused above.
    if let Some(starts) = policy.starts()
        && request.at <= starts
    {
        return Err(Rejection::NotYetValid { starts, at: request.at });
    }
    if let Some(allowed) = policy.source_ip() {
        let inside = matches!(request.client_ip, Some(IpAddr::V4(ip)) if allowed.contains(&ip));
        if !inside {
            return Err(Rejection::IpNotAllowed { allowed, client: request.client_ip });
        }
    }
    Ok(())
}

/// When and from where the request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestContext {
    pub at: Epoch,
    pub client_ip: Option<IpAddr>,
}

/// The parameter names of one transport (query string or cookies).
struct Names {
    expires: &'static str,
    policy: &'static str,
    signature: &'static str,
    key_pair_id: &'static str,
    hash: &'static str,
}

const QUERY: Names = Names {
    expires: "Expires",
    policy: "Policy",
    signature: "Signature",
    key_pair_id: "Key-Pair-Id",
    hash: "Hash-Algorithm",
};

const COOKIES: Names = Names {
    expires: "CloudFront-Expires",
    policy: "CloudFront-Policy",
    signature: "CloudFront-Signature",
    key_pair_id: "CloudFront-Key-Pair-Id",
    hash: "CloudFront-Hash-Algorithm",
};

#[derive(Default)]
struct Parameters<'a> {
    expires: Option<&'a str>,
    policy: Option<&'a str>,
    signature: Option<&'a str>,
    key_pair_id: Option<&'a str>,
    hash: Option<&'a str>,
}

impl<'a> Parameters<'a> {
    /// Records `name=value` if `name` is one of `names`; false when it is not.
    fn take(&mut self, names: &Names, name: &str, value: &'a str) -> Result<bool, Rejection> {
        let (slot, static_name) = match name {
            n if n == names.expires => (&mut self.expires, names.expires),
            n if n == names.policy => (&mut self.policy, names.policy),
            n if n == names.signature => (&mut self.signature, names.signature),
            n if n == names.key_pair_id => (&mut self.key_pair_id, names.key_pair_id),
            n if n == names.hash => (&mut self.hash, names.hash),
            _ => return Ok(false),
        };
        if slot.replace(value).is_some() {
            return Err(Rejection::DuplicateParameter(static_name));
        }
        Ok(true)
    }
}

/// The trusted public keys, by id: a key group as CloudFront sees it.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    keys: HashMap<String, PublicKey>,
}

impl Verifier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_key(mut self, key_pair_id: impl Into<String>, key: PublicKey) -> Self {
        self.add_key(key_pair_id, key);
        self
    }

    pub fn add_key(&mut self, key_pair_id: impl Into<String>, key: PublicKey) {
        self.keys.insert(key_pair_id.into(), key);
    }

    /// Checks a signed URL as CloudFront checks the request for it.
    pub fn verify_url(&self, signed_url: &str, request: &RequestContext) -> Result<Verified, Rejection> {
        if !(signed_url.starts_with("https://") || signed_url.starts_with("http://")) {
            return Err(Rejection::MalformedUrl("not an absolute http or https URL".into()));
        }
        if signed_url.contains('#') {
            return Err(Rejection::MalformedUrl("a fragment is never sent to CloudFront".into()));
        }
        let (base, query) = match signed_url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (signed_url, None),
        };
        let mut parameters = Parameters::default();
        let mut kept = Vec::new();
        for pair in query.into_iter().flat_map(|query| query.split('&')) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !parameters.take(&QUERY, name, value)? {
                kept.push(pair);
            }
        }
        // CloudFront compares the policy with the request minus its own
        // parameters: everything else, empty pairs included, is kept byte for
        // byte, so the URL rebuilt is the one the signer signed.
        let request_url = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        self.check(&QUERY, &parameters, &request_url, request)
    }

    /// Checks signed cookies sent with a request for `request_url`.
    pub fn verify_cookies<'n, 'v>(
        &self,
        request_url: &str,
        cookies: impl IntoIterator<Item = (&'n str, &'v str)>,
        request: &RequestContext,
    ) -> Result<Verified, Rejection> {
        let mut parameters = Parameters::default();
        for (name, value) in cookies {
            parameters.take(&COOKIES, name, value)?;
        }
        self.check(&COOKIES, &parameters, request_url, request)
    }

    fn check(
        &self,
        names: &Names,
        parameters: &Parameters<'_>,
        request_url: &str,
        request: &RequestContext,
    ) -> Result<Verified, Rejection> {
        // Before the signature: a wildcard policy would match it, and what the
        // origin serves for it is another object (see `dot_segment`).
        if let Some(segment) = crate::resource::url_path(request_url).and_then(crate::dot_segment) {
            return Err(Rejection::MalformedUrl(format!(
                "the path holds the dot segment {segment:?}: the template's viewer-request guard answers 400; {}",
                crate::DOT_SEGMENT_RISK
            )));
        }
        let key_pair_id = parameters.key_pair_id.ok_or(Rejection::MissingParameter(names.key_pair_id))?;
        let signature = parameters.signature.ok_or(Rejection::MissingParameter(names.signature))?;
        let hash = match parameters.hash {
            None => HashAlgorithm::Sha1,
            Some(value) => value.parse().map_err(|_| Rejection::UnsupportedHashAlgorithm(value.to_owned()))?,
        };
        let key = self.keys.get(key_pair_id).ok_or_else(|| Rejection::UnknownKeyId(key_pair_id.to_owned()))?;
        let signature = encoding::decode(signature).ok_or(Rejection::MalformedBase64(names.signature))?;

        let (message, policy, canned) = match (parameters.expires, parameters.policy) {
            (Some(_), Some(_)) => return Err(Rejection::ConflictingParameters(names.expires, names.policy)),
            (None, None) => {
                return Err(Rejection::MissingParameter(if names.expires == QUERY.expires {
                    "Expires or Policy"
                } else {
                    "CloudFront-Expires or CloudFront-Policy"
                }));
            }
            (Some(expires), None) => {
                // Plain digits only: u64's parser would also take "+9" or "09",
                // which CloudFront does not treat as the same number.
                let plain = expires.bytes().all(|b| b.is_ascii_digit())
                    && !expires.is_empty()
                    && (expires == "0" || !expires.starts_with('0'));
                let expires = Some(expires)
                    .filter(|_| plain)
                    .and_then(|s| s.parse::<u64>().ok())
                    .and_then(|s| Epoch::from_secs(s).ok())
                    .ok_or_else(|| Rejection::MalformedPolicy(format!("{} is not epoch seconds", names.expires)))?;
                let policy = Policy::canned(request_url, expires);
                (policy.to_json().into_bytes(), policy, true)
            }
            (None, Some(encoded)) => {
                let json = encoding::decode(encoded).ok_or(Rejection::MalformedBase64(names.policy))?;
                let policy = Policy::from_json(&json).map_err(Rejection::MalformedPolicy)?;
                (json, policy, false)
            }
        };

        if !key.verify(hash, &message, &signature) {
            return Err(Rejection::BadSignature { key_pair_id: key_pair_id.to_owned(), hash });
        }
        conditions(&policy, request)?;
        if let Some(resource) = policy.resource()
            && !wildcard::matches(resource, request_url)
        {
            return Err(Rejection::ResourceMismatch { resource: resource.to_owned(), url: request_url.to_owned() });
        }
        Ok(Verified { key_pair_id: key_pair_id.to_owned(), hash, canned, policy })
    }
}
