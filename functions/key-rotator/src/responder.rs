//! Sending the answer to CloudFormation: a PUT of the response's JSON to the
//! pre-signed ResponseURL, on the hosts [`ResponseHosts`] allows.

use std::future::Future;
use std::time::Duration;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponse as Response;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{Error, Result};
use crate::response_url::ResponseHosts;

/// Delivers the answer to CloudFormation.
pub trait Responder: Send + Sync {
    /// PUTs `response` to `url`; an error when the URL is not allowed or the PUT does not succeed.
    fn send(&self, url: &str, response: &Response) -> impl Future<Output = Result<()>> + Send;
}

/// An HTTP PUT to the pre-signed S3 URL, over the HTTP and TLS stack the AWS
/// SDK already carries (hyper, rustls on AWS-LC, the system's root certificates):
/// a client library of its own would compile that stack, and the SDK above it,
/// a second time with other features.
pub struct HttpResponder {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    hosts: ResponseHosts,
}

impl HttpResponder {
    /// How long the PUT may take. S3 answers in well under a second. Shorter
    /// than the time the work leaves for the answer ([`DEADLINE_MARGIN`]), so
    /// a PUT that hangs fails the invocation before Lambda stops it, and
    /// Lambda's retry of CloudFormation's asynchronous invocation answers again.
    ///
    /// [`DEADLINE_MARGIN`]: crate::handler::DEADLINE_MARGIN
    pub const TIMEOUT: Duration = Duration::from_secs(10);

    /// A responder that sends only to `hosts`. Fails when the system has no
    /// root certificates to trust.
    pub fn new(timeout: Duration, hosts: ResponseHosts) -> Result<Self> {
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| Error::Response(format!("no root certificates to trust: {e}")))?
            // CloudFormation's ResponseURL is HTTPS; the local stack's is plain
            // HTTP on loopback, which only ResponseHosts::Loopback lets through.
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self { client: Client::builder(TokioExecutor::new()).build(https), timeout, hosts })
    }
}

impl Responder for HttpResponder {
    async fn send(&self, url: &str, response: &Response) -> Result<()> {
        self.hosts.check(url)?;
        let body = serde_json::to_vec(response).map_err(|e| Error::Response(e.to_string()))?;
        // The URL is signed for no Content-Type at all. Errors never show the
        // URL: it carries a signature.
        let request = http::Request::put(url)
            .header(CONTENT_TYPE, "")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Error::Response(format!("ResponseURL is not a URL: {e}")))?;
        let Ok(answer) = tokio::time::timeout(self.timeout, self.client.request(request)).await else {
            return Err(Error::Response(format!("ResponseURL did not answer within {:?}", self.timeout)));
        };
        match answer {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(Error::Response(format!("ResponseURL answered HTTP {}", answer.status()))),
            Err(e) => Err(Error::Response(DisplayErrorContext(e).to_string())),
        }
    }
}
