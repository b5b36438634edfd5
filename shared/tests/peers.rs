//! Conformance with the official signers: botocore's CloudFrontSigner, the AWS
//! CLI's `cloudfront sign` and @aws-sdk/cloudfront-signer. The vectors were made
//! by `tests/conformance/generate` with the committed test-only keys.

mod common;

use std::net::IpAddr;

use cfsign::{Backend, Conditions, HashAlgorithm, Policy, PrivateKey, PublicKey, RequestContext, Signer, Verifier};
use common::*;
use serde_json::Value;

struct Vector {
    raw: Value,
}

impl Vector {
    fn str(&self, field: &str) -> Option<&str> {
        self.raw.get(field).and_then(Value::as_str)
    }

    fn u64(&self, field: &str) -> Option<u64> {
        self.raw.get(field).and_then(Value::as_u64)
    }

    fn name(&self) -> &str {
        self.str("name").unwrap()
    }

    fn hash(&self) -> HashAlgorithm {
        self.str("hash").unwrap().parse().unwrap()
    }

    fn is_rsa(&self) -> bool {
        self.str("key") == Some("rsa2048")
    }

    /// The URL the peer actually signed (the JS signer rewrites some paths).
    fn signed_target(&self) -> &str {
        self.str("peer_normalised_url").unwrap_or_else(|| self.str("url").unwrap())
    }

    fn signer(&self, backend: Backend) -> Signer {
        let key =
            PrivateKey::from_bytes_with(&fixture_bytes(&format!("keys/{}", self.str("key_file").unwrap())), backend)
                .unwrap();
        Signer::new(KEY_PAIR_ID, key).unwrap().with_hash_algorithm(self.hash())
    }

    fn verifier(&self) -> Verifier {
        let public = if self.is_rsa() { "keys/test-only-rsa2048.public.pem" } else { "keys/test-only-p256.public.pem" };
        Verifier::new().with_key(KEY_PAIR_ID, PublicKey::from_bytes(&fixture_bytes(public)).unwrap())
    }

    fn conditions(&self) -> Conditions {
        let mut conditions = Conditions::expires_at(epoch(self.u64("expires").unwrap()));
        if let Some(starts) = self.u64("starts") {
            conditions = conditions.not_before(epoch(starts));
        }
        if let Some(ip) = self.str("ip") {
            conditions = conditions.from_ip_range(cfsign::parse_ipv4_range(ip).unwrap());
        }
        if let Some(resource) = self.str("policy_resource") {
            conditions = conditions.for_resource(resource);
        }
        conditions
    }

    /// A request inside every condition of the vector.
    fn request(&self) -> RequestContext {
        let client_ip = self.str("ip").map(|ip| {
            let range = cfsign::parse_ipv4_range(ip).unwrap();
            IpAddr::V4(range.addr())
        });
        RequestContext { at: epoch(self.u64("expires").unwrap() - 1), client_ip }
    }

    fn peer_cookies(&self) -> Vec<(String, String)> {
        let cookies = self.raw["cookies"].as_object().unwrap();
        cookies
            .iter()
            .map(|(name, value)| {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                (name.clone(), value)
            })
            .collect()
    }

    fn peer_signature(&self) -> String {
        match self.str("kind").unwrap() {
            "url" => parameter(self.str("signed_url").unwrap(), "Signature").to_owned(),
            _ => self.peer_cookies().into_iter().find(|(n, _)| n == "CloudFront-Signature").unwrap().1,
        }
    }
}

fn vectors() -> Vec<Vector> {
    let file: Value = serde_json::from_slice(&fixture_bytes("peer-vectors.json")).unwrap();
    assert_eq!(file["key_pair_id"], KEY_PAIR_ID);
    let vectors: Vec<_> = file["vectors"].as_array().unwrap().iter().cloned().map(|raw| Vector { raw }).collect();
    assert!(vectors.len() >= 50, "only {} vectors", vectors.len());
    vectors
}

fn parameter<'a>(url: &'a str, name: &str) -> &'a str {
    url.split(['?', '&']).find_map(|p| p.strip_prefix(name).and_then(|p| p.strip_prefix('='))).unwrap()
}

/// A concrete URL that a wildcard resource covers.
fn instance_of(resource: &str) -> String {
    resource.replace("*://", "https://").replace('*', "x").replace('?', "y")
}

#[test]
fn every_peer_signature_verifies_with_our_verifier() {
    for vector in vectors() {
        let verifier = vector.verifier();
        let request = vector.request();
        let outcome = match vector.str("kind").unwrap() {
            "url" => verifier.verify_url(vector.str("signed_url").unwrap(), &request),
            _ => {
                let cookies = vector.peer_cookies();
                let resource = vector.str("policy_resource").unwrap_or_else(|| vector.signed_target());
                verifier.verify_cookies(
                    &instance_of(resource),
                    cookies.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                    &request,
                )
            }
        };
        let verified = outcome.unwrap_or_else(|r| panic!("{}: {r}", vector.name()));
        assert_eq!(verified.canned, vector.str("policy") == Some("canned"), "{}", vector.name());
        assert_eq!(verified.hash, vector.hash(), "{}", vector.name());
    }
}

#[test]
fn our_policies_mean_what_the_peers_policies_mean() {
    for vector in vectors() {
        let theirs = Policy::from_json(vector.str("policy_json").unwrap().as_bytes()).unwrap();
        let signer = vector.signer(Backend::default());
        if !vector.signed_target().bytes().all(|b| b.is_ascii_graphic()) {
            // A peer signed raw non-ASCII or a raw space; we ask for the encoding instead.
            let refusal = signer.sign_url(vector.signed_target(), &vector.conditions()).unwrap_err();
            assert!(refusal.to_string().contains("percent-encode"), "{}: {refusal}", vector.name());
            continue;
        }
        let ours_json = match vector.str("kind").unwrap() {
            "url" => {
                let url = signer.sign_url(vector.signed_target(), &vector.conditions()).unwrap();
                match vector.str("policy").unwrap() {
                    "canned" => {
                        assert!(url.contains("Expires="), "{}", vector.name());
                        Policy::canned(vector.signed_target(), vector.conditions().expires()).to_json()
                    }
                    _ => String::from_utf8(cfsign::base64::decode(parameter(&url, "Policy")).unwrap()).unwrap(),
                }
            }
            _ => {
                let resource = vector.str("policy_resource").unwrap_or_else(|| vector.signed_target());
                let cookies = signer.sign_cookies(resource, &vector.conditions()).unwrap();
                match cookies.get("CloudFront-Policy") {
                    Some(policy) => String::from_utf8(cfsign::base64::decode(policy).unwrap()).unwrap(),
                    None => Policy::canned(resource, vector.conditions().expires()).to_json(),
                }
            }
        };
        assert_eq!(Policy::from_json(ours_json.as_bytes()).unwrap(), theirs, "{}", vector.name());
        if vector.raw["canonical_policy"] == true {
            assert_eq!(ours_json, vector.str("policy_json").unwrap(), "{}", vector.name());
        }
    }
}

#[test]
fn rsa_signatures_over_the_same_policy_are_identical_on_every_backend() {
    let mut compared = 0;
    for vector in vectors().into_iter().filter(|v| v.is_rsa() && v.raw["canonical_policy"] == true) {
        for backend in Backend::compiled() {
            let signer = vector.signer(backend);
            let ours = match vector.str("kind").unwrap() {
                "url" => {
                    let url = signer.sign_url(vector.signed_target(), &vector.conditions()).unwrap();
                    if matches!(vector.str("peer"), Some("botocore" | "awscli")) {
                        // Same parameter order as ours: the whole URL is byte-identical.
                        assert_eq!(url, vector.str("signed_url").unwrap(), "{} on {backend}", vector.name());
                    }
                    parameter(&url, "Signature").to_owned()
                }
                _ => {
                    let resource = vector.str("policy_resource").unwrap_or_else(|| vector.signed_target());
                    signer
                        .sign_cookies(resource, &vector.conditions())
                        .unwrap()
                        .get("CloudFront-Signature")
                        .unwrap()
                        .to_owned()
                }
            };
            assert_eq!(ours, vector.peer_signature(), "{} on {backend}", vector.name());
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} RSA comparisons");
}

#[test]
fn urls_the_js_signer_rewrites_are_refused_or_signed_exactly_as_given() {
    for vector in vectors().into_iter().filter(|v| v.str("peer_normalised_url").is_some()) {
        let given = vector.str("url").unwrap();
        let signer = vector.signer(Backend::default());
        match signer.sign_url(given, &vector.conditions()) {
            // Raw spaces and raw non-ASCII: we ask for the encoding instead of guessing it.
            Err(e) => assert!(e.to_string().contains("percent-encode"), "{}: {e}", vector.name()),
            // Anything else is signed as given, so the signed bytes are the requested bytes.
            Ok(url) => assert!(url.starts_with(&format!("{given}?Expires=")), "{}", vector.name()),
        }
    }
}

#[cfg(feature = "cli")]
#[test]
fn aws_cli_invocations_replayed_with_cfsign_print_the_same_url() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut replayed = 0;
    for vector in vectors().into_iter().filter(|v| v.raw.get("cli_args").is_some()) {
        let args: Vec<&str> = vector.raw["cli_args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cfsign"))
            .current_dir(root)
            .arg("sign")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", vector.name());
        let ours = String::from_utf8(out.stdout).unwrap().trim_end().to_owned();
        let theirs = vector.str("signed_url").unwrap();
        if vector.raw["canonical_policy"] == true {
            assert_eq!(ours, theirs, "{}", vector.name());
        } else {
            // The CLI writes IpAddress before DateGreaterThan: same policy, other bytes.
            let policy = |url: &str| Policy::from_json(&cfsign::base64::decode(parameter(url, "Policy")).unwrap());
            assert_eq!(policy(&ours).unwrap(), policy(theirs).unwrap(), "{}", vector.name());
            vector.verifier().verify_url(&ours, &vector.request()).unwrap();
        }
        replayed += 1;
    }
    assert!(replayed >= 10, "only {replayed} AWS CLI invocations");
}
