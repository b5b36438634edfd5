//! SQS batches: each message body holds an S3 notification, an SNS envelope
//! around one, an EventBridge event, or S3's test event.

use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::Value;

use super::{Envelope, QueuedMessage, Reading, read_payload};
use crate::error::InvalidatorError;

pub(super) fn read(event: Value) -> Result<Vec<QueuedMessage>, InvalidatorError> {
    let event: SqsEvent =
        serde_json::from_value(event).map_err(|e| InvalidatorError::BadEvent(format!("SQS batch: {e}")))?;
    event
        .records
        .into_iter()
        .map(|message| {
            // Without its id a message could not be reported as failed.
            let message_id = message
                .message_id
                .ok_or_else(|| InvalidatorError::BadEvent("SQS message without a messageId".into()))?;
            let mut reading = Reading::default();
            match message.body.as_deref().map(serde_json::from_str::<Value>) {
                Some(Ok(body)) => read_payload(body, &mut reading, Envelope::Allowed),
                // Not an event at all: no redelivery can change that.
                Some(Err(e)) => reading.unknown.push(format!("SQS body is not JSON: {e}")),
                None => reading.unknown.push("SQS message without a body".into()),
            }
            Ok(QueuedMessage { message_id, reading })
        })
        .collect()
}
