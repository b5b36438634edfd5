//! The triggers this one function answers, read from the invocation's JSON.

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceRequest;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::naming::Token;
use crate::rotation::Step;

/// What an invocation asks for: a rotation step, a prune, a revoke or a custom resource request.
#[derive(Debug)]
pub enum Trigger {
    /// A Secrets Manager rotation step.
    Rotation {
        /// Which step to run, from either of AWS's spellings (`Step::parse`).
        step: Step,
        /// The secret being rotated (`SecretId`, an ARN); it must be the configured one.
        secret_id: String,
        /// The version being created (`ClientRequestToken`): the UUID that names everything the rotation makes.
        token: Token,
        /// `RotationToken`, passed back to PutSecretValue so Secrets Manager knows the write is its rotation's.
        rotation_token: Option<String>,
    },
    /// The EventBridge schedule, or `{"action": "prune"}` by hand.
    Prune,
    /// `{"action": "revoke", "keyPairId": "K..."}`: a compromised key, out now.
    Revoke {
        /// Id of the CloudFront public key to revoke: 12 to 32 upper-case letters and digits.
        key_pair_id: String,
    },
    /// The stack's SigningKeys custom resource.
    CustomResource(Box<CloudFormationCustomResourceRequest>, Recipient),
    /// A custom resource request that says where to answer but not what it
    /// asks: CloudFormation still needs an answer, or it waits for an hour.
    BadCustomResource(Recipient, String),
}

/// Where and for what an answer to CloudFormation goes: the fields every
/// request type carries alike.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recipient {
    /// Pre-signed URL the answer is PUT to (`ResponseURL`), if `RESPONSE_URL_HOSTS` allows its host.
    #[serde(rename = "ResponseURL")]
    pub response_url: String,
    /// CloudFormation's id of the request (`RequestId`), repeated in the answer.
    pub request_id: String,
    /// The stack's ARN (`StackId`), repeated in the answer; the key group's comment names the stack.
    pub stack_id: String,
    /// The resource's name in the template (`LogicalResourceId`), repeated in the answer.
    pub logical_resource_id: String,
    /// Absent from a Create.
    #[serde(default)]
    pub physical_resource_id: Option<String>,
}

/// Secrets Manager's event. aws-lambda-events' type has no RotationToken,
/// which PutSecretValue should be given back.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RotationEvent {
    step: String,
    secret_id: String,
    client_request_token: String,
    #[serde(default)]
    rotation_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
enum Manual {
    Prune {},
    Revoke {
        #[serde(rename = "keyPairId")]
        key_pair_id: String,
    },
}

const EXPECTED: &str = "expected a Secrets Manager rotation step, a CloudFormation custom resource request, an EventBridge scheduled event, {\"action\": \"prune\"} or {\"action\": \"revoke\", \"keyPairId\": \"K...\"}";

/// The trigger in `event`. `BadEvent` when it is none of these, or malformed: a rotation token that is not a UUID, a
/// revoke's key id that is not a CloudFront public key id.
pub fn read(event: Value) -> Result<Trigger> {
    let bad = |e: serde_json::Error| Error::BadEvent(format!("{e}; {EXPECTED}"));
    if event.get("Step").is_some() {
        let event: RotationEvent = serde_json::from_value(event).map_err(bad)?;
        let step = Step::parse(&event.step).ok_or_else(|| {
            Error::BadEvent(format!(
                "unknown rotation step {:?}: expected createSecret, setSecret, testSecret or finishSecret",
                event.step
            ))
        })?;
        let token = Token::parse(&event.client_request_token)?;
        return Ok(Trigger::Rotation { step, secret_id: event.secret_id, token, rotation_token: event.rotation_token });
    }
    if event.get("RequestType").is_some() {
        let recipient = Recipient::deserialize(&event).map_err(bad)?;
        return Ok(match CloudFormationCustomResourceRequest::deserialize(&event) {
            Ok(request) => Trigger::CustomResource(Box::new(request), recipient),
            Err(e) => Trigger::BadCustomResource(
                recipient,
                format!(
                    "bad custom resource request: {e}; expected RequestType Create, Update or Delete with ResourceProperties"
                ),
            ),
        });
    }
    if event.get("source").and_then(Value::as_str) == Some("aws.events")
        && event.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event")
    {
        return Ok(Trigger::Prune);
    }
    if event.get("action").is_some() {
        return match serde_json::from_value(event).map_err(bad)? {
            Manual::Prune {} => Ok(Trigger::Prune),
            Manual::Revoke { key_pair_id } if valid_key_id(&key_pair_id) => Ok(Trigger::Revoke { key_pair_id }),
            Manual::Revoke { key_pair_id } => Err(Error::BadEvent(format!(
                "{key_pair_id:?} is not a CloudFront public key id such as K2JCJMDEHXQW5F"
            ))),
        };
    }
    Err(Error::BadEvent(EXPECTED.into()))
}

/// CloudFront's public key ids: upper-case letters and digits (K2JCJMDEHXQW5F;
/// the old root-account key pairs, APKA..., are 20 characters).
fn valid_key_id(id: &str) -> bool {
    (12..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
