//! Where an answer to CloudFormation may go. The event names its ResponseURL,
//! and anyone allowed to invoke this function writes the event: without this
//! check it would PUT to any address it names (an internal service, the
//! instance metadata endpoint). CloudFormation's URLs are pre-signed S3 URLs
//! on AWS's hosts, over HTTPS.

use crate::error::{Error, Result};

/// The hosts a ResponseURL may name (`RESPONSE_URL_HOSTS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResponseHosts {
    /// HTTPS on the default port of a host under `amazonaws.com` (or the
    /// China partition's `amazonaws.com.cn`), as CloudFormation's are, such as
    /// `cloudformation-custom-resource-response-useast1.s3.amazonaws.com`.
    #[default]
    CloudFormation,
    /// HTTP or HTTPS on loopback only (`127.0.0.1`, `localhost`, `[::1]`):
    /// the local stack, whose local AWS answers there. The template never sets it.
    Loopback,
}

impl std::str::FromStr for ResponseHosts {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "cloudformation" => Ok(Self::CloudFormation),
            "loopback" => Ok(Self::Loopback),
            other => Err(format!("{other:?} is not cloudformation or loopback")),
        }
    }
}

impl ResponseHosts {
    /// Refuses `url` unless it is on these hosts. The error shows the scheme
    /// and host only: the rest of a ResponseURL is its signature.
    pub fn check(self, url: &str) -> Result<()> {
        let refuse = |shown: &str| {
            let allowed = match self {
                Self::CloudFormation => "an HTTPS URL on amazonaws.com or amazonaws.com.cn",
                Self::Loopback => "a URL on loopback (RESPONSE_URL_HOSTS=loopback)",
            };
            Error::Response(format!("ResponseURL {shown} is not {allowed}: no request was sent"))
        };
        let uri: http::Uri = url.parse().map_err(|_| refuse("(not a URL)"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(refuse("(not an absolute URL)"));
        };
        let host = authority.host().to_ascii_lowercase();
        let shown = format!("{scheme}://{host}");
        // user@host would put another host than the one checked in some readers' eyes.
        if authority.as_str().contains('@') {
            return Err(refuse(&shown));
        }
        let allowed = match self {
            Self::CloudFormation => {
                scheme == "https"
                    && authority.port_u16().is_none_or(|port| port == 443)
                    && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                    && [".amazonaws.com", ".amazonaws.com.cn"].iter().any(|suffix| host.ends_with(suffix))
            }
            Self::Loopback => {
                matches!(scheme, "http" | "https") && matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
            }
        };
        if allowed { Ok(()) } else { Err(refuse(&shown)) }
    }
}

#[cfg(test)]
mod tests {
    use super::ResponseHosts;

    const SIGNED: &str = "arn%3Aaws%3Acloudformation%3Aus-east-1%3A111122223333%3Astack/cdn/id%7CSigningKeys%7Creq?X-Amz-Signature=0123abcd";

    #[test]
    fn only_cloudformations_hosts_over_https() {
        for host in [
            "cloudformation-custom-resource-response-useast1.s3.amazonaws.com",
            "cloudformation-custom-resource-response-uswest2.s3-us-west-2.amazonaws.com",
            "cloudformation-custom-resource-response-eucentral1.s3.eu-central-1.amazonaws.com",
            "cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn",
        ] {
            ResponseHosts::CloudFormation.check(&format!("https://{host}/{SIGNED}")).unwrap();
            ResponseHosts::CloudFormation.check(&format!("https://{host}:443/{SIGNED}")).unwrap();
        }
        for url in [
            "http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x",
            "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x",
            "https://evil.example.com/x",
            "https://amazonaws.com.evil.example/x",
            "https://evil.example/.amazonaws.com",
            "https://evil.example/?h=.s3.amazonaws.com",
            "https://x.s3.amazonaws.com@evil.example/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1/x",
            "https://amazonaws.com/x",
            "file:///etc/passwd",
            "/relative",
            "not a url",
            "",
        ] {
            let error = ResponseHosts::CloudFormation.check(url).unwrap_err().to_string();
            assert!(error.contains("no request was sent"), "{url}: {error}");
            assert!(!error.contains("X-Amz-Signature"), "{url}: {error}");
        }
    }

    #[test]
    fn loopback_alone_when_the_local_stack_asks() {
        for url in ["http://127.0.0.1:4566/responses/x?sig", "http://localhost:9/x", "http://[::1]:80/x"] {
            ResponseHosts::Loopback.check(url).unwrap();
            assert!(ResponseHosts::CloudFormation.check(url).is_err(), "{url}");
        }
        for url in ["http://10.0.0.1/x", "https://x.s3.amazonaws.com/x", "http://127.0.0.1.evil.example/x"] {
            assert!(ResponseHosts::Loopback.check(url).is_err(), "{url}");
        }
        assert_eq!("loopback".parse(), Ok(ResponseHosts::Loopback));
        assert_eq!("cloudformation".parse(), Ok(ResponseHosts::CloudFormation));
        assert!("anywhere".parse::<ResponseHosts>().is_err());
    }
}
