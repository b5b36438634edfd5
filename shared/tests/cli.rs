//! The `cfsign` binary as a user runs it: outputs, exit codes, one-line errors.
#![cfg(feature = "cli")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use common::*;

const URL: &str = "https://d111111abcdef8.cloudfront.net/a.jpg";

fn cfsign(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfsign")).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn key_path(name: &str) -> String {
    fixture(&format!("keys/{name}")).display().to_string()
}

fn sign(extra: &[&str]) -> Output {
    let key = key_path("test-only-rsa2048.pkcs1.pem");
    let mut args = vec!["sign", "--url", URL, "--key-pair-id", KEY_PAIR_ID, "--private-key", &key];
    args.extend_from_slice(extra);
    cfsign(&args)
}

#[test]
fn sign_prints_only_the_url_and_verify_accepts_it() {
    let out = sign(&["--date-less-than", "2026-01-01"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.starts_with(&format!("{URL}?Expires=1767225600&Signature=")));

    let public = format!("{KEY_PAIR_ID}=file://{}", key_path("test-only-rsa2048.public.pem"));
    let verify = cfsign(&["verify", "--url", stdout.trim(), "--public-key", &public, "--at", "2025-12-31"]);
    assert_eq!((verify.status.code(), text(&verify.stdout)), (Some(0), "valid\n".to_owned()));

    let late = cfsign(&["verify", "--url", stdout.trim(), "--public-key", &public, "--at", "2026-01-02"]);
    assert_eq!(late.status.code(), Some(1));
    assert_eq!(text(&late.stdout), "expired at 1767225600 (epoch seconds), checked at 1767312000\n");
}

#[test]
fn every_aws_cli_date_form_gives_the_same_expiry() {
    for date in
        ["2026-01-01", "2026-01-01T00:00:00", "2026-01-01T02:00:00+02:00", "2025-12-31T19:00:00-05:00", "1767225600"]
    {
        let out = sign(&["--date-less-than", date]);
        assert!(text(&out.stdout).contains("?Expires=1767225600&"), "{date}: {}", text(&out.stderr));
    }
}

#[test]
fn an_expiry_window_prints_one_url_for_every_expiry_inside_it() {
    // 1767225600 is a multiple of 300: every expiry in the five minutes before it rounds up to it.
    let in_window = |date: &str| text(&sign(&["--date-less-than", date, "--expiry-window", "300"]).stdout);
    let first = in_window("1767225301");
    assert!(first.contains("?Expires=1767225600&"), "{first}");
    assert_eq!(in_window("2025-12-31T23:59:59Z"), first);
    assert_eq!(in_window("1767225600"), first, "a boundary stays where it is");
    assert!(in_window("1767225601").contains("?Expires=1767225900&"));

    let out = sign(&["--date-less-than", "1767225301", "--date-greater-than", "1767225299", "--expiry-window", "300"]);
    let url = text(&out.stdout);
    let policy =
        text(&cfsign::base64::decode(url.split("Policy=").nth(1).unwrap().split('&').next().unwrap()).unwrap());
    assert!(
        policy
            .contains(r#""DateLessThan":{"AWS:EpochTime":1767225600},"DateGreaterThan":{"AWS:EpochTime":1767225000}"#),
        "{policy}"
    );

    let beyond = sign(&["--date-less-than", "2038-01-19T03:14:00Z", "--expiry-window", "3600"]);
    assert_eq!(beyond.status.code(), Some(2));
    assert_eq!(text(&beyond.stderr).lines().count(), 1);
    assert!(text(&beyond.stderr).contains("the largest epoch second CloudFront accepts"), "{}", text(&beyond.stderr));
    let not_a_number = sign(&["--date-less-than", "2037-01-01", "--expiry-window", "5m"]);
    assert_eq!(not_a_number.status.code(), Some(2));
}

#[test]
fn custom_options_produce_a_policy_and_a_bare_ip_means_32() {
    let out =
        sign(&["--date-less-than", "2026-01-01", "--date-greater-than", "2025-12-01", "--ip-address", "192.0.2.1"]);
    let url = text(&out.stdout);
    let policy = url.split("Policy=").nth(1).unwrap().split('&').next().unwrap();
    let json = text(&cfsign::base64::decode(policy).unwrap());
    assert!(json.contains(r#""IpAddress":{"AWS:SourceIp":"192.0.2.1/32"}"#), "{json}");
    assert!(json.contains(r#""DateGreaterThan":{"AWS:EpochTime":1764547200}"#), "{json}");
}

#[test]
fn cookies_print_set_cookie_lines_or_json() {
    let key = key_path("test-only-p256.sec1.pem");
    let base = ["cookies", "--url", "https://d.net/images/*", "--key-pair-id", KEY_PAIR_ID, "--private-key", &key];
    let mut args = base.to_vec();
    args.extend([
        "--date-less-than",
        "2026-01-01",
        "--domain",
        "d.net",
        "--path",
        "/images/",
        "--hash-algorithm",
        "SHA256",
    ]);
    let out = cfsign(&args);
    let lines: Vec<_> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with("CloudFront-Policy="));
    assert!(lines.iter().all(|l| l.ends_with("; Domain=d.net; Path=/images/; Secure; HttpOnly")));
    assert!(lines[3].starts_with("CloudFront-Hash-Algorithm=SHA256;"));

    let mut json_args = base.to_vec();
    json_args.extend(["--date-less-than", "2026-01-01", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&cfsign(&json_args).stdout).unwrap();
    assert_eq!(json["CloudFront-Key-Pair-Id"], KEY_PAIR_ID);
    assert!(json["CloudFront-Policy"].is_string() && json["CloudFront-Signature"].is_string());

    // Attributes have no place in the JSON, so asking for both is refused.
    for attribute in [["--domain", "d.net"], ["--path", "/images/"], ["--same-site", "Lax"]] {
        let mut args = json_args.clone();
        args.extend(attribute);
        let out = cfsign(&args);
        assert_eq!(out.status.code(), Some(2), "{attribute:?}");
        assert!(text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    }
}

#[test]
fn bad_input_gives_one_stderr_line_exit_2_and_never_key_material() {
    let private = key_path("test-only-rsa2048.pkcs8.pem");
    let private_pem = std::fs::read_to_string(&private).unwrap();
    let key_body_line = private_pem.lines().nth(1).unwrap().to_owned();
    let garbled = std::env::temp_dir().join(format!("cfsign-garbled-{}.pem", std::process::id()));
    std::fs::write(&garbled, private_pem.replace(&key_body_line, &format!("{key_body_line}!"))).unwrap();
    let garbled = garbled.display().to_string();
    let public_as_private = key_path("test-only-rsa2048.public.pem");
    let rsa1024 = key_path("test-only-rsa1024.pem");
    let p384 = key_path("test-only-p384.pem");
    let ed25519 = key_path("test-only-ed25519.pem");
    let verify_with_private = format!("K={private}");

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["sign"], "required arguments were not provided"),
        (vec!["frobnicate"], "unrecognized subcommand"),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                "/nonexistent",
                "--date-less-than",
                "2026-01-01",
            ],
            "cannot read --private-key file /nonexistent: No such file",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &garbled,
                "--date-less-than",
                "2026-01-01",
            ],
            "unreadable key",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &public_as_private,
                "--date-less-than",
                "2026-01-01",
            ],
            "a private key is needed",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &rsa1024,
                "--date-less-than",
                "2026-01-01",
            ],
            "an RSA key of 1024 bits",
        ),
        (
            vec!["sign", "--url", URL, "--key-pair-id", "K", "--private-key", &p384, "--date-less-than", "2026-01-01"],
            "P-384",
        ),
        (
            vec![
                "sign",
                "--url",
                "https://d111111abcdef8.cloudfront.net/users/alice/..;/bob/x.jpg",
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "2026-01-01",
            ],
            "the path holds the dot segment \"..;\"",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &ed25519,
                "--date-less-than",
                "2026-01-01",
            ],
            "Ed25519",
        ),
        (
            vec![
                "sign",
                "--url",
                "/a.jpg",
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "2026-01-01",
            ],
            "not an absolute URL",
        ),
        (
            vec!["sign", "--url", URL, "--key-pair-id", "K", "--private-key", &private, "--date-less-than", "tomorrow"],
            "is not a date",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "1767225600000",
            ],
            "milliseconds",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "2026-01-01",
                "--date-greater-than",
                "2026-02-01",
            ],
            "must be before the expiry",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "2026-01-01",
                "--ip-address",
                "2001:db8::/32",
            ],
            "IPv6",
        ),
        (
            vec![
                "sign",
                "--url",
                URL,
                "--key-pair-id",
                "K",
                "--private-key",
                &private,
                "--date-less-than",
                "2026-01-01",
                "--hash-algorithm",
                "MD5",
            ],
            "unknown hash algorithm",
        ),
        (vec!["verify", "--url", URL, "--public-key", &verify_with_private], "public key K: unreadable key"),
        (vec!["verify", "--url", URL, "--public-key", "no-equals-sign"], "is not ID=FILE"),
        (vec!["speed", "--seconds", "0"], "0 is not in 1..=600"),
    ];
    for (args, expected) in cases {
        let out = cfsign(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("cfsign: ") && stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains(&key_body_line[..16]) && !stderr.contains("-----"), "{args:?}: {stderr}");
    }
}

/// One stderr line, exit 2, and not one line of the key in it.
fn assert_refused_without_key_material(args: &[&str], pem: &str, expected: &str) {
    let out = cfsign(args);
    let stderr = text(&out.stderr);
    let shown: Vec<_> = args.iter().map(|a| a.chars().take(40).collect::<String>()).collect();
    assert_eq!(out.status.code(), Some(2), "{shown:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{shown:?}");
    assert_eq!(stderr.lines().count(), 1, "{shown:?}: {stderr}");
    assert!(stderr.contains(expected), "{shown:?}: {stderr}");
    assert!(!stderr.contains("-----BEGIN"), "{shown:?}: {stderr}");
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!stderr.contains(&line[..line.len().min(24)]), "{shown:?}: {stderr}");
    }
}

/// The redactor's answer when a clap message would quote part of a key.
const WITHHELD: &str =
    "cfsign: an argument holds what looks like key text, which is not shown; pass key files by path (or file://PATH)\n";

#[test]
fn key_text_given_for_a_key_file_is_refused_without_being_echoed() {
    let pem = std::fs::read_to_string(key_path("test-only-rsa2048.pkcs1.pem")).unwrap();
    let public_pem = std::fs::read_to_string(key_path("test-only-rsa2048.public.pem")).unwrap();
    let signing = |key_args: &[&str]| {
        let mut args = vec!["sign", "--url", URL, "--key-pair-id", KEY_PAIR_ID, "--date-less-than", "2026-01-01"];
        args.extend_from_slice(key_args);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let inline = format!("--private-key={pem}");
    let pem_words: Vec<&str> = pem.split_whitespace().collect();
    let mut unquoted = vec!["--private-key"];
    unquoted.extend(&pem_words);
    let long_path = "a".repeat(1500);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (signing(&[&inline]), "--private-key takes a file path (or file://PATH), not key text"),
        (signing(&["--private-key", &pem]), WITHHELD),
        (
            signing(&unquoted),
            "unexpected argument '<redacted>' found; --private-key and --public-key take a file path (or file://PATH), not key text",
        ),
        (signing(&["--private-key", &long_path]), "not key text"),
        (signing(&["--private-key", &key_path("test-only-rsa2048.pkcs1.pem"), "--hash-algorithm", &pem]), WITHHELD),
        (signing(&["--private-key", &key_path("test-only-rsa2048.pkcs1.pem"), &pem]), WITHHELD),
        (
            ["verify", "--url", URL, "--public-key", &format!("K={public_pem}")].map(str::to_owned).to_vec(),
            "--public-key takes ID=FILE with a file path",
        ),
        (
            ["verify", "--url", URL, "--public-key", &public_pem].map(str::to_owned).to_vec(),
            "unexpected argument '<redacted>' found; --private-key and --public-key take a file path (or file://PATH), not key text",
        ),
    ];
    for (args, expected) in &cases {
        assert_refused_without_key_material(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &format!("{pem}{public_pem}"),
            expected,
        );
    }
}

#[test]
fn an_endless_key_file_is_refused_after_64_kib() {
    let out = cfsign(&[
        "sign",
        "--url",
        URL,
        "--key-pair-id",
        KEY_PAIR_ID,
        "--date-less-than",
        "2026-01-01",
        "--private-key",
        "/dev/zero",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "cfsign: --private-key file /dev/zero is over 64 KiB, too large for a key file\n");
}

#[test]
fn no_arguments_print_the_usage_on_stderr() {
    let out = cfsign(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Usage: cfsign") && stderr.contains("sign") && stderr.contains("verify"), "{stderr}");
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_refuses_to_overwrite() {
    let dir = std::env::temp_dir().join(format!("cfsign-keygen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.display().to_string();
    for algorithm in ["rsa2048", "ecdsa-p256"] {
        let out = cfsign(&["keygen", "--algorithm", algorithm, "--out", &out_dir]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mode = std::fs::metadata(dir.join("private.pem")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let private = std::fs::read(dir.join("private.pem")).unwrap();
        let public = cfsign::PublicKey::from_bytes(&std::fs::read(dir.join("public.pem")).unwrap()).unwrap();
        assert_eq!(cfsign::PrivateKey::from_bytes(&private).unwrap().public_key().unwrap(), public);
        assert_eq!(public.algorithm().name(), algorithm);

        let again = cfsign(&["keygen", "--algorithm", algorithm, "--out", &out_dir]);
        assert_eq!(again.status.code(), Some(2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn speed_prints_one_line_per_combination() {
    let out = cfsign(&["speed", "--seconds", "1", "--algorithm", "ecdsa-p256", "--hash-algorithm", "SHA256"]);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), cfsign::Backend::compiled().len(), "{stdout}");
    for line in stdout.lines() {
        let fields: Vec<_> = line.split(' ').collect();
        assert_eq!(fields[..2], ["ecdsa-p256", "SHA256"]);
        assert!(fields[3].parse::<u64>().unwrap() > 0, "{line}");
    }
}

#[test]
fn verify_checks_signed_cookies_from_a_cookie_header_or_the_json_of_cfsign_cookies() {
    let key = key_path("test-only-p256.pkcs8.pem");
    let resource = "https://d111111abcdef8.cloudfront.net/images/*";
    let signing =
        ["--url", resource, "--key-pair-id", KEY_PAIR_ID, "--private-key", &key, "--date-less-than", "2026-01-01"];
    let json = cfsign(&[&["cookies", "--json"][..], &signing].concat());
    assert!(json.status.success(), "{}", text(&json.stderr));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &json.stdout).unwrap();
    let map: std::collections::BTreeMap<String, String> = serde_json::from_slice(&json.stdout).unwrap();
    let header = map.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");

    let public = format!("{KEY_PAIR_ID}={}", key_path("test-only-p256.public.pem"));
    let verify = |url: &str, cookies: &[&str]| {
        let mut args = vec!["verify", "--url", url, "--public-key", &public, "--at", "2025-12-31"];
        args.extend_from_slice(cookies);
        cfsign(&args)
    };
    let inside = "https://d111111abcdef8.cloudfront.net/images/cat.jpg";
    let path = file.path().display().to_string();
    let with_theme = format!("theme=dark; {header}");
    for cookies in [vec!["--cookie", &with_theme], vec!["--cookies-json", &path]] {
        let out = verify(inside, &cookies);
        assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "valid\n".to_owned()), "{cookies:?}");
        let outside = verify("https://d111111abcdef8.cloudfront.net/private/plan.pdf", &cookies);
        assert_eq!(outside.status.code(), Some(1));
        assert!(
            text(&outside.stdout).starts_with("resource does not match: the policy covers"),
            "{}",
            text(&outside.stdout)
        );
    }
    // One cookie a flag, as a user may paste them.
    let split: Vec<String> = map.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let mut args = Vec::new();
    for pair in &split {
        args.extend(["--cookie", pair.as_str()]);
    }
    assert_eq!(verify(inside, &args).status.code(), Some(0));
    let missing = verify(inside, &["--cookie", "CloudFront-Signature=abc"]);
    assert_eq!(
        (missing.status.code(), text(&missing.stdout)),
        (Some(1), "missing CloudFront-Key-Pair-Id\n".to_owned())
    );

    for (cookies, message) in [
        (vec!["--cookie", "theme=dark"], "the cookies given hold no CloudFront-* cookie\n"),
        (vec!["--cookie", "CloudFront-Policy"], "cfsign: --cookie \"CloudFront-Policy\" is not NAME=VALUE\n"),
        (vec!["--cookies-json", "/nonexistent/cookies.json"], "cfsign: --cookies-json /nonexistent/cookies.json: "),
        (vec!["--cookies-json", &key], "not the JSON of `cfsign cookies --json`"),
    ] {
        let out = verify(inside, &cookies);
        assert_eq!(out.status.code(), Some(2), "{cookies:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(message), "{cookies:?}: {stderr}");
    }
}

#[test]
fn hash_names_in_any_case_and_a_past_expiry_is_signed_with_a_warning() {
    let lower = sign(&["--date-less-than", "2037-01-01", "--hash-algorithm", "sha256"]);
    assert!(lower.status.success(), "{}", text(&lower.stderr));
    assert!(text(&lower.stdout).contains("&Hash-Algorithm=SHA256"), "{}", text(&lower.stdout));
    assert!(lower.stderr.is_empty(), "{}", text(&lower.stderr));
    let unknown = sign(&["--date-less-than", "2037-01-01", "--hash-algorithm", "md5"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        text(&unknown.stderr),
        "cfsign: invalid value 'md5' for '--hash-algorithm <HASH_ALGORITHM>': unknown hash algorithm \"MD5\": expected SHA1 or SHA256\n"
    );

    let past = sign(&["--date-less-than", "2026-01-01"]);
    assert_eq!(past.status.code(), Some(0));
    assert!(text(&past.stdout).contains("?Expires=1767225600&"));
    assert_eq!(
        text(&past.stderr),
        "cfsign: warning: --date-less-than 1767225600 is not in the future: the signature is expired already\n"
    );
}

fn sign_object(object: &[&str]) -> Output {
    let key = key_path("test-only-rsa2048.pkcs1.pem");
    let mut args = vec!["sign", "--key-pair-id", KEY_PAIR_ID, "--private-key", &key, "--date-less-than", "2026-01-01"];
    args.extend_from_slice(object);
    cfsign(&args)
}

/// The CLI signs by key with the encoder the url-signer uses: every key of
/// the shared table prints the URL of the path the table gives, or exit 2.
#[test]
fn sign_by_key_prints_the_url_of_the_path_the_shared_table_gives() {
    let table: serde_json::Value = serde_json::from_str(include_str!("../../tests/object-keys/keys.json")).unwrap();
    for entry in table["keys"].as_array().unwrap() {
        let key = entry["key"].as_str().unwrap();
        // A NUL cannot be an argument at all; the API's test covers it.
        if key.contains('\0') {
            continue;
        }
        let out = sign_object(&[&format!("--key={key}"), "--distribution", "d111111abcdef8.cloudfront.net"]);
        match (entry["path"].as_str(), entry["refused"].as_str()) {
            (Some(path), _) => {
                assert!(out.status.success(), "{key:?}: {}", text(&out.stderr));
                let url = format!("https://d111111abcdef8.cloudfront.net{path}?Expires=1767225600&Signature=");
                assert!(text(&out.stdout).starts_with(&url), "{key:?}: {}", text(&out.stdout));
            }
            (None, Some(why)) => {
                assert_eq!(out.status.code(), Some(2), "{key:?}");
                let stderr = text(&out.stderr);
                assert_eq!(stderr.lines().count(), 1, "{stderr}");
                assert!(stderr.contains(why), "{key:?}: {stderr}");
            }
            _ => panic!("{entry}"),
        }
    }
}

#[test]
fn sign_by_locator_uses_the_distribution_naming_its_bucket() {
    let media = ["--distribution", "media=d2.example.com/assets", "--distribution", "logs=d3.example.com"];
    let out = sign_object(&[&["--locator", "s3://media/assets/a b+c.jpg"][..], &media].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("https://d2.example.com/a%20b%2Bc.jpg?Expires="), "{}", text(&out.stdout));

    for (args, expected) in [
        (&["--locator", "s3://other/a.jpg"][..], "no --distribution names the bucket other"),
        (&["--locator", "s3://media/elsewhere/a.jpg"][..], "outside the origin path /assets"),
        (&["--locator", "media/a.jpg"][..], "is not an s3://bucket/key locator"),
    ] {
        let out = sign_object(&[args, &media].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
    }
    for (args, expected) in [
        (&["--key", "a.jpg"][..], "--key takes one --distribution"),
        (&["--key", "a.jpg", "--distribution", "media=d2.example.com"][..], "invalid distribution"),
        (&["--key", "a.jpg", "--url", URL][..], "cannot be used with"),
        (&["--url", URL, "--distribution", "d2.example.com"][..], "cannot be used with"),
        (&["--locator", "s3://media/a.jpg", "--distribution", "d2.example.com"][..], "is not BUCKET=DOMAIN"),
    ] {
        let out = sign_object(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn cookies_for_a_key_prefix_ending_in_a_star_cover_the_keys_under_it() {
    let key = key_path("test-only-rsa2048.pkcs1.pem");
    let out = cfsign(&[
        "cookies",
        "--key",
        "photos/2026 summer/*",
        "--distribution",
        "d111111abcdef8.cloudfront.net",
        "--key-pair-id",
        KEY_PAIR_ID,
        "--private-key",
        &key,
        "--date-less-than",
        "2026-01-01",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cookies: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let policy = cfsign::base64::decode(cookies["CloudFront-Policy"].as_str().unwrap()).unwrap();
    let policy = String::from_utf8(policy).unwrap();
    assert!(
        policy.contains(r#""Resource":"https://d111111abcdef8.cloudfront.net/photos/2026%20summer/*""#),
        "{policy}"
    );
}
