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

RotateSecret records the rotation configuration and, when rotating now, opens
the AWSPENDING version as AWS does, but invokes no function: the caller runs the
four steps (moto's, without a Lambda it can run, instead moved AWSCURRENT to the
empty version, which would leave the secret without a current value).

Importing this module installs the patch.
"""

import time
import uuid

from moto.secretsmanager.exceptions import InvalidRequestException, ResourceExistsException, SecretNotFoundException
from moto.secretsmanager.models import SecretsManagerBackend

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
