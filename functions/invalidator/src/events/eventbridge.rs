//! S3 events through EventBridge ("Object Created", "Object Deleted").

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Reading;
use crate::change::ObjectChange;
use crate::error::InvalidatorError;
use crate::s3_key;

/// The part of an S3 event's `detail` that matters here. aws-lambda-events
/// has the EventBridge envelope but no type for S3's detail, so the two fields
/// read are declared here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct S3ObjectDetail {
    pub bucket: Bucket,
    pub object: Object,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Bucket {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Object {
    pub key: String,
    #[serde(default)]
    pub sequencer: Option<String>,
}

pub(super) fn read(payload: Value, reading: &mut Reading) {
    let detail_type = payload["detail-type"].as_str().unwrap_or_default();
    if !matches!(detail_type, "Object Created" | "Object Deleted") {
        return reading.skipped.push(format!("EventBridge {detail_type:?} does not change what CloudFront serves"));
    }
    let event: EventBridgeEvent<S3ObjectDetail> = match serde_json::from_value(payload) {
        Ok(event) => event,
        Err(e) => return reading.problems.push(InvalidatorError::BadEvent(format!("EventBridge S3 event: {e}"))),
    };
    let Some(id) = event.id else {
        return reading.problems.push(InvalidatorError::BadEvent("EventBridge event without an id".into()));
    };
    let raw = event.detail.object.key;
    // AWS does not say whether this key is form-encoded like a notification's.
    // Both readings are invalidated when they differ (only keys with + or %
    // differ), so the right one is always among them.
    let mut keys = vec![raw.clone()];
    if let Ok(decoded) = s3_key::decode(&raw)
        && decoded != raw
    {
        keys.push(decoded);
    }
    // EventBridge keeps an event's id when it delivers it again.
    let event_id = format!("eventbridge\n{id}\n{}", event.detail.object.sequencer.unwrap_or_default());
    reading.changes.push(ObjectChange { bucket: event.detail.bucket.name, keys, event_id });
}
