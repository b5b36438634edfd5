//! The viewer side: HTTPS with HTTP/1.1, HTTP/2 and HTTP/3 on one port number,
//! plain HTTP refused as https-only refuses it, the distribution's HttpVersion
//! and protocol policy followed, and bad input answered without harm.

mod support;

use std::time::Duration;

use aws_sdk_cloudfront::types::{HttpVersion, ViewerProtocolPolicy};
use cfsign::KeyAlgorithm;
use support::{PROTOCOLS, Protocol, Stack, eventually, start_edge};
use tokio::io::AsyncWriteExt;

async fn public_stack(http_version: HttpVersion) -> Stack {
    let stack = Stack::with_http_version(KeyAlgorithm::EcdsaP256, http_version).await;
    stack.trust_key_group(false).await;
    stack
}

async fn set_viewer_protocol(stack: &Stack, policy: ViewerProtocolPolicy) {
    let current = stack.cloudfront.get_distribution_config().id(&stack.distribution_id).send().await.unwrap();
    let mut config = current.distribution_config.unwrap();
    config.default_cache_behavior.as_mut().unwrap().viewer_protocol_policy = policy;
    let update = stack.cloudfront.update_distribution().id(&stack.distribution_id).if_match(current.e_tag.unwrap());
    update.distribution_config(config).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_three_protocols_fetch_the_same_bytes() {
    let stack = public_stack(HttpVersion::Http2and3).await;
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 256) as u8).collect();
    stack.put("video/clip.mp4", body.clone(), "video/mp4", None).await;
    let edge = start_edge(&stack).await;
    for protocol in PROTOCOLS {
        let answer = edge.viewer.get(protocol, "/video/clip.mp4").await;
        assert_eq!((answer.status, answer.protocol), (200, protocol));
        assert_eq!(answer.body.len(), body.len(), "{protocol:?}");
        assert!(answer.body == body, "{protocol:?}: other bytes");
        assert_eq!(answer.header("content-type"), "video/mp4");
        assert_eq!(answer.header("alt-svc"), format!("h3=\":{}\"; ma=86400", edge.viewer.port));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_distributions_http_version_decides_what_is_offered() {
    let stack = public_stack(HttpVersion::Http11).await;
    stack.put("a.txt", b"a".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    // A client offering h2 and http/1.1 settles on HTTP/1.1; no Alt-Svc; QUIC is refused.
    let answer = edge.viewer.get(Protocol::Http2, "/a.txt").await;
    assert_eq!((answer.status, answer.protocol, answer.header("alt-svc")), (200, Protocol::Http1, ""));
    let refused = edge.viewer.connect_quic().await.err().expect("no HTTP/3 with a distribution on http1.1");
    assert!(refused.contains("the server refused to accept a new connection"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_is_refused_redirected_or_served_as_the_policy_says() {
    let stack = public_stack(HttpVersion::Http2and3).await;
    stack.put("a.txt", b"plain".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    let host = format!("localhost:{}", edge.viewer.port);
    let request = format!("GET /a.txt?x=1 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");

    let refused = edge.viewer.plain(request.as_bytes()).await;
    assert!(refused.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{refused}");
    assert!(refused.contains("<HR noshade size=\"1px\">\nBad request.\n"), "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("x-cfsign-reason: the viewer protocol policy is https-only"),
        "{refused}"
    );

    set_viewer_protocol(&stack, ViewerProtocolPolicy::RedirectToHttps).await;
    let took = eventually(Duration::from_secs(10), || async {
        edge.viewer.plain(request.as_bytes()).await.starts_with("HTTP/1.1 301")
    })
    .await;
    eprintln!("the new viewer protocol policy applied after {took:?}");
    let redirected = edge.viewer.plain(request.as_bytes()).await.to_ascii_lowercase();
    assert!(redirected.contains(&format!("location: https://{host}/a.txt?x=1\r\n")), "{redirected}");

    set_viewer_protocol(&stack, ViewerProtocolPolicy::AllowAll).await;
    eventually(Duration::from_secs(10), || async {
        edge.viewer.plain(request.as_bytes()).await.starts_with("HTTP/1.1 200")
    })
    .await;
    assert!(edge.viewer.plain(request.as_bytes()).await.ends_with("\r\n\r\nplain"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_cloudfronts_answer_and_the_edge_keeps_serving() {
    let stack = public_stack(HttpVersion::Http2and3).await;
    stack.put("a.txt", b"still here".to_vec(), "text/plain", None).await;
    let edge = start_edge(&stack).await;
    let host = format!("localhost:{}", edge.viewer.port);

    // CloudFront's limits: a URL over 8,192 bytes, or a request over 20,480, is 413 and the connection closes.
    let long_url = format!("/a.txt?{}", "x".repeat(8_200));
    for protocol in PROTOCOLS {
        let answer = edge.viewer.get(protocol, &long_url).await;
        assert_eq!(answer.status, 413, "{protocol:?}");
        assert!(answer.reason().contains("over CloudFront's 8192"), "{}", answer.reason());
    }
    let at_limit = format!("/a.txt?{}", "x".repeat(8_192 - "/a.txt?".len()));
    assert_eq!(edge.viewer.get(Protocol::Http2, &at_limit).await.status, 200);
    let mut big = edge.viewer.request("/a.txt");
    for i in 0..30 {
        big = big.header(format!("x-filler-{i}"), "y".repeat(700));
    }
    let answer = edge.viewer.send(Protocol::Http2, big).await;
    assert_eq!(answer.status, 413);
    assert!(answer.reason().contains("over CloudFront's 20480"), "{}", answer.reason());
    let raw = format!("GET /a.txt HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n", "z".repeat(30_000));
    let closed = edge.viewer.raw_tls(raw.as_bytes()).await;
    assert!(closed.starts_with("HTTP/1.1 413"), "{}", &closed[..closed.len().min(200)]);
    assert!(closed.to_ascii_lowercase().contains("connection: close"));

    // Malformed requests: hyper answers 400 or closes; neither stops the edge.
    for raw in [
        "GARBAGE\r\n\r\n".to_owned(),
        "GET /a.txt HTTP/9.9\r\n\r\n".to_owned(),
        format!("GET a.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        "GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n".to_owned(),
        format!("GET /%zz%00 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    ] {
        let answer = edge.viewer.raw_tls(raw.as_bytes()).await;
        let status = answer.lines().next().unwrap_or("");
        assert!(status.starts_with("HTTP/1.1 4"), "{raw:?}: {status}");
    }
    edge.viewer.plain(&[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3]).await;
    edge.viewer.plain(&[0u8; 4096]).await;

    // A client that sends half a request holds only its own connection.
    let mut slow = tokio::net::TcpStream::connect(edge.viewer.address()).await.unwrap();
    slow.write_all(b"GET /a.txt HTTP/1.1\r\nHo").await.unwrap();
    for protocol in PROTOCOLS {
        assert_eq!(edge.viewer.get(protocol, "/a.txt").await.body, "still here", "{protocol:?}");
    }
}
