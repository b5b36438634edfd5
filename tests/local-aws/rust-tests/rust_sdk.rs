//! The Rust SDK against the local AWS: the calls and error shapes our functions
//! depend on, parsed by the same SDK the functions use. Each test names the AWS
//! behaviour it reproduces. (tests/local-aws/tests/ covers the same with boto3.)

use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, InvalidationBatch, KeyGroupConfig, Origin, Origins, Paths,
    PublicKeyConfig, S3OriginConfig, TrustedKeyGroups, ViewerProtocolPolicy,
};
use cfsign::{Backend, KeyAlgorithm, PrivateKey};
use local_aws::{Call, Fault, Session};

async fn cloudfront(aws: &Session) -> aws_sdk_cloudfront::Client {
    aws_sdk_cloudfront::Client::new(&aws.sdk_config().await)
}

fn public_key_pem(algorithm: KeyAlgorithm) -> String {
    PrivateKey::generate(algorithm, Backend::default()).unwrap().public_key().unwrap().to_pem()
}

async fn create_public_key(client: &aws_sdk_cloudfront::Client, name: &str) -> (String, String) {
    let config = PublicKeyConfig::builder()
        .caller_reference(name)
        .name(name)
        .encoded_key(public_key_pem(KeyAlgorithm::EcdsaP256))
        .build()
        .unwrap();
    let out = client.create_public_key().public_key_config(config).send().await.unwrap();
    (out.public_key.unwrap().id, out.e_tag.unwrap())
}

fn key_group_config(name: &str, items: &[&str]) -> KeyGroupConfig {
    KeyGroupConfig::builder().name(name).set_items(Some(items.iter().map(|s| s.to_string()).collect())).build().unwrap()
}

async fn create_distribution(client: &aws_sdk_cloudfront::Client) -> String {
    let origin = Origin::builder()
        .id("bucket")
        .domain_name("bucket.s3.us-east-1.amazonaws.com")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let behavior = DefaultCacheBehavior::builder()
        .target_origin_id("bucket")
        .viewer_protocol_policy(ViewerProtocolPolicy::HttpsOnly)
        .trusted_key_groups(TrustedKeyGroups::builder().enabled(false).quantity(0).build().unwrap())
        .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference("test-distribution")
        .comment("")
        .enabled(true)
        .origins(Origins::builder().quantity(1).items(origin).build().unwrap())
        .default_cache_behavior(behavior)
        .build()
        .unwrap();
    let out = client.create_distribution().distribution_config(config).send().await.unwrap();
    out.distribution.unwrap().id
}

fn batch(reference: &str, paths: &[&str]) -> InvalidationBatch {
    let paths = Paths::builder()
        .quantity(paths.len() as i32)
        .set_items(Some(paths.iter().map(|p| p.to_string()).collect()))
        .build()
        .unwrap();
    InvalidationBatch::builder().caller_reference(reference).paths(paths).build().unwrap()
}

/// UpdateKeyGroup is read-modify-write under IfMatch: a stale ETag is
/// PreconditionFailed (412), and every update issues a new ETag.
#[tokio::test]
async fn key_group_updates_need_the_current_etag() {
    let aws = local_aws::session();
    let client = cloudfront(&aws).await;
    let (first, _) = create_public_key(&client, "first").await;
    let (second, _) = create_public_key(&client, "second").await;
    let created =
        client.create_key_group().key_group_config(key_group_config("signers", &[&first])).send().await.unwrap();
    let group = created.key_group.unwrap().id;
    let etag = client.get_key_group_config().id(&group).send().await.unwrap().e_tag.unwrap();

    let updated = client
        .update_key_group()
        .id(&group)
        .if_match(&etag)
        .key_group_config(key_group_config("signers", &[&first, &second]))
        .send()
        .await
        .unwrap();
    assert_ne!(updated.e_tag.as_deref(), Some(etag.as_str()));

    let stale = client
        .update_key_group()
        .id(&group)
        .if_match(&etag)
        .key_group_config(key_group_config("signers", &[&second]))
        .send()
        .await
        .unwrap_err();
    assert!(stale.as_service_error().unwrap().is_precondition_failed(), "{stale:?}");
    let items =
        client.get_key_group().id(&group).send().await.unwrap().key_group.unwrap().key_group_config.unwrap().items;
    assert_eq!(items, [first, second]);
}

/// DeletePublicKey fails with PublicKeyInUse (409) while a key group holds the
/// key, and with NoSuchPublicKey (404) for an unknown id.
#[tokio::test]
async fn public_keys_in_a_group_cannot_be_deleted() {
    let aws = local_aws::session();
    let client = cloudfront(&aws).await;
    let (key, etag) = create_public_key(&client, "in-use").await;
    client.create_key_group().key_group_config(key_group_config("signers", &[&key])).send().await.unwrap();
    let in_use = client.delete_public_key().id(&key).if_match(&etag).send().await.unwrap_err();
    assert!(in_use.as_service_error().unwrap().is_public_key_in_use(), "{in_use:?}");
    let unknown = client.delete_public_key().id("KUNKNOWN").if_match("E1").send().await.unwrap_err();
    assert!(unknown.as_service_error().unwrap().is_no_such_public_key(), "{unknown:?}");
}

/// CreatePublicKey accepts the PEM cfsign writes for both key types CloudFront
/// supports, and refuses what is not an RSA-2048 or P-256 public key.
#[tokio::test]
async fn public_keys_are_validated() {
    let aws = local_aws::session();
    let client = cloudfront(&aws).await;
    for (name, pem) in [("rsa", public_key_pem(KeyAlgorithm::Rsa2048)), ("ec", public_key_pem(KeyAlgorithm::EcdsaP256))]
    {
        let config = PublicKeyConfig::builder().caller_reference(name).name(name).encoded_key(pem).build().unwrap();
        client.create_public_key().public_key_config(config).send().await.unwrap();
    }
    let garbage =
        PublicKeyConfig::builder().caller_reference("bad").name("bad").encoded_key("not a key").build().unwrap();
    let refused = client.create_public_key().public_key_config(garbage).send().await.unwrap_err();
    assert_eq!(refused.as_service_error().and_then(|e| e.meta().code()), Some("InvalidArgument"), "{refused:?}");
}

/// CreateInvalidation is idempotent per CallerReference: the same batch returns
/// the same invalidation; another batch under the same reference is
/// InvalidationBatchAlreadyExists. New invalidations are InProgress.
#[tokio::test]
async fn invalidations_are_idempotent_per_caller_reference() {
    let aws = local_aws::session();
    aws.set_invalidation_seconds(30.0);
    let client = cloudfront(&aws).await;
    let distribution = create_distribution(&client).await;
    let create = |reference: &'static str, paths: &'static [&'static str]| {
        client.create_invalidation().distribution_id(&distribution).invalidation_batch(batch(reference, paths)).send()
    };
    let first = create("batch-1", &["/a.jpg", "/b.jpg"]).await.unwrap().invalidation.unwrap();
    assert_eq!(first.status, "InProgress");
    let again = create("batch-1", &["/a.jpg", "/b.jpg"]).await.unwrap().invalidation.unwrap();
    assert_eq!(again.id, first.id);
    let conflict = create("batch-1", &["/c.jpg"]).await.unwrap_err();
    // The SDK's model does not name this error, so it is matched by its code.
    assert_eq!(conflict.as_service_error().and_then(|e| e.meta().code()), Some("InvalidationBatchAlreadyExists"));
}

/// At most 15 wildcard paths may be in progress per distribution; the next is
/// TooManyInvalidationsInProgress.
#[tokio::test]
async fn wildcard_invalidations_in_progress_are_limited() {
    let aws = local_aws::session();
    aws.set_invalidation_seconds(30.0);
    let client = cloudfront(&aws).await;
    let distribution = create_distribution(&client).await;
    let wildcards: Vec<String> = (0..15).map(|i| format!("/dir{i}/*")).collect();
    let paths: Vec<&str> = wildcards.iter().map(String::as_str).collect();
    client
        .create_invalidation()
        .distribution_id(&distribution)
        .invalidation_batch(batch("w1", &paths))
        .send()
        .await
        .unwrap();
    let over = client
        .create_invalidation()
        .distribution_id(&distribution)
        .invalidation_batch(batch("w2", &["/x/*"]))
        .send()
        .await;
    let over = over.unwrap_err();
    assert!(over.as_service_error().unwrap().is_too_many_invalidations_in_progress(), "{over:?}");
}

/// Injected faults reach the SDK as the AWS error they imitate, and the call
/// log names every operation in order.
#[tokio::test]
async fn injected_faults_and_the_call_log() {
    let aws = local_aws::session();
    let client = cloudfront(&aws).await;
    let distribution = create_distribution(&client).await;
    aws.clear_calls();
    aws.fail_next(Fault::error("cloudfront", "CreateInvalidation", "Throttling", 400).times(2));
    for _ in 0..2 {
        let throttled = client
            .create_invalidation()
            .distribution_id(&distribution)
            .invalidation_batch(batch("t", &["/a"]))
            .send()
            .await
            .unwrap_err();
        assert_eq!(throttled.as_service_error().and_then(|e| e.meta().code()), Some("Throttling"));
    }
    client
        .create_invalidation()
        .distribution_id(&distribution)
        .invalidation_batch(batch("t", &["/a"]))
        .send()
        .await
        .unwrap();
    let call = Call { service: "cloudfront".into(), action: "CreateInvalidation".into() };
    assert_eq!(aws.calls(), vec![call.clone(), call.clone(), call]);
}

/// PutSecretValue with a ClientRequestToken already used for another value is
/// ResourceExistsException; the same value again is accepted (idempotent).
#[tokio::test]
async fn secret_versions_are_immutable_per_token() {
    let aws = local_aws::session();
    let client = aws_sdk_secretsmanager::Client::new(&aws.sdk_config().await);
    client.create_secret().name("signing-key").secret_string("{}").send().await.unwrap();
    let token = "00000000-0000-4000-8000-000000000001";
    let put = |value: &'static str| {
        client.put_secret_value().secret_id("signing-key").client_request_token(token).secret_string(value).send()
    };
    put("one").await.unwrap();
    put("one").await.unwrap();
    let reused = put("two").await.unwrap_err();
    assert!(reused.as_service_error().unwrap().is_resource_exists_exception(), "{reused:?}");
}

/// S3 (path style) and SQS answer the Rust SDK.
#[tokio::test]
async fn s3_and_sqs_answer() {
    let aws = local_aws::session();
    let config = aws.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    s3.create_bucket().bucket("assets").send().await.unwrap();
    s3.put_object().bucket("assets").key("a b.jpg").body(b"x".to_vec().into()).send().await.unwrap();
    let listed = s3.list_objects_v2().bucket("assets").send().await.unwrap();
    assert_eq!(listed.contents()[0].key(), Some("a b.jpg"));

    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue = sqs.create_queue().queue_name("events").send().await.unwrap().queue_url.unwrap();
    sqs.send_message().queue_url(&queue).message_body("hello").send().await.unwrap();
    let received = sqs.receive_message().queue_url(&queue).send().await.unwrap();
    assert_eq!(received.messages()[0].body(), Some("hello"));
}
