//! SNS: the envelope an SQS subscription receives (raw message delivery off),
//! and the SnsEvent a topic sends when it invokes the function itself.

use aws_lambda_events::event::sns::{SnsMessage, SnsRecord};
use serde_json::Value;

use super::{Envelope, Reading, read_payload};
use crate::error::InvalidatorError;

/// An SNS envelope in an SQS message body.
pub(super) fn read_envelope(envelope: Value, reading: &mut Reading) {
    match serde_json::from_value::<SnsMessage>(envelope) {
        Ok(envelope) => read_message(&envelope.message, reading),
        Err(e) => reading.problems.push(InvalidatorError::BadEvent(format!("SNS envelope: {e}"))),
    }
}

/// The records of an SnsEvent, each read on its own.
pub(super) fn read_records(records: Vec<Value>, reading: &mut Reading) {
    for (index, record) in records.into_iter().enumerate() {
        match serde_json::from_value::<SnsRecord>(record) {
            Ok(record) => read_message(&record.sns.message, reading),
            Err(e) => reading.problems.push(InvalidatorError::BadEvent(format!("SNS record {index}: {e}"))),
        }
    }
}

fn read_message(message: &str, reading: &mut Reading) {
    match serde_json::from_str::<Value>(message) {
        Ok(message) => read_payload(message, reading, Envelope::AlreadyOpened),
        // Not an event at all: no redelivery can change that.
        Err(e) => reading.unknown.push(format!("SNS Message is not JSON: {e}")),
    }
}
