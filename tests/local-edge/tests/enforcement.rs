//! Restricted viewer access, row by row as CloudFront enforces it: what is
//! accepted, and for each refusal CloudFront's code and our reason.

mod support;

use std::time::Duration;

use cfsign::{Conditions, HashAlgorithm, KeyAlgorithm};
use support::{Answer, PROTOCOLS, Protocol, RunningEdge, Stack, start_edge};

const MINUTE: Duration = Duration::from_secs(60);

async fn stack_and_edge(algorithm: KeyAlgorithm) -> (Stack, RunningEdge) {
    let stack = Stack::new(algorithm).await;
    stack.put("images/cat.jpg", b"cat bytes".to_vec(), "image/jpeg", None).await;
    stack.put("images/dog.jpg", b"dog bytes".to_vec(), "image/jpeg", None).await;
    stack.put("private/plan.pdf", b"plan".to_vec(), "application/pdf", None).await;
    let edge = start_edge(&stack).await;
    (stack, edge)
}

fn path_of(url: &str) -> &str {
    &url[url.find("/images").or_else(|| url.find("/private")).expect("a test path")..]
}

async fn get(edge: &RunningEdge, signed_url: &str) -> Answer {
    edge.viewer.get(Protocol::Http2, path_of(signed_url)).await
}

fn assert_refused(answer: &Answer, code: &str, reason: &str) {
    assert_eq!(answer.status, 403, "{answer:?}");
    assert_eq!(answer.code(), code, "{}", answer.text());
    assert!(answer.reason().contains(reason), "reason {:?} lacks {reason:?}", answer.reason());
    assert_eq!(answer.header("x-cache"), "Error from cloudfront");
    assert_eq!(answer.header("content-type"), "text/xml");
}

fn assert_served(answer: &Answer, body: &[u8]) {
    assert_eq!(answer.status, 200, "{} {}", answer.reason(), answer.text());
    assert_eq!(answer.body, body);
}

#[tokio::test(flavor = "multi_thread")]
async fn canned_urls_of_both_key_types_and_both_hashes_load() {
    for algorithm in KeyAlgorithm::ALL {
        let (stack, edge) = stack_and_edge(algorithm).await;
        for hash in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            let url = format!("{}/images/cat.jpg", edge.viewer.origin());
            let expires = edge.clock.epoch().plus(MINUTE).unwrap();
            let signed =
                stack.signer(0).with_hash_algorithm(hash).sign_url(&url, &Conditions::expires_at(expires)).unwrap();
            assert_eq!(signed.contains("Hash-Algorithm=SHA256"), hash == HashAlgorithm::Sha256);
            for protocol in PROTOCOLS {
                let answer = edge.viewer.get(protocol, path_of(&signed)).await;
                assert_served(&answer, b"cat bytes");
                assert_eq!(answer.protocol, protocol);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn expiry_start_and_source_ip_are_enforced_at_the_edges_clock() {
    let (stack, edge) = stack_and_edge(KeyAlgorithm::EcdsaP256).await;
    let url = format!("{}/images/cat.jpg", edge.viewer.origin());
    let now = edge.clock.epoch();
    let signer = stack.signer(0);

    let expiring = stack.sign(0, &edge, "/images/cat.jpg", MINUTE);
    assert_served(&get(&edge, &expiring).await, b"cat bytes");

    let later = Conditions::expires_at(now.plus(MINUTE * 10).unwrap()).not_before(now.plus(MINUTE * 2).unwrap());
    let not_yet = signer.sign_url(&url, &later).unwrap();
    assert_refused(&get(&edge, &not_yet).await, "AccessDenied", "not yet valid");

    let loopback = Conditions::expires_at(now.plus(MINUTE).unwrap()).from_ip_range("127.0.0.0/8".parse().unwrap());
    assert_served(&get(&edge, &signer.sign_url(&url, &loopback).unwrap()).await, b"cat bytes");
    let elsewhere = Conditions::expires_at(now.plus(MINUTE).unwrap()).from_ip_range("192.0.2.0/24".parse().unwrap());
    let refused = get(&edge, &signer.sign_url(&url, &elsewhere).unwrap()).await;
    assert_refused(&refused, "AccessDenied", "IP not allowed: the policy allows 192.0.2.0/24, the client is 127.0.0.1");

    edge.clock.advance(MINUTE * 3);
    assert_served(&get(&edge, &not_yet).await, b"cat bytes");
    let expired = get(&edge, &expiring).await;
    assert_refused(&expired, "AccessDenied", &format!("expired at {}", now.plus(MINUTE).unwrap()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wildcard_policy_covers_its_prefix_and_nothing_beside_it() {
    let (stack, edge) = stack_and_edge(KeyAlgorithm::Rsa2048).await;
    let origin = edge.viewer.origin();
    let conditions =
        Conditions::expires_at(edge.clock.epoch().plus(MINUTE).unwrap()).for_resource(format!("{origin}/images/*"));
    let cat = stack.signer(0).sign_url(&format!("{origin}/images/cat.jpg"), &conditions).unwrap();
    assert!(cat.contains("Policy="), "a wildcard needs a custom policy: {cat}");
    assert_served(&get(&edge, &cat).await, b"cat bytes");

    // The same signature parameters on other paths: the policy's resource decides.
    let parameters = &cat[cat.find('?').unwrap()..];
    let dog = edge.viewer.get(Protocol::Http2, &format!("/images/dog.jpg{parameters}")).await;
    assert_served(&dog, b"dog bytes");
    let plan = edge.viewer.get(Protocol::Http2, &format!("/private/plan.pdf{parameters}")).await;
    assert_refused(&plan, "AccessDenied", "resource does not match");
    let sibling = edge.viewer.get(Protocol::Http2, &format!("/imagesX/cat.jpg{parameters}")).await;
    assert_refused(&sibling, "AccessDenied", "resource does not match");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_canned_signature_covers_its_url_exactly() {
    let (stack, edge) = stack_and_edge(KeyAlgorithm::Rsa2048).await;
    let signed = stack.sign(0, &edge, "/images/cat.jpg", MINUTE);
    let parameters = &signed[signed.find('?').unwrap()..];
    let other = edge.viewer.get(Protocol::Http2, &format!("/images/dog.jpg{parameters}")).await;
    assert_refused(&other, "AccessDenied", "bad signature");
    // The caller's own query string is part of what was signed, and is not part of the object's key.
    let with_query = stack.sign(0, &edge, "/images/cat.jpg?size=small", MINUTE);
    assert_served(&get(&edge, &with_query).await, b"cat bytes");
    let altered = with_query.replace("size=small", "size=large");
    assert_refused(&get(&edge, &altered).await, "AccessDenied", "bad signature");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_unknown_and_malformed_signatures_get_cloudfronts_codes() {
    let (mut stack, edge) = stack_and_edge(KeyAlgorithm::Rsa2048).await;
    let signed = stack.sign(0, &edge, "/images/cat.jpg", MINUTE);
    let key_id = stack.keys[0].0.clone();

    let bare = edge.viewer.get(Protocol::Http2, "/images/cat.jpg").await;
    assert_refused(&bare, "MissingKey", "no signed URL parameters and no signed cookies");
    assert_eq!(
        bare.text(),
        r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>"#
    );
    let without_key = signed.replace(&format!("&Key-Pair-Id={key_id}"), "");
    assert_refused(&get(&edge, &without_key).await, "MissingKey", "missing Key-Pair-Id");
    let empty_key = signed.replace(&format!("Key-Pair-Id={key_id}"), "Key-Pair-Id=");
    assert_refused(&get(&edge, &empty_key).await, "InvalidKey", "unknown key pair id \"\"");

    let unknown = signed.replace(&key_id, "K2JCJMDEHXQW5F");
    let answer = get(&edge, &unknown).await;
    assert_refused(&answer, "InvalidKey", "unknown key pair id \"K2JCJMDEHXQW5F\"");
    assert!(answer.text().contains("<Message>Unknown Key</Message>"));

    let signature_at = signed.find("Signature=").unwrap() + "Signature=".len();
    let broken = format!("{}!!!{}", &signed[..signature_at], &signed[signature_at..]);
    assert_refused(&get(&edge, &broken).await, "MalformedSignature", "malformed base64 in Signature");
    let tampered = format!("{}A{}", &signed[..signature_at], &signed[signature_at + 1..]);
    let tampered = if tampered == signed {
        format!("{}B{}", &signed[..signature_at], &signed[signature_at + 1..])
    } else {
        tampered
    };
    assert_refused(&get(&edge, &tampered).await, "AccessDenied", "bad signature");
    let without_signature = signed.replace("&Signature=", "&Signaturx=");
    assert_refused(&get(&edge, &without_signature).await, "AccessDenied", "missing Signature");

    let expires = edge.clock.epoch().plus(MINUTE).unwrap();
    let custom = stack
        .signer(0)
        .sign_url(
            &format!("{}/images/cat.jpg", edge.viewer.origin()),
            &Conditions::expires_at(expires).for_resource(format!("{}/images/*", edge.viewer.origin())),
        )
        .unwrap();
    let policy_at = custom.find("Policy=").unwrap() + "Policy=".len();
    let truncated = format!("{}{}", &custom[..policy_at + 20], &custom[custom.find("&Signature").unwrap()..]);
    assert_refused(&get(&edge, &truncated).await, "MalformedPolicy", "malformed");
    let not_base64 = format!("{}%%%{}", &custom[..policy_at], &custom[policy_at..]);
    let answer = edge.viewer.get(Protocol::Http2, &path_of(&not_base64).replace("%%%", "***")).await;
    assert_refused(&answer, "MalformedPolicy", "malformed base64 in Policy");
    let milliseconds = custom.replace(&custom[policy_at..custom.find("&Signature").unwrap()], &cfsign::base64::encode(
        format!(r#"{{"Statement":[{{"Resource":"{}/images/*","Condition":{{"DateLessThan":{{"AWS:EpochTime":{}000}}}}}}]}}"#, edge.viewer.origin(), expires).as_bytes()));
    assert_refused(&get(&edge, &milliseconds).await, "MalformedPolicy", "milliseconds");
    let unsupported = signed.replace("Expires=", "Hash-Algorithm=MD5&Expires=");
    assert_refused(&get(&edge, &unsupported).await, "AccessDenied", "unsupported hash algorithm \"MD5\"");

    // The key leaves the group: its URLs become "Unknown Key" within the edge's 2 s.
    stack.add_key(KeyAlgorithm::EcdsaP256).await;
    stack.remove_key(0).await;
    support::eventually(Duration::from_secs(10), || async { get(&edge, &signed).await.code() == "InvalidKey" }).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_cookies_load_what_their_policy_covers_and_url_parameters_win() {
    let (stack, edge) = stack_and_edge(KeyAlgorithm::EcdsaP256).await;
    let origin = edge.viewer.origin();
    let expires = edge.clock.epoch().plus(MINUTE).unwrap();
    let cookies =
        stack.signer(0).sign_cookies(&format!("{origin}/images/*"), &Conditions::expires_at(expires)).unwrap();
    let header: String = cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ");
    let with_cookies = |path: &str| edge.viewer.request(path).header("cookie", format!("theme=dark; {header}"));

    for protocol in PROTOCOLS {
        assert_served(&edge.viewer.send(protocol, with_cookies("/images/cat.jpg")).await, b"cat bytes");
        assert_served(&edge.viewer.send(protocol, with_cookies("/images/dog.jpg?v=2")).await, b"dog bytes");
        let outside = edge.viewer.send(protocol, with_cookies("/private/plan.pdf")).await;
        assert_refused(&outside, "AccessDenied", "resource does not match");
    }

    // One Cookie header per cookie, as HTTP/2 and HTTP/3 browsers send them.
    let mut split = edge.viewer.request("/images/cat.jpg");
    for (name, value) in cookies.iter() {
        split = split.header("cookie", format!("{name}={value}"));
    }
    assert_served(&edge.viewer.send(Protocol::Http2, split).await, b"cat bytes");

    // URL parameters win: a broken URL with good cookies is refused, a good URL with broken cookies loads.
    let signed = stack.sign(0, &edge, "/private/plan.pdf", MINUTE);
    let broken_url =
        edge.viewer.send(Protocol::Http2, with_cookies("/images/cat.jpg?Key-Pair-Id=K2JCJMDEHXQW5F")).await;
    assert_refused(&broken_url, "AccessDenied", "missing Signature");
    let good_url =
        edge.viewer.request(path_of(&signed)).header("cookie", "CloudFront-Key-Pair-Id=nobody; CloudFront-Signature=x");
    assert_served(&edge.viewer.send(Protocol::Http2, good_url).await, b"plan");

    let partial = edge.viewer.request("/images/cat.jpg").header("cookie", "CloudFront-Signature=abc");
    assert_refused(&edge.viewer.send(Protocol::Http2, partial).await, "MissingKey", "missing CloudFront-Key-Pair-Id");
    edge.clock.advance(MINUTE * 2);
    let expired = edge.viewer.send(Protocol::Http2, with_cookies("/images/cat.jpg")).await;
    assert_refused(&expired, "AccessDenied", "expired at");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_get_and_head_are_allowed() {
    let (stack, edge) = stack_and_edge(KeyAlgorithm::Rsa2048).await;
    let signed = stack.sign(0, &edge, "/images/cat.jpg", MINUTE);
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let request = edge.viewer.request(path_of(&signed)).method(method);
        let answer = edge.viewer.send(Protocol::Http2, request).await;
        assert_eq!(answer.status, 403, "{method}");
        assert_eq!(answer.header("content-type"), "text/html");
        assert!(
            answer.text().contains("This distribution is not configured to allow the HTTP request method"),
            "{}",
            answer.text()
        );
        assert!(answer.reason().contains(&format!("{method} is not among")));
    }
    let head = edge.viewer.send(Protocol::Http2, edge.viewer.request(path_of(&signed)).method("HEAD")).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), "9");
    assert!(head.body.is_empty());
}

/// The hostile path table the template's CloudFront Function is tested
/// against (tests/viewer-request/hostile-paths.json), through the edge: with
/// cookies that sign all of /users/alice/*, every refused path answers the
/// function's 400 before any signature check, and every allowed one reaches
/// the signature check (and the origin).
#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_request_guard_refuses_every_hostile_path_of_the_shared_table() {
    let table = format!("{}/../viewer-request/hostile-paths.json", env!("CARGO_MANIFEST_DIR"));
    let table: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(table).unwrap()).unwrap();
    let uris = |list: &str| -> Vec<String> {
        table[list].as_array().unwrap().iter().map(|case| case["uri"].as_str().unwrap().to_owned()).collect()
    };
    let (refused, allowed) = (uris("refused"), uris("allowed"));
    assert!(!refused.is_empty() && !allowed.is_empty(), "an empty table tests nothing");

    let stack = Stack::new(KeyAlgorithm::EcdsaP256).await;
    stack.put("users/alice/x.jpg", b"alice".to_vec(), "image/jpeg", None).await;
    let edge = start_edge(&stack).await;
    let origin = edge.viewer.origin();
    let expires = edge.clock.epoch().plus(MINUTE).unwrap();
    let cookies = stack.signer(0).sign_cookies(&format!("{origin}/*"), &Conditions::expires_at(expires)).unwrap();
    let header: String = cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ");

    for uri in &refused {
        if http::Uri::try_from(format!("{origin}{uri}")).is_ok() {
            let answer = edge.viewer.send(Protocol::Http2, edge.viewer.request(uri).header("cookie", &header)).await;
            assert_eq!(answer.status, 400, "{uri}: {}", answer.reason());
            assert_eq!(answer.header("x-cache"), "FunctionGeneratedResponse from cloudfront", "{uri}");
            assert!(answer.reason().starts_with("viewer-request guard:"), "{uri}: {}", answer.reason());
            assert!(answer.body.is_empty(), "{uri}");
        } else {
            // What an HTTP library refuses to send, a viewer may still write.
            let host = origin.trim_start_matches("https://");
            let raw = format!("GET {uri} HTTP/1.1\r\nHost: {host}\r\nCookie: {header}\r\nConnection: close\r\n\r\n");
            let answer = edge.viewer.raw_tls(raw.as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 400"), "{uri}: {answer:.200}");
        }
    }
    for uri in &allowed {
        let answer = edge.viewer.send(Protocol::Http2, edge.viewer.request(uri).header("cookie", &header)).await;
        assert_ne!(answer.status, 400, "{uri} was refused: {}", answer.reason());
        assert_ne!(answer.header("x-cache"), "FunctionGeneratedResponse from cloudfront", "{uri}");
    }
    let served = edge.viewer.send(Protocol::Http2, edge.viewer.request("/users/alice/x.jpg").header("cookie", &header));
    assert_served(&served.await, b"alice");
}
