//! Event fixtures: AWS's JSON shapes, in tests/fixtures/.

use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The six single-record notifications S3 sends for a put, a multipart
/// upload, a delete, a delete marker, a lifecycle expiration and a restore,
/// in that order.
pub const SINGLE_RECORD_NOTIFICATIONS: [&str; 6] = [
    "s3-notification-put-key-with-a-space.json",
    "s3-notification-complete-multipart-upload-key-with-plus-signs.json",
    "s3-notification-delete-key-with-utf8.json",
    "s3-notification-delete-marker-created.json",
    "s3-notification-lifecycle-expiration-delete.json",
    "s3-notification-restore-completed.json",
];

/// One event holding the records of all six notifications. S3 sends one
/// record per notification; this shape is assembled here, not taken from AWS,
/// because the event's `Records` is an array and the reader must take any
/// number of records (and survive a bad one among good ones) all the same.
#[allow(dead_code)] // not every test binary uses it
pub fn six_records_in_one_event() -> Value {
    let records: Vec<Value> =
        SINGLE_RECORD_NOTIFICATIONS.iter().map(|name| fixture(name)["Records"][0].clone()).collect();
    serde_json::json!({ "Records": records })
}
