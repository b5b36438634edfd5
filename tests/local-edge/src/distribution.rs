//! The parts of a distribution the edge enforces, read from its configuration.

use std::sync::Arc;

use crate::trusted_keys::TrustedKeys;

/// What the viewer protocol policy of the default cache behaviour says about plain HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerProtocol {
    HttpsOnly,
    RedirectToHttps,
    AllowAll,
}

impl ViewerProtocol {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "https-only" => Some(Self::HttpsOnly),
            "redirect-to-https" => Some(Self::RedirectToHttps),
            "allow-all" => Some(Self::AllowAll),
            _ => None,
        }
    }
}

/// The HTTP versions the distribution offers viewers (its `HttpVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpVersions {
    pub h2: bool,
    pub h3: bool,
}

impl HttpVersions {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "http1.1" => Some(Self { h2: false, h3: false }),
            "http2" => Some(Self { h2: true, h3: false }),
            "http3" => Some(Self { h2: false, h3: true }),
            "http2and3" => Some(Self { h2: true, h3: true }),
            _ => None,
        }
    }
}

/// One snapshot of the distribution, replaced whole when its configuration changes.
#[derive(Debug)]
pub struct Distribution {
    pub id: String,
    /// The S3 bucket of the default cache behaviour's origin.
    pub bucket: String,
    pub viewer_protocol: ViewerProtocol,
    pub http_versions: HttpVersions,
    /// The public keys of the trusted key groups, by id; `None` when the
    /// behaviour does not restrict viewer access.
    pub trusted_keys: Option<Arc<TrustedKeys>>,
    /// The ids of those keys, for the log and for tests.
    pub key_ids: Vec<String>,
}

/// The bucket named by an S3 origin's domain: `BUCKET.s3.REGION.amazonaws.com`,
/// `BUCKET.s3.amazonaws.com` or the older `BUCKET.s3-REGION.amazonaws.com`.
pub fn bucket_of_origin(domain: &str) -> Option<&str> {
    let (bucket, rest) = domain.split_once(".s3")?;
    let s3_host = rest.starts_with('.') || rest.starts_with('-');
    (s3_host && rest.ends_with(".amazonaws.com") && !bucket.is_empty()).then_some(bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_origin_domains_name_their_bucket() {
        assert_eq!(bucket_of_origin("assets.s3.us-east-1.amazonaws.com"), Some("assets"));
        assert_eq!(bucket_of_origin("my.dotted.bucket.s3.amazonaws.com"), Some("my.dotted.bucket"));
        assert_eq!(bucket_of_origin("old.s3-eu-west-1.amazonaws.com"), Some("old"));
        assert_eq!(bucket_of_origin("example.com"), None);
        assert_eq!(bucket_of_origin(".s3.amazonaws.com"), None);
        assert_eq!(bucket_of_origin("a.s3x.example.com"), None);
    }

    #[test]
    fn viewer_protocol_policies_are_cloudfronts_three() {
        assert_eq!(ViewerProtocol::parse("https-only"), Some(ViewerProtocol::HttpsOnly));
        assert_eq!(ViewerProtocol::parse("redirect-to-https"), Some(ViewerProtocol::RedirectToHttps));
        assert_eq!(ViewerProtocol::parse("allow-all"), Some(ViewerProtocol::AllowAll));
        assert_eq!(ViewerProtocol::parse("HTTPS-ONLY"), None);
    }

    #[test]
    fn http_versions_are_cloudfronts_four() {
        assert_eq!(HttpVersions::parse("http1.1"), Some(HttpVersions { h2: false, h3: false }));
        assert_eq!(HttpVersions::parse("http2"), Some(HttpVersions { h2: true, h3: false }));
        assert_eq!(HttpVersions::parse("http3"), Some(HttpVersions { h2: false, h3: true }));
        assert_eq!(HttpVersions::parse("http2and3"), Some(HttpVersions { h2: true, h3: true }));
        assert_eq!(HttpVersions::parse("h2"), None);
    }
}
