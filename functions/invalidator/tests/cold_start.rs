//! The built function refusing a bad configuration as every function of the
//! stack does (plumbing::cold_start): one JSON error line naming the
//! variable, nothing on stderr, and a failed start.

use plumbing::cold_start::FailedStart;

#[test]
fn a_missing_setting_is_one_json_error_line_and_a_failed_start() {
    let failed = FailedStart::of(env!("CARGO_BIN_EXE_invalidator"), &[]);
    assert_eq!(failed.message, "the invalidator cannot start");
    assert_eq!(failed.error, "INVALIDATION_TARGETS is not set");
}
