//! The handler with an in-memory CloudFront: what it sends, and what it answers
//! Lambda for each way changes arrive and fail.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/settings.rs"]
mod settings;

use fixtures::{fixture, six_records_in_one_event};
use invalidator::invalidations::MemoryInvalidations;
use invalidator::{Config, Invalidator, InvalidatorError, Response, respond};
use lambda_runtime::Diagnostic;
use plumbing::time::ManualClock;
use serde_json::{Value, json};
use settings::{config, deadline, start};

type TestInvalidator = Invalidator<MemoryInvalidations, ManualClock, ManualClock>;

const ONE_DISTRIBUTION: &str = r#"[{"bucket":"example-assets","distribution_id":"EASSETS"}]"#;
/// Photos also go to a second distribution, whose origin path is /photos.
const TWO_DISTRIBUTIONS: &str = r#"[
    {"bucket":"example-assets","distribution_id":"EASSETS"},
    {"bucket":"example-assets","key_prefix":"photos/","distribution_id":"EPHOTOS","origin_path":"/photos"}]"#;

fn invalidator_with(config: Config) -> TestInvalidator {
    let clock = ManualClock::starting_at(start()).with_fraction(0.5);
    Invalidator::new(MemoryInvalidations::new(), clock.clone(), clock, config)
}

fn invalidator(targets: &str) -> TestInvalidator {
    invalidator_with(config(&[("INVALIDATION_TARGETS", targets)]))
}

fn failed_message_ids(response: &Response) -> Vec<String> {
    match response {
        Response::Batch(batch) => batch.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect(),
        Response::Done => panic!("an SQS batch was answered without a batch response"),
    }
}

fn throttled() -> InvalidatorError {
    InvalidatorError::Throttled("Rate exceeded".into())
}

fn busy() -> InvalidatorError {
    InvalidatorError::TooManyInProgress("3,000 paths in progress".into())
}

#[tokio::test]
async fn a_direct_notification_becomes_one_request_per_distribution() {
    let invalidator = invalidator(TWO_DISTRIBUTIONS);
    let event = six_records_in_one_event();
    assert_eq!(respond(&invalidator, event, deadline(60)).await.unwrap(), Response::Done);
    let calls = invalidator.api().calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].distribution, "EASSETS");
    assert_eq!(
        calls[0].paths,
        [
            "/caf%C3%A9/menu.pdf",
            "/docs/c%2B%2B/notes.txt",
            "/photos/old.jpg",
            "/photos/red%20flower.jpg",
            "/tmp/report%202023:12.csv"
        ]
    );
    assert_eq!(calls[1].distribution, "EPHOTOS");
    assert_eq!(calls[1].paths, ["/old.jpg", "/red%20flower.jpg"]);
}

#[tokio::test]
async fn test_events_and_unknown_shapes_send_nothing_and_succeed() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    for name in [
        "s3-test-event.json",
        "eventbridge-scheduled-event.json",
        "sns-event-sent-to-the-function-wrapping-s3-test-event.json",
    ] {
        assert_eq!(respond(&invalidator, fixture(name), deadline(60)).await.unwrap(), Response::Done, "{name}");
    }
    assert!(invalidator.api().calls().is_empty());
}

#[tokio::test]
async fn a_direct_invocation_fails_when_a_request_cannot_be_made_so_aws_retries_it() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    invalidator
        .api()
        .fail("EASSETS", 1, || InvalidatorError::Refused { code: "AccessDenied".into(), message: String::new() });
    let result = respond(&invalidator, fixture("eventbridge-object-created.json"), deadline(60)).await;
    assert!(matches!(result, Err(InvalidatorError::Refused { .. })), "{result:?}");
    let diagnostic = Diagnostic::from(result.unwrap_err());
    assert_eq!(diagnostic.error_type, "Invalidator.Refused");
}

#[tokio::test]
async fn throttling_is_retried_and_no_path_is_lost() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    invalidator.api().fail("EASSETS", 3, throttled);
    let event = six_records_in_one_event();
    assert_eq!(respond(&invalidator, event, deadline(60)).await.unwrap(), Response::Done);
    let calls = invalidator.api().calls();
    assert_eq!(calls.len(), 4);
    assert!(
        calls.iter().all(|call| call.paths == calls[0].paths && call.caller_reference == calls[0].caller_reference)
    );
    assert_eq!(invalidator.api().invalidations("EASSETS"), [calls[0].paths.clone()]);
}

#[tokio::test]
async fn a_bad_record_fails_a_direct_invocation_after_the_good_ones_are_invalidated() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let mut event = six_records_in_one_event();
    event["Records"][0]["s3"]["object"]["key"] = "photos/100%.jpg".into();
    let result = respond(&invalidator, event, deadline(60)).await;
    assert!(matches!(result, Err(InvalidatorError::BadKey { .. })), "{result:?}");
    assert_eq!(invalidator.api().invalidations("EASSETS")[0].len(), 4);
}

#[tokio::test]
async fn an_sqs_batch_is_deduplicated_into_one_request() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert!(failed_message_ids(&response).is_empty());
    let calls = invalidator.api().calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].paths,
        ["/photos/%E6%97%A5%E6%9C%AC/%E5%AF%8C%E5%A3%AB.png", "/photos/summer%202024/beach%20(1).jpg"]
    );
}

#[tokio::test]
async fn only_the_messages_of_a_failed_distribution_come_back() {
    let invalidator = invalidator(TWO_DISTRIBUTIONS);
    // Busy for longer than the invocation has: the retries give up.
    invalidator.api().fail("EPHOTOS", 1000, busy);
    let mut event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    // The second message now changes a key outside photos/, which EPHOTOS does not serve.
    let body = event["Records"][1]["body"].as_str().unwrap().replace("photos/", "docs/");
    event["Records"][1]["body"] = body.into();
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(
        failed_message_ids(&response),
        ["059f36b4-87a3-44ab-83d2-661975830a7d", "3b3f7a34-0f54-4c0e-a2c1-6f4d1c5b2e90"]
    );
    assert_eq!(invalidator.api().invalidations("EASSETS").len(), 1);
    assert!(invalidator.api().invalidations("EPHOTOS").is_empty());
}

#[tokio::test]
async fn a_refused_path_fails_only_the_messages_it_came_in() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    // The second message's path; the first and third carry another (the same event twice).
    invalidator.api().refuse_path("/photos/%E6%97%A5%E6%9C%AC/%E5%AF%8C%E5%A3%AB.png");
    let event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(failed_message_ids(&response), ["2e1424d4-f796-459a-8184-9c92662be6da"]);
    assert_eq!(invalidator.api().invalidations("EASSETS"), [vec!["/photos/summer%202024/beach%20(1).jpg".to_owned()]]);
}

#[tokio::test]
async fn a_refusal_of_the_distribution_itself_is_not_split() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    invalidator
        .api()
        .fail("EASSETS", 1, || InvalidatorError::Refused { code: "NoSuchDistribution".into(), message: String::new() });
    let event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(failed_message_ids(&response).len(), 3);
    assert_eq!(invalidator.api().calls().len(), 1);
}

#[tokio::test]
async fn a_body_that_is_no_event_is_skipped_a_bad_key_comes_back_and_the_rest_is_invalidated() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let event = fixture("sqs-batch-body-not-json-key-badly-encoded-and-one-good.json");
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(failed_message_ids(&response), ["a1b2c3d4-0000-4000-8000-000000000002"]);
    assert_eq!(invalidator.api().invalidations("EASSETS"), [vec!["/photos/fine.jpg".to_owned()]]);
}

#[tokio::test]
async fn a_malformed_record_fails_only_its_own_message() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let mut event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    // The second message's notification gets a good record and a malformed one.
    let mut body: Value = serde_json::from_str(event["Records"][1]["body"].as_str().unwrap()).unwrap();
    let mut malformed = body["Records"][0].clone();
    malformed.as_object_mut().unwrap().remove("requestParameters");
    body["Records"].as_array_mut().unwrap().push(malformed);
    event["Records"][1]["body"] = body.to_string().into();
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(failed_message_ids(&response), ["2e1424d4-f796-459a-8184-9c92662be6da"]);
    // Its good record is still invalidated, with the other messages'.
    assert_eq!(invalidator.api().invalidations("EASSETS")[0].len(), 2);
}

#[tokio::test]
async fn an_sns_topic_invoking_the_function_is_invalidated() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let event = fixture("sns-event-sent-to-the-function-wrapping-s3-put.json");
    assert_eq!(respond(&invalidator, event, deadline(60)).await.unwrap(), Response::Done);
    assert_eq!(invalidator.api().invalidations("EASSETS"), [vec!["/photos/summer%202024/beach%20(1).jpg".to_owned()]]);
}

#[tokio::test]
async fn a_redelivered_batch_creates_no_second_invalidation() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let event = fixture("sqs-batch-s3-notifications-a-duplicate-and-a-test-event.json");
    for _ in 0..2 {
        let response = respond(&invalidator, event.clone(), deadline(60)).await.unwrap();
        assert!(failed_message_ids(&response).is_empty());
    }
    let calls = invalidator.api().calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].caller_reference, calls[1].caller_reference);
    assert_eq!(invalidator.api().invalidations("EASSETS").len(), 1);
}

#[tokio::test]
async fn the_same_key_changed_again_later_is_invalidated_again() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let first = fixture("eventbridge-object-created.json");
    let mut later = first.clone();
    later["id"] = "8a3f0b1c-2d4e-4f60-8172-93a4b5c6d7e8".into();
    later["detail"]["object"]["sequencer"] = "617f08299329d200".into();
    for event in [first, later] {
        respond(&invalidator, event, deadline(60)).await.unwrap();
    }
    assert_eq!(invalidator.api().invalidations("EASSETS").len(), 2);
}

/// Which reading of an EventBridge key is right is not documented, so both are invalidated.
#[tokio::test]
async fn both_readings_of_an_eventbridge_key_are_invalidated() {
    let invalidator = invalidator(ONE_DISTRIBUTION);
    let event = fixture("eventbridge-object-created-key-with-plus-and-percent.json");
    respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(invalidator.api().calls()[0].paths, ["/docs/a%20b%2B.txt", "/docs/a%2Bb%252B.txt"]);
}

#[tokio::test]
async fn sns_wrapped_notifications_with_the_index_rule_and_awkward_keys() {
    let invalidator =
        invalidator_with(config(&[("INVALIDATION_TARGETS", ONE_DISTRIBUTION), ("INDEX_DOCUMENT", "index.html")]));
    let event = fixture("sqs-batch-sns-envelopes-of-two-s3-notifications-and-a-test-event.json");
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert!(failed_message_ids(&response).is_empty());
    assert_eq!(invalidator.api().calls()[0].paths, ["/site", "/site/", "/site/a*", "/site/index.html"]);
}

#[tokio::test]
async fn filters_and_collapsing_shape_the_request() {
    let invalidator = invalidator_with(config(&[
        ("INVALIDATION_TARGETS", ONE_DISTRIBUTION),
        ("COLLAPSE_THRESHOLD", "2"),
        ("EXCLUDE_PATTERNS", r#"["tmp/**"]"#),
    ]));
    let event = six_records_in_one_event();
    respond(&invalidator, event, deadline(60)).await.unwrap();
    // photos/ holds two changed files (not more than 2); tmp/ is excluded.
    assert_eq!(
        invalidator.api().calls()[0].paths,
        ["/caf%C3%A9/menu.pdf", "/docs/c%2B%2B/notes.txt", "/photos/old.jpg", "/photos/red%20flower.jpg"]
    );
    let invalidator =
        invalidator_with(config(&[("INVALIDATION_TARGETS", ONE_DISTRIBUTION), ("COLLAPSE_THRESHOLD", "1")]));
    let event = six_records_in_one_event();
    respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(
        invalidator.api().calls()[0].paths,
        ["/caf%C3%A9/menu.pdf", "/docs/c%2B%2B/notes.txt", "/photos/*", "/tmp/report%202023:12.csv"]
    );
}

#[test]
fn responses_have_lambdas_shapes() {
    let mut batch = aws_lambda_events::event::sqs::SqsBatchResponse::default();
    batch.add_failure("059f36b4-87a3-44ab-83d2-661975830a7d");
    let expected = json!({"batchItemFailures": [{"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}]});
    assert_eq!(serde_json::to_value(Response::Batch(batch)).unwrap(), expected);
    assert_eq!(serde_json::to_value(Response::Done).unwrap(), Value::Null);
}
