//! The Lambda edge: read the event, call the service, answer as Lambda expects.

use std::collections::BTreeSet;
use std::time::SystemTime;

use aws_lambda_events::event::sqs::SqsBatchResponse;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

use crate::error::InvalidatorError;
use crate::events::{Delivery, Reading, read_invocation};
use crate::invalidations::Invalidations;
use crate::service::Invalidator;
use plumbing::time::{Clock, Pause};

/// What the function answers Lambda when the invocation does not fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Response {
    /// For SQS: the messages to deliver again (ReportBatchItemFailures).
    Batch(SqsBatchResponse),
    /// For direct invocations, whose failures are errors.
    Done,
}

/// What Lambda gets for one invocation: [`respond`] with the event's payload and deadline. `main` serves it.
pub async fn handle<A: Invalidations, C: Clock, P: Pause>(
    invalidator: &Invalidator<A, C, P>,
    event: LambdaEvent<Value>,
) -> Result<Response, InvalidatorError> {
    respond(invalidator, event.payload, event.context.deadline()).await
}

/// What the function returns for `payload` when it must be done by `deadline`.
pub async fn respond<A: Invalidations, C: Clock, P: Pause>(
    invalidator: &Invalidator<A, C, P>,
    payload: Value,
    deadline: SystemTime,
) -> Result<Response, InvalidatorError> {
    match read_invocation(payload)? {
        Delivery::Direct(reading) => {
            log_reading(&reading, None);
            let outcomes = invalidator.invalidate(reading.changes.iter().map(|change| (0, change)), deadline).await;
            // A failed invocation is retried by AWS, then kept by its DLQ.
            let failure = outcomes.into_iter().find_map(|outcome| outcome.result.err());
            match reading.problems.into_iter().next().or(failure) {
                Some(error) => Err(error),
                None => Ok(Response::Done),
            }
        }
        Delivery::Queue(messages) => {
            let mut failed = BTreeSet::new();
            for (index, message) in messages.iter().enumerate() {
                log_reading(&message.reading, Some(&message.message_id));
                if !message.reading.problems.is_empty() {
                    failed.insert(index);
                }
            }
            let changes = messages
                .iter()
                .enumerate()
                .flat_map(|(index, message)| message.reading.changes.iter().map(move |change| (index, change)));
            for outcome in invalidator.invalidate(changes, deadline).await {
                if outcome.result.is_err() {
                    failed.extend(outcome.request.sources);
                }
            }
            let mut response = SqsBatchResponse::default();
            response.set_failures(failed.into_iter().map(|index| messages[index].message_id.as_str()));
            Ok(Response::Batch(response))
        }
    }
}

impl From<InvalidatorError> for Diagnostic {
    fn from(error: InvalidatorError) -> Self {
        Diagnostic { error_type: format!("Invalidator.{}", error.kind()), error_message: error.to_string() }
    }
}

fn log_reading(reading: &Reading, message_id: Option<&str>) {
    let message_id = message_id.unwrap_or("-");
    for reason in &reading.skipped {
        tracing::info!(message_id, "skipped: {reason}");
    }
    for reason in &reading.unknown {
        tracing::warn!(message_id, "skipped, not an event this function knows: {reason}");
    }
    for problem in &reading.problems {
        tracing::warn!(message_id, "{problem}");
    }
}
