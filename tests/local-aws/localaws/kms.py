"""KMS: a key that is disabled or pending deletion does not sign, and
GetPublicKey says the key spec as AWS does.

moto's GetPublicKey answers only the deprecated CustomerMasterKeySpec and the
key's id; AWS answers KeySpec too, and the key's ARN, which is what an SDK
reads (a signer learns the key's type from KeySpec).

moto signs with any key whatever its state. AWS answers Sign on a disabled
key with DisabledException and on a key pending deletion with
KMSInvalidStateException (both 400), which is how a signer learns that its
key was switched off, and how a scheduled deletion is seen before it happens.

Importing this module installs the patch.
"""

import json

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend
from moto.kms.responses import KmsResponse

from .patching import extend

_moto_sign = KmsBackend.sign
_moto_get_public_key = KmsResponse.get_public_key


class DisabledException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("DisabledException", message)


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("KMSInvalidStateException", message)


@extend(KmsBackend)
def sign(self: KmsBackend, key_id: str, message: bytes, signing_algorithm: str) -> tuple[str, bytes, str]:
    key = self.describe_key(key_id)
    if key.key_state == "Disabled":
        raise DisabledException(f"{key.arn} is disabled.")
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    return _moto_sign(self, key_id, message, signing_algorithm)


@extend(KmsResponse)
def get_public_key(self: KmsResponse) -> str:
    answer = json.loads(_moto_get_public_key(self))
    key = self.kms_backend.describe_key(answer["KeyId"])
    answer["KeySpec"] = answer["CustomerMasterKeySpec"]
    answer["KeyId"] = key.arn
    return json.dumps(answer)
