//! The Lambda edge: read the event, call the rotator, answer as Lambda expects.

use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::{Value, json};
use tracing::info;

use crate::custom_resource::{answer, refuse};
use crate::error::Error;
use crate::events::{Trigger, read};
use crate::responder::Responder;
use crate::rotator::{Ports, Rotator};

/// Kept back from the Lambda deadline: time to write the last change and to
/// answer after a wait, or to answer CloudFormation when the work cannot finish.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(15);

/// What Lambda gets for one invocation: [`respond`] with the event's payload, and its deadline less
/// [`DEADLINE_MARGIN`] (none when the runtime's deadline has passed already). `main` serves it.
pub async fn handle<P: Ports>(
    rotator: &Rotator<P>,
    responder: &impl Responder,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let deadline = usable_deadline(event.context.deadline(), rotator.clock_now());
    respond(rotator, responder, event.payload, deadline).await
}

/// The Lambda deadline less [`DEADLINE_MARGIN`]; None when the runtime's
/// deadline is not ahead of `now`. Lambda's always is; `cargo lambda watch`
/// sends a fixed 600,000 ms (January 1970) with every invocation, and honouring
/// that would fail every custom resource before it started.
fn usable_deadline(deadline: SystemTime, now: SystemTime) -> Option<SystemTime> {
    if deadline <= now {
        return None;
    }
    deadline.checked_sub(DEADLINE_MARGIN)
}

/// What the function returns for `payload`. An error fails the invocation, so
/// Secrets Manager, EventBridge or the caller tries again. `deadline`: when
/// the answer must be given (the Lambda deadline less [`DEADLINE_MARGIN`]);
/// None sets no limit and lets no step wait.
pub async fn respond<P: Ports>(
    rotator: &Rotator<P>,
    responder: &impl Responder,
    payload: Value,
    deadline: Option<SystemTime>,
) -> Result<Value, Error> {
    match read(payload)? {
        Trigger::Rotation { step, secret_id, token, rotation_token } => {
            let configured = &rotator.config().secret_id;
            if !same_secret(configured, &secret_id) {
                return Err(Error::OtherSecret { configured: configured.clone(), requested: secret_id });
            }
            info!(step = step.name(), token = %token, "rotation step");
            rotator.rotation_step(step, &token, rotation_token.as_deref(), deadline).await?;
            Ok(json!({ "step": step.name(), "token": token.as_str() }))
        }
        Trigger::Prune => Ok(serde_json::to_value(rotator.prune().await?).expect("a report serializes")),
        Trigger::Revoke { key_pair_id } => {
            Ok(serde_json::to_value(rotator.revoke(&key_pair_id).await?).expect("a report serializes"))
        }
        Trigger::CustomResource(request, recipient) => {
            let response = answer(rotator, responder, &request, &recipient, deadline).await?;
            Ok(json!({ "Status": response.status, "PhysicalResourceId": response.physical_resource_id }))
        }
        Trigger::BadCustomResource(recipient, reason) => {
            let response = refuse(responder, &recipient, reason).await?;
            Ok(json!({ "Status": response.status, "PhysicalResourceId": response.physical_resource_id }))
        }
    }
}

/// Secrets Manager names the secret by ARN; configuration may use the name.
fn same_secret(configured: &str, requested: &str) -> bool {
    let name = |id: &str| -> String {
        // arn:aws:secretsmanager:region:account:secret:NAME-6RANDOM
        match id.split(':').nth(6) {
            Some(name) if id.starts_with("arn:") => name.rsplit_once('-').map_or(name, |(n, _)| n).to_owned(),
            _ => id.to_owned(),
        }
    };
    configured == requested || name(configured) == name(requested)
}

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Self {
        Diagnostic { error_type: format!("KeyRotator.{}", error.kind()), error_message: error.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::{DEADLINE_MARGIN, same_secret, usable_deadline};

    #[test]
    fn a_deadline_already_past_sets_no_limit_and_a_real_one_keeps_its_margin() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        let emulator = SystemTime::UNIX_EPOCH + Duration::from_millis(600_000);
        assert_eq!(usable_deadline(emulator, now), None);
        assert_eq!(usable_deadline(now, now), None);
        let lambda = now + Duration::from_secs(900);
        assert_eq!(usable_deadline(lambda, now), Some(lambda - DEADLINE_MARGIN));
        // Less than the margin left: a deadline already reached, so the work answers at once.
        let close = now + Duration::from_secs(5);
        assert!(usable_deadline(close, now).is_some_and(|d| d < now));
    }

    #[test]
    fn a_secret_is_the_same_by_name_or_arn() {
        let arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:cdn-signing-key-a1B2c3";
        assert!(same_secret(arn, arn));
        assert!(same_secret("cdn-signing-key", arn));
        assert!(same_secret(arn, "cdn-signing-key"));
        assert!(!same_secret("other-key", arn));
        assert!(!same_secret("cdn-signing", arn));
    }
}
