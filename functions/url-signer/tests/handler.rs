//! The handler over real API Gateway (HTTP API v2, REST API v1) and Function
//! URL events: every signature it answers with is checked by the verifier.

mod common;

use cfsign::KeyAlgorithm;
use common::*;
use serde_json::json;

#[tokio::test]
async fn http_api_post_answers_urls_that_verify() {
    let signer = signer(&[], KeyAlgorithm::Rsa2048);
    let answer = call(&signer.service, request(&fixture("http-api-v2-post-sign-jwt.json"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(answer.headers["access-control-allow-origin"], "https://app.example.com");
    let body = answer.json();
    assert_eq!(body["expiresAt"], NOW + 300);
    let url = body["urls"][0]["url"].as_str().unwrap();
    assert_eq!(body["urls"][0]["path"], "/images/photo.jpg");
    assert!(url.starts_with(&format!("https://{DOMAIN}/images/photo.jpg?Expires={}&", NOW + 300)));
    signer.verifier.verify_url(url, &at(NOW)).unwrap();
}

#[tokio::test]
async fn rest_api_claims_scope_each_caller_to_its_own_prefix() {
    let signer = signer(&[("CALLER_PREFIX", "/users/{sub}/")], KeyAlgorithm::EcdsaP256);
    let mine = fixture("rest-api-v1-post-sign-cognito.json");
    let answer = call(&signer.service, request(&mine)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let url = answer.json()["urls"][0]["url"].as_str().unwrap().to_owned();
    assert!(url.contains(&format!("/users/{SUB}/notes.pdf?")));
    signer.verifier.verify_url(&url, &at(NOW)).unwrap();

    let mut theirs = mine.clone();
    theirs["body"] = json!(r#"{"paths":["/users/someone-else/notes.pdf"]}"#);
    let answer = call(&signer.service, request(&theirs)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.json()["error"]["code"], "path_not_allowed");
    assert!(!answer.carries_a_signature());
}

#[tokio::test]
async fn function_url_get_redirects_to_the_signed_url() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, request(&fixture("function-url-get-sign-redirect.json"))).await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let location = answer.headers["location"].to_str().unwrap();
    assert!(location.starts_with(&format!("https://{DOMAIN}/images/photo.jpg?Expires=")));
    signer.verifier.verify_url(location, &at(NOW)).unwrap();

    let answer =
        call(&signer.service, http("GET", "/sign", &[("path", "/video/intro.mp4"), ("lifetimeSeconds", "60")])).await;
    assert_eq!(answer.status, 200);
    // 60 s from NOW, rounded up to the five-minute expiry window.
    assert_eq!(answer.json()["expiresAt"], NOW + 300);
    signer.verifier.verify_url(answer.json()["url"].as_str().unwrap(), &at(NOW)).unwrap();
}

#[tokio::test]
async fn wildcard_cookies_cover_every_object_under_the_prefix() {
    let signer = signer(&[("COOKIE_SAME_SITE", "Lax")], KeyAlgorithm::Rsa2048);
    let answer =
        call(&signer.service, post(r#"{"mode":"cookies","resource":"/images/gallery/*","lifetimeSeconds":600}"#)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["resource"], format!("https://{DOMAIN}/images/gallery/*"));
    assert_eq!(body["cookies"], json!(["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]));
    let set_cookies = answer.set_cookies();
    assert_eq!(set_cookies.len(), 3);
    for cookie in &set_cookies {
        assert!(
            cookie.ends_with(&format!("; Domain={DOMAIN}; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Lax")),
            "{cookie}"
        );
    }
    let pairs: Vec<(String, String)> = set_cookies
        .iter()
        .map(|c| {
            let (pair, _) = c.split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect();
    let cookies = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let object = format!("https://{DOMAIN}/images/gallery/2026/a.jpg");
    signer.verifier.verify_cookies(&object, cookies, &at(NOW)).unwrap();
}

#[tokio::test]
async fn a_single_path_cookie_set_is_canned() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, post(r#"{"mode":"cookies","paths":["/video/intro.mp4"]}"#)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["cookies"][0], "CloudFront-Expires");
}

#[tokio::test]
async fn a_hundred_paths_come_back_in_order_and_all_verify() {
    let signer = signer(&[("HASH_ALGORITHM", "SHA256")], KeyAlgorithm::EcdsaP256);
    let paths: Vec<String> = (0..100).map(|i| format!("/images/{i:03}.jpg")).collect();
    let answer = call(&signer.service, post(&json!({ "paths": paths }).to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let urls = answer.json()["urls"].as_array().unwrap().clone();
    assert_eq!(urls.len(), 100);
    for (entry, path) in urls.iter().zip(&paths) {
        assert_eq!(entry["path"], path.as_str());
        let url = entry["url"].as_str().unwrap();
        assert!(url.ends_with("&Hash-Algorithm=SHA256"));
        signer.verifier.verify_url(url, &at(NOW)).unwrap();
    }
}

#[tokio::test]
async fn lifetimes_are_clamped_and_conditions_applied() {
    // Exact times here; tests/stable_urls.rs has the expiry window's rounding.
    let signer = signer(&[("EXPIRY_WINDOW_SECONDS", "0")], KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, post(r#"{"paths":["/images/a.jpg"],"lifetimeSeconds":999999}"#)).await;
    assert_eq!(answer.json()["expiresAt"], NOW + 3600);
    let answer =
        call(&signer.service, post(&format!(r#"{{"paths":["/images/a.jpg"],"expiresAt":{}}}"#, NOW + 7200))).await;
    assert_eq!(answer.json()["expiresAt"], NOW + 3600);

    let body = format!(r#"{{"paths":["/images/a.jpg"],"startsAt":{},"clientIp":"192.0.2.0/24"}}"#, NOW + 10);
    let answer = call(&signer.service, post(&body)).await;
    let url = answer.json()["urls"][0]["url"].as_str().unwrap().to_owned();
    assert!(url.contains("Policy="));
    let from = |ip: &str, at: u64| cfsign::RequestContext {
        at: cfsign::Epoch::from_secs(at).unwrap(),
        client_ip: Some(ip.parse().unwrap()),
    };
    // Valid only after startsAt (CloudFront refuses on or before it), from the range.
    signer.verifier.verify_url(&url, &from("192.0.2.9", NOW + 11)).unwrap();
    let starts = cfsign::Epoch::from_secs(NOW + 10).unwrap();
    assert_eq!(
        signer.verifier.verify_url(&url, &from("192.0.2.9", NOW + 10)),
        Err(cfsign::Rejection::NotYetValid { starts, at: starts })
    );
    assert_eq!(
        signer.verifier.verify_url(&url, &from("198.51.100.1", NOW + 11)),
        Err(cfsign::Rejection::IpNotAllowed {
            allowed: "192.0.2.0/24".parse().unwrap(),
            client: Some("198.51.100.1".parse().unwrap())
        })
    );
}

#[tokio::test]
async fn an_unavailable_key_is_503_with_a_generic_message() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    signer.secrets.fail_reads(true);
    let answer = call(&signer.service, post(r#"{"paths":["/images/a.jpg"]}"#)).await;
    assert_eq!(answer.status, 503);
    assert_eq!(
        answer.json()["error"],
        json!({"code": "signing_unavailable", "message": "signing is temporarily unavailable"})
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn a_bad_request_never_reads_the_secret() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, post(r#"{"paths":["/secret/a.jpg"]}"#)).await;
    assert_eq!(answer.status, 403);
    assert_eq!(signer.secrets.reads(), 0);
}

#[tokio::test]
async fn preflight_and_unknown_origins() {
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let answer = call(&signer.service, http("OPTIONS", "/sign", &[])).await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert_eq!(answer.headers["access-control-allow-origin"], "https://app.example.com");
    assert_eq!(answer.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
    assert_eq!(
        answer.headers["access-control-allow-headers"],
        "authorization, content-type, x-amz-date, x-amz-security-token, x-amz-content-sha256"
    );
    assert_eq!(answer.headers["access-control-max-age"], "600");

    let mut event = fixture("http-api-v2-post-sign-jwt.json");
    event["headers"]["origin"] = json!("https://evil.example.com");
    let answer = call(&signer.service, request(&event)).await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn without_cookie_path_cookies_are_scoped_to_the_directory_they_sign() {
    let signer = signer(&[("COOKIE_PATH", "")], KeyAlgorithm::EcdsaP256);
    let cases = [
        (r#"{"mode":"cookies","resource":"/images/gallery/*"}"#, "/images/gallery/"),
        (r#"{"mode":"cookies","resource":"/images/gal*"}"#, "/images/"),
        (r#"{"mode":"cookies","paths":["/video/hls/intro.m3u8"]}"#, "/video/hls/"),
    ];
    for (body, path) in cases {
        let answer = call(&signer.service, post(body)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let cookies = answer.set_cookies();
        // An empty loop would pass: the three signed cookies are there.
        assert_eq!(cookies.len(), 3, "{body}: {cookies:?}");
        for cookie in cookies {
            assert!(cookie.contains(&format!("; Domain={DOMAIN}; Path={path}; Max-Age=300;")), "{body}: {cookie}");
        }
    }
}

#[tokio::test]
async fn debug_output_never_holds_a_signature_or_policy() {
    use url_signer::service::{Caller, Mode, Objects, SignRequest};
    let signer = signer(&[], KeyAlgorithm::EcdsaP256);
    let request = |mode, paths: &[&str], resource: Option<&str>| SignRequest {
        mode,
        objects: Objects::Paths(paths.iter().map(|p| (*p).to_owned()).collect()),
        resource: resource.map(str::to_owned),
        lifetime_seconds: None,
        expires_at: None,
        starts_at: None,
        client_ip: Some("192.0.2.0/24".into()),
    };
    let urls = signer.service.sign(&request(Mode::Url, &["/images/a.jpg"], None), &Caller::default()).await.unwrap();
    let cookies =
        signer.service.sign(&request(Mode::Cookies, &[], Some("/images/*")), &Caller::default()).await.unwrap();
    let url_secrets = match &urls.output {
        url_signer::service::Output::Urls(urls) => {
            let query = urls[0].url.split_once('?').unwrap().1.to_owned();
            query
                .split('&')
                .filter(|p| !p.starts_with("Key-Pair-Id"))
                .map(|p| p.split_once('=').unwrap().1.to_owned())
                .collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    let cookie_secrets = match &cookies.output {
        url_signer::service::Output::Cookies { set_cookie, .. } => set_cookie
            .iter()
            .filter(|c| !c.starts_with("CloudFront-Key-Pair-Id"))
            .map(|c| c.split_once(';').unwrap().0.split_once('=').unwrap().1.to_owned())
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!((url_secrets.len(), cookie_secrets.len()), (2, 2), "policy and signature of each");
    let shown = format!("{urls:?} {cookies:?} {urls:#?} {cookies:#?}");
    assert!(shown.contains("/images/a.jpg") && shown.contains("/images/*"), "{shown}");
    for secret in url_secrets.iter().chain(&cookie_secrets) {
        assert!(!shown.contains(secret.as_str()), "{shown}");
    }
    assert!(!shown.contains("Signature="), "{shown}");
}

/// A path in GET's query string is the path as written there, encoded: the
/// query's own decoding is undone, so GET and POST sign the same URL for it.
#[tokio::test]
async fn get_and_post_sign_the_same_url_for_an_encoded_path() {
    let signer = signer(&[], KeyAlgorithm::Rsa2048);
    let url_of = |answer: &Answer| {
        let body = answer.json();
        let url = body.get("url").unwrap_or(&body["urls"][0]["url"]).as_str().unwrap().to_owned();
        url.split('?').next().unwrap().to_owned()
    };
    let posted = call(&signer.service, post(r#"{"paths":["/images/my%20cat.jpg"]}"#)).await;
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(url_of(&posted), format!("https://{DOMAIN}/images/my%20cat.jpg"));
    // `?path=/images/my%20cat.jpg` arrives decoded as a space; `%2520` as `%20`.
    for decoded in ["/images/my cat.jpg", "/images/my%20cat.jpg"] {
        let answer = call(&signer.service, http("GET", "/sign", &[("path", decoded)])).await;
        assert_eq!(answer.status, 200, "{decoded}: {}", answer.body);
        assert_eq!(url_of(&answer), url_of(&posted), "{decoded}");
    }
    let answer = call(&signer.service, http("GET", "/sign", &[("path", "/images/café <1>.jpg")])).await;
    assert_eq!(url_of(&answer), format!("https://{DOMAIN}/images/caf%C3%A9%20%3C1%3E.jpg"));
    // POST takes its path as it is: a raw space there is a mistake to point out.
    let raw = call(&signer.service, post(r#"{"paths":["/images/my cat.jpg"]}"#)).await;
    assert_eq!((raw.status, raw.json()["error"]["code"].as_str()), (400, Some("invalid_path")));
    for refused in ["/images/a\\b.jpg", "/images/a?b.jpg", "/images/../x.jpg"] {
        let answer = call(&signer.service, http("GET", "/sign", &[("path", refused)])).await;
        assert_eq!((answer.status, answer.json()["error"]["code"].as_str()), (400, Some("invalid_path")), "{refused}");
    }
    let answer = call(&signer.service, http("GET", "/sign", &[("path", "/images/a.jpg"), ("redirect", "yes")])).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["error"]["message"], "redirect \"yes\" is 1, 0, true or false");
}
