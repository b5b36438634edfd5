"""Secrets Manager PutSecretValue with a ClientRequestToken, as the API
reference has it: a token names one version, and a version never changes."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error


@pytest.fixture
def secrets(client):
    return client("secretsmanager")


@pytest.fixture
def secret_id(secrets):
    return secrets.create_secret(Name="cloudfront/signing-key", SecretString='{"key":"v1"}')["ARN"]


def stages(secrets, secret_id):
    return secrets.describe_secret(SecretId=secret_id)["VersionIdsToStages"]


@pytest.mark.parametrize("version_stages", [["AWSCURRENT"], ["AWSPENDING"]])
def test_same_token_and_value_is_an_idempotent_success(secrets, secret_id, version_stages):
    """PutSecretValue with a ClientRequestToken already used and the same value
    succeeds and changes nothing (the request is ignored): a retried rotation
    step may repeat its write."""
    token = str(uuid.uuid4())
    first = secrets.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString='{"key":"v2"}', VersionStages=version_stages
    )
    before = stages(secrets, secret_id)
    again = secrets.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString='{"key":"v2"}', VersionStages=version_stages
    )
    assert again["VersionId"] == first["VersionId"] == token
    assert again["VersionStages"] == version_stages
    assert stages(secrets, secret_id) == before


@pytest.mark.parametrize("version_stages", [["AWSCURRENT"], ["AWSPENDING"]])
def test_same_token_with_another_value_is_resource_exists(secrets, secret_id, version_stages):
    """PutSecretValue with a ClientRequestToken already used for a version
    with a different value fails with ResourceExistsException (400): a version
    cannot be modified, AWSPENDING or not. (moto overwrote an AWSPENDING one.)"""
    token = str(uuid.uuid4())
    secrets.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString='{"key":"v2"}', VersionStages=version_stages
    )
    with pytest.raises(ClientError) as error:
        secrets.put_secret_value(
            SecretId=secret_id, ClientRequestToken=token, SecretString='{"key":"v3"}', VersionStages=version_stages
        )
    assert aws_error(error) == ("ResourceExistsException", 400)
    value = secrets.get_secret_value(SecretId=secret_id, VersionId=token)["SecretString"]
    assert value == '{"key":"v2"}'


def test_rotate_secret_opens_an_empty_pending_version_and_leaves_current_alone(secrets):
    """As AWS: RotateSecret adds an AWSPENDING version without a value for
    createSecret to fill, and AWSCURRENT stays where it is until finishSecret."""
    secrets.create_secret(Name="rotated", SecretString="v1")
    current = secrets.describe_secret(SecretId="rotated")["VersionIdsToStages"]
    token = secrets.rotate_secret(SecretId="rotated", RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
    stages = secrets.describe_secret(SecretId="rotated")["VersionIdsToStages"]
    assert stages[token] == ["AWSPENDING"]
    assert {v: s for v, s in stages.items() if v != token} == current
    assert secrets.get_secret_value(SecretId="rotated")["SecretString"] == "v1"
    with pytest.raises(secrets.exceptions.ResourceNotFoundException):
        secrets.get_secret_value(SecretId="rotated", VersionId=token)
    described = secrets.describe_secret(SecretId="rotated")
    assert described["RotationEnabled"] and described["RotationRules"]["AutomaticallyAfterDays"] == 30
    # Another rotation while this one is unfinished is refused.
    with pytest.raises(secrets.exceptions.InvalidRequestException):
        secrets.rotate_secret(SecretId="rotated")


def test_rotate_secret_not_immediately_only_configures(secrets):
    """RotateSecret with RotateImmediately=False records the rotation schedule
    (RotationEnabled, the rules) and creates no version: the first rotation
    waits for the schedule."""
    secrets.create_secret(Name="scheduled", SecretString="v1")
    before = secrets.describe_secret(SecretId="scheduled")["VersionIdsToStages"]
    secrets.rotate_secret(SecretId="scheduled", RotationRules={"AutomaticallyAfterDays": 7}, RotateImmediately=False)
    described = secrets.describe_secret(SecretId="scheduled")
    assert described["VersionIdsToStages"] == before
    assert described["RotationEnabled"]


def test_moving_awscurrent_changes_what_get_secret_value_answers(secrets):
    """UpdateSecretVersionStage moving AWSCURRENT to another version makes
    that version the one GetSecretValue answers without VersionId or
    VersionStage, and the old one AWSPREVIOUS (moto kept answering the old)."""
    secrets.create_secret(Name="moved", SecretString="v1")
    old = secrets.get_secret_value(SecretId="moved")["VersionId"]
    new = str(uuid.uuid4())
    secrets.put_secret_value(SecretId="moved", ClientRequestToken=new, SecretString="v2", VersionStages=["AWSPENDING"])
    secrets.update_secret_version_stage(SecretId="moved", VersionStage="AWSCURRENT", MoveToVersionId=new, RemoveFromVersionId=old)
    assert secrets.get_secret_value(SecretId="moved")["SecretString"] == "v2"
    assert secrets.get_secret_value(SecretId="moved", VersionStage="AWSPREVIOUS")["SecretString"] == "v1"


def test_rotate_secret_sets_the_next_rotation_date(secrets):
    """DescribeSecret's NextRotationDate is AutomaticallyAfterDays after the
    RotateSecret that set the rules."""
    secrets.create_secret(Name="dated", SecretString="v1")
    before = datetime.now(UTC)
    secrets.rotate_secret(SecretId="dated", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    after = datetime.now(UTC)
    next_date = secrets.describe_secret(SecretId="dated")["NextRotationDate"]
    assert before.replace(microsecond=0) + timedelta(days=30) <= next_date <= after + timedelta(days=30, seconds=1)


def test_rotate_secret_on_a_secret_marked_for_deletion_is_refused(secrets):
    """RotateSecret on a secret scheduled for deletion fails with
    InvalidRequestException (400) and opens no version."""
    secrets.create_secret(Name="doomed", SecretString="v1")
    before = stages(secrets, "doomed")
    secrets.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
    with pytest.raises(ClientError) as error:
        secrets.rotate_secret(SecretId="doomed")
    assert aws_error(error) == ("InvalidRequestException", 400)
    secrets.restore_secret(SecretId="doomed")
    assert stages(secrets, "doomed") == before


@pytest.mark.parametrize(
    "arguments",
    [
        {"RotationRules": {"AutomaticallyAfterDays": 0}},
        {"RotationRules": {"AutomaticallyAfterDays": 1001}},
        {"ClientRequestToken": "too-short"},
        {"ClientRequestToken": "x" * 65},
    ],
)
def test_rotate_secret_validates_rules_and_token(client, arguments):
    """AutomaticallyAfterDays is 1 to 1000 and a ClientRequestToken 32 to 64
    characters; otherwise InvalidParameterException (400), and nothing changes.
    (The SDK's own validation is off: it is the server's answer under test.)"""
    unchecked = client("secretsmanager", parameter_validation=False)
    unchecked.create_secret(Name="checked", SecretString="v1")
    before = unchecked.describe_secret(SecretId="checked")
    with pytest.raises(ClientError) as error:
        unchecked.rotate_secret(SecretId="checked", **arguments)
    assert aws_error(error) == ("InvalidParameterException", 400)
    after = unchecked.describe_secret(SecretId="checked")
    assert after["VersionIdsToStages"] == before["VersionIdsToStages"]
    assert not after.get("RotationEnabled")
