//! The answer to CloudFormation when the ResponseURL misbehaves: a refusal, a
//! server that never answers, nothing listening. Each is an error that names
//! what happened and never shows the URL (it carries a signature).

use std::time::Duration;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceResponse as Response;
use key_rotator::Error;
use key_rotator::custom_resource::{HttpResponder, Responder};
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
    let responder = HttpResponder::new(timeout).unwrap();
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

#[tokio::test]
async fn a_success_is_delivered() {
    let url = server(Some("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")).await;
    let responder = HttpResponder::new(HttpResponder::TIMEOUT).unwrap();
    responder.send(&url, &Response::default()).await.unwrap();
}
