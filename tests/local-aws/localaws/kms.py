"""KMS: a key that is disabled or pending deletion does not sign.

moto signs with any key whatever its state. AWS answers Sign on a disabled
key with DisabledException and on a key pending deletion with
KMSInvalidStateException (both 400), which is how a signer learns that its
key was switched off, and how a scheduled deletion is seen before it happens.

Importing this module installs the patch.
"""

from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend

from .patching import extend

_moto_sign = KmsBackend.sign


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
