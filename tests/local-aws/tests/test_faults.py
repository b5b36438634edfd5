"""Fault injection and the call log (/_local/): AWS errors as each service's
protocol carries them, so the SDKs (and our retry code) see what AWS sends."""

import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error
from localserver import signed


def test_a_cloudfront_fault_fails_the_next_n_calls_in_cloudfronts_xml_shape(cloudfront, admin, endpoint):
    """CloudFront throttles with Throttling, "Rate exceeded" (HTTP 400) in its
    <ErrorResponse xmlns=...> shape; the fault applies to `count` calls only."""
    admin.fault(
        service="cloudfront",
        action="CreateInvalidation",
        count=2,
        error="Throttling",
        status=400,
        message="Rate exceeded",
    )
    body = '<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"/>'
    raw = signed("POST", f"{endpoint}/2020-05-31/distribution/E1/invalidation", "cloudfront", body)
    assert raw.status_code == 400
    ns = {"cf": "http://cloudfront.amazonaws.com/doc/2020-05-31/"}
    error = ET.fromstring(raw.content).find("cf:Error", ns)
    assert [error.findtext(f"cf:{f}", namespaces=ns) for f in ("Type", "Code", "Message")] == [
        "Sender",
        "Throttling",
        "Rate exceeded",
    ]

    batch = {"Paths": {"Quantity": 1, "Items": ["/a"]}, "CallerReference": "r"}
    with pytest.raises(ClientError) as excinfo:
        cloudfront.create_invalidation(DistributionId="E1", InvalidationBatch=batch)
    assert aws_error(excinfo) == ("Throttling", 400)
    assert excinfo.value.response["Error"]["Message"] == "Rate exceeded"
    # Fault used up: the call reaches the emulated CloudFront again.
    with pytest.raises(ClientError) as excinfo:
        cloudfront.create_invalidation(DistributionId="E1", InvalidationBatch=batch)
    assert aws_error(excinfo) == ("NoSuchDistribution", 404)


def test_a_server_error_is_a_receiver_fault(cloudfront, admin, endpoint):
    """5xx errors are the service's fault: Type Receiver, and the SDK sees the status."""
    admin.fault(service="cloudfront", action="ListKeyGroups", count=2, error="ServiceUnavailable", status=503)
    raw = signed("GET", f"{endpoint}/2020-05-31/key-group", "cloudfront")
    ns = {"cf": "http://cloudfront.amazonaws.com/doc/2020-05-31/"}
    assert raw.status_code == 503
    assert ET.fromstring(raw.content).findtext("cf:Error/cf:Type", namespaces=ns) == "Receiver"
    with pytest.raises(ClientError) as excinfo:
        cloudfront.list_key_groups()
    assert aws_error(excinfo) == ("ServiceUnavailable", 503)


def test_json_protocol_faults_have_type_and_message(client, admin, endpoint):
    """Secrets Manager (awsJson1_1) and SQS (awsJson1_0) errors are JSON bodies
    {"__type": code, "message": text}."""
    admin.fault(
        service="secretsmanager",
        action="GetSecretValue",
        count=2,
        error="InternalServiceError",
        status=500,
        message="boom",
    )
    raw = signed(
        "POST",
        endpoint,
        "secretsmanager",
        '{"SecretId":"s"}',
        {"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/x-amz-json-1.1"},
    )
    assert raw.status_code == 500
    assert raw.json() == {"__type": "InternalServiceError", "message": "boom"}
    with pytest.raises(ClientError) as excinfo:
        client("secretsmanager").get_secret_value(SecretId="s")
    assert aws_error(excinfo) == ("InternalServiceError", 500)

    admin.fault(service="sqs", action="SendMessage", error="RequestThrottled", status=400, message="slow down")
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert aws_error(excinfo) == ("RequestThrottled", 400)


def test_sqs_query_protocol_faults_are_xml(admin, endpoint):
    """SQS's query protocol carries errors as <ErrorResponse><Error><Type/><Code/><Message/>."""
    admin.fault(service="sqs", action="ListQueues", error="RequestThrottled", message="slow down")
    raw = signed(
        "POST",
        endpoint,
        "sqs",
        "Action=ListQueues&Version=2012-11-05",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert raw.status_code == 400
    root = ET.fromstring(raw.content)
    assert root.tag == "ErrorResponse"
    assert [root.findtext(f"Error/{f}") for f in ("Type", "Code", "Message")] == [
        "Sender",
        "RequestThrottled",
        "slow down",
    ]


def test_s3_faults_have_s3s_error_shape(client, admin, endpoint):
    """S3 errors are a bare <Error><Code/><Message/><RequestId/></Error> document."""
    s3 = client("s3")
    s3.create_bucket(Bucket="media", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    admin.fault(
        service="s3", action="GetObject", count=2, error="SlowDown", status=503, message="Reduce your request rate."
    )
    raw = signed("GET", f"{endpoint}/media/a.jpg", "s3")
    assert raw.status_code == 503
    root = ET.fromstring(raw.content)
    assert (root.tag, root.findtext("Code"), root.findtext("Message")) == (
        "Error",
        "SlowDown",
        "Reduce your request rate.",
    )
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="media", Key="a.jpg")
    assert aws_error(excinfo) == ("SlowDown", 503)


def test_a_delay_only_fault_slows_the_call_down(client, admin):
    """delay_ms without error: the call is answered normally, only later
    (to drive an SDK's timeouts or a Lambda's deadline)."""
    secrets = client("secretsmanager")
    secrets.create_secret(Name="s", SecretString="v")
    admin.fault(service="secretsmanager", action="GetSecretValue", delay_ms=400)
    started = time.monotonic()
    assert secrets.get_secret_value(SecretId="s")["SecretString"] == "v"
    # A lower bound the server's sleep guarantees. That the next call is not
    # delayed shows in the armed faults, not in its time: an upper bound would
    # hold only on a machine fast enough.
    assert time.monotonic() - started >= 0.4
    assert admin.faults() == []
    assert secrets.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_a_held_call_is_released_when_the_faults_are_cleared(client, admin):
    """A test holds a call with a long delay and lets it go when it is ready:
    clearing the faults ends the delays of calls waiting on one."""
    secrets = client("secretsmanager")
    secrets.create_secret(Name="s", SecretString="v")
    admin.fault(service="secretsmanager", action="GetSecretValue", delay_ms=600_000)
    answered = threading.Event()

    def held_call():
        secrets.get_secret_value(SecretId="s")
        answered.set()

    caller = threading.Thread(target=held_call, daemon=True)
    caller.start()
    # The call has arrived (it is in the log) and is held: not answered yet.
    deadline = time.monotonic() + 30
    while {"service": "secretsmanager", "action": "GetSecretValue"} not in admin.calls():
        assert time.monotonic() < deadline, "the held call never arrived"
        time.sleep(0.01)
    assert not answered.wait(0.3)
    admin.clear_faults()
    assert answered.wait(30), "clearing the faults did not release the held call"
    caller.join()


def test_skip_fails_a_later_call_of_the_same_operation(client, admin):
    """skip lets that many matching calls through first: here the second
    PutSecretValue of a workflow fails and the first is kept."""
    secrets = client("secretsmanager")
    secrets.create_secret(Name="s", SecretString="v1")
    admin.fault(service="secretsmanager", action="PutSecretValue", skip=1, error="InternalServiceError", status=500)
    secrets.put_secret_value(SecretId="s", SecretString="v2")
    with pytest.raises(ClientError) as excinfo:
        secrets.put_secret_value(SecretId="s", SecretString="v3")
    assert aws_error(excinfo) == ("InternalServiceError", 500)
    assert secrets.get_secret_value(SecretId="s")["SecretString"] == "v2"
    assert admin.faults() == []


def test_the_call_log_lists_every_call_in_order_including_failed_ones(client, admin):
    """Every call is logged as {"service", "action"} in arrival order, faulted
    ones too, so the SDK's retries of a throttled call can be counted."""
    secrets = client("secretsmanager")
    cloudfront = client("cloudfront", retries={"mode": "standard", "total_max_attempts": 2})
    secrets.create_secret(Name="s", SecretString="v")
    admin.fault(service="cloudfront", action="ListPublicKeys", error="Throttling", message="Rate exceeded")
    cloudfront.list_public_keys()  # retried once by the SDK, then answered
    secrets.get_secret_value(SecretId="s")
    assert admin.calls() == [
        {"service": "secretsmanager", "action": "CreateSecret"},
        {"service": "cloudfront", "action": "ListPublicKeys"},
        {"service": "cloudfront", "action": "ListPublicKeys"},
        {"service": "secretsmanager", "action": "GetSecretValue"},
    ]
    admin.clear_calls()
    assert admin.calls() == []


def test_reset_clears_aws_state_faults_calls_and_settings(client, admin):
    """POST /_local/reset empties every service (moto's state and ours), the
    armed faults and the call log, and puts the settings back to the ones the
    server started with: each test starts as on a new server."""
    client("s3").create_bucket(Bucket="media", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client("secretsmanager").create_secret(Name="s", SecretString="v")
    admin.fault(service="s3", action="GetObject", error="SlowDown", status=503)
    started_with = admin.config()
    admin.config(invalidation_seconds=42, edge_silence_seconds=1)

    admin.reset()
    assert client("s3").list_buckets()["Buckets"] == []
    assert client("secretsmanager").list_secrets()["SecretList"] == []
    assert admin.faults() == []
    assert admin.calls() == [
        {"service": "s3", "action": "ListBuckets"},
        {"service": "secretsmanager", "action": "ListSecrets"},
    ]
    assert admin.config() == started_with == {"invalidation_seconds": started_with["invalidation_seconds"], "edge_silence_seconds": 5.0}
    assert started_with["invalidation_seconds"] != 42


def test_faults_can_be_listed_and_cleared(admin):
    """GET /_local/faults shows armed faults with what is left of them; DELETE clears them."""
    admin.fault(service="s3", action="PutObject", count=3, error="SlowDown", status=503)
    assert admin.faults() == [
        {
            "service": "s3",
            "action": "PutObject",
            "count": 3,
            "skip": 0,
            "error": "SlowDown",
            "status": 503,
            "message": "",
            "delay_ms": 0,
        }
    ]
    admin.clear_faults()
    assert admin.faults() == []


@pytest.mark.parametrize(
    "spec",
    [
        {"service": "s3"},
        {"service": "s3", "action": "PutObject"},
        {"service": "s3", "action": "PutObject", "error": "X", "count": 0},
        {"service": "s3", "action": "PutObject", "error": "X", "status": 200},
        {"service": "s3", "action": "PutObject", "error": "X", "colour": "red"},
        {"service": "s3", "action": "PutObject", "error": 503},
        {"service": "s3", "action": "PutObject", "error": "X", "message": ["not", "text"]},
        {"service": "s3", "action": "PutObject", "error": "X", "status": "503"},
        {"service": "s3", "action": "PutObject", "error": "X", "status": 503.5},
        {"service": "s3", "action": "PutObject", "error": "X", "count": None},
        {"service": "s3", "action": "PutObject", "error": "X", "count": True},
        {"service": "s3", "action": "PutObject", "delay_ms": "100"},
        {"service": 3, "action": "PutObject", "error": "X"},
        [],
    ],
)
def test_a_malformed_fault_is_refused(endpoint, spec):
    """A fault the server could not apply is refused with 400 and a reason."""
    response = requests.post(f"{endpoint}/_local/faults", data=json.dumps(spec))
    assert response.status_code == 400
    assert response.json()["error"]
    assert requests.get(f"{endpoint}/_local/faults").json() == []


def test_a_json_fault_without_a_protocol_version_answers_in_json_1_1(admin, endpoint):
    """A JSON-protocol call sent as plain application/json (no x-amz-json-1.x
    version) gets its injected error as awsJson1_1, the JSON protocol's
    default, with a valid Content-Type."""
    admin.fault(service="secretsmanager", action="GetSecretValue", error="InternalServiceError", status=500)
    raw = signed(
        "POST",
        endpoint,
        "secretsmanager",
        '{"SecretId":"s"}',
        {"X-Amz-Target": "secretsmanager.GetSecretValue", "Content-Type": "application/json"},
    )
    assert raw.status_code == 500
    assert raw.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert raw.json()["__type"] == "InternalServiceError"


def test_the_invalidation_time_is_configurable(admin):
    """POST /_local/config sets how long new invalidations stay InProgress."""
    assert admin.config(invalidation_seconds=0.25) == {"invalidation_seconds": 0.25, "edge_silence_seconds": 5.0}
    assert admin.config() == {"invalidation_seconds": 0.25, "edge_silence_seconds": 5.0}
    response = requests.post(f"{admin.url}/config", json={"invalidation_seconds": -1})
    assert response.status_code == 400
