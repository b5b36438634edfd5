//! The Lambda edge: route the API Gateway (REST or HTTP API) or Function URL
//! request, call the service, answer. One log line per request.

use std::collections::HashMap;
use std::time::Instant;

use cfsign::{Clock, SignatureCount};
use http::{HeaderValue, Method, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use crate::api::{self, CookiesResponse, ErrorBody, ErrorResponse, UrlResponse, UrlsResponse};
use crate::error::Error;
use crate::keys::KeySource;
use crate::service::{Caller, Mode, Output, SignedUrl, SigningService};

/// The HTTP response to `request`, errors as JSON bodies with their status, logged in one line; `main` serves it.
pub async fn handle<S: KeySource, C: Clock>(
    service: &SigningService<S, C>,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    let started = Instant::now();
    let route = Route::of(&request);
    let caller = caller(&request);
    let identity = Identity::of(&request, &caller);
    let mut log = Outcome {
        route: route.name(),
        mode: "-",
        paths: 0,
        lifetime: 0,
        resources: String::new(),
        signatures: Default::default(),
    };
    let result = respond(service, &request, &caller, route, &mut log).await;
    let (response, outcome) = match result {
        Ok(response) => (response, "signed"),
        Err(error) => {
            if error.status() >= 500 {
                tracing::error!(%error, "request failed");
            }
            let code = error.code();
            (json(error.status(), &ErrorResponse { error: ErrorBody { code, message: error.public_message() } }), code)
        }
    };
    let response = with_common_headers(response, service.config().cors_origins.as_slice(), &request);
    tracing::info!(
        route = log.route,
        sub = identity.subject.as_deref().unwrap_or("-"),
        iss = identity.issuer.as_deref().unwrap_or("-"),
        caller_arn = identity.principal_arn.as_deref().unwrap_or("-"),
        mode = log.mode,
        paths = log.paths,
        resources = log.resources,
        lifetime = log.lifetime,
        signatures_computed = log.signatures.computed,
        signatures_cached = log.signatures.cached,
        status = response.status().as_u16(),
        outcome,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "sign request"
    );
    Ok(response)
}

struct Outcome {
    route: &'static str,
    mode: &'static str,
    paths: usize,
    lifetime: u64,
    /// What was signed, space-separated (URLs hold no raw space): the URLs
    /// without their signature, or the cookie resource. Never a signature or a policy.
    resources: String,
    /// Signatures made with the private key, and served from its cache.
    signatures: SignatureCount,
}

/// Who asked, for the record of who signed what: the JWT's subject and
/// issuer (HTTP API JWT authorizer, REST API Cognito authorizer), or the IAM
/// caller's ARN (IAM authorization on an HTTP API, REST API or Function URL).
struct Identity {
    subject: Option<String>,
    issuer: Option<String>,
    principal_arn: Option<String>,
}

impl Identity {
    fn of(request: &Request, caller: &Caller) -> Self {
        let claims = &caller.claims;
        let principal_arn = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => {
                context.authorizer.as_ref().and_then(|a| a.iam.as_ref()).and_then(|iam| iam.user_arn.clone())
            }
            Some(RequestContext::ApiGatewayV1(context)) => context.identity.user_arn.clone(),
            _ => None,
        };
        Self { subject: claims.get("sub").cloned(), issuer: claims.get("iss").cloned(), principal_arn }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    SignPost,
    SignGet,
    Preflight,
    WrongMethod,
    Unknown,
}

impl Route {
    /// `/sign`, also behind a stage prefix (`/prod/sign`), however the event
    /// spells its path.
    fn of(request: &Request) -> Self {
        let segments: Vec<&str> = path_of(request).trim_start_matches('/').split('/').collect();
        let is_sign = matches!(segments.as_slice(), ["sign"] | [_, "sign"]);
        match (is_sign, request.method()) {
            (false, _) => Route::Unknown,
            (true, &Method::POST) => Route::SignPost,
            (true, &Method::GET) => Route::SignGet,
            (true, &Method::OPTIONS) => Route::Preflight,
            (true, _) => Route::WrongMethod,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Route::SignPost => "POST /sign",
            Route::SignGet => "GET /sign",
            Route::Preflight => "OPTIONS /sign",
            Route::WrongMethod | Route::Unknown => "other",
        }
    }
}

async fn respond<S: KeySource, C: Clock>(
    service: &SigningService<S, C>,
    request: &Request,
    caller: &Caller,
    route: Route,
    log: &mut Outcome,
) -> Result<Response<Body>, Error> {
    let (sign_request, redirect) = match route {
        Route::Unknown => return Err(Error::NotFound(path_of(request).chars().take(200).collect())),
        Route::WrongMethod => return Err(Error::MethodNotAllowed(request.method().to_string())),
        Route::Preflight => return Ok(empty(StatusCode::NO_CONTENT)),
        Route::SignPost => (api::parse_body(request.body().as_ref())?, false),
        Route::SignGet => {
            let query = request.query_string_parameters();
            api::parse_query(query.iter())?
        }
    };
    log.mode = match sign_request.mode {
        Mode::Url => "url",
        Mode::Cookies => "cookies",
    };
    log.paths = sign_request.objects.len() + usize::from(sign_request.resource.is_some());

    let signed = service.sign(&sign_request, caller).await?;
    log.lifetime = signed.lifetime_seconds;
    log.signatures = signed.signatures;
    log.resources = match &signed.output {
        // The URL without its signature: with locators, the host says which distribution.
        Output::Urls(urls) => urls.iter().map(SignedUrl::unsigned).collect::<Vec<_>>().join(" "),
        Output::Cookies { resource, .. } => resource.to_string(),
    };
    Ok(match (&signed.output, route) {
        (Output::Urls(urls), Route::SignGet) if redirect => {
            let mut response = empty(StatusCode::FOUND);
            response.headers_mut().insert(header::LOCATION, header_value(&urls[0].url));
            response
        }
        (Output::Urls(urls), Route::SignGet) => {
            json(200, &UrlResponse { url: &urls[0].url, expires_at: signed.expires.as_secs() })
        }
        (Output::Urls(urls), _) => json(200, &UrlsResponse::new(urls, &signed)),
        (Output::Cookies { asked, resource, names, set_cookie }, _) => {
            let expires_at = signed.expires.as_secs();
            let mut response = json(200, &CookiesResponse { asked, resource, expires_at, cookies: names });
            for cookie in set_cookie {
                response.headers_mut().append(header::SET_COOKIE, header_value(cookie));
            }
            response
        }
    })
}

/// Claims from a JWT authorizer (HTTP API) or a Cognito authorizer (REST API).
fn caller(request: &Request) -> Caller {
    let claims = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|jwt| jwt.claims.clone()).unwrap_or_default()
        }
        Some(RequestContext::ApiGatewayV1(context)) => context
            .authorizer
            .fields
            .get("claims")
            .and_then(|claims| claims.as_object())
            .map(|claims| claims.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default(),
        _ => HashMap::new(),
    };
    Caller { claims }
}

/// What a browser may send: a JWT, a JSON body, or a SigV4 signature (an IAM
/// authorizer in front).
const ALLOWED_HEADERS: &str = "authorization, content-type, x-amz-date, x-amz-security-token, x-amz-content-sha256";
/// Seconds a browser may reuse a preflight answer, so it does not precede every call.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The path as API Gateway sent it, or the URI's when the event has no raw
/// path (a Function URL's event, a request built by hand).
fn path_of(request: &Request) -> &str {
    match request.raw_http_path() {
        "" => request.uri().path(),
        raw => raw,
    }
}

/// Signed URLs and cookies are credentials: no cache may keep them.
fn with_common_headers(mut response: Response<Body>, cors_origins: &[String], request: &Request) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if let Some(origin) = origin.filter(|o| cors_origins.iter().any(|allowed| allowed == o)) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header_value(origin));
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

fn json(status: u16, body: &impl Serialize) -> Response<Body> {
    let mut response = Response::new(Body::from(serde_json::to_string(body).expect("response bodies serialize")));
    *response.status_mut() = StatusCode::from_u16(status).expect("statuses come from Error::status");
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
}

/// Signed URLs, cookies and allowed origins are printable ASCII by construction.
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).expect("signed values are printable ASCII")
}
