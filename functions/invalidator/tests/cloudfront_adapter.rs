//! The AWS SDK adapter: each CloudFront answer mapped to the right error,
//! against the local AWS over HTTP, and with aws-smithy-mocks for answers
//! the local AWS cannot give.

#[path = "support/local_distribution.rs"]
mod local_distribution;
#[path = "support/local_invalidations.rs"]
mod local_invalidations;

use std::time::Duration;

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::config::timeout::TimeoutConfig;
use aws_sdk_cloudfront::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudfront::error::BoxError;
use aws_sdk_cloudfront::operation::create_invalidation::{CreateInvalidationError, CreateInvalidationOutput};
use aws_sdk_cloudfront::primitives::DateTime;
use aws_sdk_cloudfront::types::error::TooManyInvalidationsInProgress;
use aws_sdk_cloudfront::types::{Invalidation, InvalidationBatch, Paths};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use invalidator::InvalidatorError;
use invalidator::invalidations::{CloudFrontInvalidations, Invalidations};
use local_aws::{Fault, Session};
use local_distribution::create_distribution;
use local_invalidations::invalidations;

fn paths(items: &[&str]) -> Vec<String> {
    items.iter().map(|p| p.to_string()).collect()
}

async fn local(aws: &Session) -> (Client, CloudFrontInvalidations, String) {
    let client = Client::new(&aws.sdk_config().await);
    let distribution = create_distribution(&client).await;
    (client.clone(), CloudFrontInvalidations::new(client), distribution)
}

#[tokio::test]
async fn invalidations_are_created_and_repeated_requests_answer_the_same_one() {
    let aws = local_aws::session();
    let (client, api, distribution) = local(&aws).await;
    let first = api.create(&distribution, "ref-1", &paths(&["/a%20b.jpg", "/c/*"])).await.unwrap();
    let again = api.create(&distribution, "ref-1", &paths(&["/c/*", "/a%20b.jpg"])).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(invalidations(&client, &distribution).await, [(first, paths(&["/a%20b.jpg", "/c/*"]))]);
}

#[tokio::test]
async fn a_reused_reference_with_other_paths_is_refused() {
    let aws = local_aws::session();
    let (_, api, distribution) = local(&aws).await;
    api.create(&distribution, "ref-1", &paths(&["/a"])).await.unwrap();
    let reused = api.create(&distribution, "ref-1", &paths(&["/b"])).await;
    assert!(
        matches!(&reused, Err(InvalidatorError::Refused { code, .. }) if code == "InvalidationBatchAlreadyExists"),
        "{reused:?}"
    );
}

#[tokio::test]
async fn the_wildcard_limit_in_progress_is_too_many_in_progress() {
    let aws = local_aws::session();
    aws.set_invalidation_seconds(60.0);
    let (_, api, distribution) = local(&aws).await;
    let fifteen: Vec<String> = (0..15).map(|i| format!("/d{i}/*")).collect();
    api.create(&distribution, "fifteen", &fifteen).await.unwrap();
    let over = api.create(&distribution, "one-more", &paths(&["/x/*"])).await;
    assert!(matches!(over, Err(InvalidatorError::TooManyInProgress(_))), "{over:?}");
    assert!(over.unwrap_err().is_retryable());
}

#[tokio::test]
async fn throttling_is_throttled() {
    let aws = local_aws::session();
    let (_, api, distribution) = local(&aws).await;
    aws.fail_next(Fault::error("cloudfront", "CreateInvalidation", "Throttling", 400));
    let throttled = api.create(&distribution, "ref", &paths(&["/a"])).await;
    assert!(matches!(throttled, Err(InvalidatorError::Throttled(_))), "{throttled:?}");
}

#[tokio::test]
async fn a_server_error_is_unavailable() {
    let aws = local_aws::session();
    let (_, api, distribution) = local(&aws).await;
    aws.fail_next(Fault::error("cloudfront", "CreateInvalidation", "ServiceUnavailable", 503));
    let failed = api.create(&distribution, "ref", &paths(&["/a"])).await;
    assert!(matches!(failed, Err(InvalidatorError::Unavailable(_))), "{failed:?}");
}

#[tokio::test]
async fn an_unknown_distribution_and_a_bad_path_are_refused_for_good() {
    let aws = local_aws::session();
    let (_, api, distribution) = local(&aws).await;
    let unknown = api.create("EUNKNOWN", "ref", &paths(&["/a"])).await;
    assert!(
        matches!(&unknown, Err(InvalidatorError::Refused { code, .. }) if code == "NoSuchDistribution"),
        "{unknown:?}"
    );
    let relative = api.create(&distribution, "ref", &paths(&["a.jpg"])).await;
    assert!(
        matches!(&relative, Err(InvalidatorError::Refused { code, .. }) if code == "InvalidArgument"),
        "{relative:?}"
    );
    assert!(!relative.unwrap_err().is_retryable());
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_unavailable() {
    let aws = local_aws::session();
    let config = aws.sdk_config().await;
    let distribution = create_distribution(&Client::new(&config)).await;
    let impatient = aws_sdk_cloudfront::config::Builder::from(&config)
        .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_millis(200)).build())
        .build();
    let api = CloudFrontInvalidations::new(Client::from_conf(impatient));
    aws.fail_next(Fault::delay("cloudfront", "CreateInvalidation", 1500));
    let slow = api.create(&distribution, "ref", &paths(&["/a"])).await;
    assert!(matches!(slow, Err(InvalidatorError::Unavailable(_))), "{slow:?}");
}

fn mocked(rule: &aws_smithy_mocks::Rule) -> CloudFrontInvalidations {
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [rule], |config| config
        .retry_config(RetryConfig::disabled()));
    CloudFrontInvalidations::new(client)
}

fn created(id: &str) -> CreateInvalidationOutput {
    let batch = InvalidationBatch::builder()
        .caller_reference("ref")
        .paths(Paths::builder().quantity(1).items("/a").build().unwrap())
        .build()
        .unwrap();
    let invalidation = Invalidation::builder()
        .id(id)
        .status("InProgress")
        .create_time(DateTime::from_secs(1_715_678_467))
        .invalidation_batch(batch)
        .build()
        .unwrap();
    CreateInvalidationOutput::builder().invalidation(invalidation).build()
}

#[tokio::test]
async fn the_request_carries_distribution_reference_quantity_and_paths() {
    let rule = mock!(Client::create_invalidation)
        .match_requests(|request| {
            let batch = request.invalidation_batch().unwrap();
            let paths = batch.paths().unwrap();
            request.distribution_id() == Some("EDFDVBD6EXAMPLE")
                && batch.caller_reference() == "s3-abc"
                && paths.quantity() == 2
                && paths.items() == ["/a", "/b%20c"]
        })
        .then_output(|| created("I2J0I21PCUYOIK"));
    let api = mocked(&rule);
    let id = api.create("EDFDVBD6EXAMPLE", "s3-abc", &paths(&["/a", "/b%20c"])).await.unwrap();
    assert_eq!(id, "I2J0I21PCUYOIK");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_503_that_is_not_xml_is_unavailable() {
    let rule = mock!(Client::create_invalidation)
        .sequence()
        .http_status(503, Some("<html><body>Service Unavailable</body></html>".into()))
        .build();
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(failed, Err(InvalidatorError::Unavailable(_))), "{failed:?}");
}

#[tokio::test]
async fn a_429_without_an_error_code_is_throttling() {
    let rule = mock!(Client::create_invalidation).sequence().http_status(429, None).build();
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(failed, Err(InvalidatorError::Throttled(_))), "{failed:?}");
}

#[tokio::test]
async fn a_400_with_the_throttling_code_is_throttled_and_retryable() {
    let rule = mock!(Client::create_invalidation).sequence().http_status(
        400,
        Some(
            r#"<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>7c1a8f0e</RequestId></ErrorResponse>"#
                .into(),
        ),
    )
    .build();
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(&failed, Err(InvalidatorError::Throttled(_))), "{failed:?}");
    assert!(failed.unwrap_err().is_retryable());
}

/// Fails every request before it is sent, as a refused connection does.
#[derive(Debug)]
struct BrokenConnection;

impl Intercept for BrokenConnection {
    fn name(&self) -> &'static str {
        "BrokenConnection"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        Err("connection refused".into())
    }
}

#[tokio::test]
async fn a_dispatch_failure_is_unavailable_and_retryable() {
    // An HTTP answer (a modeled output would replace the failure): never sent.
    let rule = mock!(Client::create_invalidation).sequence().http_status(201, None).build();
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [&rule], |config| config
        .retry_config(RetryConfig::disabled())
        .interceptor(BrokenConnection));
    let failed = CloudFrontInvalidations::new(client).create("E1", "ref", &paths(&["/a"])).await;
    assert!(
        matches!(&failed, Err(InvalidatorError::Unavailable(message)) if message.contains("connection refused")),
        "{failed:?}"
    );
    assert!(failed.unwrap_err().is_retryable());
}

#[tokio::test]
async fn a_success_without_an_invalidation_is_worth_asking_again() {
    let rule = mock!(Client::create_invalidation).then_output(|| CreateInvalidationOutput::builder().build());
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(&failed, Err(error) if error.is_retryable()), "{failed:?}");
}

#[tokio::test]
async fn the_modeled_in_progress_error_is_too_many_in_progress() {
    let rule = mock!(Client::create_invalidation).then_error(|| {
        CreateInvalidationError::TooManyInvalidationsInProgress(
            TooManyInvalidationsInProgress::builder().message("Your request contains too many invalidations.").build(),
        )
    });
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(failed, Err(InvalidatorError::TooManyInProgress(_))), "{failed:?}");
}

#[tokio::test]
async fn access_denied_is_refused_for_good() {
    let rule = mock!(Client::create_invalidation).sequence().http_status(
        403,
        Some(
            r#"<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudfront:CreateInvalidation</Message></Error><RequestId>b9d0e2a8</RequestId></ErrorResponse>"#
                .into(),
        ),
    )
    .build();
    let failed = mocked(&rule).create("E1", "ref", &paths(&["/a"])).await;
    assert!(matches!(&failed, Err(InvalidatorError::Refused { code, .. }) if code == "AccessDenied"), "{failed:?}");
}
