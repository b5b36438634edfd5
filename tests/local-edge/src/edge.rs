//! One request through the edge: CloudFront's checks in CloudFront's order,
//! then the cache, then the origin. Transport-free: the TCP (HTTP/1.1, HTTP/2)
//! and QUIC (HTTP/3) servers both hand their requests here.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine;
use cfsign::{Clock, Epoch, RequestContext};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use crate::body::Body;
use crate::cache::{Cache, Entry};
use crate::cache_control;
use crate::distribution::{Distribution, ViewerProtocol};
use crate::enforce;
use crate::origin::{Fetched, Object, ObjectMeta, S3Origin, object_key};
use crate::ranges::{self, Wanted};
use crate::refusal::Refusal;

/// CloudFront's limits: the URL, and the request line plus headers.
pub const MAX_URL_BYTES: usize = 8_192;
pub const MAX_REQUEST_BYTES: usize = 20_480;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const REASON: HeaderName = HeaderName::from_static("x-cfsign-reason");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
    Http3,
}

/// Where a request came from and how.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub address: SocketAddr,
    pub tls: bool,
    pub protocol: Protocol,
}

/// Choices the control plane does not make.
#[derive(Debug, Clone)]
pub struct EdgeOptions {
    /// With s3:ListBucket a missing object is S3's 404; without it (Origin
    /// Access Control's usual policy, and the stack's), S3 answers 403.
    pub list_bucket: bool,
    /// The UDP port HTTP/3 is served on, advertised in `Alt-Svc` while the
    /// distribution's HttpVersion includes HTTP/3.
    pub h3_port: Option<u16>,
}

pub struct Edge {
    distribution: watch::Receiver<Arc<Distribution>>,
    origin: S3Origin,
    cache: Arc<Cache>,
    clock: Arc<dyn Clock>,
    options: EdgeOptions,
    /// The `Via` host: one edge server's name, as CloudFront's 32 hex digits.
    via: HeaderValue,
}

/// The host the viewer asked for: `Host` (HTTP/1.1) or the authority (HTTP/2 and 3).
fn host_of(request: &Request<()>) -> Option<&str> {
    request.uri().authority().map(|a| a.as_str()).or_else(|| request.headers().get(header::HOST)?.to_str().ok())
}

fn request_bytes(request: &Request<()>) -> usize {
    let line = request.method().as_str().len() + request.uri().to_string().len() + 12;
    line + request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum::<usize>()
}

fn client_ip(address: SocketAddr) -> IpAddr {
    address.ip().to_canonical()
}

impl Edge {
    pub fn new(
        distribution: watch::Receiver<Arc<Distribution>>,
        origin: S3Origin,
        cache: Arc<Cache>,
        clock: Arc<dyn Clock>,
        options: EdgeOptions,
    ) -> Self {
        let id: String = (0..32).map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0')).collect();
        let via =
            HeaderValue::try_from(format!("1.1 {id}.cloudfront.net (CloudFront)")).expect("hex is a header value");
        Self { distribution, origin, cache, clock, options, via }
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    pub fn distribution(&self) -> Arc<Distribution> {
        self.distribution.borrow().clone()
    }

    /// Whether the distribution currently offers HTTP/2 (read at each TLS handshake).
    pub fn offers_h2(&self) -> bool {
        self.distribution.borrow().http_versions.h2
    }

    pub fn offers_h3(&self) -> bool {
        self.distribution.borrow().http_versions.h3
    }

    pub async fn handle(&self, request: Request<()>, viewer: Viewer) -> Response<Body> {
        // CloudFront's request ids: 40 random bytes, 56 characters of URL-safe base64.
        let id_bytes: [u8; 40] = std::array::from_fn(|_| fastrand::u8(..));
        let request_id = base64::engine::general_purpose::URL_SAFE.encode(id_bytes);
        let distribution = self.distribution();
        let mut response = match self.answer(&request, viewer, &distribution).await {
            Ok(response) => response,
            Err(refusal) => refused(&refusal, &request_id),
        };
        let headers = response.headers_mut();
        headers.insert(header::DATE, date(self.clock.now()));
        headers.insert(header::VIA, self.via.clone());
        headers.insert("x-amz-cf-pop", HeaderValue::from_static("LCL50-C1"));
        headers.insert("x-amz-cf-id", HeaderValue::try_from(request_id).expect("base64 is a header value"));
        if let (Some(port), true) = (self.options.h3_port, distribution.http_versions.h3) {
            let alt_svc = format!("h3=\":{port}\"; ma=86400");
            headers.insert(header::ALT_SVC, HeaderValue::try_from(alt_svc).expect("digits are a header value"));
        }
        if viewer.protocol != Protocol::Http1 {
            // Connection-specific headers do not exist in HTTP/2 and HTTP/3.
            headers.remove(header::CONNECTION);
        }
        if request.method() == Method::HEAD {
            *response.body_mut() = Body::empty();
        }
        response
    }

    async fn answer(
        &self,
        request: &Request<()>,
        viewer: Viewer,
        distribution: &Distribution,
    ) -> Result<Response<Body>, Refusal> {
        let path_and_query = request.uri().path_and_query().map_or("/", |p| p.as_str());
        if path_and_query.len() > MAX_URL_BYTES {
            return Err(Refusal::too_large(format!(
                "the URL is {} bytes, over CloudFront's {MAX_URL_BYTES}",
                path_and_query.len()
            )));
        }
        let size = request_bytes(request);
        if size > MAX_REQUEST_BYTES {
            return Err(Refusal::too_large(format!(
                "the request line and headers are {size} bytes, over CloudFront's {MAX_REQUEST_BYTES}"
            )));
        }
        let host = host_of(request).ok_or_else(|| Refusal::bad_request("the request names no host"))?;
        if !viewer.tls {
            match distribution.viewer_protocol {
                ViewerProtocol::HttpsOnly => return Err(Refusal::https_only()),
                ViewerProtocol::RedirectToHttps => return Ok(redirect_to_https(host, path_and_query)),
                ViewerProtocol::AllowAll => {}
            }
        }
        if !matches!(*request.method(), Method::GET | Method::HEAD) {
            return Err(Refusal::method_not_allowed(request.method()));
        }
        crate::viewer_request::guard(request.uri().path())?;
        if let Some(keys) = &distribution.trusted_keys {
            let at = Epoch::now(self.clock.as_ref()).map_err(|e| Refusal::bad_request(e.to_string()))?;
            let context = RequestContext { at, client_ip: Some(client_ip(viewer.address)) };
            enforce::check(keys, host, path_and_query, request.headers(), &context)?;
        }
        Ok(self.cached_or_fetched(request, distribution).await)
    }

    async fn cached_or_fetched(&self, request: &Request<()>, distribution: &Distribution) -> Response<Body> {
        let path = request.uri().path();
        let now = self.clock.now();
        let cached = self.cache.get(path);
        if let Some(entry) = &cached
            && entry.is_fresh(now)
        {
            return serve(
                request,
                &entry.object.meta,
                Content::Whole(&entry.object.body),
                "Hit from cloudfront",
                Some(entry.age(now)),
            );
        }
        let Some(key) = object_key(path).filter(|k| !k.is_empty()) else {
            return self.missing(path);
        };
        let generation = self.cache.generation();
        let etag = cached.as_ref().and_then(|e| e.object.meta.etag.clone());
        let fetched =
            self.origin.fetch(&distribution.bucket, &key, etag.as_deref(), |size| self.cache.admits(size)).await;
        match fetched {
            Ok(Fetched::NotModified) => match cached {
                Some(entry) => {
                    let ttl = cache_control::ttl(entry.object.meta.cache_control.as_deref());
                    self.cache.refresh(path, now, ttl);
                    serve(
                        request,
                        &entry.object.meta,
                        Content::Whole(&entry.object.body),
                        "RefreshHit from cloudfront",
                        Some(std::time::Duration::ZERO),
                    )
                }
                None => self.missing(path),
            },
            Ok(Fetched::Whole(object)) => {
                let ttl = cache_control::ttl(object.meta.cache_control.as_deref());
                let response = serve(request, &object.meta, Content::Whole(&object.body), "Miss from cloudfront", None);
                self.cache.put(
                    path,
                    Entry { object: Object { meta: object.meta.clone(), body: object.body.clone() }, stored: now, ttl },
                    generation,
                );
                response
            }
            Ok(Fetched::Streaming { meta, body }) => {
                serve(request, &meta, Content::Streaming(body), "Miss from cloudfront", None)
            }
            Ok(Fetched::Missing) => self.missing(path),
            Err(e) => {
                tracing::warn!("origin: {e}");
                let refusal = Refusal::html(StatusCode::BAD_GATEWAY, crate::refusal::BAD_REQUEST, e.to_string());
                refused(&refusal, "origin")
            }
        }
    }

    /// S3's answer for a key it does not hold, as CloudFront passes it on.
    fn missing(&self, path: &str) -> Response<Body> {
        let (status, code, message) = if self.options.list_bucket {
            (StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist.")
        } else {
            (StatusCode::FORBIDDEN, "AccessDenied", "Access Denied")
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        );
        let reason = format!("the origin has no object for {path}");
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/xml")
            .header(header::SERVER, "AmazonS3")
            .header(X_CACHE, "Error from cloudfront")
            .header(REASON, reason_value(&reason))
            .body(Body::full(body))
            .expect("a valid response")
    }
}

enum Content<'a> {
    Whole(&'a bytes::Bytes),
    Streaming(aws_sdk_s3::primitives::ByteStream),
}

/// An object's answer: 304 for a matching validator, 206 or 416 for a range, else 200.
fn serve(
    request: &Request<()>,
    meta: &ObjectMeta,
    content: Content<'_>,
    x_cache: &'static str,
    age: Option<std::time::Duration>,
) -> Response<Body> {
    let mut builder = Response::builder().header(header::SERVER, "AmazonS3").header(X_CACHE, x_cache);
    if let Some(age) = age {
        builder = builder.header(header::AGE, age.as_secs());
    }
    if let Some(etag) = &meta.etag {
        builder = builder.header(header::ETAG, etag);
    }
    if let Some(modified) = meta.last_modified {
        builder = builder.header(header::LAST_MODIFIED, date(modified));
    }
    if let Some(cache_control) = &meta.cache_control {
        builder = builder.header(header::CACHE_CONTROL, cache_control);
    }
    if not_modified(request.headers(), meta) {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).expect("a valid response");
    }
    let content_type = meta.content_type.as_deref().unwrap_or("binary/octet-stream");
    builder = builder.header(header::CONTENT_TYPE, content_type).header(header::ACCEPT_RANGES, "bytes");
    let range = request.headers().get(header::RANGE).and_then(|v| v.to_str().ok());
    let length = meta.length;
    let (status, part) = match ranges::wanted(range, length) {
        Wanted::Whole => (StatusCode::OK, 0..length),
        Wanted::Part(part) => {
            builder = builder.header(header::CONTENT_RANGE, format!("bytes {}-{}/{length}", part.start, part.end - 1));
            (StatusCode::PARTIAL_CONTENT, part)
        }
        Wanted::Unsatisfiable => {
            return builder
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{length}"))
                .body(Body::empty())
                .expect("a valid response");
        }
    };
    let body = match content {
        Content::Whole(bytes) => Body::full(bytes.slice(part.start as usize..part.end as usize)),
        Content::Streaming(stream) => Body::from_origin(stream, part.clone()),
    };
    builder.status(status).header(header::CONTENT_LENGTH, part.end - part.start).body(body).expect("a valid response")
}

/// If-None-Match wins over If-Modified-Since, as RFC 9110 orders them.
fn not_modified(headers: &HeaderMap, meta: &ObjectMeta) -> bool {
    if let Some(tags) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let weakless = |t: &str| t.trim().trim_start_matches("W/").to_owned();
        return meta
            .etag
            .as_deref()
            .is_some_and(|etag| tags.split(',').any(|tag| tag.trim() == "*" || weakless(tag) == weakless(etag)));
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    matches!((since, meta.last_modified), (Some(since), Some(modified)) if modified <= since)
}

fn date(at: SystemTime) -> HeaderValue {
    HeaderValue::try_from(httpdate::fmt_http_date(at)).expect("an HTTP date is a header value")
}

/// A reason in words, kept to what a header may hold.
fn reason_value(reason: &str) -> HeaderValue {
    let printable: String = reason.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    HeaderValue::try_from(printable).expect("printable ASCII is a header value")
}

fn refused(refusal: &Refusal, request_id: &str) -> Response<Body> {
    let (body, content_type) = refusal.body(request_id);
    let mut builder = Response::builder()
        .status(refusal.status)
        .header(header::SERVER, "CloudFront")
        .header(X_CACHE, refusal.x_cache())
        .header(REASON, reason_value(&refusal.reason));
    if !content_type.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    if refusal.status == StatusCode::PAYLOAD_TOO_LARGE {
        builder = builder.header(header::CONNECTION, "close");
    }
    builder.body(Body::full(body)).expect("a valid response")
}

fn redirect_to_https(host: &str, path_and_query: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(header::LOCATION, format!("https://{host}{path_and_query}"))
        .header(header::SERVER, "CloudFront")
        .header(X_CACHE, "Redirect from cloudfront")
        .body(Body::empty())
        .expect("a valid response")
}
