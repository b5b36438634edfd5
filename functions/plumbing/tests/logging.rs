//! At every level Lambda can be set to, no line of another crate's below INFO
//! reaches the log: not the runtime's raw event (a bearer token, a
//! ResponseURL), not the SDK's request or response bodies (the private key).
//! The events are the ones those crates emit, with their targets and levels.

use std::io::Write;
use std::sync::{Arc, Mutex};

use lambda_runtime::tracing::{self, subscriber::filter::LevelFilter};
use plumbing::logging::{LogSettings, subscriber};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = subscriber(LogSettings { level, json }, move || writer.clone());
            tracing::dispatcher::with_default(&subscriber, emit_what_the_runtime_and_the_sdk_emit);
            let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
