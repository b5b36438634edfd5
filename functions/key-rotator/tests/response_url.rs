//! The answer to CloudFormation when the ResponseURL misbehaves: a refusal, a
//! server that never answers, nothing listening. Each is an error that names
//! what happened and never shows the URL (it carries a signature).

use std::time::Duration;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponse as Response;
use key_rotator::Error;
use key_rotator::responder::{HttpResponder, Responder};
use key_rotator::response_url::ResponseHosts;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SIGNATURE: &str = "X-Amz-Signature=0123456789abcdef";

/// A loopback server that reads each request and answers `answer`, or holds
/// the connection open without answering when there is none.
async fn server(answer: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                match answer {
                    Some(answer) => {
                        let _ = socket.write_all(answer.as_bytes()).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(3600)).await,
                }
            });
        }
    });
    format!("http://{address}/responses/SigningKeys?{SIGNATURE}")
}

async fn send(url: &str, timeout: Duration) -> String {
    let responder = HttpResponder::new(timeout, ResponseHosts::Loopback).unwrap();
    match responder.send(url, &Response::default()).await {
        Err(Error::Response(reason)) => {
            assert!(!reason.contains(SIGNATURE), "the URL leaked: {reason}");
            reason
        }
        other => panic!("expected a Response error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refusal_names_the_status() {
    let url = server(Some("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")).await;
    assert_eq!(send(&url, HttpResponder::TIMEOUT).await, "ResponseURL answered HTTP 403 Forbidden");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_after_the_timeout() {
    let url = server(None).await;
    assert_eq!(send(&url, Duration::from_millis(200)).await, "ResponseURL did not answer within 200ms");
}

#[tokio::test]
async fn nothing_listening_names_the_connection_error() {
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let reason = send(&format!("http://127.0.0.1:{port}/r?{SIGNATURE}"), HttpResponder::TIMEOUT).await;
    assert!(reason.starts_with("client error (Connect)"), "{reason}");
    assert!(reason.contains("Connection refused"), "the cause is named: {reason}");
}

/// A loopback server that answers 200 once and hands over the request it read,
/// head and body whole.
async fn recording_server() -> (String, tokio::sync::oneshot::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, received) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        // Until the head is in and the body is as long as its content-length says.
        loop {
            let read = socket.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&request).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("content-length: ").map(|n| n.parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if body.len() >= length || read == 0 {
                    break;
                }
            }
        }
        socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
        let _ = sender.send(String::from_utf8(request).unwrap());
    });
    (format!("http://{address}/responses/SigningKeys?{SIGNATURE}"), received)
}

#[tokio::test]
async fn a_success_is_a_put_with_the_empty_content_type_a_presigned_url_needs_and_the_json_answer() {
    let (url, received) = recording_server().await;
    let responder = HttpResponder::new(HttpResponder::TIMEOUT, ResponseHosts::Loopback).unwrap();
    let mut response = Response::default();
    response.status = aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponseStatus::Success;
    response.physical_resource_id = "signing-keys".into();
    response.stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/s/1".into();
    response.request_id = "r-1".into();
    response.logical_resource_id = "SigningKeys".into();
    responder.send(&url, &response).await.unwrap();
    let request = received.await.unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some(format!("PUT /responses/SigningKeys?{SIGNATURE} HTTP/1.1").as_str()));
    let headers: Vec<String> = lines.map(str::to_ascii_lowercase).collect();
    // S3 checks the signature against the Content-Type it was presigned with: none.
    assert!(headers.iter().any(|h| h.trim_end() == "content-type:"), "{headers:?}");
    assert!(headers.contains(&format!("content-length: {}", body.len())), "{headers:?}");
    let sent: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent, serde_json::to_value(&response).unwrap());
    assert_eq!(sent["Status"], "SUCCESS");
    assert_eq!(sent["PhysicalResourceId"], "signing-keys");
}

/// The default (the template's): a ResponseURL anywhere but CloudFormation's
/// hosts gets no request at all, so invoking the function cannot make it send one.
#[tokio::test]
async fn a_response_url_off_cloudformations_hosts_gets_no_request() {
    let (url, mut received) = recording_server().await;
    let responder = HttpResponder::new(HttpResponder::TIMEOUT, ResponseHosts::default()).unwrap();
    let error = responder.send(&url, &Response::default()).await.unwrap_err().to_string();
    assert!(error.contains("ResponseURL http://127.0.0.1 is not an HTTPS URL on amazonaws.com"), "{error}");
    assert!(!error.contains(SIGNATURE), "the URL leaked: {error}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(received.try_recv().is_err(), "the server was sent a request");
}
