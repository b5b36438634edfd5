//! S3 event notifications (`{"Records":[{"eventSource":"aws:s3",...}]}`).

use aws_lambda_events::event::s3::S3EventRecord;
use serde_json::Value;

use super::Reading;
use crate::change::ObjectChange;
use crate::error::InvalidatorError;
use crate::s3_key;

/// Reads each record on its own: `S3EventRecord` requires some fields, and one
/// record without them must not take the notification's other records down.
pub(super) fn read(records: Vec<Value>, reading: &mut Reading) {
    for (index, record) in records.into_iter().enumerate() {
        let record: S3EventRecord = match serde_json::from_value(record) {
            Ok(record) => record,
            Err(e) => {
                reading.problems.push(InvalidatorError::BadEvent(format!("S3 notification record {index}: {e}")));
                continue;
            }
        };
        match change(record) {
            Ok(Ok(change)) => reading.changes.push(change),
            Ok(Err(skipped)) => reading.skipped.push(skipped),
            Err(problem) => reading.problems.push(problem),
        }
    }
}

/// The change a record reports, or why it changes nothing CloudFront serves.
fn change(record: S3EventRecord) -> Result<Result<ObjectChange, String>, InvalidatorError> {
    let source = record.event_source.as_deref().unwrap_or_default();
    if source != "aws:s3" {
        return Err(InvalidatorError::BadEvent(format!("a record from {source:?} among S3 records")));
    }
    let version = record.event_version.as_deref().unwrap_or_default();
    // AWS: compare the major version for equality; minor versions only add fields.
    if version.split('.').next() != Some("2") {
        return Err(InvalidatorError::BadEvent(format!("S3 record eventVersion {version:?} is not 2.x")));
    }
    let name = record.event_name.as_deref().unwrap_or_default();
    if !changes_content(name) {
        return Ok(Err(format!("S3 {name:?} does not change what CloudFront serves")));
    }
    let bucket = record.s3.bucket.name.ok_or_else(|| missing("s3.bucket.name"))?;
    let key = record.s3.object.key.ok_or_else(|| missing("s3.object.key"))?;
    let decoded = s3_key::decode(&key)?;
    // The same notification delivered again carries all of these unchanged;
    // the next change to the key has another sequencer and time.
    let event_id = format!(
        "s3\n{bucket}\n{key}\n{name}\n{}\n{}",
        record.event_time.to_rfc3339(),
        record.s3.object.sequencer.as_deref().unwrap_or_default()
    );
    Ok(Ok(ObjectChange { bucket, keys: vec![decoded], event_id }))
}

fn changes_content(event_name: &str) -> bool {
    ["ObjectCreated:", "ObjectRemoved:", "LifecycleExpiration:"].iter().any(|prefix| event_name.starts_with(prefix))
}

fn missing(field: &str) -> InvalidatorError {
    InvalidatorError::BadEvent(format!("S3 record without {field}"))
}
