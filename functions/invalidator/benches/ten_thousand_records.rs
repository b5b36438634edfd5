//! 10,000 S3 records in one invocation (an SQS batch of 10,000 messages, the
//! largest batch size an SQS event source mapping allows): the CloudFront calls
//! made, the paths sent, and the handler's time from the event's JSON bytes to
//! its answer. At about 13 MB of event JSON this is more than one invocation
//! can really receive (Lambda caps a synchronous invocation's payload at 6 MB,
//! so a real batch of full S3 notifications holds fewer than half as many), which
//! makes the figures an upper bound.
//!
//! `cargo bench -p invalidator --bench ten_thousand_records`; figures in BENCHMARKS.md.

#[path = "../tests/support/local_distribution.rs"]
mod local_distribution;

use std::hash::{DefaultHasher, Hash, Hasher};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use invalidator::events::read_invocation;
use invalidator::invalidations::{CloudFrontInvalidations, Invalidations, MemoryInvalidations};
use invalidator::{Config, Invalidator, Response, respond};
use local_distribution::create_distribution;
use plumbing::time::ManualClock;
use serde_json::{Value, json};

const RECORDS: usize = 10_000;

struct Scenario {
    name: &'static str,
    /// The key of record `i`.
    key: fn(usize) -> String,
}

const SCENARIOS: [Scenario; 3] = [
    // A site deploy: 100 sections of 100 pages.
    Scenario {
        name: "deploy_100_dirs_of_100",
        key: |i| format!("site/section-{:02}/page {:02}.html", i / 100, i % 100),
    },
    // One file in each of 10,000 directories: no directory is crowded.
    Scenario { name: "scattered_10000_dirs", key: |i| format!("users/{i:05}/avatar.png") },
    // At-least-once delivery: 1,000 objects (in 50 directories of 20), each reported 10 times.
    Scenario {
        name: "duplicates_1000_keys_x10",
        key: |i| format!("photos/album-{:02}/img-{:02}.jpg", (i % 1000) / 20, i % 20),
    },
];

fn sqs_event(scenario: &Scenario) -> Vec<u8> {
    let records: Vec<Value> = (0..RECORDS)
        .map(|i| {
            let key = (scenario.key)(i).replace(' ', "+");
            // One sequencer per key: a key's repeated records are one notification delivered again.
            let mut hasher = DefaultHasher::new();
            key.hash(&mut hasher);
            let sequencer = format!("{:016X}", hasher.finish());
            let body = json!({"Records": [{
                "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-1",
                "eventTime": "2024-05-14T09:21:07.310Z", "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
                "s3": {"s3SchemaVersion": "1.0", "configurationId": "invalidate-on-change",
                       "bucket": {"name": "example-assets", "ownerIdentity": {"principalId": "A3NL1KOZZKExample"}, "arn": "arn:aws:s3:::example-assets"},
                       "object": {"key": key, "size": 1024, "eTag": "d41d8cd98f00b204e9800998ecf8427e", "sequencer": sequencer}}
            }]});
            json!({
                "messageId": format!("00000000-0000-4000-8000-{i:012}"),
                "receiptHandle": format!("AQEB{i:040}"),
                "body": body.to_string(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1715678467310",
                               "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1715678467322"},
                "messageAttributes": {},
                "md5OfBody": "00000000000000000000000000000000",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:111122223333:invalidator-events",
                "awsRegion": "eu-west-1"
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

fn config(distribution: &str) -> Config {
    let targets = format!(r#"[{{"bucket":"example-assets","distribution_id":"{distribution}"}}]"#);
    Config::from_settings(&plumbing::settings::Settings::from_pairs([("INVALIDATION_TARGETS", targets)])).unwrap()
}

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_715_678_467)
}

async fn handle<A: Invalidations>(invalidator: &Invalidator<A, ManualClock, ManualClock>, event: &[u8]) -> Response {
    let payload: Value = serde_json::from_slice(event).unwrap();
    respond(invalidator, payload, start() + Duration::from_secs(900)).await.unwrap()
}

fn in_memory(distribution: &str) -> Invalidator<MemoryInvalidations, ManualClock, ManualClock> {
    let clock = ManualClock::starting_at(start()).with_fraction(0.5);
    Invalidator::new(MemoryInvalidations::new(), clock.clone(), clock, config(distribution))
}

fn report(scenario: &Scenario, event: &[u8], runtime: &tokio::runtime::Runtime) {
    let invalidator = in_memory("EDFDVBD6EXAMPLE");
    let response = runtime.block_on(handle(&invalidator, event));
    let calls = invalidator.api().calls();
    let paths: usize = calls.iter().map(|call| call.paths.len()).sum();
    let wildcards = calls.iter().flat_map(|call| &call.paths).filter(|path| path.ends_with('*')).count();
    let failed = match response {
        Response::Batch(batch) => batch.batch_item_failures.len(),
        Response::Done => 0,
    };
    println!(
        "{}: {RECORDS} records, {} bytes of event -> {} CreateInvalidation call(s), {paths} path(s) sent ({wildcards} wildcard), {failed} failed message(s); sample: {:?}",
        scenario.name,
        event.len(),
        calls.len(),
        calls.first().map(|call| call.paths.iter().take(2).collect::<Vec<_>>()).unwrap_or_default()
    );
}

fn in_memory_cloudfront(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut group = c.benchmark_group("handler_10000_records_in_memory_cloudfront");
    group.sample_size(20);
    for scenario in &SCENARIOS {
        let event = sqs_event(scenario);
        report(scenario, &event, &runtime);
        group.bench_function(scenario.name, |b| {
            b.iter_batched(
                || in_memory("EDFDVBD6EXAMPLE"),
                |invalidator| black_box(runtime.block_on(handle(&invalidator, &event))),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Of the handler's time, how much goes to reading the event: parsing the
/// JSON and every message body, decoding the keys.
fn reading_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("reading_10000_records");
    group.sample_size(20);
    for scenario in &SCENARIOS {
        let event = sqs_event(scenario);
        group.bench_function(scenario.name, |b| {
            b.iter(|| black_box(read_invocation(serde_json::from_slice(&event).unwrap()).unwrap()))
        });
    }
    group.finish();
}

/// The same through the CloudFront adapter over HTTP to the local AWS (moto):
/// its time is mostly the local server's, not the function's.
fn local_aws_cloudfront(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let aws = local_aws::session();
    let client = runtime.block_on(async { aws_sdk_cloudfront::Client::new(&aws.sdk_config().await) });
    let distribution = runtime.block_on(create_distribution(&client));
    let clock = ManualClock::starting_at(start()).with_fraction(0.5);
    let invalidator =
        Invalidator::new(CloudFrontInvalidations::new(client), clock.clone(), clock, config(&distribution));
    let mut group = c.benchmark_group("handler_10000_records_local_aws_cloudfront");
    group.sample_size(10);
    for scenario in &SCENARIOS {
        let event = sqs_event(scenario);
        aws.clear_calls();
        runtime.block_on(handle(&invalidator, &event));
        println!("{} on the local AWS: {:?}", scenario.name, aws.calls());
        // Every later run repeats the first CallerReference: CloudFront answers the same invalidation.
        group.bench_function(scenario.name, |b| b.iter(|| black_box(runtime.block_on(handle(&invalidator, &event)))));
    }
    group.finish();
}

criterion_group!(benches, in_memory_cloudfront, reading_only, local_aws_cloudfront);
criterion_main!(benches);
