//! The built function refusing a bad configuration: one clear log line (JSON
//! under Lambda's JSON log format) naming the variable, and a failed start.

use std::process::{Command, Output};

use plumbing::cold_start::FailedStart;

fn start(vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_url-signer"))
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("the url-signer binary runs")
}

const BAD: [(&str, &str); 3] = [
    ("DISTRIBUTION_DOMAIN", "d111111abcdef8.cloudfront.net"),
    ("KEY_SECRET_ID", "signing-key"),
    ("CALLER_PREFIX", "/users/}sub{/"),
];

#[test]
fn a_bad_configuration_is_one_json_error_line_and_a_failed_start() {
    let failed = FailedStart::of(env!("CARGO_BIN_EXE_url-signer"), &BAD);
    assert_eq!(failed.message, "the url-signer cannot start");
    assert!(failed.error.starts_with("CALLER_PREFIX must be "), "{}", failed.error);
}

#[test]
fn a_missing_variable_is_named_in_plain_text_without_debug_form() {
    let output = start(&[("KEY_SECRET_ID", "signing-key")]);
    assert!(!output.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(all.contains("DISTRIBUTION_DOMAIN is not set"), "{all}");
    assert!(!all.contains("MissingConfig"), "{all}");
}
