//! The SNS envelope an SQS subscription receives (raw message delivery off).

use aws_lambda_events::event::sns::SnsMessage;
use serde_json::Value;

use super::{Envelope, Reading, read_payload};
use crate::error::InvalidatorError;

pub(super) fn read(envelope: Value, reading: &mut Reading) {
    let envelope: SnsMessage = match serde_json::from_value(envelope) {
        Ok(envelope) => envelope,
        Err(e) => return reading.problems.push(InvalidatorError::BadEvent(format!("SNS envelope: {e}"))),
    };
    match serde_json::from_str::<Value>(&envelope.message) {
        Ok(message) => read_payload(message, reading, Envelope::AlreadyOpened),
        Err(e) => reading.problems.push(InvalidatorError::BadEvent(format!("SNS Message is not JSON: {e}"))),
    }
}
