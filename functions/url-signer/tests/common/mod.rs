//! A url-signer wired to an in-memory Secrets Manager and a stopped clock, and
//! requests built from the real API Gateway event fixtures.
#![allow(dead_code)]

use std::collections::HashMap;

use cfsign::{Backend, Clock, Epoch, KeyAlgorithm, PrivateKey, RequestContext, SigningKeySecret, Verifier};
use lambda_http::{Body, Request, Response};
use plumbing::settings::Settings;
pub use plumbing::time::ManualClock;
use serde_json::Value;
use url_signer::keys::KeySource;
use url_signer::keys::fake::FakeSecrets;
use url_signer::{Config, KeyCache, KeyPolicy, SigningService, handle};

pub const NOW: u64 = 1_767_225_600;

/// A clock at [`NOW`], moved only by the test.
pub fn at_now() -> ManualClock {
    ManualClock::starting_at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW))
}
pub const DOMAIN: &str = "d111111abcdef8.cloudfront.net";
pub const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
pub const SUB: &str = "7f3c5c2e-1d9b-4a51-9a5e-2b8c0f6a1e44";

pub fn config(overrides: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("DISTRIBUTION_DOMAIN", DOMAIN),
        ("KEY_SECRET_ID", "signing-key"),
        ("ALLOWED_PREFIXES", "/images/,/video/,/users/"),
        ("WILDCARD_PREFIXES", "/images/,/video/hls/"),
        ("CORS_ORIGINS", "https://app.example.com"),
        ("COOKIE_DOMAIN", DOMAIN),
        ("COOKIE_PATH", "/"),
        ("MAX_LIFETIME_SECONDS", "3600"),
        ("DEFAULT_LIFETIME_SECONDS", "300"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (name, value) in overrides {
        vars.insert((*name).to_owned(), (*value).to_owned());
    }
    Config::from_settings(&Settings::from_pairs(vars)).unwrap()
}

pub struct Signer {
    pub service: SigningService<FakeSecrets, ManualClock>,
    pub secrets: FakeSecrets,
    pub verifier: Verifier,
    /// The service's clock (clones share one time).
    pub clock: ManualClock,
}

pub fn signer(overrides: &[(&str, &str)], algorithm: KeyAlgorithm) -> Signer {
    let config = config(overrides);
    let key = PrivateKey::generate(algorithm, Backend::default()).unwrap();
    let verifier = Verifier::new().with_key(KEY_PAIR_ID, key.public_key().unwrap());
    let secrets = FakeSecrets::with_value("v1", &SigningKeySecret::new(KEY_PAIR_ID, &key).unwrap().to_json());
    let keys = KeyCache::new(secrets.clone(), config.key_secret_id.clone(), KeyPolicy::of(&config));
    let clock = at_now();
    let service = SigningService::new(config, keys, clock.clone());
    Signer { service, secrets, verifier, clock }
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

pub fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// An HTTP API (v2) POST /sign with `body`, from the JWT fixture.
pub fn post(body: &str) -> Request {
    let mut event = fixture("http-api-v2-post-sign-jwt.json");
    event["body"] = Value::String(body.to_owned());
    request(&event)
}

/// An HTTP API (v2) request for any method, path and query string.
pub fn http(method: &str, path: &str, query: &[(&str, &str)]) -> Request {
    let mut event = fixture("http-api-v2-post-sign-jwt.json");
    event["rawPath"] = Value::String(path.to_owned());
    event["requestContext"]["http"]["method"] = Value::String(method.to_owned());
    event["requestContext"]["http"]["path"] = Value::String(path.to_owned());
    let encoded: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    event["rawQueryString"] = Value::String(encoded.join("&"));
    let mut parameters = serde_json::Map::new();
    for (k, v) in query {
        // API Gateway joins repeated parameters with commas in this map.
        let joined = match parameters.get(*k).and_then(Value::as_str) {
            Some(existing) => format!("{existing},{v}"),
            None => (*v).to_owned(),
        };
        parameters.insert((*k).to_owned(), Value::String(joined));
    }
    event["queryStringParameters"] = Value::Object(parameters);
    event["body"] = Value::Null;
    request(&event)
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    /// True if anything in the answer carries a CloudFront signature.
    pub fn carries_a_signature(&self) -> bool {
        let headers = format!("{:?}", self.headers);
        [self.body.as_str(), headers.as_str()]
            .iter()
            .any(|t| t.contains("Signature=") || t.contains("CloudFront-Signature"))
    }
}

pub async fn call<S: KeySource, C: Clock>(service: &SigningService<S, C>, request: Request) -> Answer {
    let response: Response<Body> = handle(service, request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => String::new(),
        Body::Text(text) => text,
        Body::Binary(bytes) => String::from_utf8(bytes).unwrap(),
        _ => String::new(),
    };
    Answer { status: parts.status.as_u16(), headers: parts.headers, body }
}

pub fn at(seconds: u64) -> RequestContext {
    RequestContext { at: Epoch::from_secs(seconds).unwrap(), client_ip: None }
}
