//! The request log line is the record of who signed what: the caller (the
//! JWT's subject and issuer, or the IAM caller's ARN) and the resources
//! signed, never a signature, a policy or the caller's token. In a test binary
//! of its own: tracing's per-thread subscriber misses events while other tests
//! register the same call sites on other threads.

mod common;

use cfsign::KeyAlgorithm;
use common::*;
use lambda_http::tracing::{dispatcher, subscriber::filter::LevelFilter};
use plumbing::logging::{CapturedLog, LogSettings};
use serde_json::{Value, json};

/// The `sign request` lines, as Lambda's JSON log format writes them.
fn sign_requests(log: &CapturedLog) -> Vec<Value> {
    log.text()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|line| line["fields"]["message"] == "sign request")
        .collect()
}

#[tokio::test]
async fn each_request_logs_its_caller_and_what_was_signed_never_a_signature() {
    let (subscriber, captured) = CapturedLog::subscriber(LogSettings { level: LevelFilter::TRACE, json: true });
    let _guard = dispatcher::set_default(&subscriber);
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);

    // A JWT caller signing URLs (the fixture's token is in its Authorization header).
    let mut jwt = fixture("http-api-v2-post-sign-jwt.json");
    jwt["body"] = json!(r#"{"paths":["/images/photo.jpg","/images/a%20b.jpg"]}"#);
    assert_eq!(call(&signer.service, request(&jwt)).await.status, 200);
    // An IAM caller (a Function URL with AWS_IAM).
    let iam = fixture("function-url-get-sign-redirect.json");
    assert_eq!(call(&signer.service, request(&iam)).await.status, 302);
    // Cookies for a wildcard resource.
    let mut cookies = fixture("http-api-v2-post-sign-jwt.json");
    cookies["body"] = json!(r#"{"mode":"cookies","resource":"/images/*"}"#);
    assert_eq!(call(&signer.service, request(&cookies)).await.status, 200);
    // A refusal still names its caller, and no resource: nothing was signed.
    let mut refused = fixture("http-api-v2-post-sign-jwt.json");
    refused["body"] = json!(r#"{"paths":["/secret/a.jpg"]}"#);
    assert_eq!(call(&signer.service, request(&refused)).await.status, 403);
    // The first request again, inside the expiry window: served from the signature cache.
    assert_eq!(call(&signer.service, request(&jwt)).await.status, 200);

    let lines = sign_requests(&captured);
    assert_eq!(lines.len(), 5, "{}", captured.text());
    let fields: Vec<&Value> = lines.iter().map(|line| &line["fields"]).collect();
    assert_eq!(fields[0]["sub"], "7f3c5c2e-1d9b-4a51-9a5e-2b8c0f6a1e44");
    assert_eq!(fields[0]["iss"], "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE");
    assert_eq!(fields[0]["caller_arn"], "-");
    assert_eq!(fields[0]["resources"], format!("https://{DOMAIN}/images/photo.jpg https://{DOMAIN}/images/a%20b.jpg"));
    assert_eq!(fields[1]["caller_arn"], "arn:aws:iam::123456789012:user/app");
    assert_eq!(fields[1]["sub"], "-");
    assert_eq!(fields[1]["resources"], format!("https://{DOMAIN}/images/photo.jpg"));
    assert_eq!(fields[2]["mode"], "cookies");
    assert_eq!(fields[2]["resources"], format!("https://{DOMAIN}/images/*"));
    assert_eq!(fields[3]["status"], 403);
    assert_eq!(fields[3]["sub"], "7f3c5c2e-1d9b-4a51-9a5e-2b8c0f6a1e44");
    assert_eq!(fields[3]["resources"], "");
    let signatures = |f: &Value| (f["signatures_computed"].clone(), f["signatures_cached"].clone());
    assert_eq!(signatures(fields[0]), (json!(2), json!(0)));
    assert_eq!(signatures(fields[2]), (json!(1), json!(0)));
    assert_eq!(signatures(fields[3]), (json!(0), json!(0)));
    assert_eq!(signatures(fields[4]), (json!(0), json!(2)));

    let text = captured.text();
    for secret in ["Signature=", "CloudFront-Signature", "Policy=", "eyJhbGciOiJSUzI1NiJ9", "PRIVATE KEY"] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}
