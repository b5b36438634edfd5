//! AWS answers the local AWS cannot give (pages, access denied, KMS failures),
//! through aws-smithy-mocks: each maps to what the rotator expects, or to an
//! error naming the operation and AWS's code.

mod support;

use std::time::Duration;

use aws_sdk_cloudfront::operation::create_public_key::CreatePublicKeyError;
use aws_sdk_cloudfront::operation::delete_public_key::{DeletePublicKeyError, DeletePublicKeyOutput};
use aws_sdk_cloudfront::operation::get_key_group::GetKeyGroupError;
use aws_sdk_cloudfront::operation::list_key_groups::ListKeyGroupsOutput;
use aws_sdk_cloudfront::operation::list_public_keys::ListPublicKeysOutput;
use aws_sdk_cloudfront::operation::update_key_group::UpdateKeyGroupError;
use aws_sdk_cloudfront::types::error::{
    NoSuchPublicKey, NoSuchResource, PreconditionFailed, PublicKeyAlreadyExists, PublicKeyInUse, TooManyPublicKeys,
};
use aws_sdk_cloudfront::types::{
    KeyGroup, KeyGroupConfig, KeyGroupList, KeyGroupSummary, PublicKeyList, PublicKeySummary,
};
use aws_sdk_secretsmanager::error::ErrorMetadata;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretError;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use aws_sdk_secretsmanager::operation::put_secret_value::PutSecretValueError;
use aws_sdk_secretsmanager::types::error::{DecryptionFailure, ResourceExistsException, ResourceNotFoundException};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use key_rotator::Error;
use key_rotator::cloudfront::{CloudFront, KeyGroup as Group, KeyGroups, PublicKeySpec, Updated};
use key_rotator::secrets::{Put, Secrets, SecretsManager};

/// The code and message AWS's error response carries (the SDK reads them from the body).
fn meta(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

fn group_page(name: &str, id: &str, next: Option<&str>) -> ListKeyGroupsOutput {
    let config = KeyGroupConfig::builder().name(name).items("K1").build().unwrap();
    let group = KeyGroup::builder()
        .id(id)
        .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
        .key_group_config(config)
        .build()
        .unwrap();
    let list = KeyGroupList::builder()
        .max_items(1)
        .quantity(1)
        .items(KeyGroupSummary::builder().key_group(group).build())
        .set_next_marker(next.map(str::to_owned))
        .build()
        .unwrap();
    ListKeyGroupsOutput::builder().key_group_list(list).build()
}

#[tokio::test]
async fn key_groups_are_found_on_any_page() {
    let first = mock!(aws_sdk_cloudfront::Client::list_key_groups)
        .match_requests(|r| r.marker().is_none())
        .then_output(|| group_page("someone-elses", "G1", Some("page-2")));
    let second = mock!(aws_sdk_cloudfront::Client::list_key_groups)
        .match_requests(|r| r.marker() == Some("page-2"))
        .then_output(|| group_page("cdn-signers", "G2", None));
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&first, &second]));
    assert_eq!(cloudfront.find_key_group("cdn-signers").await.unwrap().as_deref(), Some("G2"));
    assert_eq!(cloudfront.find_key_group("absent").await.unwrap(), None);
}

#[tokio::test]
async fn public_keys_are_listed_across_pages() {
    let page = |id: &str, next: Option<&str>| {
        let key = PublicKeySummary::builder()
            .id(id)
            .name(format!("name-{id}"))
            .created_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
            .encoded_key("pem")
            .build()
            .unwrap();
        let list = PublicKeyList::builder()
            .max_items(1)
            .quantity(1)
            .items(key)
            .set_next_marker(next.map(str::to_owned))
            .build()
            .unwrap();
        ListPublicKeysOutput::builder().public_key_list(list).build()
    };
    let first = mock!(aws_sdk_cloudfront::Client::list_public_keys)
        .match_requests(|r| r.marker().is_none())
        .then_output(move || page("K1", Some("m")));
    let second = mock!(aws_sdk_cloudfront::Client::list_public_keys)
        .match_requests(|r| r.marker() == Some("m"))
        .then_output(move || page("K2", None));
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&first, &second]));
    let ids: Vec<String> = cloudfront.public_keys().await.unwrap().into_iter().map(|k| k.id).collect();
    assert_eq!(ids, ["K1", "K2"]);
}

fn group() -> Group {
    Group { id: "G1".into(), name: "cdn-signers".into(), comment: None, items: vec!["K1".into()], etag: "E1".into() }
}

#[tokio::test]
async fn conditional_writes_answer_stale_or_gone() {
    let stale = mock!(aws_sdk_cloudfront::Client::update_key_group).then_error(|| {
        UpdateKeyGroupError::PreconditionFailed(PreconditionFailed::builder().message("ETag mismatch").build())
    });
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, [&stale]));
    assert_eq!(cloudfront.update_key_group(&group()).await.unwrap(), Updated::Stale);

    let gone = mock!(aws_sdk_cloudfront::Client::delete_public_key)
        .then_error(|| DeletePublicKeyError::NoSuchPublicKey(NoSuchPublicKey::builder().build()));
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, [&gone]));
    assert_eq!(cloudfront.delete_public_key("K1", "E1").await.unwrap(), Updated::Gone);

    let missing = mock!(aws_sdk_cloudfront::Client::get_key_group)
        .then_error(|| GetKeyGroupError::NoSuchResource(NoSuchResource::builder().build()));
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, [&missing]));
    assert_eq!(cloudfront.key_group("G9").await.unwrap(), None);
}

#[tokio::test]
async fn refusals_name_the_operation_and_the_code() {
    let in_use = mock!(aws_sdk_cloudfront::Client::delete_public_key).then_error(|| {
        DeletePublicKeyError::PublicKeyInUse(
            PublicKeyInUse::builder().meta(meta("PublicKeyInUse", "in key group G1")).build(),
        )
    });
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, [&in_use]));
    let error = cloudfront.delete_public_key("K1", "E1").await.unwrap_err();
    assert_eq!(error.to_string(), "DeletePublicKey failed (PublicKeyInUse): in key group G1");

    let quota = mock!(aws_sdk_cloudfront::Client::create_public_key).then_error(|| {
        CreatePublicKeyError::TooManyPublicKeys(
            TooManyPublicKeys::builder().meta(meta("TooManyPublicKeys", "10 per account")).build(),
        )
    });
    let exists = mock!(aws_sdk_cloudfront::Client::create_public_key)
        .then_error(|| CreatePublicKeyError::PublicKeyAlreadyExists(PublicKeyAlreadyExists::builder().build()));
    let spec = PublicKeySpec {
        caller_reference: "r".into(),
        name: "n".into(),
        encoded_key: "pem".into(),
        comment: String::new(),
    };
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [&quota, &exists]));
    assert_eq!(cloudfront.create_public_key(&spec).await.unwrap_err().aws_code(), Some("TooManyPublicKeys"));
    assert_eq!(cloudfront.create_public_key(&spec).await.unwrap(), None, "already exists: find it instead");

    let ok =
        mock!(aws_sdk_cloudfront::Client::delete_public_key).then_output(|| DeletePublicKeyOutput::builder().build());
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, [&ok]));
    assert!(matches!(cloudfront.delete_public_key("K1", "E1").await.unwrap(), Updated::Done(_)));
}

#[tokio::test]
async fn secrets_manager_failures_are_errors_and_a_missing_version_is_none() {
    let missing = mock!(aws_sdk_secretsmanager::Client::get_secret_value)
        .then_error(|| GetSecretValueError::ResourceNotFoundException(ResourceNotFoundException::builder().build()));
    let kms = mock!(aws_sdk_secretsmanager::Client::get_secret_value).then_error(|| {
        GetSecretValueError::DecryptionFailure(
            DecryptionFailure::builder().meta(meta("DecryptionFailure", "KMS key disabled")).build(),
        )
    });
    let secrets = SecretsManager::new(mock_client!(aws_sdk_secretsmanager, RuleMode::Sequential, [&missing, &kms]));
    assert!(secrets.value("s", "v1").await.unwrap().is_none());
    let error = secrets.value("s", "v1").await.unwrap_err();
    assert!(matches!(&error, Error::Aws { code, .. } if code == "DecryptionFailure"), "{error}");

    let denied = mock!(aws_sdk_secretsmanager::Client::describe_secret)
        .then_error(|| DescribeSecretError::generic(meta("AccessDeniedException", "not allowed")));
    let secrets = SecretsManager::new(mock_client!(aws_sdk_secretsmanager, [&denied]));
    assert_eq!(secrets.describe("s").await.unwrap_err().aws_code(), Some("AccessDeniedException"));

    let reused = mock!(aws_sdk_secretsmanager::Client::put_secret_value).then_error(|| {
        PutSecretValueError::ResourceExistsException(
            ResourceExistsException::builder().meta(meta("ResourceExistsException", "token reused")).build(),
        )
    });
    let secrets = SecretsManager::new(mock_client!(aws_sdk_secretsmanager, [&reused]));
    let put = Put { secret_id: "s", version_id: "v1", value: "{}", stages: &["AWSPENDING"], rotation_token: None };
    let error = secrets.put(put).await.unwrap_err();
    assert_eq!(error.aws_code(), Some("ResourceExistsException"));
    assert!(!error.to_string().contains("{}"), "no secret value in errors: {error}");
}

/// Group G1, "cdn-signers", holding `items`, as GetKeyGroup describes it.
fn key_group(items: &[&str]) -> KeyGroup {
    let config = KeyGroupConfig::builder()
        .name("cdn-signers")
        .set_items(Some(items.iter().map(|s| s.to_string()).collect()))
        .build()
        .unwrap();
    KeyGroup::builder()
        .id("G1")
        .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
        .key_group_config(config)
        .build()
        .unwrap()
}

/// A rotator over the mocked `cloudfront`, in-memory secrets and `clock`.
fn rotator_over(
    cloudfront: CloudFront,
    clock: &support::ManualClock,
) -> key_rotator::Rotator<
    key_rotator::With<
        key_rotator::secrets::MemorySecrets,
        CloudFront,
        key_rotator::keys::RandomKeys,
        key_rotator::kms::MemoryKms,
        &support::ManualClock,
        &support::ManualClock,
    >,
> {
    key_rotator::Rotator::new(
        key_rotator::secrets::MemorySecrets::new(),
        cloudfront,
        key_rotator::keys::RandomKeys,
        key_rotator::kms::MemoryKms::new(),
        clock,
        support::config(cfsign::KeyAlgorithm::EcdsaP256),
    )
    .with_pause(clock)
}

/// UpdateKeyGroup lost twice to PreconditionFailed, then won: the rotator
/// reads the group again each time, backs off with jitter, and converges.
#[tokio::test]
async fn a_contended_key_group_write_backs_off_and_converges() {
    use aws_sdk_cloudfront::operation::get_key_group::GetKeyGroupOutput;
    use aws_sdk_cloudfront::operation::get_public_key::GetPublicKeyError;
    use aws_sdk_cloudfront::operation::update_key_group::UpdateKeyGroupOutput;

    let list = mock!(aws_sdk_cloudfront::Client::list_key_groups).then_output(|| group_page("cdn-signers", "G1", None));
    let get = mock!(aws_sdk_cloudfront::Client::get_key_group)
        .then_output(move || GetKeyGroupOutput::builder().key_group(key_group(&["K1", "K2"])).e_tag("E1").build());
    let update = mock!(aws_sdk_cloudfront::Client::update_key_group)
        .sequence()
        .error(|| UpdateKeyGroupError::PreconditionFailed(PreconditionFailed::builder().message("ETag").build()))
        .times(2)
        .output(move || UpdateKeyGroupOutput::builder().key_group(key_group(&["K1"])).e_tag("E2").build())
        .build();
    let no_key = mock!(aws_sdk_cloudfront::Client::get_public_key)
        .then_error(|| GetPublicKeyError::NoSuchPublicKey(NoSuchPublicKey::builder().build()));
    // The revoke's last look for KMS keys to retire lists the public keys.
    let no_public_keys = mock!(aws_sdk_cloudfront::Client::list_public_keys).then_output(|| {
        let empty = PublicKeyList::builder().max_items(100).quantity(0).build().unwrap();
        ListPublicKeysOutput::builder().public_key_list(empty).build()
    });
    let rules = [&list, &get, &update, &no_key, &no_public_keys];
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, rules));
    let clock = support::test_clock();
    let rotator = rotator_over(cloudfront, &clock);
    // Revoking an old member: one read-modify-write of the group.
    rotator.revoke("K2").await.unwrap();
    assert_eq!(update.num_calls(), 3);
    // Jitter up to 200 ms, then up to 400 ms (the fake gives the bound).
    assert_eq!(rotator.pause().sleeps(), [Duration::from_millis(200), Duration::from_millis(400)]);
}

/// CloudFront refusing a sixth key (a writer filled the group since it was
/// read) gives an error that says so and what to do.
#[tokio::test]
async fn a_group_over_cloudfronts_limit_gives_a_clear_error() {
    use aws_sdk_cloudfront::operation::get_key_group::GetKeyGroupOutput;
    use aws_sdk_cloudfront::types::error::TooManyPublicKeysInKeyGroup;

    let group = key_group(&["K1", "K2"]);
    let list = mock!(aws_sdk_cloudfront::Client::list_key_groups).then_output(|| group_page("cdn-signers", "G1", None));
    let get = mock!(aws_sdk_cloudfront::Client::get_key_group)
        .then_output(move || GetKeyGroupOutput::builder().key_group(group.clone()).e_tag("E1").build());
    let full = mock!(aws_sdk_cloudfront::Client::update_key_group).then_error(|| {
        UpdateKeyGroupError::TooManyPublicKeysInKeyGroup(
            TooManyPublicKeysInKeyGroup::builder().meta(meta("TooManyPublicKeysInKeyGroup", "5 keys")).build(),
        )
    });
    let cloudfront = CloudFront::new(mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&list, &get, &full]));
    let clock = support::test_clock();
    let rotator = rotator_over(cloudfront, &clock);
    let error = rotator.revoke("K2").await.unwrap_err();
    assert!(matches!(error, Error::GroupLimit { .. }), "{error}");
    assert!(error.to_string().contains("more than 5 public keys"), "{error}");
}

/// AWS's DescribeSecret lists only labelled versions; a version listed with
/// no label (as moto does) is left out, as AWS would.
#[tokio::test]
async fn describe_lists_only_labelled_versions() {
    use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
    let described = mock!(aws_sdk_secretsmanager::Client::describe_secret).then_output(|| {
        DescribeSecretOutput::builder()
            .version_ids_to_stages("v1", vec!["AWSCURRENT".to_owned()])
            .version_ids_to_stages("v0", vec![])
            .build()
    });
    let secrets = SecretsManager::new(mock_client!(aws_sdk_secretsmanager, [&described]));
    let versions: Vec<String> = secrets.describe("s").await.unwrap().versions.into_keys().collect();
    assert_eq!(versions, ["v1"]);
}

mod kms {
    //! The rotator's KMS adapter under answers the local AWS does not give:
    //! throttling (the SDK retries, then the step fails so Secrets Manager
    //! retries it), keys disabled or pending deletion, and foreign keys.

    use aws_sdk_kms::error::ErrorMetadata;
    use aws_sdk_kms::operation::create_key::{CreateKeyError, CreateKeyOutput};
    use aws_sdk_kms::operation::describe_key::DescribeKeyError;
    use aws_sdk_kms::operation::list_keys::ListKeysOutput;
    use aws_sdk_kms::operation::list_resource_tags::{ListResourceTagsError, ListResourceTagsOutput};
    use aws_sdk_kms::operation::schedule_key_deletion::ScheduleKeyDeletionError;
    use aws_sdk_kms::operation::sign::SignError;
    use aws_sdk_kms::types::error::{DisabledException, KmsInvalidStateException, NotFoundException};
    use aws_sdk_kms::types::{KeyListEntry, KeyMetadata, Tag};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    use cfsign::KeyAlgorithm;
    use key_rotator::kms::{GROUP_TAG, Kms, KmsKeys, NewKmsKey, TOKEN_TAG};

    use super::support::{GROUP, token};

    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn throttling() -> CreateKeyError {
        CreateKeyError::generic(ErrorMetadata::builder().code("ThrottlingException").message("Rate exceeded").build())
    }

    fn created() -> CreateKeyOutput {
        let metadata = KeyMetadata::builder().key_id("1234abcd-12ab-34cd-56ef-1234567890ab").arn(ARN).build().unwrap();
        CreateKeyOutput::builder().key_metadata(metadata).build()
    }

    async fn create(kms: &Kms) -> Result<String, key_rotator::Error> {
        let token = token(1);
        let new = NewKmsKey {
            algorithm: KeyAlgorithm::Rsa2048,
            group: GROUP,
            token: &token,
            policy: "{}",
            description: "test",
        };
        kms.create_key(&new).await
    }

    #[tokio::test]
    async fn a_throttled_create_key_is_retried_and_fails_the_step_only_when_throttling_lasts() {
        let throttled_twice = mock!(aws_sdk_kms::Client::create_key)
            .match_requests(|r| {
                let tags = r.tags();
                tags.iter().any(|t| t.tag_key() == GROUP_TAG && t.tag_value() == GROUP)
                    && tags.iter().any(|t| t.tag_key() == TOKEN_TAG && t.tag_value() == token(1).as_str())
            })
            .sequence()
            .error(throttling)
            .times(2)
            .output(created)
            .build();
        let client = mock_client!(aws_sdk_kms, [&throttled_twice]);
        assert_eq!(create(&Kms::new(client)).await.unwrap(), ARN);
        assert_eq!(throttled_twice.num_calls(), 3);

        let always = mock!(aws_sdk_kms::Client::create_key).then_error(throttling);
        let error = create(&Kms::new(mock_client!(aws_sdk_kms, [&always]))).await.unwrap_err();
        assert!(
            matches!(&error, key_rotator::Error::Aws { operation: "CreateKey", code, .. } if code == "ThrottlingException"),
            "{error}"
        );
        assert_eq!(always.num_calls(), 3, "the SDK's standard retry: three attempts, then the step fails");
    }

    #[tokio::test]
    async fn a_disabled_key_or_one_pending_deletion_fails_the_test_signature_with_its_code() {
        let code = |code: &str| ErrorMetadata::builder().code(code).build();
        let disabled = mock!(aws_sdk_kms::Client::sign).then_error(move || {
            SignError::DisabledException(DisabledException::builder().meta(code("DisabledException")).build())
        });
        let pending = mock!(aws_sdk_kms::Client::sign).then_error(move || {
            let meta = code("KMSInvalidStateException");
            SignError::KmsInvalidStateException(KmsInvalidStateException::builder().meta(meta).build())
        });
        for (rule, code) in [(disabled, "DisabledException"), (pending, "KMSInvalidStateException")] {
            let kms = Kms::new(mock_client!(aws_sdk_kms, [&rule]));
            let error = kms.sign_sha256(ARN, KeyAlgorithm::Rsa2048, b"test").await.unwrap_err();
            assert!(matches!(&error, key_rotator::Error::Aws { operation: "Sign", .. }), "{error}");
            assert_eq!(error.aws_code(), Some(code));
            assert_eq!(rule.num_calls(), 1, "not retried: the same key gives the same answer");
        }
    }

    #[tokio::test]
    async fn a_key_pending_deletion_already_is_retired_and_a_missing_alias_is_none() {
        let pending = mock!(aws_sdk_kms::Client::schedule_key_deletion).then_error(|| {
            ScheduleKeyDeletionError::KmsInvalidStateException(KmsInvalidStateException::builder().build())
        });
        let missing = mock!(aws_sdk_kms::Client::describe_key)
            .then_error(|| DescribeKeyError::NotFoundException(NotFoundException::builder().build()));
        let kms = Kms::new(mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&pending, &missing]));
        kms.schedule_deletion(ARN).await.unwrap();
        assert_eq!(kms.find_alias("alias/key-rotator/cdn-signers/gone").await.unwrap(), None);
    }

    #[tokio::test]
    async fn keys_whose_tags_are_refused_to_us_or_that_are_gone_are_not_ours() {
        let listed = mock!(aws_sdk_kms::Client::list_keys).then_output(|| {
            ListKeysOutput::builder()
                .keys(KeyListEntry::builder().key_id("foreign").build())
                .keys(KeyListEntry::builder().key_id("ours").build())
                .keys(KeyListEntry::builder().key_id("deleted-since").build())
                .build()
        });
        let denied = mock!(aws_sdk_kms::Client::list_resource_tags)
            .match_requests(|r| r.key_id() == Some("foreign"))
            .then_error(|| {
                ListResourceTagsError::generic(ErrorMetadata::builder().code("AccessDeniedException").build())
            });
        let tagged = mock!(aws_sdk_kms::Client::list_resource_tags)
            .match_requests(|r| r.key_id() == Some("ours"))
            .then_output(|| {
                let tag = |k: &str, v: &str| Tag::builder().tag_key(k).tag_value(v).build().unwrap();
                ListResourceTagsOutput::builder()
                    .tags(tag(GROUP_TAG, GROUP))
                    .tags(tag(TOKEN_TAG, token(1).as_str()))
                    .build()
            });
        let gone = mock!(aws_sdk_kms::Client::list_resource_tags)
            .match_requests(|r| r.key_id() == Some("deleted-since"))
            .then_error(|| ListResourceTagsError::NotFoundException(NotFoundException::builder().build()));
        let kms = Kms::new(mock_client!(aws_sdk_kms, RuleMode::MatchAny, [&listed, &denied, &tagged, &gone]));
        let found = kms.tagged_keys(GROUP).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].id.as_str(), found[0].token.clone()), ("ours", Some(token(1))));
    }
}
