//! Key formats CloudFront users hold, detected from the key itself, and the
//! keys CloudFront would refuse, refused here with the reason.

mod common;

use cfsign::{Backend, Error, KeyAlgorithm, PrivateKey, PublicKey};
use common::*;

#[test]
fn every_format_of_the_same_key_loads_on_every_backend() {
    let families = [
        (KeyAlgorithm::Rsa2048, "test-only-rsa2048", &["pkcs1.pem", "pkcs8.pem", "der"][..]),
        (KeyAlgorithm::EcdsaP256, "test-only-p256", &["sec1.pem", "pkcs8.pem", "der"][..]),
    ];
    for (algorithm, stem, forms) in families {
        let public = PublicKey::from_bytes(&fixture_bytes(&format!("keys/{stem}.public.pem"))).unwrap();
        assert_eq!(public.algorithm(), algorithm);
        for form in forms {
            for backend in Backend::compiled() {
                let key = PrivateKey::from_bytes_with(&fixture_bytes(&format!("keys/{stem}.{form}")), backend)
                    .unwrap_or_else(|e| panic!("{stem}.{form} on {backend}: {e}"));
                assert_eq!(key.algorithm(), algorithm, "{stem}.{form}");
                assert_eq!(key.backend(), backend);
                assert_eq!(key.public_key().unwrap(), public, "{stem}.{form} on {backend}");
            }
        }
    }
}

#[test]
fn public_keys_load_from_der_and_re_encode_as_cloudfront_pem() {
    let pem = String::from_utf8(fixture_bytes("keys/test-only-rsa2048.public.pem")).unwrap();
    let key = PublicKey::from_pem(&pem).unwrap();
    assert_eq!(key.to_pem(), pem);
    assert_eq!(PublicKey::from_bytes(key.to_der()).unwrap(), key);
}

#[test]
fn a_pem_file_with_parameters_before_the_key_still_loads() {
    let sec1 = String::from_utf8(fixture_bytes("keys/test-only-p256.sec1.pem")).unwrap();
    let with_parameters =
        format!("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{sec1}");
    assert_eq!(PrivateKey::from_pem(&with_parameters).unwrap().algorithm(), KeyAlgorithm::EcdsaP256);
}

#[test]
fn keys_cloudfront_refuses_are_refused_with_the_reason() {
    let cases = [
        ("keys/test-only-rsa1024.pem", "an RSA key of 1024 bits"),
        ("keys/test-only-rsa4096.pem", "an RSA key of 4096 bits"),
        ("keys/test-only-p384.pem", "an EC key on the P-384 curve"),
        ("keys/test-only-ed25519.pem", "Ed25519"),
        // DER has no label to go by; the refusal still names the key.
        ("keys/test-only-rsa4096.pkcs1.der", "an RSA key of 4096 bits"),
        ("keys/test-only-rsa1024.pkcs8.der", "an RSA key of 1024 bits"),
        ("keys/test-only-p384.sec1.der", "an EC key on the P-384 curve"),
    ];
    for (file, reason) in cases {
        match PrivateKey::from_bytes(&fixture_bytes(file)) {
            Err(Error::UnsupportedKey(message)) => assert_eq!(message, reason, "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn malformed_inputs_are_explained_without_echoing_them() {
    let pkcs8 = String::from_utf8(fixture_bytes("keys/test-only-rsa2048.pkcs8.pem")).unwrap();
    let body = pkcs8.lines().nth(3).unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "neither PEM nor PKCS#8"),
        (b"hello".to_vec(), "neither PEM nor PKCS#8"),
        (pkcs8.replace(body, &body[1..]).into_bytes(), "does not decode"),
        (pkcs8.replace("-----END PRIVATE KEY-----", "").into_bytes(), "no matching END line"),
        // A header without its closing dashes: the "label" would run into the key.
        (
            pkcs8.replace("-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY").into_bytes(),
            "header line is malformed",
        ),
        (fixture_bytes("keys/test-only-rsa2048.public.pem"), "a private key is needed here"),
        (pkcs8.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY").into_bytes(), "encrypted"),
        (pkcs8.replace("PRIVATE KEY", "CERTIFICATE").into_bytes(), "found CERTIFICATE"),
        (fixture_bytes("keys/test-only-rsa2048.der")[..100].to_vec(), "neither PEM nor PKCS#8"),
    ];
    for (input, reason) in cases {
        let message = PrivateKey::from_bytes(&input).unwrap_err().to_string();
        assert!(message.contains(reason), "{message}");
        assert!(!message.contains(&body[..20]), "{message}");
    }
    let message = PublicKey::from_bytes(&fixture_bytes("keys/test-only-p256.sec1.pem")).unwrap_err().to_string();
    assert!(message.contains("found a private key where a public key"), "{message}");
}

#[test]
fn debug_output_never_shows_key_material() {
    let pem = String::from_utf8(fixture_bytes("keys/test-only-p256.pkcs8.pem")).unwrap();
    let key = PrivateKey::from_pem(&pem).unwrap();
    let signer = cfsign::Signer::new(KEY_PAIR_ID, PrivateKey::from_pem(&pem).unwrap()).unwrap();
    let shown = format!("{key:?} {key:#?} {signer:?} {:?}", key.public_key().unwrap());
    assert_eq!(
        format!("{key:?}"),
        format!("PrivateKey {{ algorithm: EcdsaP256, backend: {:?}, .. }}", Backend::default())
    );
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!shown.contains(&line[..16]), "{shown}");
    }
}

#[test]
fn keys_round_trip_through_pkcs8_pem() {
    for algorithm in KeyAlgorithm::ALL {
        let key = key(algorithm, Backend::default());
        let again = PrivateKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.public_key().unwrap(), key.public_key().unwrap());
    }
}

/// Some tools write PKCS#8 under an older label; the DER decides, for RSA and
/// ECDSA alike, and a refused key is refused for its reason whatever its label.
#[test]
fn a_pkcs8_key_under_another_label_loads_by_its_der() {
    let relabel = |file: &str, label: &str| {
        let pem = String::from_utf8(fixture_bytes(file)).unwrap();
        pem.replace("-----BEGIN PRIVATE KEY-----", &format!("-----BEGIN {label}-----"))
            .replace("-----END PRIVATE KEY-----", &format!("-----END {label}-----"))
    };
    for (file, label, algorithm) in [
        ("keys/test-only-rsa2048.pkcs8.pem", "RSA PRIVATE KEY", KeyAlgorithm::Rsa2048),
        ("keys/test-only-p256.pkcs8.pem", "ECDSA PRIVATE KEY", KeyAlgorithm::EcdsaP256),
        ("keys/test-only-p256.pkcs8.pem", "EC PRIVATE KEY", KeyAlgorithm::EcdsaP256),
    ] {
        let key = PrivateKey::from_pem(&relabel(file, label)).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(key.algorithm(), algorithm, "{label}");
    }
    let p384 = String::from_utf8(fixture_bytes("keys/test-only-p384.pem")).unwrap();
    let relabelled = p384.replace("EC PRIVATE KEY", "ECDSA PRIVATE KEY");
    assert!(relabelled.starts_with("-----BEGIN ECDSA PRIVATE KEY-----"));
    match PrivateKey::from_pem(&relabelled) {
        Err(Error::UnsupportedKey(message)) => assert_eq!(message, "an EC key on the P-384 curve"),
        other => panic!("{other:?}"),
    }
    let junk = "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n";
    match PrivateKey::from_pem(junk) {
        Err(Error::UnsupportedKey(message)) => assert_eq!(message, "a PEM block labelled DSA PRIVATE KEY"),
        other => panic!("{other:?}"),
    }
}

/// Built with one backend only (`make test` runs these tests so), the other
/// is refused by name wherever a key would be made or loaded with it.
#[test]
fn a_backend_left_out_of_the_build_is_refused_by_name() {
    let rsa = fixture_bytes("keys/test-only-rsa2048.pkcs8.pem");
    let public = fixture_bytes("keys/test-only-rsa2048.public.pem");
    for backend in [Backend::AwsLc, Backend::RustCrypto] {
        let expected = Error::BackendUnavailable(backend.name());
        if backend.is_compiled() {
            assert!(PrivateKey::from_bytes_with(&rsa, backend).is_ok(), "{backend}");
            continue;
        }
        assert_eq!(PrivateKey::from_bytes_with(&rsa, backend).unwrap_err(), expected);
        assert_eq!(PrivateKey::generate(KeyAlgorithm::EcdsaP256, backend).unwrap_err(), expected);
        assert_eq!(PublicKey::from_bytes_with(&public, backend).unwrap_err(), expected);
    }
}
