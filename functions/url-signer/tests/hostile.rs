//! Hostile callers: every case answers 4xx with a JSON error, no signature,
//! `Cache-Control: no-store`, and without the key ever being read.

mod common;

use cfsign::KeyAlgorithm;
use common::*;
use serde_json::json;

/// The status and error code a refusal answers with.
type Refusal = (u16, &'static str);
const INVALID_PATH: Refusal = (400, "invalid_path");
const NOT_ALLOWED: Refusal = (403, "path_not_allowed");
const INVALID_REQUEST: Refusal = (400, "invalid_request");
const NOT_FOUND: Refusal = (404, "not_found");
const WRONG_METHOD: Refusal = (405, "method_not_allowed");

/// Paths that are malformed (400) or outside what may be signed (403).
fn bad_paths() -> Vec<(String, Refusal)> {
    let mut cases: Vec<(String, Refusal)> = [
        ("", INVALID_PATH),
        ("images/a.jpg", INVALID_PATH),
        ("/images/../secret/a.jpg", INVALID_PATH),
        ("/images/./a.jpg", INVALID_PATH),
        ("/images/..", INVALID_PATH),
        ("/images/..;/secret/a.jpg", INVALID_PATH),
        ("/images/.;/a.jpg", INVALID_PATH),
        ("/images/..;jsessionid=x/a.jpg", INVALID_PATH),
        ("/images/.;x", INVALID_PATH),
        ("/images//a.jpg", INVALID_PATH),
        ("//images/a.jpg", INVALID_PATH),
        ("/images/%2e%2e/secret.jpg", INVALID_PATH),
        ("/images/%2E%2E/secret.jpg", INVALID_PATH),
        ("/images/.%2e/secret.jpg", INVALID_PATH),
        ("/images/%2e./secret.jpg", INVALID_PATH),
        ("/images/..%2fsecret.jpg", INVALID_PATH),
        ("/images/..%2Fsecret.jpg", INVALID_PATH),
        ("/images/%2f%2fsecret.jpg", INVALID_PATH),
        ("/images/%5c..%5csecret.jpg", INVALID_PATH),
        ("/images/%252e%252e/secret.jpg", INVALID_PATH),
        ("/images/a%00.jpg", INVALID_PATH),
        ("/images/a%0a.jpg", INVALID_PATH),
        ("/images/a%", INVALID_PATH),
        ("/images/a%2", INVALID_PATH),
        ("/images/a%zz.jpg", INVALID_PATH),
        ("/images\\..\\secret.jpg", INVALID_PATH),
        ("/images/a\\b.jpg", INVALID_PATH),
        ("/images/a\u{0}.jpg", INVALID_PATH),
        ("/images/a\n.jpg", INVALID_PATH),
        ("/images/a\r\nSet-Cookie: x=y", INVALID_PATH),
        ("/images/a\t.jpg", INVALID_PATH),
        ("/images/a\u{7f}.jpg", INVALID_PATH),
        ("/images/a b.jpg", INVALID_PATH),
        ("/images/café.jpg", INVALID_PATH),
        ("/images/\u{202e}gpj.exe", INVALID_PATH),
        ("/images/a.jpg#frag", INVALID_PATH),
        ("/images/a.jpg?x=1", INVALID_PATH),
        ("/images/a.jpg?Expires=1", INVALID_PATH),
        ("/images/*", INVALID_PATH),
        ("/images/a*.jpg", INVALID_PATH),
        ("/images/?.jpg", INVALID_PATH),
        ("/secret/a.jpg", NOT_ALLOWED),
        ("/imagesX/a.jpg", NOT_ALLOWED),
        ("/IMAGES/a.jpg", NOT_ALLOWED),
        ("/images", NOT_ALLOWED),
        ("/", NOT_ALLOWED),
        ("/user/a.jpg", NOT_ALLOWED),
        ("/img/../images/a.jpg", INVALID_PATH),
        ("/images-private/a.jpg", NOT_ALLOWED),
        ("/images.private/a.jpg", NOT_ALLOWED),
        ("/images/%+1.jpg", INVALID_PATH),
        // Browsers percent-encode or rewrite these, so CloudFront would see
        // another URL than the one signed.
        ("/images/a\"b.jpg", INVALID_PATH),
        ("/images/a<b.jpg", INVALID_PATH),
        ("/images/a>b.jpg", INVALID_PATH),
        ("/images/a`b.jpg", INVALID_PATH),
        ("/images/a{b.jpg", INVALID_PATH),
        ("/images/a}b.jpg", INVALID_PATH),
        ("/images/a|b.jpg", INVALID_PATH),
        ("/images/a^b.jpg", INVALID_PATH),
        ("/images/a[b.jpg", INVALID_PATH),
        ("/images/a]b.jpg", INVALID_PATH),
    ]
    .into_iter()
    .map(|(p, s)| (p.to_owned(), s))
    .collect();
    cases.push((format!("/images/{}", "a".repeat(9000)), INVALID_PATH));
    // A request URL CloudFront would refuse (414) however it is signed.
    cases.push((format!("/images/{}", "a".repeat(8160)), INVALID_PATH));
    cases
}

fn assert_refused(answer: &Answer, (status, code): Refusal, what: &str) {
    assert_eq!(answer.status, status, "{what:.120}: {:.300}", answer.body);
    assert_eq!(answer.json()["error"]["code"], code, "{what:.120}: {:.300}", answer.body);
    assert!(answer.json()["error"]["message"].is_string(), "{what:.120}: {:.300}", answer.body);
    assert!(!answer.carries_a_signature(), "{what:.120}: {:.300}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store", "{what:.120}");
}

#[tokio::test]
async fn hostile_input_is_refused_without_a_signature_or_a_key_read() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let agreeing = self::signer(&[], KeyAlgorithm::EcdsaP256);
    let mut cases = 0;
    for (path, refusal) in bad_paths() {
        let url_mode = post(&json!({ "paths": [path] }).to_string());
        let cookie_mode = post(&json!({ "mode": "cookies", "paths": [path] }).to_string());
        let among_good = post(&json!({ "paths": ["/images/ok.jpg", path, "/video/ok.mp4"] }).to_string());
        let get = http("GET", "/sign", &[("path", path.as_str())]);
        for (mode, request) in [("url", url_mode), ("cookies", cookie_mode), ("mixed", among_good)] {
            assert_refused(&call(&signer.service, request).await, refusal, &format!("{mode} {path:?}"));
            cases += 1;
        }
        // GET's path arrives decoded from the query string; what decoding made of
        // %XX (a space, a quote, a bracket...) is encoded back. So GET answers for
        // a path as POST answers for the path with those characters encoded.
        let encoded: String = path
            .chars()
            .map(|c| match c {
                ' ' | '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^' | '[' | ']' => format!("%{:02X}", c as u32),
                c if !c.is_ascii() => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
                c => c.to_string(),
            })
            .collect();
        // Another signer: these may sign, and the refusals above must read no key.
        let answer = call(&agreeing.service, get).await;
        let posted = call(&agreeing.service, post(&json!({ "paths": [encoded] }).to_string())).await;
        assert_eq!(answer.status, posted.status, "get {path:?} against post {encoded:?}: {}", answer.body);
        if answer.status == 200 {
            let url = answer.json()["url"].as_str().unwrap().split('?').next().unwrap().to_owned();
            assert_eq!(url, format!("https://{DOMAIN}{encoded}"), "get {path:?}");
        } else {
            assert_refused(&answer, refusal, &format!("get {path:?}"));
        }
        cases += 1;
    }

    let bodies: Vec<(String, Refusal)> = vec![
        (String::new(), INVALID_REQUEST),
        ("null".into(), INVALID_REQUEST),
        ("[]".into(), INVALID_REQUEST),
        ("{".into(), INVALID_REQUEST),
        ("{}".into(), INVALID_REQUEST),
        (r#"{"paths":"/images/a.jpg"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":[]}"#.into(), INVALID_REQUEST),
        (r#"{"paths":[1]}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"mode":"video"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"extra":true}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"lifetimeSeconds":0}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"lifetimeSeconds":-1}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"lifetimeSeconds":"60"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"lifetimeSeconds":60,"expiresAt":9999999999}"#.into(), INVALID_REQUEST),
        (format!(r#"{{"paths":["/images/a.jpg"],"expiresAt":{NOW}}}"#), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"expiresAt":1}"#.into(), INVALID_REQUEST),
        (format!(r#"{{"paths":["/images/a.jpg"],"startsAt":{}}}"#, NOW + 300), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"startsAt":99999999999}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"::1"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"2001:db8::1"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"2001:db8::/32"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"::ffff:192.0.2.1"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"999.1.1.1"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"clientIp":"192.0.2.0/33"}"#.into(), INVALID_REQUEST),
        (r#"{"paths":["/images/a.jpg"],"resource":"/images/*","mode":"cookies"}"#.into(), INVALID_REQUEST),
        (r#"{"resource":"/images/*"}"#.into(), INVALID_REQUEST),
        (r#"{"resource":"/images/*","mode":"url"}"#.into(), INVALID_REQUEST),
        (r#"{"mode":"cookies","resource":"/video/*"}"#.into(), NOT_ALLOWED),
        (r#"{"mode":"cookies","resource":"/*"}"#.into(), NOT_ALLOWED),
        (r#"{"mode":"cookies","resource":"/images"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"/images/a*b"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"/images/**"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"/images/?"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"/images/../*"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"/images/%2e%2e/*"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","resource":"https://evil.example.com/*"}"#.into(), INVALID_PATH),
        (r#"{"mode":"cookies","paths":["/images/a.jpg","/images/b.jpg"]}"#.into(), INVALID_REQUEST),
        (
            json!({ "paths": (0..101).map(|i| format!("/images/{i}.jpg")).collect::<Vec<_>>() }).to_string(),
            INVALID_REQUEST,
        ),
        (format!(r#"{{"paths":["/images/{}"]}}"#, "a".repeat(300 * 1024)), INVALID_REQUEST),
    ];
    for (body, refusal) in bodies {
        assert_refused(&call(&signer.service, post(&body)).await, refusal, &format!("body {:.80}", body));
        cases += 1;
    }

    let requests = [
        (http("GET", "/other", &[]), NOT_FOUND),
        (http("POST", "/sign/extra/segments", &[]), NOT_FOUND),
        (http("DELETE", "/sign", &[]), WRONG_METHOD),
        (http("PUT", "/sign", &[]), WRONG_METHOD),
        (http("GET", "/sign", &[]), INVALID_REQUEST),
        (http("GET", "/sign", &[("path", "/images/a.jpg"), ("path", "/images/b.jpg")]), INVALID_REQUEST),
        (http("GET", "/sign", &[("path", "/images/a.jpg"), ("mode", "cookies")]), INVALID_REQUEST),
        (http("GET", "/sign", &[("path", "/images/a.jpg"), ("redirect", "yes")]), INVALID_REQUEST),
        (http("GET", "/sign", &[("path", "/images/a.jpg"), ("lifetimeSeconds", "soon")]), INVALID_REQUEST),
    ];
    for (request, refusal) in requests {
        assert_refused(&call(&signer.service, request).await, refusal, "route");
        cases += 1;
    }
    assert!(cases >= 100, "only {cases} cases");
    assert_eq!(signer.secrets.reads(), 0, "a refused request read the key");

    // A URL that is fine alone but too long once the signature is added (only
    // known after signing): its canned cookie set stays small, so only URL mode refuses it.
    let long = format!("/images/{}", "a".repeat(8105));
    assert_refused(
        &call(&signer.service, post(&json!({ "paths": [long] }).to_string())).await,
        INVALID_PATH,
        "signed URL too long",
    );

    // The same signer does sign what is allowed: the refusals above are not vacuous.
    let answer = call(&signer.service, post(r#"{"paths":["/images/ok.jpg"]}"#)).await;
    assert_eq!(answer.status, 200);
    assert!(answer.carries_a_signature());
}

#[tokio::test]
async fn claims_never_widen_a_callers_prefix() {
    let signer = signer(&[("CALLER_PREFIX", "/users/{sub}/")], KeyAlgorithm::EcdsaP256);
    let with_sub = |sub: Option<&str>, path: &str| {
        let mut event = fixture("http-api-v2-post-sign-jwt.json");
        match sub {
            Some(sub) => event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!(sub),
            None => {
                event["requestContext"]["authorizer"]["jwt"]["claims"].as_object_mut().unwrap().remove("sub");
            }
        }
        event["body"] = json!(json!({ "paths": [path] }).to_string());
        request(&event)
    };
    let cases = [
        (Some("alice"), "/users/bob/a.jpg"),
        (Some("alice"), "/users/alice-evil/a.jpg"),
        (Some("alice"), "/users/a.jpg"),
        (None, "/users/alice/a.jpg"),
        (Some(""), "/users//a.jpg"),
        (Some(".."), "/users/../a.jpg"),
        (Some("../images"), "/images/a.jpg"),
        (Some("alice/../bob"), "/users/bob/a.jpg"),
        (Some("alice bob"), "/users/alice bob/a.jpg"),
        (Some("*"), "/users/*/a.jpg"),
    ];
    for (sub, path) in cases {
        let answer = call(&signer.service, with_sub(sub, path)).await;
        assert_refused(&answer, NOT_ALLOWED, &format!("{sub:?} {path}"));
    }
    let answer = call(&signer.service, with_sub(Some("alice"), "/users/alice/a.jpg")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_wildcard_stays_inside_the_callers_prefix() {
    let signer =
        signer(&[("CALLER_PREFIX", "/users/{sub}/"), ("WILDCARD_PREFIXES", "/users/")], KeyAlgorithm::EcdsaP256);
    let cookies_for = |resource: &str| post(&json!({ "mode": "cookies", "resource": resource }).to_string());
    for resource in ["/users/*", "/users/someone-else/*", &format!("/users/{SUB}*"), "/images/*"] {
        assert_refused(&call(&signer.service, cookies_for(resource)).await, NOT_ALLOWED, resource);
    }
    let answer = call(&signer.service, cookies_for(&format!("/users/{SUB}/*"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["resource"], format!("https://{DOMAIN}/users/{SUB}/*"));
}

/// CloudFront documents IPv6 in a signed URL's IpAddress as unsupported: an
/// IPv6 viewer's URL would fail, so it is refused when asked for, saying why.
#[tokio::test]
async fn an_ipv6_client_ip_is_refused_with_the_reason() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    for ip in ["2001:db8::1", "2001:db8::/32", "::ffff:192.0.2.1"] {
        let answer =
            call(&signer.service, post(&json!({ "paths": ["/images/a.jpg"], "clientIp": ip }).to_string())).await;
        assert_eq!(answer.status, 400, "{ip}");
        let message = answer.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains("IPv6") && message.contains("only IPv4"), "{ip}: {message}");
    }
}

/// A request without API Gateway's raw path is routed by its URI's path, and
/// a 404 names that path rather than an empty one.
#[tokio::test]
async fn an_unknown_route_is_named_however_the_event_spells_its_path() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let request = http::Request::builder()
        .method("GET")
        .uri("https://example.com/other/place")
        .body(lambda_http::Body::Empty)
        .unwrap();
    let answer = call(&signer.service, request).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert!(answer.body.contains("no such route: /other/place"), "{}", answer.body);
}
