//! Signing then verifying, for every key type, hash and backend, and every
//! reason CloudFront gives for a 403.

mod common;

use cfsign::{Backend, Conditions, HashAlgorithm, KeyAlgorithm, Rejection, RequestContext, Signer, Verifier, base64};
use common::*;

fn combinations() -> Vec<(KeyAlgorithm, HashAlgorithm, Backend)> {
    let mut all = Vec::new();
    for algorithm in KeyAlgorithm::ALL {
        for hash in HashAlgorithm::ALL {
            for backend in Backend::compiled() {
                all.push((algorithm, hash, backend));
            }
        }
    }
    all
}

fn verifier_for(algorithm: KeyAlgorithm) -> Verifier {
    Verifier::new().with_key(KEY_PAIR_ID, key(algorithm, Backend::default()).public_key().unwrap())
}

#[test]
fn every_combination_signs_urls_and_cookies_that_verify() {
    for (algorithm, hash, backend) in combinations() {
        let signer = Signer::new(KEY_PAIR_ID, key(algorithm, backend)).unwrap().with_hash_algorithm(hash);
        let verifier = verifier_for(algorithm);
        let label = format!("{algorithm} {hash} {backend}");

        let url = "https://d111111abcdef8.cloudfront.net/a/b.jpg?w=100";
        let signed = signer.sign_url(url, &Conditions::expires_at(epoch(EXPIRES))).unwrap();
        let verified = verifier.verify_url(&signed, &at(EXPIRES - 1)).unwrap_or_else(|r| panic!("{label}: {r}"));
        assert!(verified.canned, "{label}");
        assert_eq!(verified.hash, hash, "{label}");
        assert_eq!(signed.contains("&Hash-Algorithm=SHA256"), hash == HashAlgorithm::Sha256, "{label}");

        let conditions = Conditions::expires_at(epoch(EXPIRES)).not_before(epoch(EXPIRES - 100));
        let cookies = signer.sign_cookies("https://d111111abcdef8.cloudfront.net/a/*", &conditions).unwrap();
        let verified = verifier
            .verify_cookies("https://d111111abcdef8.cloudfront.net/a/b/c.png", cookies.iter(), &at(EXPIRES - 1))
            .unwrap_or_else(|r| panic!("{label}: {r}"));
        assert!(!verified.canned, "{label}");
        assert_eq!(cookies.get("CloudFront-Hash-Algorithm").is_some(), hash == HashAlgorithm::Sha256);
    }
}

#[test]
fn canned_url_layout_matches_cloudfront_documentation() {
    let signer = Signer::new(KEY_PAIR_ID, rsa_key(Backend::default())).unwrap();
    let signed = signer.sign_url("https://d.net/a.jpg", &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    let rest = signed.strip_prefix("https://d.net/a.jpg?Expires=1767225600&Signature=").unwrap();
    let (signature, key_pair_id) = rest.split_once("&Key-Pair-Id=").unwrap();
    assert_eq!(key_pair_id, KEY_PAIR_ID);
    assert_eq!(base64::decode(signature).unwrap().len(), 256);

    let with_query = signer.sign_url("https://d.net/a.jpg?x=1", &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    assert!(with_query.starts_with("https://d.net/a.jpg?x=1&Expires=1767225600&Signature="));
}

#[test]
fn canned_cookies_carry_expires_and_custom_cookies_carry_policy() {
    let signer = Signer::new(KEY_PAIR_ID, rsa_key(Backend::default())).unwrap();
    let canned = signer.sign_cookies("https://d.net/a.jpg", &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    let names: Vec<_> = canned.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["CloudFront-Expires", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]);
    assert_eq!(canned.get("CloudFront-Expires"), Some("1767225600"));

    let custom = signer.sign_cookies("https://d.net/*", &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    let names: Vec<_> = custom.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]);
}

#[cfg(all(feature = "aws-lc", feature = "rust-crypto"))]
#[test]
fn both_backends_give_byte_identical_rsa_signatures() {
    let message = br#"{"Statement":[{"Resource":"https://d.net/a","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}"#;
    for hash in HashAlgorithm::ALL {
        let fast = rsa_key(Backend::AwsLc).sign(hash, message).unwrap();
        let pure = rsa_key(Backend::RustCrypto).sign(hash, message).unwrap();
        assert_eq!(fast, pure, "{hash}");
    }
}

#[cfg(all(feature = "aws-lc", feature = "rust-crypto"))]
#[test]
fn each_backend_verifies_the_others_ecdsa_signatures() {
    let message = b"policy bytes";
    for hash in HashAlgorithm::ALL {
        for (signer, checker) in [(Backend::AwsLc, Backend::RustCrypto), (Backend::RustCrypto, Backend::AwsLc)] {
            let signature = p256_key(signer).sign(hash, message).unwrap();
            let public =
                cfsign::PublicKey::from_bytes_with(p256_key(signer).public_key().unwrap().to_pem().as_bytes(), checker)
                    .unwrap();
            assert!(public.verify(hash, message, &signature), "{signer} -> {checker} {hash}");
            assert!(!public.verify(hash, b"other bytes", &signature));
        }
    }
}

fn signed(conditions: Conditions) -> String {
    Signer::new(KEY_PAIR_ID, rsa_key(Backend::default()))
        .unwrap()
        .sign_url("https://d.net/a.jpg?x=1", &conditions)
        .unwrap()
}

fn reject(url: &str, request: &RequestContext) -> Rejection {
    verifier_for(KeyAlgorithm::Rsa2048).verify_url(url, request).unwrap_err()
}

#[test]
fn explains_missing_duplicate_and_unknown_parameters() {
    let url = signed(Conditions::expires_at(epoch(EXPIRES)));
    let request = at(EXPIRES - 1);
    let without = |name: &str| {
        let (base, query) = url.split_once('?').unwrap();
        let kept: Vec<_> = query.split('&').filter(|p| !p.starts_with(&format!("{name}="))).collect();
        format!("{base}?{}", kept.join("&"))
    };
    assert_eq!(reject(&without("Signature"), &request), Rejection::MissingParameter("Signature"));
    assert_eq!(reject(&without("Key-Pair-Id"), &request), Rejection::MissingParameter("Key-Pair-Id"));
    assert_eq!(reject(&without("Expires"), &request), Rejection::MissingParameter("Expires or Policy"));
    assert_eq!(reject(&format!("{url}&Expires=1"), &request), Rejection::DuplicateParameter("Expires"));
    assert_eq!(reject(&url.replace(KEY_PAIR_ID, "KUNKNOWN"), &request), Rejection::UnknownKeyId("KUNKNOWN".into()));
    assert_eq!(
        reject(&format!("{url}&Hash-Algorithm=MD5"), &request),
        Rejection::UnsupportedHashAlgorithm("MD5".into())
    );
    assert_eq!(reject(&format!("{url}&Policy=e30_"), &request), Rejection::ConflictingParameters("Expires", "Policy"));
}

#[test]
fn explains_malformed_base64_and_policies() {
    let url = signed(Conditions::expires_at(epoch(EXPIRES)).not_before(epoch(1)));
    let request = at(EXPIRES - 1);
    let (base, _) = url.split_once("&Signature=").unwrap();
    let policy = base.split_once("Policy=").unwrap().1;

    let broken_signature = url.replace("&Signature=", "&Signature=%%");
    assert_eq!(reject(&broken_signature, &request), Rejection::MalformedBase64("Signature"));
    let broken_policy = url.replace(policy, "not*base64");
    assert_eq!(reject(&broken_policy, &request), Rejection::MalformedBase64("Policy"));
    let not_json = url.replace(policy, &base64::encode(b"{\"Statement\":"));
    assert!(matches!(reject(&not_json, &request), Rejection::MalformedPolicy(_)));
    let bad_expires = signed(Conditions::expires_at(epoch(EXPIRES))).replace("Expires=1767225600", "Expires=soon");
    assert!(matches!(reject(&bad_expires, &request), Rejection::MalformedPolicy(m) if m.contains("epoch seconds")));
}

#[test]
fn explains_bad_signatures() {
    let url = signed(Conditions::expires_at(epoch(EXPIRES)));
    let request = at(EXPIRES - 1);
    // A longer expiry written over the signed one is exactly what the signature protects.
    let tampered = url.replace("Expires=1767225600", "Expires=1767225601");
    assert!(matches!(reject(&tampered, &request), Rejection::BadSignature { .. }));
    let other_path = url.replace("/a.jpg", "/b.jpg");
    assert!(matches!(reject(&other_path, &request), Rejection::BadSignature { .. }));

    let foreign = Signer::new(KEY_PAIR_ID, other_key(KeyAlgorithm::Rsa2048))
        .unwrap()
        .sign_url("https://d.net/a.jpg", &Conditions::expires_at(epoch(EXPIRES)))
        .unwrap();
    let rejection = reject(&foreign, &request);
    assert_eq!(rejection.to_string(), format!("bad signature: it does not verify under key {KEY_PAIR_ID} with SHA1"));
}

#[test]
fn explains_time_ip_and_resource_refusals() {
    let window = signed(Conditions::expires_at(epoch(EXPIRES)).not_before(epoch(EXPIRES - 60)));
    assert_eq!(reject(&window, &at(EXPIRES)), Rejection::Expired { expires: epoch(EXPIRES), at: epoch(EXPIRES) });
    assert_eq!(
        reject(&window, &at(EXPIRES - 61)),
        Rejection::NotYetValid { starts: epoch(EXPIRES - 60), at: epoch(EXPIRES - 61) }
    );
    // Both boundaries of both dates: refused at DateGreaterThan itself and at
    // DateLessThan itself, allowed one second inside each.
    assert_eq!(
        reject(&window, &at(EXPIRES - 60)),
        Rejection::NotYetValid { starts: epoch(EXPIRES - 60), at: epoch(EXPIRES - 60) }
    );
    let verifier = verifier_for(KeyAlgorithm::Rsa2048);
    verifier.verify_url(&window, &at(EXPIRES - 59)).unwrap();
    verifier.verify_url(&window, &at(EXPIRES - 1)).unwrap();

    let range = "192.0.2.0/24".parse().unwrap();
    let ip_bound = signed(Conditions::expires_at(epoch(EXPIRES)).from_ip_range(range));
    let from = |ip: &str| RequestContext { at: epoch(EXPIRES - 1), client_ip: Some(ip.parse().unwrap()) };
    verifier.verify_url(&ip_bound, &from("192.0.2.200")).unwrap();
    assert_eq!(
        reject(&ip_bound, &from("198.51.100.1")),
        Rejection::IpNotAllowed { allowed: range, client: Some("198.51.100.1".parse().unwrap()) }
    );
    assert!(matches!(reject(&ip_bound, &from("2001:db8::1")), Rejection::IpNotAllowed { .. }));
    assert!(matches!(reject(&ip_bound, &at(EXPIRES - 1)), Rejection::IpNotAllowed { client: None, .. }));

    // A wildcard policy signed for one object, moved to a URL it does not cover.
    let signer = Signer::new(KEY_PAIR_ID, rsa_key(Backend::default())).unwrap();
    let images = Conditions::expires_at(epoch(EXPIRES)).for_resource("https://d.net/images/*");
    let inside = signer.sign_url("https://d.net/images/b.jpg", &images).unwrap();
    let prefix = format!("https://d.net/a.jpg?x=1&{}", inside.split_once('?').unwrap().1);
    assert_eq!(
        reject(&prefix, &at(EXPIRES - 1)),
        Rejection::ResourceMismatch {
            resource: "https://d.net/images/*".into(),
            url: "https://d.net/a.jpg?x=1".into()
        }
    );
}

#[test]
fn a_wildcard_policy_travels_to_other_objects_under_its_prefix() {
    let signer = Signer::new(KEY_PAIR_ID, p256_key(Backend::default())).unwrap();
    let conditions = Conditions::expires_at(epoch(EXPIRES)).for_resource("https://d.net/images/*");
    let signed = signer.sign_url("https://d.net/images/a.jpg", &conditions).unwrap();
    // The same Policy/Signature pair is valid on any URL the resource covers.
    let params = signed.split_once('?').unwrap().1;
    let moved = format!("https://d.net/images/2026/b.png?{params}");
    verifier_for(KeyAlgorithm::EcdsaP256).verify_url(&moved, &at(EXPIRES - 1)).unwrap();
}

#[test]
fn a_wildcard_signature_never_reaches_past_its_prefix_through_a_dot_segment() {
    let signer = Signer::new(KEY_PAIR_ID, p256_key(Backend::default())).unwrap();
    let conditions = Conditions::expires_at(epoch(EXPIRES)).for_resource("https://d.net/users/alice/*");
    let signed = signer.sign_url("https://d.net/users/alice/a.jpg", &conditions).unwrap();
    let params = signed.split_once('?').unwrap().1;
    let cookies = signer.sign_cookies("https://d.net/users/alice/a.jpg", &conditions).unwrap();
    let verifier = verifier_for(KeyAlgorithm::EcdsaP256);
    for path in [
        "/users/alice/../bob/x.jpg",
        "/users/alice/..;/bob/x.jpg",
        "/users/alice/.;x/a.jpg",
        "/users/alice/%2E%2e/bob/x",
    ] {
        let url = format!("https://d.net{path}");
        for rejection in [
            verifier.verify_url(&format!("{url}?{params}"), &at(EXPIRES - 1)).unwrap_err(),
            verifier.verify_cookies(&url, cookies.iter(), &at(EXPIRES - 1)).unwrap_err(),
        ] {
            let message = rejection.to_string();
            assert!(matches!(rejection, Rejection::MalformedUrl(_)), "{path}: {message}");
            assert!(message.contains("dot segment") && message.contains("guard answers 400"), "{path}: {message}");
        }
        assert!(signer.sign_url(&url, &Conditions::expires_at(epoch(EXPIRES))).is_err(), "{path} signed");
    }
}

#[test]
fn refuses_to_sign_what_cloudfront_would_not_match_or_accept() {
    let signer = Signer::new(KEY_PAIR_ID, rsa_key(Backend::default())).unwrap();
    let conditions = Conditions::expires_at(epoch(EXPIRES));
    let long = format!("https://d.net/{}", "a".repeat(8000));
    assert!(matches!(signer.sign_url(&long, &conditions), Err(cfsign::Error::UrlTooLong { .. })));
    assert!(
        matches!(signer.sign_url("https://d.net/a?Signature=x", &conditions), Err(cfsign::Error::InvalidUrl(m)) if m.contains("Signature"))
    );
    let long_cookie = format!("https://d.net/{}/*", "a".repeat(3000));
    assert!(matches!(signer.sign_cookies(&long_cookie, &conditions), Err(cfsign::Error::CookieTooLong { .. })));
    assert!(matches!(signer.sign_cookies("https://d.net/a b", &conditions), Err(cfsign::Error::InvalidResource(_))));
    for id in ["K2J CJM", ""] {
        assert!(
            matches!(Signer::new(id, rsa_key(Backend::default())), Err(cfsign::Error::InvalidKeyPairId(got)) if got == id)
        );
    }
}

#[test]
fn the_verifier_keeps_empty_query_pairs_as_they_were_signed() {
    let key = rsa_key(Backend::default());
    let verifier = Verifier::new().with_key(KEY_PAIR_ID, key.public_key().unwrap());
    for url in ["https://d.net/a?x=1&", "https://d.net/a?a&&b", "https://d.net/a?&a"] {
        // Signed by hand: the signer itself refuses these URLs.
        let policy = cfsign::Policy::canned(url, epoch(EXPIRES)).to_json();
        let signature = cfsign::base64::encode(&key.sign(HashAlgorithm::Sha1, policy.as_bytes()).unwrap());
        let signed = format!("{url}&Expires={EXPIRES}&Signature={signature}&Key-Pair-Id={KEY_PAIR_ID}");
        let verified = verifier.verify_url(&signed, &at(EXPIRES - 1)).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(verified.policy.resource(), Some(url));
    }
}

#[test]
fn urls_with_empty_query_pairs_are_refused_at_signing() {
    let signer = Signer::new(KEY_PAIR_ID, p256_key(Backend::default())).unwrap();
    for url in ["https://d.net/a?x=1&", "https://d.net/a?a&&b", "https://d.net/a?&a"] {
        let err = signer.sign_url(url, &Conditions::expires_at(epoch(EXPIRES))).unwrap_err();
        assert!(err.to_string().contains("empty query parameter"), "{url}: {err}");
    }
}

#[test]
fn a_policy_resource_that_does_not_cover_the_url_is_refused() {
    let signer = Signer::new(KEY_PAIR_ID, p256_key(Backend::default())).unwrap();
    for (resource, url) in [
        ("https://d.net/images/*", "https://d.net/a.jpg"),
        ("https://d.net/a?.jpg", "https://d.net/a.jpg"),
        ("http://d.net/a.jpg", "https://d.net/a.jpg"),
    ] {
        let conditions = Conditions::expires_at(epoch(EXPIRES)).for_resource(resource);
        match signer.sign_url(url, &conditions) {
            Err(cfsign::Error::InvalidResource(message)) => assert!(message.contains("does not cover"), "{message}"),
            other => panic!("{resource} for {url}: {other:?}"),
        }
    }
    for (resource, url) in
        [("*://d.net/*", "https://d.net/a.jpg?x=1"), ("https://d.net/a?.jpg", "https://d.net/ab.jpg")]
    {
        signer.sign_url(url, &Conditions::expires_at(epoch(EXPIRES)).for_resource(resource)).unwrap();
    }
}

#[test]
fn an_expires_that_is_not_plain_digits_is_a_malformed_policy() {
    let url = signed(Conditions::expires_at(epoch(EXPIRES)));
    verifier_for(KeyAlgorithm::Rsa2048).verify_url(&url, &at(EXPIRES - 1)).unwrap();
    for bad in ["+1767225600", "01767225600", " 1767225600", "1767225600 ", ""] {
        let tampered = url.replace(&format!("Expires={EXPIRES}"), &format!("Expires={bad}"));
        assert!(matches!(reject(&tampered, &at(EXPIRES - 1)), Rejection::MalformedPolicy(_)), "{bad:?}");
    }
}

/// The AWS-LC key is shared across threads on the strength of `unsafe impl
/// Send/Sync`: one signer used from eight threads at once must still give
/// the one deterministic RSA signature, and ECDSA signatures that verify.
#[cfg(feature = "aws-lc")]
#[test]
fn one_aws_lc_signer_signs_from_eight_threads_at_once() {
    use std::sync::{Arc, Barrier};
    for algorithm in KeyAlgorithm::ALL {
        let signer = Arc::new(Signer::new(KEY_PAIR_ID, key(algorithm, Backend::AwsLc)).unwrap());
        let conditions = Conditions::expires_at(epoch(EXPIRES));
        let alone = signer.sign_url("https://d.net/a.jpg", &conditions).unwrap();
        let barrier = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (signer, barrier, conditions) = (Arc::clone(&signer), Arc::clone(&barrier), conditions.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    (0..20).map(|_| signer.sign_url("https://d.net/a.jpg", &conditions).unwrap()).collect::<Vec<_>>()
                })
            })
            .collect();
        let verifier = verifier_for(algorithm);
        for url in threads.into_iter().flat_map(|t| t.join().unwrap()) {
            verifier.verify_url(&url, &at(EXPIRES - 1)).unwrap();
            if algorithm == KeyAlgorithm::Rsa2048 {
                assert_eq!(url, alone);
            }
        }
    }
}

#[test]
fn a_verified_signature_answers_for_other_times_and_addresses_as_a_full_check_would() {
    let signer = Signer::new(KEY_PAIR_ID, key(KeyAlgorithm::EcdsaP256, Backend::default())).unwrap();
    let verifier = verifier_for(KeyAlgorithm::EcdsaP256);
    let conditions = Conditions::expires_at(epoch(EXPIRES))
        .not_before(epoch(EXPIRES - 100))
        .from_ip_range("192.0.2.0/24".parse().unwrap());
    let signed = signer.sign_url("https://d111111abcdef8.cloudfront.net/a.jpg", &conditions).unwrap();
    let from = |ip: &str, at: u64| RequestContext { at: epoch(at), client_ip: Some(ip.parse().unwrap()) };
    let verified = verifier.verify_url(&signed, &from("192.0.2.7", EXPIRES - 50)).unwrap();
    for request in [
        from("192.0.2.9", EXPIRES - 1),
        from("192.0.2.9", EXPIRES),
        from("192.0.2.9", EXPIRES - 101),
        from("198.51.100.1", EXPIRES - 50),
        from("2001:db8::1", EXPIRES - 50),
    ] {
        assert_eq!(verified.allows(&request), verifier.verify_url(&signed, &request).map(drop), "{request:?}");
    }
    assert_eq!(
        verified.allows(&from("192.0.2.9", EXPIRES)),
        Err(Rejection::Expired { expires: epoch(EXPIRES), at: epoch(EXPIRES) })
    );
    assert!(matches!(verified.allows(&from("198.51.100.1", EXPIRES - 50)), Err(Rejection::IpNotAllowed { .. })));
    assert!(matches!(verified.allows(&from("192.0.2.9", EXPIRES - 101)), Err(Rejection::NotYetValid { .. })));
}

/// A bare `"Resource":"*"` matches any URL of the distribution, as documented.
#[test]
fn a_bare_star_resource_covers_every_url() {
    let signer = Signer::new(KEY_PAIR_ID, key(KeyAlgorithm::Rsa2048, Backend::default())).unwrap();
    let verifier = verifier_for(KeyAlgorithm::Rsa2048);
    let everything = Conditions::expires_at(epoch(EXPIRES)).for_resource("*");
    let url = signer.sign_url("https://d111111abcdef8.cloudfront.net/a/b.jpg", &everything).unwrap();
    let verified = verifier.verify_url(&url, &at(EXPIRES - 1)).unwrap();
    assert_eq!(verified.policy.resource(), Some("*"));
    let cookies = signer.sign_cookies("*", &Conditions::expires_at(epoch(EXPIRES))).unwrap();
    for other in ["https://d111111abcdef8.cloudfront.net/", "https://cdn.example.com/x/y?z=1"] {
        verifier.verify_cookies(other, cookies.iter(), &at(EXPIRES - 1)).unwrap_or_else(|r| panic!("{other}: {r}"));
    }
}
