"""Secrets Manager PutSecretValue with a ClientRequestToken, as the API
reference has it: a token names one version, and a version never changes."""

import uuid

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
