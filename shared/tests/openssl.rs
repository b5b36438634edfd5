//! Custom policies checked by an independent implementation: OpenSSL verifies
//! our signatures over exactly the policy bytes we put in the URL.

mod common;

use std::path::Path;
use std::process::Command;

use cfsign::{Backend, Conditions, HashAlgorithm, KeyAlgorithm, Signer, base64};
use common::*;

fn parameter<'a>(url: &'a str, name: &str) -> &'a str {
    url.split(['?', '&']).find_map(|p| p.strip_prefix(&format!("{name}="))).unwrap()
}

fn openssl_verifies(public_pem: &Path, hash: HashAlgorithm, message: &[u8], signature: &[u8]) -> bool {
    let dir = std::env::temp_dir().join(format!("cfsign-openssl-{}-{hash}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (message_path, signature_path) = (dir.join("policy.json"), dir.join("signature.bin"));
    std::fs::write(&message_path, message).unwrap();
    std::fs::write(&signature_path, signature).unwrap();
    let digest = match hash {
        HashAlgorithm::Sha1 => "-sha1",
        HashAlgorithm::Sha256 => "-sha256",
    };
    let out = Command::new("openssl")
        .arg("dgst")
        .arg(digest)
        .arg("-verify")
        .arg(public_pem)
        .arg("-signature")
        .arg(&signature_path)
        .arg(&message_path)
        .output()
        .expect("openssl must be installed (make test installs it)");
    std::fs::remove_dir_all(&dir).unwrap();
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

#[test]
fn openssl_verifies_custom_policy_signatures_for_every_combination() {
    // A resource JSON must escape (\\) or could misread (&), covering the URL signed.
    let hostile = r#"https://d111111abcdef8.cloudfront.net/a%22b/*?q=%3C&x=\"#;
    let conditions = Conditions::expires_at(epoch(EXPIRES))
        .not_before(epoch(EXPIRES - 3600))
        .from_ip_range("192.0.2.0/24".parse().unwrap())
        .for_resource(hostile);
    for (algorithm, public) in [
        (KeyAlgorithm::Rsa2048, "keys/test-only-rsa2048.public.pem"),
        (KeyAlgorithm::EcdsaP256, "keys/test-only-p256.public.pem"),
    ] {
        for hash in HashAlgorithm::ALL {
            for backend in Backend::compiled() {
                let signer = Signer::new(KEY_PAIR_ID, key(algorithm, backend)).unwrap().with_hash_algorithm(hash);
                let url = signer
                    .sign_url(r#"https://d111111abcdef8.cloudfront.net/a%22b/c.jpg?q=%3C&x=\"#, &conditions)
                    .unwrap();
                let policy = base64::decode(parameter(&url, "Policy")).unwrap();
                let signature = base64::decode(parameter(&url, "Signature")).unwrap();
                let label = format!("{algorithm} {hash} {backend}");
                assert!(openssl_verifies(&fixture(public), hash, &policy, &signature), "{label}");
                // And OpenSSL is a real check: other bytes under the same signature fail.
                assert!(!openssl_verifies(&fixture(public), hash, b"{}", &signature), "{label}");
            }
        }
    }
}
