//! `cfsign` with AWS KMS keys, against the local AWS over real HTTP: the
//! public key it prints is the KMS key's, the URLs and cookies it signs with
//! `--kms-key-id` verify under it, and what KMS refuses is one line and exit 2.
#![cfg(all(feature = "cli", feature = "kms"))]

use std::process::{Command, Output};

use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use local_aws::{Fault, Session};

const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
const URL: &str = "https://d111111abcdef8.cloudfront.net/images/a.jpg";

fn cfsign(session: &Session, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfsign"))
        .args(args)
        .env("AWS_ENDPOINT_URL", session.endpoint())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn kms_key(session: &Session, spec: KeySpec) -> (aws_sdk_kms::Client, String) {
    let kms = aws_sdk_kms::Client::new(&session.sdk_config().await);
    let created = kms.create_key().key_spec(spec).key_usage(KeyUsageType::SignVerify).send().await.unwrap();
    (kms, created.key_metadata.unwrap().arn.unwrap())
}

fn sign(session: &Session, key: &str, extra: &[&str]) -> Output {
    sign_url(session, URL, key, extra)
}

fn sign_url(session: &Session, url: &str, key: &str, extra: &[&str]) -> Output {
    let mut args = vec!["sign", "--url", url, "--key-pair-id", KEY_PAIR_ID, "--kms-key-id", key];
    args.extend_from_slice(&["--date-less-than", "2036-01-01"]);
    args.extend_from_slice(extra);
    cfsign(session, &args)
}

/// `cfsign verify` of what `what` names (`--url URL`, with cookies or not)
/// under `trusted` (`ID=FILE`), inside the signatures' lifetime, says `valid`.
fn assert_valid(session: &Session, trusted: &str, what: &[&str], context: &str) {
    let mut args = vec!["verify", "--public-key", trusted, "--at", "2035-01-01"];
    args.extend_from_slice(what);
    let verified = cfsign(session, &args);
    assert_eq!(text(&verified.stdout).trim_end(), "valid", "{context}: {}", text(&verified.stderr));
}

#[tokio::test]
async fn urls_and_cookies_signed_by_a_kms_key_verify_under_its_public_key() {
    let session = local_aws::session();
    for spec in [KeySpec::Rsa2048, KeySpec::EccNistP256] {
        let (kms, arn) = kms_key(&session, spec.clone()).await;
        let printed = cfsign(&session, &["kms-public-key", "--kms-key-id", &arn]);
        assert!(printed.status.success(), "{}", text(&printed.stderr));
        let pem = text(&printed.stdout);
        let der = kms.get_public_key().key_id(&arn).send().await.unwrap().public_key.unwrap().into_inner();
        assert_eq!(pem.trim_end(), cfsign::PublicKey::from_bytes(&der).unwrap().to_pem().trim_end(), "{spec:?}");

        let dir = tempfile::tempdir().unwrap();
        let public = dir.path().join("public.pem");
        std::fs::write(&public, &pem).unwrap();
        let trusted = format!("{KEY_PAIR_ID}={}", public.display());

        let signed = sign(&session, &arn, &[]);
        assert!(signed.status.success(), "{spec:?}: {}", text(&signed.stderr));
        let url = text(&signed.stdout).trim_end().to_owned();
        assert!(url.ends_with("&Hash-Algorithm=SHA256"), "{url}");
        assert_valid(&session, &trusted, &["--url", &url], &format!("{spec:?}"));

        // A policy over KMS's 4,096-byte limit on a raw message: its digest is what is signed.
        let long = format!("https://d111111abcdef8.cloudfront.net/{}.jpg", "a".repeat(5000));
        let signed = sign_url(&session, &long, &arn, &[]);
        assert!(signed.status.success(), "{spec:?}: {}", text(&signed.stderr));
        assert_valid(&session, &trusted, &["--url", text(&signed.stdout).trim_end()], &format!("{spec:?}, long"));

        let cookies = cfsign(
            &session,
            &[
                "cookies",
                "--url",
                "https://d111111abcdef8.cloudfront.net/images/*",
                "--key-pair-id",
                KEY_PAIR_ID,
                "--kms-key-id",
                &arn,
                "--date-less-than",
                "2036-01-01",
                "--json",
            ],
        );
        assert!(cookies.status.success(), "{}", text(&cookies.stderr));
        let file = dir.path().join("cookies.json");
        std::fs::write(&file, &cookies.stdout).unwrap();
        let with_cookies = ["--url", URL, "--cookies-json", file.to_str().unwrap()];
        assert_valid(&session, &trusted, &with_cookies, &format!("{spec:?}, cookies"));
    }
    // Each signature is one Sign call, in the call log as CloudTrail would have it.
    assert_eq!(session.calls().iter().filter(|c| c.service == "kms" && c.action == "Sign").count(), 6);
}

#[tokio::test]
async fn what_kms_refuses_is_one_line_and_exit_2() {
    let session = local_aws::session();
    let (kms, arn) = kms_key(&session, KeySpec::Rsa2048).await;

    let sha1 = sign(&session, &arn, &["--hash-algorithm", "SHA1"]);
    assert_eq!(sha1.status.code(), Some(2));
    assert!(text(&sha1.stderr).contains("KMS signs only with SHA-256"), "{}", text(&sha1.stderr));
    assert!(sign(&session, &arn, &["--hash-algorithm", "sha256"]).status.success());

    // By id: moto's DisableKey and EnableKey do not take an ARN.
    let id = arn.rsplit_once('/').unwrap().1;
    kms.disable_key().key_id(id).send().await.unwrap();
    let disabled = sign(&session, &arn, &[]);
    assert_eq!(disabled.status.code(), Some(2));
    assert_eq!(text(&disabled.stderr).lines().count(), 1, "{}", text(&disabled.stderr));
    assert!(text(&disabled.stderr).contains("DisabledException"), "{}", text(&disabled.stderr));
    kms.enable_key().key_id(id).send().await.unwrap();

    session.fail_next(Fault::error("kms", "Sign", "ThrottlingException", 400));
    let throttled = sign(&session, &arn, &[]);
    assert_eq!(throttled.status.code(), Some(2));
    assert!(text(&throttled.stderr).contains("ThrottlingException"), "{}", text(&throttled.stderr));

    let unknown = sign(&session, "alias/no-such-key", &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("NotFoundException"), "{}", text(&unknown.stderr));

    let both = cfsign(
        &session,
        &[
            "sign",
            "--url",
            URL,
            "--key-pair-id",
            KEY_PAIR_ID,
            "--kms-key-id",
            &arn,
            "--private-key",
            "key.pem",
            "--date-less-than",
            "2036-01-01",
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("cannot be used with"), "{}", text(&both.stderr));
}

#[test]
fn without_a_region_the_cli_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_cfsign"))
        .args(["kms-public-key", "--kms-key-id", "alias/x"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "cfsign: no AWS region for KMS: set AWS_REGION, or a region in the AWS profile"
    );
}
