"""S3 notifications reach SQS in AWS's shape: every field a consumer reads,
and the key form-encoded as S3 encodes it (slashes left as they are)."""

import json


def test_notifications_to_sqs_have_aws_shape_and_key_encoding(client):
    """As the S3 event message structure documents: each record has
    eventVersion 2.1, userIdentity, requestParameters, responseElements, the
    bucket's ownerIdentity and the object's sequencer (growing per key); the
    key is form-encoded (space as +, + as %2B, UTF-8 as %XX) with / left as it
    is; a removal has no size."""
    s3, sqs = client("s3"), client("sqs")
    s3.create_bucket(Bucket="assets", CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    queue = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="assets",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]
        },
    )
    sqs.purge_queue(QueueUrl=queue)  # the s3:TestEvent
    s3.put_object(Bucket="assets", Key="photos/red flower+1 é.jpg", Body=b"x")
    s3.delete_object(Bucket="assets", Key="photos/red flower+1 é.jpg")
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    records = [b["Records"][0] for b in bodies]
    assert [r["eventName"] for r in records] == ["ObjectCreated:Put", "ObjectRemoved:Delete"]
    for record in records:
        assert record["s3"]["object"]["key"] == "photos/red+flower%2B1+%C3%A9.jpg"
        assert record["userIdentity"]["principalId"] and record["requestParameters"]["sourceIPAddress"]
        assert record["s3"]["bucket"]["ownerIdentity"]["principalId"]
        assert len(record["s3"]["object"]["sequencer"]) == 16
    assert records[0]["s3"]["object"]["size"] == 1 and "size" not in records[1]["s3"]["object"]
    assert records[0]["s3"]["object"]["sequencer"] < records[1]["s3"]["object"]["sequencer"]
