//! End to end on the local AWS: objects put in S3, their notifications (built
//! as S3 writes them) queued through SQS and received as Lambda would deliver
//! them, the handler with the real CloudFront adapter, and the invalidations
//! CloudFront then holds.

#[path = "support/local_distribution.rs"]
mod local_distribution;
#[path = "support/local_invalidations.rs"]
mod local_invalidations;
#[path = "support/s3_notifications.rs"]
mod s3_notifications;
#[path = "support/settings.rs"]
mod settings;

use std::time::{Duration, SystemTime};

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use invalidator::invalidations::CloudFrontInvalidations;
use invalidator::retry::RetryPolicy;
use invalidator::{Invalidator, Response, respond};
use local_aws::{Call, Fault, Session};
use local_distribution::create_distribution;
use local_invalidations::invalidations;
use plumbing::time::{ManualClock, SystemClock, TokioPause};
use s3_notifications::{Stored, put_notification};
use serde_json::{Value, json};
use settings::{config, deadline, start};

const BUCKET: &str = "example-assets";

struct Stack {
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    distribution: String,
    queue_url: String,
    queue_arn: String,
    sequencer: std::cell::Cell<u64>,
}

impl Stack {
    async fn new(aws: &Session) -> Self {
        let config = aws.sdk_config().await;
        let s3 =
            aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
        s3.create_bucket().bucket(BUCKET).send().await.unwrap();
        let cloudfront = aws_sdk_cloudfront::Client::new(&config);
        let distribution = create_distribution(&cloudfront).await;
        let sqs = aws_sdk_sqs::Client::new(&config);
        // A failed message is visible again after a second, as after Lambda's visibility timeout.
        let queue_url = sqs
            .create_queue()
            .queue_name("invalidator-events")
            .attributes(QueueAttributeName::VisibilityTimeout, "1")
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        let queue_arn = attributes.attributes.unwrap()[&QueueAttributeName::QueueArn].clone();
        Self {
            s3,
            sqs,
            cloudfront,
            distribution,
            queue_url,
            queue_arn,
            sequencer: std::cell::Cell::new(0x0062E8F8C5E4B2A1F0),
        }
    }

    fn invalidator(
        &self,
        api: CloudFrontInvalidations,
    ) -> Invalidator<CloudFrontInvalidations, ManualClock, ManualClock> {
        let targets = format!(r#"[{{"bucket":"{BUCKET}","distribution_id":"{}"}}]"#, self.distribution);
        let config = config(&[("INVALIDATION_TARGETS", &targets), ("INDEX_DOCUMENT", "index.html")]);
        let clock = ManualClock::starting_at(start()).with_fraction(0.5);
        Invalidator::new(api, clock.clone(), clock, config)
    }

    /// Puts an object and returns S3's notification of it.
    async fn put(&self, key: &str) -> Value {
        let body = format!("content of {key}").into_bytes();
        let size = body.len() as i64;
        let put = self.s3.put_object().bucket(BUCKET).key(key).body(body.into()).send().await.unwrap();
        let sequencer = self.sequencer.get() + 1;
        self.sequencer.set(sequencer);
        let etag = put.e_tag.unwrap().trim_matches('"').to_owned();
        put_notification(&Stored { bucket: BUCKET, key, size, etag, sequencer: format!("{sequencer:018X}") })
    }

    async fn send(&self, notifications: &[Value]) {
        for notification in notifications {
            self.sqs
                .send_message()
                .queue_url(&self.queue_url)
                .message_body(notification.to_string())
                .send()
                .await
                .unwrap();
        }
    }

    /// Receives what is visible and writes it as Lambda's SQS event source mapping does.
    async fn receive_as_lambda_event(&self) -> Value {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap();
        let records: Vec<Value> = received
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|message| {
                let attributes: serde_json::Map<String, Value> = message
                    .attributes
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, value)| (name.as_str().to_owned(), Value::String(value)))
                    .collect();
                json!({
                    "messageId": message.message_id,
                    "receiptHandle": message.receipt_handle,
                    "body": message.body,
                    "attributes": attributes,
                    "messageAttributes": {},
                    "md5OfBody": message.md5_of_body,
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": "us-east-1"
                })
            })
            .collect();
        json!({ "Records": records })
    }

    /// Deletes the messages the function did not report as failed, as Lambda does.
    async fn acknowledge(&self, event: &Value, response: &Response) {
        let Response::Batch(batch) = response else { panic!("an SQS batch needs a batch response") };
        for record in event["Records"].as_array().unwrap() {
            let id = record["messageId"].as_str().unwrap();
            if !batch.batch_item_failures.iter().any(|failure| failure.item_identifier == id) {
                let receipt = record["receiptHandle"].as_str().unwrap();
                self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(receipt).send().await.unwrap();
            }
        }
    }

    async fn invalidated(&self) -> Vec<Vec<String>> {
        invalidations(&self.cloudfront, &self.distribution).await.into_iter().map(|(_, paths)| paths).collect()
    }
}

fn failures(response: &Response) -> usize {
    match response {
        Response::Batch(batch) => batch.batch_item_failures.len(),
        Response::Done => panic!("an SQS batch needs a batch response"),
    }
}

fn create_invalidation_calls(aws: &Session) -> usize {
    let call = Call { service: "cloudfront".into(), action: "CreateInvalidation".into() };
    aws.calls().iter().filter(|c| **c == call).count()
}

const KEYS: [&str; 5] =
    ["photos/red flower.jpg", "docs/c++/notes.txt", "café/menu.pdf", "js/runtime~main.js", "site/index.html"];
const PATHS: [&str; 7] = [
    "/caf%C3%A9/menu.pdf",
    "/docs/c%2B%2B/notes.txt",
    "/js/runtime*",
    "/photos/red%20flower.jpg",
    "/site",
    "/site/",
    "/site/index.html",
];

#[tokio::test]
async fn objects_put_and_queued_through_sqs_are_invalidated_exactly() {
    let aws = local_aws::session();
    let stack = Stack::new(&aws).await;
    let mut notifications = Vec::new();
    for key in KEYS {
        notifications.push(stack.put(key).await);
    }
    stack.send(&notifications).await;
    let event = stack.receive_as_lambda_event().await;
    assert_eq!(event["Records"].as_array().unwrap().len(), KEYS.len());

    aws.clear_calls();
    let invalidator = stack.invalidator(CloudFrontInvalidations::new(stack.cloudfront.clone()));
    let response = respond(&invalidator, event.clone(), deadline(60)).await.unwrap();
    assert_eq!(failures(&response), 0);
    stack.acknowledge(&event, &response).await;

    assert_eq!(create_invalidation_calls(&aws), 1);
    assert_eq!(stack.invalidated().await, [PATHS.map(str::to_owned).to_vec()]);
    assert_eq!(stack.receive_as_lambda_event().await["Records"], json!([]));
}

#[tokio::test]
async fn throttling_injected_is_retried_and_no_path_is_lost() {
    let aws = local_aws::session();
    let stack = Stack::new(&aws).await;
    let mut notifications = Vec::new();
    for key in KEYS {
        notifications.push(stack.put(key).await);
    }
    stack.send(&notifications).await;
    let event = stack.receive_as_lambda_event().await;

    aws.clear_calls();
    aws.fail_next(Fault::error("cloudfront", "CreateInvalidation", "Throttling", 400).times(3));
    let invalidator = stack.invalidator(CloudFrontInvalidations::new(stack.cloudfront.clone()));
    let response = respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(failures(&response), 0);
    assert_eq!(create_invalidation_calls(&aws), 4);
    assert_eq!(invalidator.clock().sleeps().len(), 3);
    assert_eq!(stack.invalidated().await, [PATHS.map(str::to_owned).to_vec()]);
}

/// Fills CloudFront's 15 wildcard paths in progress, for `seconds`.
/// Fills the distribution's 15 wildcards in progress with an invalidation held
/// InProgress until the test releases it; returns its id.
async fn occupy_wildcard_limit(aws: &Session, stack: &Stack) -> String {
    aws.set_invalidation_seconds(0.0);
    aws.hold_invalidations(&stack.distribution);
    let wildcards: Vec<String> = (0..15).map(|i| format!("/busy{i}/*")).collect();
    let paths = aws_sdk_cloudfront::types::Paths::builder().quantity(15).set_items(Some(wildcards)).build().unwrap();
    let batch =
        aws_sdk_cloudfront::types::InvalidationBatch::builder().caller_reference("busy").paths(paths).build().unwrap();
    stack
        .cloudfront
        .create_invalidation()
        .distribution_id(&stack.distribution)
        .invalidation_batch(batch)
        .send()
        .await
        .unwrap()
        .invalidation
        .unwrap()
        .id
}

/// Keys with a `*` become wildcard paths, which the 15-in-progress limit applies to.
const WILDCARD_KEYS: [&str; 2] = ["img/sprite*2x.png", "img/logo.png"];

#[tokio::test]
async fn a_limit_that_outlasts_the_invocation_brings_the_messages_back_and_nothing_is_lost() {
    let aws = local_aws::session();
    let stack = Stack::new(&aws).await;
    let busy = occupy_wildcard_limit(&aws, &stack).await;
    let mut notifications = Vec::new();
    for key in WILDCARD_KEYS {
        notifications.push(stack.put(key).await);
    }
    stack.send(&notifications).await;
    let invalidator = stack.invalidator(CloudFrontInvalidations::new(stack.cloudfront.clone()));

    // The manual clock runs out of the invocation's time at once: CloudFront
    // still has the 15 wildcards in progress.
    let event = stack.receive_as_lambda_event().await;
    let response = respond(&invalidator, event.clone(), deadline(60)).await.unwrap();
    assert_eq!(failures(&response), WILDCARD_KEYS.len());
    stack.acknowledge(&event, &response).await;
    assert_eq!(stack.invalidated().await.len(), 1);

    // The busy invalidation completes; after the visibility timeout SQS delivers them again.
    aws.complete_invalidations(&stack.distribution, &[&busy]);
    let started = std::time::Instant::now();
    let again = loop {
        let received = stack.receive_as_lambda_event().await;
        if received["Records"].as_array().unwrap().len() == WILDCARD_KEYS.len() {
            break received;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the failed messages never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let response = respond(&invalidator, again.clone(), deadline(60)).await.unwrap();
    assert_eq!(failures(&response), 0);
    stack.acknowledge(&again, &response).await;
    let invalidated = stack.invalidated().await;
    assert_eq!(invalidated.len(), 2);
    assert!(invalidated.contains(&vec!["/img/logo.png".to_owned(), "/img/sprite*".to_owned()]), "{invalidated:?}");
}

#[tokio::test]
async fn backoff_on_the_wall_clock_outlasts_a_short_limit_within_one_invocation() {
    let aws = local_aws::session();
    let stack = Stack::new(&aws).await;
    let busy = occupy_wildcard_limit(&aws, &stack).await;
    let mut notifications = Vec::new();
    for key in WILDCARD_KEYS {
        notifications.push(stack.put(key).await);
    }
    stack.send(&notifications).await;
    let event = stack.receive_as_lambda_event().await;

    let targets = format!(r#"[{{"bucket":"{BUCKET}","distribution_id":"{}"}}]"#, stack.distribution);
    let retry = RetryPolicy {
        first_delay: Duration::from_millis(200),
        max_delay: Duration::from_millis(800),
        attempt_timeout: Duration::from_secs(2),
    };
    let api = CloudFrontInvalidations::new(stack.cloudfront.clone());
    let invalidator = Invalidator::new(api, SystemClock, TokioPause, config(&[("INVALIDATION_TARGETS", &targets)]))
        .with_retry_policy(retry);
    aws.clear_calls();
    // The limit lifts once a retry has come, whenever that is: the first
    // attempt met the limit (a second is only made after a refusal).
    let release = async {
        while create_invalidation_calls(&aws) < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        aws.complete_invalidations(&stack.distribution, &[&busy]);
    };
    let (response, ()) =
        tokio::join!(respond(&invalidator, event, SystemTime::now() + Duration::from_secs(60)), release);
    let response = response.unwrap();
    assert_eq!(failures(&response), 0);
    assert!(create_invalidation_calls(&aws) > 1, "the first attempt should have met the limit");
    assert_eq!(stack.invalidated().await.len(), 2);
}

#[tokio::test]
async fn duplicate_deliveries_create_no_duplicate_invalidation() {
    let aws = local_aws::session();
    let stack = Stack::new(&aws).await;
    let notification = stack.put("photos/red flower.jpg").await;
    // S3 delivers at least once: the same notification twice.
    stack.send(&[notification.clone(), notification]).await;
    let event = stack.receive_as_lambda_event().await;
    assert_eq!(event["Records"].as_array().unwrap().len(), 2);
    let invalidator = stack.invalidator(CloudFrontInvalidations::new(stack.cloudfront.clone()));

    // And the whole batch again, as after a timed-out invocation.
    for _ in 0..2 {
        let response = respond(&invalidator, event.clone(), deadline(60)).await.unwrap();
        assert_eq!(failures(&response), 0);
    }
    assert_eq!(stack.invalidated().await, [vec!["/photos/red%20flower.jpg".to_owned()]]);

    // The same key written again is a new change, and is invalidated again.
    let rewritten = stack.put("photos/red flower.jpg").await;
    stack.acknowledge(&event, &Response::Batch(Default::default())).await;
    stack.send(&[rewritten]).await;
    let event = stack.receive_as_lambda_event().await;
    respond(&invalidator, event, deadline(60)).await.unwrap();
    assert_eq!(stack.invalidated().await.len(), 2);
}
