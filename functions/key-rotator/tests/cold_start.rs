//! The built function refusing a bad configuration: one clear log line (JSON
//! under Lambda's JSON log format) naming the variable, and a failed start,
//! as every function of the stack fails (see plumbing::cold_start).

use std::process::Command;

use serde_json::Value;

#[test]
fn a_missing_setting_is_one_json_error_line_and_a_failed_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_key-rotator"))
        .env_clear()
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .output()
        .expect("the key-rotator binary runs");
    assert!(!output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let line: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["fields"]["message"], "the key-rotator cannot start");
    assert_eq!(line["fields"]["error"], "KEY_GROUP_NAME is not set");
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}
