"""Secrets Manager: a ClientRequestToken names one immutable version.

PutSecretValue with a token already used for a version with a value: the same
value is an idempotent success that changes nothing, another value fails with
ResourceExistsException. moto overwrites a version that carries AWSPENDING,
which is exactly the version a retried rotation step writes.

A version without a value is still open: RotateSecret creates one (AWSPENDING,
no value yet) for the rotation function's createSecret step to fill; moto's does
so too when it invokes a rotation Lambda.

Importing this module installs the patch.
"""

from moto.secretsmanager.exceptions import ResourceExistsException
from moto.secretsmanager.models import SecretsManagerBackend

from .patching import extend

_moto_put_secret_value = SecretsManagerBackend.put_secret_value


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
