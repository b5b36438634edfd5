//! Reading every event shape the function receives, from fixtures in AWS's shapes.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{SINGLE_RECORD_NOTIFICATIONS, fixture, six_records_in_one_event};
use invalidator::InvalidatorError;
use invalidator::change::ObjectChange;
use invalidator::events::{Delivery, QueuedMessage, Reading, read_invocation};

fn direct(name: &str) -> Reading {
    read_direct(fixture(name), name)
}

fn read_direct(event: serde_json::Value, name: &str) -> Reading {
    match read_invocation(event).unwrap() {
        Delivery::Direct(reading) => reading,
        Delivery::Queue(_) => panic!("{name} was read as an SQS batch"),
    }
}

fn queued(name: &str) -> Vec<QueuedMessage> {
    match read_invocation(fixture(name)).unwrap() {
        Delivery::Queue(messages) => messages,
        Delivery::Direct(_) => panic!("{name} was not read as an SQS batch"),
    }
}

fn keys(changes: &[ObjectChange]) -> Vec<Vec<&str>> {
    changes.iter().map(|change| change.keys.iter().map(String::as_str).collect()).collect()
}

#[test]
fn a_direct_notification_yields_every_record_that_changes_content() {
    let reading = read_direct(six_records_in_one_event(), "six records");
    assert_eq!(
        keys(&reading.changes),
        [
            vec!["photos/red flower.jpg"],
            vec!["docs/c++/notes.txt"],
            vec!["café/menu.pdf"],
            vec!["photos/old.jpg"],
            vec!["tmp/report 2023:12.csv"],
        ]
    );
    assert!(reading.changes.iter().all(|change| change.bucket == "example-assets"));
    assert_eq!(reading.skipped.len(), 1);
    assert!(reading.skipped[0].contains("ObjectRestore:Completed"), "{:?}", reading.skipped);
    assert!(reading.problems.is_empty(), "{:?}", reading.problems);
}

/// S3 sends one record per notification, whatever happened to the object.
#[test]
fn each_notification_s3_sends_holds_one_record_and_yields_its_key_or_its_skip() {
    let expected = [
        Some("photos/red flower.jpg"),
        Some("docs/c++/notes.txt"),
        Some("café/menu.pdf"),
        Some("photos/old.jpg"),
        Some("tmp/report 2023:12.csv"),
        None,
    ];
    for (name, key) in SINGLE_RECORD_NOTIFICATIONS.iter().zip(expected) {
        assert_eq!(fixture(name)["Records"].as_array().unwrap().len(), 1, "{name}");
        let reading = direct(name);
        assert!(reading.problems.is_empty(), "{name}: {:?}", reading.problems);
        match key {
            Some(key) => assert_eq!(keys(&reading.changes), [vec![key]], "{name}"),
            None => assert!(reading.changes.is_empty() && reading.skipped.len() == 1, "{name}: {reading:?}"),
        }
    }
    // A lifecycle rule acts as S3 itself: no user principal.
    let lifecycle = fixture("s3-notification-lifecycle-expiration-delete.json");
    assert_eq!(lifecycle["Records"][0]["userIdentity"]["principalId"], "s3.amazonaws.com");
}

#[test]
fn records_of_one_notification_have_distinct_event_ids() {
    let reading = read_direct(six_records_in_one_event(), "six records");
    let mut ids: Vec<&str> = reading.changes.iter().map(|change| change.event_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), reading.changes.len());
}

#[test]
fn the_s3_test_event_is_skipped_with_a_reason() {
    let reading = direct("s3-test-event.json");
    assert!(reading.changes.is_empty() && reading.problems.is_empty());
    assert_eq!(reading.skipped, ["s3:TestEvent for bucket \"example-assets\""]);
}

#[test]
fn an_sqs_batch_yields_one_reading_per_message() {
    let messages = queued("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    let ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "059f36b4-87a3-44ab-83d2-661975830a7d",
            "2e1424d4-f796-459a-8184-9c92662be6da",
            "3b3f7a34-0f54-4c0e-a2c1-6f4d1c5b2e90",
            "9d5d2f3c-6a8e-4b7e-8f51-1c2a0b9e7d44"
        ]
    );
    assert_eq!(keys(&messages[0].reading.changes), [vec!["photos/summer 2024/beach (1).jpg"]]);
    assert_eq!(keys(&messages[1].reading.changes), [vec!["photos/日本/富士.png"]]);
    // The third message is the first delivered again: the same event.
    assert_eq!(messages[2].reading.changes, messages[0].reading.changes);
    assert!(messages[3].reading.changes.is_empty());
    assert_eq!(messages[3].reading.skipped.len(), 1);
    assert!(messages.iter().all(|m| m.reading.problems.is_empty()));
}

#[test]
fn sns_envelopes_in_sqs_are_opened() {
    let messages = queued("sqs-batch-sns-envelopes-of-two-s3-notifications-and-a-test-event.json");
    assert_eq!(messages.len(), 3);
    assert_eq!(keys(&messages[0].reading.changes), [vec!["site/index.html"]]);
    assert_eq!(keys(&messages[1].reading.changes), [vec!["site/a~b/*?#.txt"]]);
    assert!(messages[2].reading.changes.is_empty());
    assert!(messages[2].reading.skipped[0].starts_with("s3:TestEvent"), "{:?}", messages[2].reading.skipped);
}

#[test]
fn eventbridge_object_created_and_deleted_are_changes() {
    for name in ["eventbridge-object-created.json", "eventbridge-object-deleted.json"] {
        let reading = direct(name);
        assert_eq!(reading.changes.len(), 1, "{name}");
        assert_eq!(reading.changes[0].bucket, "example-assets");
        assert!(reading.problems.is_empty() && reading.skipped.is_empty(), "{name}: {reading:?}");
    }
    assert_eq!(keys(&direct("eventbridge-object-created.json").changes), [vec!["photos/sunset.jpg"]]);
}

/// AWS does not say whether EventBridge's detail.object.key is form-encoded
/// like a notification's key. Both readings are kept (and both invalidated):
/// `a+b%2B.txt` is either that very key or `a b+.txt`.
#[test]
fn an_eventbridge_key_is_read_both_as_sent_and_form_decoded() {
    let reading = direct("eventbridge-object-created-key-with-plus-and-percent.json");
    assert_eq!(keys(&reading.changes), [vec!["docs/a+b%2B.txt", "docs/a b+.txt"]]);
    // A key that cannot be form-decoded has one reading: as sent.
    let mut event = fixture("eventbridge-object-created.json");
    event["detail"]["object"]["key"] = "100%.jpg".into();
    let Delivery::Direct(reading) = read_invocation(event).unwrap() else { panic!("not direct") };
    assert_eq!(keys(&reading.changes), [vec!["100%.jpg"]]);
}

#[test]
fn other_eventbridge_s3_events_are_skipped() {
    let reading = direct("eventbridge-object-restore-completed.json");
    assert!(reading.changes.is_empty() && reading.problems.is_empty());
    assert_eq!(reading.skipped, ["EventBridge \"Object Restore Completed\" does not change what CloudFront serves"]);
}

#[test]
fn eventbridge_events_through_sqs_are_read() {
    let messages = queued("sqs-batch-eventbridge-object-deleted.json");
    assert_eq!(keys(&messages[0].reading.changes), [vec!["photos/expired.jpg"]]);
}

#[test]
fn unknown_shapes_are_skipped_not_failed() {
    let reading = direct("eventbridge-scheduled-event.json");
    assert!(reading.changes.is_empty() && reading.problems.is_empty() && reading.skipped.is_empty());
    assert_eq!(reading.unknown.len(), 1);
    assert!(reading.unknown[0].starts_with("unknown event shape: {"), "{:?}", reading.unknown);
    for value in [serde_json::json!(null), serde_json::json!([1, 2]), serde_json::json!({"Records": [{"x": 1}]})] {
        let Delivery::Direct(reading) = read_invocation(value.clone()).unwrap() else { panic!("{value}") };
        assert!(reading.problems.is_empty() && reading.skipped.is_empty(), "{value}");
        assert_eq!(reading.unknown.len(), 1, "{value}");
    }
    let Delivery::Direct(reading) = read_invocation(serde_json::json!({"Records": []})).unwrap() else { panic!() };
    assert_eq!(reading.skipped, ["no records"]);
}

#[test]
fn an_sns_topic_invoking_the_function_is_opened() {
    let reading = direct("sns-event-sent-to-the-function-wrapping-s3-put.json");
    assert_eq!(keys(&reading.changes), [vec!["photos/summer 2024/beach (1).jpg"]]);
    assert!(reading.problems.is_empty() && reading.unknown.is_empty() && reading.skipped.is_empty());
    let reading = direct("sns-event-sent-to-the-function-wrapping-s3-test-event.json");
    assert!(reading.changes.is_empty() && reading.problems.is_empty() && reading.unknown.is_empty());
    assert_eq!(reading.skipped, ["s3:TestEvent for bucket \"example-assets\""]);
}

#[test]
fn an_sns_record_that_is_malformed_or_holds_no_json_is_reported_on_its_own() {
    let mut event = fixture("sns-event-sent-to-the-function-wrapping-s3-put.json");
    let good = event["Records"][0].clone();
    let mut not_json = good.clone();
    not_json["Sns"]["Message"] = "hello".into();
    let mut malformed = good.clone();
    malformed["Sns"].as_object_mut().unwrap().remove("Message");
    event["Records"] = serde_json::json!([malformed, not_json, good]);
    let reading = match read_invocation(event).unwrap() {
        Delivery::Direct(reading) => reading,
        Delivery::Queue(_) => panic!("read as SQS"),
    };
    assert_eq!(keys(&reading.changes), [vec!["photos/summer 2024/beach (1).jpg"]]);
    assert!(matches!(reading.problems[..], [InvalidatorError::BadEvent(_)]), "{:?}", reading.problems);
    assert_eq!(reading.unknown.len(), 1, "{:?}", reading.unknown);
}

#[test]
fn a_body_that_is_no_event_is_skipped_and_a_badly_encoded_key_is_a_problem_of_its_message() {
    let messages = queued("sqs-batch-body-not-json-key-badly-encoded-and-one-good.json");
    assert!(messages[0].reading.problems.is_empty(), "{:?}", messages[0].reading);
    assert!(messages[0].reading.unknown[0].starts_with("SQS body is not JSON"), "{:?}", messages[0].reading);
    assert!(matches!(messages[1].reading.problems[..], [InvalidatorError::BadKey { .. }]), "{:?}", messages[1].reading);
    assert!(messages[2].reading.problems.is_empty());
    assert_eq!(keys(&messages[2].reading.changes), [vec!["photos/fine.jpg"]]);
}

/// `S3EventRecord` requires some fields: a record without them must not
/// take the other records of its notification down.
#[test]
fn a_malformed_record_is_a_problem_and_the_other_records_still_count() {
    let mut event = six_records_in_one_event();
    event["Records"][0].as_object_mut().unwrap().remove("userIdentity");
    event["Records"][1]["eventTime"] = "yesterday".into();
    let Delivery::Direct(reading) = read_invocation(event).unwrap() else { panic!("not direct") };
    assert_eq!(reading.problems.len(), 2, "{:?}", reading.problems);
    assert!(reading.problems.iter().all(|problem| matches!(problem, InvalidatorError::BadEvent(_))));
    assert_eq!(keys(&reading.changes), [vec!["café/menu.pdf"], vec!["photos/old.jpg"], vec!["tmp/report 2023:12.csv"]]);
}

#[test]
fn records_of_another_major_version_or_without_a_key_are_problems() {
    let mut event = six_records_in_one_event();
    event["Records"][0]["eventVersion"] = "3.0".into();
    event["Records"][1]["s3"]["object"].as_object_mut().unwrap().remove("key");
    let Delivery::Direct(reading) = read_invocation(event).unwrap() else { panic!("not direct") };
    assert_eq!(reading.problems.len(), 2, "{:?}", reading.problems);
    assert_eq!(reading.changes.len(), 3);
}

#[test]
fn a_malformed_sqs_batch_is_an_error() {
    let mut event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    event["Records"][1].as_object_mut().unwrap().remove("messageId");
    assert!(matches!(read_invocation(event), Err(InvalidatorError::BadEvent(_))));
}
