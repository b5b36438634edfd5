//! At every level Lambda can be set to, no line of another crate's below INFO
//! reaches the log: not the runtime's raw event (a bearer token, a
//! ResponseURL), not the SDK's request or response bodies (the private key).
//! The events are the ones those crates emit, with their targets and levels.

use lambda_runtime::tracing::{self, subscriber::filter::LevelFilter};
use plumbing::logging::{CapturedLog, LogSettings};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.SECRET-BEARER-TOKEN";
const RESPONSE_URL: &str = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/SECRET-PRESIGNED";
const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----SECRET-KEY-MATERIAL";

fn emit_what_the_runtime_and_the_sdk_emit() {
    let event = format!(r#"{{"headers":{{"authorization":"Bearer {TOKEN}"}},"ResponseURL":"{RESPONSE_URL}"}}"#);
    tracing::trace!(target: "lambda_runtime::layers::api_response", body = event.as_str(), "raw JSON event received from Lambda");
    let body = format!(r#"{{"SecretString":"{{\"privateKey\":\"{PRIVATE_KEY}\"}}"}}"#);
    tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", request = body.as_str(), "transmitting request");
    tracing::trace!(target: "aws_smithy_runtime::client::orchestrator::http", response = body.as_str(), "read HTTP response body");
    tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "beginning attempt #1");
    tracing::info!(target: "lambda_runtime::runtime", "an info line of the runtime's");
    tracing::trace!(target: "url_signer::handler", "our own trace line");
    tracing::debug!(target: "key_rotator::rotation", "our own debug line");
}

#[test]
fn no_token_url_or_key_reaches_the_log_at_any_level() {
    for level in [LevelFilter::TRACE, LevelFilter::DEBUG, LevelFilter::INFO, LevelFilter::WARN, LevelFilter::ERROR] {
        for json in [false, true] {
            let (subscriber, captured) = CapturedLog::subscriber(LogSettings { level, json });
            tracing::dispatcher::with_default(&subscriber, emit_what_the_runtime_and_the_sdk_emit);
            let log = captured.text();
            for secret in ["SECRET-BEARER-TOKEN", "SECRET-PRESIGNED", "SECRET-KEY-MATERIAL"] {
                assert!(!log.contains(secret), "{level} json={json}: {secret} logged:\n{log}");
            }
            assert!(!log.contains("beginning attempt"), "{level}: the SDK's DEBUG line passed:\n{log}");
            assert_eq!(log.contains("our own trace line"), level == LevelFilter::TRACE, "{level}:\n{log}");
            assert_eq!(log.contains("our own debug line"), level >= LevelFilter::DEBUG, "{level}:\n{log}");
            assert_eq!(log.contains("an info line of the runtime's"), level >= LevelFilter::INFO, "{level}:\n{log}");
        }
    }
}
