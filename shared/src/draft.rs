//! A signed URL or cookie set before its signature: the policy written, the
//! rest waiting. Local and remote signers both go through it, so a URL is
//! built the same whoever signs it.

use crate::cookies::SignedCookies;
use crate::encoding;
use crate::error::{Error, Result};
use crate::hash::HashAlgorithm;
use crate::policy::{Conditions, Policy};
use crate::resource::{self, MAX_COOKIE_LENGTH, MAX_URL_LENGTH};
use crate::wildcard;

/// What is signed and how it will travel.
pub(crate) struct Draft<'a> {
    /// The URL (or cookie resource) it is for.
    target: &'a str,
    policy: Policy,
    policy_json: String,
    /// A canned policy travels as its expiry alone.
    canned: bool,
}

impl<'a> Draft<'a> {
    /// A signed URL's draft: the URL is checked, and a policy resource that
    /// does not cover it refused.
    pub(crate) fn url(url: &'a str, conditions: &Conditions) -> Result<Self> {
        resource::check_url(url)?;
        let (policy, canned) = conditions.policy_for(url, false)?;
        // CloudFront matches the resource against this very URL: one that does
        // not cover it gives a URL that can only ever answer 403.
        if let Some(resource) = policy.resource()
            && !wildcard::matches(resource, url)
        {
            return Err(Error::InvalidResource(format!(
                "the policy resource {resource} does not cover the URL {url} (* and ? are the only wildcards); CloudFront would answer 403"
            )));
        }
        let policy_json = policy.to_json();
        Ok(Self { target: url, policy, policy_json, canned })
    }

    /// A cookie set's draft, for `resource` (which may hold `*` and `?` wildcards).
    pub(crate) fn cookies(resource: &'a str, conditions: &Conditions) -> Result<Self> {
        resource::check_resource(resource)?;
        let (policy, canned) = conditions.policy_for(resource, true)?;
        let policy_json = policy.to_json();
        Ok(Self { target: resource, policy, policy_json, canned })
    }

    /// The exact text the signature covers.
    pub(crate) fn policy_json(&self) -> &str {
        &self.policy_json
    }

    /// The URL with `Expires` (canned) or `Policy` (custom), `Signature`,
    /// `Key-Pair-Id` and, for SHA-256, `Hash-Algorithm` appended to its own query.
    pub(crate) fn into_url(self, signature: &str, key_pair_id: &str, hash: HashAlgorithm) -> Result<String> {
        let url = self.target;
        let json = &self.policy_json;
        let mut signed = String::with_capacity(url.len() + json.len() * 4 / 3 + signature.len() + 64);
        signed.push_str(url);
        signed.push(if url.contains('?') { '&' } else { '?' });
        if self.canned {
            signed.push_str("Expires=");
            signed.push_str(&self.policy.expires().to_string());
        } else {
            signed.push_str("Policy=");
            signed.push_str(&encoding::encode(json.as_bytes()));
        }
        for (name, value) in [("Signature", signature), ("Key-Pair-Id", key_pair_id)] {
            signed.extend(["&", name, "=", value]);
        }
        if let Some(hash) = hash.parameter() {
            signed.extend(["&Hash-Algorithm=", hash]);
        }
        if signed.len() > MAX_URL_LENGTH {
            return Err(Error::UrlTooLong { len: signed.len(), limit: MAX_URL_LENGTH });
        }
        Ok(signed)
    }

    /// The cookies: `CloudFront-Expires` or `CloudFront-Policy`, then
    /// `-Signature`, `-Key-Pair-Id` and, for SHA-256, `-Hash-Algorithm`.
    pub(crate) fn into_cookies(self, signature: &str, key_pair_id: &str, hash: HashAlgorithm) -> Result<SignedCookies> {
        let first = if self.canned {
            ("CloudFront-Expires", self.policy.expires().to_string())
        } else {
            ("CloudFront-Policy", encoding::encode(self.policy_json.as_bytes()))
        };
        let mut cookies = vec![
            first,
            ("CloudFront-Signature", signature.to_owned()),
            ("CloudFront-Key-Pair-Id", key_pair_id.to_owned()),
        ];
        if let Some(hash) = hash.parameter() {
            cookies.push(("CloudFront-Hash-Algorithm", hash.to_owned()));
        }
        if let Some((name, value)) =
            cookies.iter().find(|(name, value)| name.len() + 1 + value.len() > MAX_COOKIE_LENGTH)
        {
            let len = name.len() + 1 + value.len();
            return Err(Error::CookieTooLong { name, len, limit: MAX_COOKIE_LENGTH });
        }
        Ok(SignedCookies::new(cookies))
    }
}
