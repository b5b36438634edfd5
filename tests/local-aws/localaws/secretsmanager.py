"""Secrets Manager: a ClientRequestToken names one immutable version.

PutSecretValue with a token already used for a version with a value: the same
value is an idempotent success that changes nothing, another value fails with
ResourceExistsException. moto overwrites a version that carries AWSPENDING,
which is exactly the version a retried rotation step writes.

A version without a value is still open: RotateSecret creates one (AWSPENDING,
no value yet) for the rotation function's createSecret step to fill.

Moving AWSCURRENT with UpdateSecretVersionStage also makes that version the
one GetSecretValue answers without a VersionId or stage, as in AWS (moto kept
answering with the version that was current before).

RotateSecret refuses what AWS refuses (a secret marked for deletion, rules
outside 1 to 1000 days, a malformed token), records the rotation configuration
and the next rotation date and, when rotating now, opens
the AWSPENDING version as AWS does, but invokes no function: the caller runs the
four steps (moto's, without a Lambda it can run, instead moved AWSCURRENT to the
empty version, which would leave the secret without a current value).

Importing this module installs the patch.
"""

import time
import uuid
from typing import Any

from moto.secretsmanager.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    OperationNotPermittedOnReplica,
    ResourceExistsException,
    SecretNotFoundException,
)
from moto.secretsmanager.models import ReplicaSecret, SecretsManagerBackend

from .patching import extend

_moto_put_secret_value = SecretsManagerBackend.put_secret_value
_moto_update_secret_version_stage = SecretsManagerBackend.update_secret_version_stage


@extend(SecretsManagerBackend)
def put_secret_value(
    self: SecretsManagerBackend,
    secret_id: str,
    secret_string: str | None,
    secret_binary: str | None,
    client_request_token: str | None,
    version_stages: list[str],
) -> str:
    if client_request_token and self._is_valid_identifier(secret_id):
        secret = self.secrets[secret_id]
        version = secret.versions.get(client_request_token)
        if version and ("secret_string" in version or "secret_binary" in version):
            if (version.get("secret_string"), version.get("secret_binary")) != (secret_string, secret_binary):
                raise ResourceExistsException(
                    f"You can't use ClientRequestToken {client_request_token} because that value is "
                    f"already in use for a version of secret {secret.arn}."
                )
            return secret.to_short_dict(include_version_stages=True, version_id=client_request_token)
    return _moto_put_secret_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages)


MAX_ROTATION_LAMBDA_ARN_LENGTH = 2048
ROTATION_DAYS = range(1, 1001)  # RotationRules.AutomaticallyAfterDays
SECONDS_PER_DAY = 86400


def _check_rotation_request(
    backend: SecretsManagerBackend,
    secret: Any,
    client_request_token: str | None,
    rotation_lambda_arn: str | None,
    rotation_rules: dict | None,
) -> None:
    """What AWS refuses before rotating, as moto's own RotateSecret does."""
    if isinstance(secret, ReplicaSecret):
        raise OperationNotPermittedOnReplica
    if secret.is_deleted():
        raise InvalidRequestException(
            "You can't perform this operation on the secret because it was marked for deletion."
        )
    if rotation_lambda_arn and len(rotation_lambda_arn) > MAX_ROTATION_LAMBDA_ARN_LENGTH:
        raise InvalidParameterException(f"RotationLambdaARN must <= {MAX_ROTATION_LAMBDA_ARN_LENGTH} characters long.")
    days = (rotation_rules or {}).get("AutomaticallyAfterDays")
    if days is not None and days not in ROTATION_DAYS:
        raise InvalidParameterException("RotationRules.AutomaticallyAfterDays must be within 1-1000.")
    if client_request_token:
        backend._client_request_token_validator(client_request_token)  # 32 to 64 characters


@extend(SecretsManagerBackend)
def rotate_secret(
    self: SecretsManagerBackend,
    secret_id: str,
    client_request_token: str | None = None,
    rotation_lambda_arn: str | None = None,
    rotation_rules: dict | None = None,
    rotate_immediately: bool = True,
) -> str:
    if not self._is_valid_identifier(secret_id):
        raise SecretNotFoundException()
    secret = self.secrets[secret_id]
    _check_rotation_request(self, secret, client_request_token, rotation_lambda_arn, rotation_rules)
    pending = [
        version_id
        for version_id, version in secret.versions.items()
        if "AWSPENDING" in version["version_stages"] and "AWSCURRENT" not in version["version_stages"]
    ]
    if pending:
        raise InvalidRequestException(
            f"A previous rotation isn't complete: version {pending[0]} is still AWSPENDING."
        )
    secret.rotation_requested = True
    secret.rotation_enabled = True
    if rotation_lambda_arn:
        secret.rotation_lambda_arn = rotation_lambda_arn
    if rotation_rules and "AutomaticallyAfterDays" in rotation_rules:
        secret.auto_rotate_after_days = int(rotation_rules["AutomaticallyAfterDays"])
        secret.next_rotation_date = int(time.time()) + secret.auto_rotate_after_days * SECONDS_PER_DAY
    if not rotate_immediately:
        return secret.to_short_dict(include_version_id=False)
    token = client_request_token or str(uuid.uuid4())
    if token not in secret.versions:
        secret.remove_version_stages_from_old_versions(["AWSPENDING"])
        secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": ["AWSPENDING"]}
    return secret.to_short_dict(version_id=token)


@extend(SecretsManagerBackend)
def update_secret_version_stage(
    self: SecretsManagerBackend,
    secret_id: str,
    version_stage: str,
    remove_from_version_id: str,
    move_to_version_id: str,
) -> tuple[str, str]:
    answer = _moto_update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].set_default_version_id(move_to_version_id)
    return answer
