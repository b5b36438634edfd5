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

#[derive(Debug)]
pub struct QueuedMessage {
    pub message_id: String,
    pub reading: Reading,
}

/// What one event (or one SQS message) says.
#[derive(Debug, Default)]
pub struct Reading {
    pub changes: Vec<ObjectChange>,
    /// Why parts were left alone: test events, unknown shapes, events that
    /// change nothing CloudFront serves.
    pub skipped: Vec<String>,
    /// Records AWS could not have sent; the rest of the event still counts.
    pub problems: Vec<InvalidatorError>,
}

/// Reads a Lambda event. Only a malformed SQS batch is an error as a whole.
pub fn read_invocation(event: Value) -> Result<Delivery, InvalidatorError> {
    if record_source(&event) == Some("aws:sqs") {
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

fn read_payload(payload: Value, reading: &mut Reading, envelope: Envelope) {
    let text = |field: &str| payload.get(field).and_then(Value::as_str);
    if payload.get("Records").is_some() {
        match record_source(&payload) {
            Some("aws:s3") => s3_notification::read(payload, reading),
            None if payload["Records"].as_array().is_some_and(Vec::is_empty) => {
                reading.skipped.push("no records".into())
            }
            source => reading.skipped.push(format!("records from {source:?}, not from S3")),
        }
    } else if text("Event") == Some("s3:TestEvent") {
        reading.skipped.push(format!("s3:TestEvent for bucket {:?}", text("Bucket").unwrap_or_default()));
    } else if text("source") == Some("aws.s3") && payload.get("detail-type").is_some() {
        eventbridge::read(payload, reading);
    } else if text("Type") == Some("Notification") && envelope == Envelope::Allowed {
        sns::read(payload, reading);
    } else {
        reading.skipped.push(format!("unknown event shape: {}", shape(&payload)));
    }
}

fn record_source(event: &Value) -> Option<&str> {
    event.get("Records")?.get(0)?.get("eventSource")?.as_str()
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
