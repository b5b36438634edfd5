//! What an event record says happened to an object.

/// An object written or removed, as one event record reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChange {
    /// Name of the bucket that holds the object, as the event gives it.
    pub bucket: String,
    /// The key as stored in S3; two readings when the event's encoding is
    /// ambiguous (EventBridge), and both are invalidated.
    pub keys: Vec<String>,
    /// Tells this event from a later change to the same key, and stays the
    /// same when the event is delivered again.
    pub event_id: String,
}
