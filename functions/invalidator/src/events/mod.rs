//! What an invocation carries, read from the JSON shapes AWS sends.

mod eventbridge;
mod s3_notification;
mod sns;
mod sqs;

use serde_json::Value;

use crate::change::ObjectChange;
use crate::error::InvalidatorError;

/// How the changes arrived, which decides how failures are answered.
#[derive(Debug)]
pub enum Delivery {
    /// An S3 notification or EventBridge event sent to the function itself.
    Direct(Reading),
    /// An SQS batch, one reading per message.
    Queue(Vec<QueuedMessage>),
}

/// One message of an SQS batch, and what its body says.
#[derive(Debug)]
pub struct QueuedMessage {
    /// The message's SQS id: `batchItemFailures` names it when its changes were not invalidated.
    pub message_id: String,
    /// What its body says; a problem in it fails the message, whatever becomes of its changes.
    pub reading: Reading,
}

/// What one event (or one SQS message) says.
#[derive(Debug, Default)]
pub struct Reading {
    /// The objects written or removed, to invalidate.
    pub changes: Vec<ObjectChange>,
    /// Why parts were left alone: test events and events that change nothing
    /// CloudFront serves (logged as info).
    pub skipped: Vec<String>,
    /// Payloads that are no event the function knows (not JSON, unknown
    /// shapes): no redelivery can make them one, so they are skipped too,
    /// but logged as warnings.
    pub unknown: Vec<String>,
    /// Records AWS could not have sent; the rest of the event still counts.
    pub problems: Vec<InvalidatorError>,
}

/// Reads a Lambda event. Only a malformed SQS batch is an error as a whole.
pub fn read_invocation(event: Value) -> Result<Delivery, InvalidatorError> {
    let first_record = event.get("Records").and_then(|records| records.get(0));
    if first_record.and_then(record_source) == Some("aws:sqs") {
        return sqs::read(event).map(Delivery::Queue);
    }
    let mut reading = Reading::default();
    read_payload(event, &mut reading, Envelope::Allowed);
    Ok(Delivery::Direct(reading))
}

/// Whether an SNS envelope may wrap the payload (only once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    Allowed,
    AlreadyOpened,
}

fn read_payload(mut payload: Value, reading: &mut Reading, envelope: Envelope) {
    if let Some(records) = payload.get_mut("Records").and_then(Value::as_array_mut) {
        return read_records(std::mem::take(records), reading, envelope);
    }
    let text = |field: &str| payload.get(field).and_then(Value::as_str);
    if text("Event") == Some("s3:TestEvent") {
        reading.skipped.push(format!("s3:TestEvent for bucket {:?}", text("Bucket").unwrap_or_default()));
    } else if text("source") == Some("aws.s3") && payload.get("detail-type").is_some() {
        eventbridge::read(payload, reading);
    } else if text("Type") == Some("Notification") && envelope == Envelope::Allowed {
        sns::read_envelope(payload, reading);
    } else {
        reading.unknown.push(format!("unknown event shape: {}", shape(&payload)));
    }
}

/// AWS never mixes sources in one event, so the first record tells them all.
fn read_records(records: Vec<Value>, reading: &mut Reading, envelope: Envelope) {
    match records.first().map(record_source) {
        None => reading.skipped.push("no records".into()),
        Some(Some("aws:s3")) => s3_notification::read(records, reading),
        // A topic invoking the function: each record's Message is a payload.
        Some(Some("aws:sns")) if envelope == Envelope::Allowed => sns::read_records(records, reading),
        Some(source) => reading.unknown.push(format!("records from {}", source.unwrap_or("no eventSource"))),
    }
}

/// Where a record comes from: S3 and SQS write `eventSource`, SNS `EventSource`.
fn record_source(record: &Value) -> Option<&str> {
    record.get("eventSource").or_else(|| record.get("EventSource"))?.as_str()
}

/// The top-level field names, enough to recognise a shape in a log line.
fn shape(payload: &Value) -> String {
    match payload.as_object() {
        Some(fields) => format!("{{{}}}", fields.keys().map(String::as_str).collect::<Vec<_>>().join(", ")),
        None => format!("a JSON {}", json_type(payload)),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
