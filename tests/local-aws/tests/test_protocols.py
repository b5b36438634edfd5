"""Each protocol reaches the server and is named by its API operation in the
call log: what a fault or a test refers to it by."""

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from cloudfront_helpers import create_distribution, create_key_group, create_public_key
from localserver import signed


def test_cloudfront_operations_are_named_by_method_and_path(cloudfront, admin, ec_pem):
    """CloudFront (REST-XML, /2020-05-31/...) operations are told apart by
    method and path; each gets its API name."""
    key_id, key_etag = create_public_key(cloudfront, ec_pem(), "signer")
    cloudfront.get_public_key(Id=key_id)
    config = cloudfront.get_public_key_config(Id=key_id)["PublicKeyConfig"]
    key_etag = cloudfront.update_public_key(Id=key_id, IfMatch=key_etag, PublicKeyConfig=config)["ETag"]
    cloudfront.list_public_keys()
    group_id, group_etag = create_key_group(cloudfront, "signers", [key_id])
    cloudfront.get_key_group(Id=group_id)
    cloudfront.get_key_group_config(Id=group_id)
    group_etag = cloudfront.update_key_group(
        Id=group_id, IfMatch=group_etag, KeyGroupConfig={"Name": "signers", "Items": [key_id]}
    )["ETag"]
    cloudfront.list_key_groups()
    dist_id, _ = create_distribution(cloudfront, "site", [])
    cloudfront.get_distribution(Id=dist_id)
    cloudfront.get_distribution_config(Id=dist_id)
    cloudfront.list_distributions()
    batch = {"Paths": {"Quantity": 1, "Items": ["/a"]}, "CallerReference": "r"}
    invalidation_id = cloudfront.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch)["Invalidation"][
        "Id"
    ]
    cloudfront.get_invalidation(DistributionId=dist_id, Id=invalidation_id)
    cloudfront.list_invalidations(DistributionId=dist_id)
    cloudfront.delete_key_group(Id=group_id, IfMatch=group_etag)
    cloudfront.delete_public_key(Id=key_id, IfMatch=key_etag)

    assert [c["action"] for c in admin.calls()] == [
        "CreatePublicKey",
        "GetPublicKey",
        "GetPublicKeyConfig",
        "UpdatePublicKey",
        "ListPublicKeys",
        "CreateKeyGroup",
        "GetKeyGroup",
        "GetKeyGroupConfig",
        "UpdateKeyGroup",
        "ListKeyGroups",
        "CreateDistribution",
        "GetDistribution",
        "GetDistributionConfig",
        "ListDistributions",
        "CreateInvalidation",
        "GetInvalidation",
        "ListInvalidations",
        "DeleteKeyGroup",
        "DeletePublicKey",
    ]
    assert {c["service"] for c in admin.calls()} == {"cloudfront"}


def test_s3_path_style_operations_are_named_and_bodies_arrive_intact(client, admin):
    """S3 (REST-XML, path style /bucket/key as the Rust SDK's force_path_style
    sends it): operations are told apart by method, path and query, and an
    object's key and body arrive unchanged."""
    s3 = client("s3")
    s3.create_bucket(Bucket="media", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    key = "photos/red flower+ünï.jpg"
    s3.put_object(Bucket="media", Key=key, Body=b"\x00jpeg bytes\xff")
    assert s3.get_object(Bucket="media", Key=key)["Body"].read() == b"\x00jpeg bytes\xff"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="media")["Contents"]] == [key]
    s3.put_bucket_notification_configuration(Bucket="media", NotificationConfiguration={})
    s3.delete_object(Bucket="media", Key=key)

    assert admin.calls() == [
        {"service": "s3", "action": action}
        for action in (
            "CreateBucket",
            "PutObject",
            "GetObject",
            "ListObjectsV2",
            "PutBucketNotificationConfiguration",
            "DeleteObject",
        )
    ]


def test_sqs_json_and_query_protocols(client, admin, endpoint):
    """SQS speaks JSON (X-Amz-Target: AmazonSQS.<Action>, current SDKs) and the
    query protocol (Action=<Action> form, older SDKs); both name the operation."""
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="json")
    form = urlencode({"Action": "SendMessage", "Version": "2012-11-05", "QueueUrl": queue_url, "MessageBody": "query"})
    response = signed(
        "POST",
        endpoint,
        "sqs",
        form,
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        region="eu-west-1",
    )
    assert response.status_code == 200, response.text
    assert ET.fromstring(response.content).tag.endswith("SendMessageResponse")
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]]
    assert sorted(bodies) == ["json", "query"]
    assert admin.calls() == [
        {"service": "sqs", "action": action}
        for action in ("CreateQueue", "SendMessage", "SendMessage", "ReceiveMessage")
    ]


def test_secrets_manager_operations_are_named_by_target(client, admin):
    """Secrets Manager (JSON, X-Amz-Target: secretsmanager.<Action>)."""
    secrets = client("secretsmanager")
    secrets.create_secret(Name="s", SecretString="v1")
    secrets.put_secret_value(SecretId="s", SecretString="v2", VersionStages=["AWSPENDING"])
    secrets.describe_secret(SecretId="s")
    assert [c["action"] for c in admin.calls()] == ["CreateSecret", "PutSecretValue", "DescribeSecret"]


@pytest.mark.parametrize("region", ["us-east-1", "ap-southeast-2", "local-test-1"])
def test_any_region_works(client, region):
    """An SDK may be configured with any region, real or not (the Rust SDK
    reads AWS_REGION); CloudFront is global and signs for us-east-1 whatever it is."""
    client("secretsmanager", region=region).create_secret(Name="s", SecretString="v")
    assert client("secretsmanager", region=region).get_secret_value(SecretId="s")["SecretString"] == "v"
    queue_url = client("sqs", region=region).create_queue(QueueName="q")["QueueUrl"]
    assert client("sqs", region=region).get_queue_url(QueueName="q")["QueueUrl"] == queue_url
    client("cloudfront", region=region).list_distributions()
