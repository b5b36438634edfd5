//! The policy statement CloudFront checks, and its JSON.
//!
//! One serializer writes both forms: a canned policy is the custom form with
//! only `DateLessThan`, with the request URL as its resource, written without
//! whitespace — the exact bytes CloudFront rebuilds from the request. serde_json
//! escapes `"`, `\` and control characters and leaves `&`, `<`, `>` raw, so a
//! resource can neither break out of its string nor be re-encoded differently.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::resource::{self, has_wildcard};
use crate::time::Epoch;

/// One policy statement: which resource, until when, from when, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    resource: Option<String>,
    expires: Epoch,
    starts: Option<Epoch>,
    source_ip: Option<Ipv4Net>,
}

impl Policy {
    /// The policy CloudFront rebuilds for a canned signature on `url`.
    pub fn canned(url: &str, expires: Epoch) -> Self {
        Self { resource: Some(url.to_owned()), expires, starts: None, source_ip: None }
    }

    /// The resource; `None` when a custom policy leaves it out, which CloudFront
    /// reads as "any object".
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    pub fn expires(&self) -> Epoch {
        self.expires
    }

    pub fn starts(&self) -> Option<Epoch> {
        self.starts
    }

    pub fn source_ip(&self) -> Option<Ipv4Net> {
        self.source_ip
    }

    /// True when this policy can travel as a canned `Expires` for `url`.
    pub(crate) fn is_canned_for(&self, url: &str, question_mark_is_wildcard: bool) -> bool {
        self.starts.is_none()
            && self.source_ip.is_none()
            && self.resource.as_deref() == Some(url)
            && !has_wildcard(url, question_mark_is_wildcard)
    }

    pub fn to_json(&self) -> String {
        let document = Document {
            statement: [Statement {
                resource: self.resource.as_deref().map(Into::into),
                condition: Condition {
                    date_less_than: EpochTime { seconds: self.expires.as_secs() },
                    date_greater_than: self.starts.map(|s| EpochTime { seconds: s.as_secs() }),
                    ip_address: self.source_ip.map(|ip| SourceIp { range: ip.to_string() }),
                },
            }]
            .into(),
        };
        serde_json::to_string(&document).expect("a policy always serializes")
    }

    /// Reads a custom policy as CloudFront would, refusing what it would refuse.
    pub fn from_json(json: &[u8]) -> Result<Self, String> {
        let document: Document =
            serde_json::from_slice(json).map_err(|e| format!("the policy is not a valid policy document: {e}"))?;
        let [statement] = <[Statement; 1]>::try_from(document.statement)
            .map_err(|all| format!("a policy holds exactly one statement, this one holds {}", all.len()))?;
        let epoch = |field: &str, seconds: u64| Epoch::from_secs(seconds).map_err(|e| format!("{field}: {e}"));
        let condition = statement.condition;
        Ok(Self {
            resource: statement.resource,
            expires: epoch("DateLessThan", condition.date_less_than.seconds)?,
            starts: condition.date_greater_than.map(|s| epoch("DateGreaterThan", s.seconds)).transpose()?,
            source_ip: condition
                .ip_address
                .map(|ip| parse_ipv4_range(&ip.range).map_err(|e| format!("IpAddress: {e}")))
                .transpose()?,
        })
    }
}

/// Parses `AWS:SourceIp`: an IPv4 CIDR, or a bare IPv4 address meaning /32.
/// IPv6 is refused: CloudFront documents it as unsupported in signed URLs.
pub fn parse_ipv4_range(text: &str) -> Result<Ipv4Net> {
    if text.parse::<ipnet::Ipv6Net>().is_ok() || text.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(Error::InvalidIpRange(format!(
            "{text:?} is IPv6; CloudFront signed URLs support only IPv4 ranges"
        )));
    }
    text.parse::<Ipv4Net>()
        .or_else(|_| text.parse::<std::net::Ipv4Addr>().map(Ipv4Net::from))
        .map_err(|_| Error::InvalidIpRange(format!("{text:?} is not an IPv4 address or CIDR range")))
}

/// What the caller wants the signature to allow, beyond the URL itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditions {
    expires: Epoch,
    starts: Option<Epoch>,
    source_ip: Option<Ipv4Net>,
    resource: Option<String>,
}

impl Conditions {
    pub fn expires_at(expires: Epoch) -> Self {
        Self { expires, starts: None, source_ip: None, resource: None }
    }

    /// Expiry `lifetime` after the clock's now.
    pub fn expires_in(lifetime: std::time::Duration, clock: &(impl crate::Clock + ?Sized)) -> Result<Self> {
        Ok(Self::expires_at(Epoch::now(clock)?.plus(lifetime)?))
    }

    /// Not valid before `starts` (forces a custom policy).
    pub fn not_before(mut self, starts: Epoch) -> Self {
        self.starts = Some(starts);
        self
    }

    /// Only for clients in `range` (forces a custom policy).
    pub fn from_ip_range(mut self, range: Ipv4Net) -> Self {
        self.source_ip = Some(range);
        self
    }

    /// A policy resource other than the signed URL, for example a wildcard
    /// covering many objects (forces a custom policy).
    pub fn for_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The expiry rounded up, and any start rounded down, to whole multiples
    /// of `window` seconds since the epoch. Every signing inside one window
    /// then signs the same policy, so the URL comes out byte-identical (RSA
    /// signatures are deterministic; ECDSA ones need the signer's signature
    /// cache) and browsers and the edge cache it. The price: a signature stays
    /// valid up to one window longer, and from up to one window earlier, than
    /// asked. Refused only if the rounded expiry passes 2038.
    pub fn rounded_to(mut self, window: std::time::Duration) -> Result<Self> {
        self.expires = self.expires.round_up(window)?;
        self.starts = self.starts.map(|starts| starts.round_down(window));
        Ok(self)
    }

    pub fn expires(&self) -> Epoch {
        self.expires
    }

    pub fn starts(&self) -> Option<Epoch> {
        self.starts
    }

    /// The policy for `target` (the URL or cookie resource) and whether it may be canned.
    pub(crate) fn policy_for(&self, target: &str, question_mark_is_wildcard: bool) -> Result<(Policy, bool)> {
        if let Some(starts) = self.starts
            && starts >= self.expires
        {
            return Err(Error::StartNotBeforeExpiry { starts: starts.as_secs(), expires: self.expires.as_secs() });
        }
        let resource = match &self.resource {
            Some(explicit) => {
                resource::check_resource(explicit)?;
                explicit.clone()
            }
            None => target.to_owned(),
        };
        let policy =
            Policy { resource: Some(resource), expires: self.expires, starts: self.starts, source_ip: self.source_ip };
        let canned = policy.is_canned_for(target, question_mark_is_wildcard);
        Ok((policy, canned))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "Statement")]
    statement: Vec<Statement>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Statement {
    #[serde(rename = "Resource", skip_serializing_if = "Option::is_none")]
    resource: Option<String>,
    #[serde(rename = "Condition")]
    condition: Condition,
}

/// Field order is the documentation's (the JS signer writes the same; botocore and
/// the AWS CLI put IpAddress before DateGreaterThan, which means the same).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Condition {
    #[serde(rename = "DateLessThan")]
    date_less_than: EpochTime,
    #[serde(rename = "DateGreaterThan", skip_serializing_if = "Option::is_none")]
    date_greater_than: Option<EpochTime>,
    #[serde(rename = "IpAddress", skip_serializing_if = "Option::is_none")]
    ip_address: Option<SourceIp>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochTime {
    #[serde(rename = "AWS:EpochTime")]
    seconds: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceIp {
    #[serde(rename = "AWS:SourceIp")]
    range: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(s: u64) -> Epoch {
        Epoch::from_secs(s).unwrap()
    }

    #[test]
    fn canned_policy_is_byte_exact() {
        let json = Policy::canned("https://d111111abcdef8.cloudfront.net/a.jpg?x=1&y=<2>", epoch(1767225600)).to_json();
        assert_eq!(
            json,
            r#"{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/a.jpg?x=1&y=<2>","Condition":{"DateLessThan":{"AWS:EpochTime":1767225600}}}]}"#
        );
    }

    #[test]
    fn custom_policy_orders_conditions_like_the_documentation() {
        let (policy, canned) = Conditions::expires_at(epoch(200))
            .not_before(epoch(100))
            .from_ip_range("192.0.2.0/24".parse().unwrap())
            .policy_for("https://d.net/a", false)
            .unwrap();
        assert!(!canned);
        assert_eq!(
            policy.to_json(),
            r#"{"Statement":[{"Resource":"https://d.net/a","Condition":{"DateLessThan":{"AWS:EpochTime":200},"DateGreaterThan":{"AWS:EpochTime":100},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}}}]}"#
        );
        assert_eq!(Policy::from_json(policy.to_json().as_bytes()).unwrap(), policy);
    }

    #[test]
    fn custom_is_chosen_automatically() {
        let base = Conditions::expires_at(epoch(200));
        let canned = |c: &Conditions, target: &str, pattern: bool| c.policy_for(target, pattern).unwrap().1;
        assert!(canned(&base, "https://d.net/a", false));
        assert!(canned(&base, "https://d.net/a?b=1", false));
        assert!(!canned(&base, "https://d.net/a?b=1", true));
        assert!(!canned(&base, "https://d.net/*", false));
        assert!(!canned(&base.clone().not_before(epoch(1)), "https://d.net/a", false));
        assert!(!canned(&base.clone().for_resource("https://d.net/*"), "https://d.net/a", false));
        assert!(canned(&base.clone().for_resource("https://d.net/a"), "https://d.net/a", false));
    }

    #[test]
    fn ip_ranges_are_ipv4_cidrs_or_bare_addresses() {
        assert_eq!(parse_ipv4_range("192.0.2.1").unwrap(), "192.0.2.1/32".parse().unwrap());
        for (bad, why) in [
            ("2001:db8::/32", "IPv6"),
            ("::1", "IPv6"),
            ("192.0.2.0/33", "not an IPv4"),
            ("x", "not an IPv4"),
            // Policy injection through the range: text with a colon is not IPv6 for that.
            (r#"192.168.1.0","Resource":"*"#, "is not an IPv4 address or CIDR range"),
        ] {
            match parse_ipv4_range(bad) {
                Err(Error::InvalidIpRange(message)) => assert!(message.contains(why), "{message}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn rounding_widens_validity_by_less_than_one_window_at_either_end() {
        let window = std::time::Duration::from_secs(300);
        let rounded = Conditions::expires_at(epoch(1_000_001)).not_before(epoch(999_899)).rounded_to(window).unwrap();
        assert_eq!((rounded.starts(), rounded.expires()), (Some(epoch(999_600)), epoch(1_000_200)));
        let on_boundaries = Conditions::expires_at(epoch(1_000_200)).not_before(epoch(999_600));
        assert_eq!(on_boundaries.clone().rounded_to(window).unwrap(), on_boundaries);
        // Every expiry inside one window signs one policy.
        let policy = |expires| {
            let conditions = Conditions::expires_at(epoch(expires)).rounded_to(window).unwrap();
            conditions.policy_for("https://d.net/a", false).unwrap().0.to_json()
        };
        assert_eq!(policy(999_901), policy(1_000_200));
        assert_ne!(policy(1_000_200), policy(1_000_201));
    }

    #[test]
    fn start_must_precede_expiry() {
        let err = Conditions::expires_at(epoch(100)).not_before(epoch(100)).policy_for("https://d.net/a", false);
        assert_eq!(err.unwrap_err(), Error::StartNotBeforeExpiry { starts: 100, expires: 100 });
    }

    #[test]
    fn hostile_resources_stay_inside_their_string() {
        let resource = r#"https://d.net/a","Condition":{"DateLessThan":{"AWS:EpochTime":9}}}],"x":"\"#;
        let policy = Policy::canned(resource, epoch(5));
        let parsed = Policy::from_json(policy.to_json().as_bytes()).unwrap();
        assert_eq!(parsed.resource(), Some(resource));
        assert_eq!(parsed.expires(), epoch(5));
    }

    #[test]
    fn reads_whitespace_and_any_condition_order_but_refuses_malformed_policies() {
        let spaced = br#"{ "Statement": [ { "Condition": { "IpAddress": {"AWS:SourceIp": "10.0.0.1"},
            "DateLessThan": {"AWS:EpochTime": 9} }, "Resource": "https://d.net/*" } ] }"#;
        let policy = Policy::from_json(spaced).unwrap();
        assert_eq!(policy.source_ip(), Some("10.0.0.1/32".parse().unwrap()));
        for (bad, why) in [
            (&b"not json"[..], "not a valid policy"),
            (br#"{"Statement":[]}"#, "exactly one statement, this one holds 0"),
            (br#"{"Statement":[{"Condition":{}}]}"#, "DateLessThan"),
            (br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"9"}}}]}"#, "not a valid"),
            (br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1767225600000}}}]}"#, "milliseconds"),
            (br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9},"IpAddress":{"AWS:SourceIp":"::1/128"}}}]}"#, "IPv6"),
            (br#"{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":9},"DateLessThen":{}}}]}"#, "unknown field"),
        ] {
            let err = Policy::from_json(bad).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }
}
