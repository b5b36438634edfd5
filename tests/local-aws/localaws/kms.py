"""KMS: a key that is disabled or pending deletion does not sign,
GetPublicKey says the key spec as AWS does, and Sign takes a digest.

Sign with MessageType DIGEST signs the SHA-256 digest given (moto ignores
MessageType and would hash the digest again), and a RAW message over 4,096
bytes is refused with ValidationException, as in AWS: a signer of long
policies must send their digest.

moto's GetPublicKey answers only the deprecated CustomerMasterKeySpec and the
key's id; AWS answers KeySpec too, and the key's ARN, which is what an SDK
reads (a signer learns the key's type from KeySpec).

moto signs with any key whatever its state. AWS answers Sign on a disabled
key with DisabledException and on a key pending deletion with
KMSInvalidStateException (both 400), which is how a signer learns that its
key was switched off, and how a scheduled deletion is seen before it happens.

ScheduleKeyDeletion takes the key's ARN as well as its id, as AWS does (moto
fails on an ARN), and refuses a key already pending deletion with
KMSInvalidStateException (moto schedules it again): a retirer that runs twice
must see that the first run did the work.

Importing this module installs the patch.
"""

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from moto.core.exceptions import JsonRESTError
from moto.kms.exceptions import ValidationException
from moto.kms.models import Key, KmsBackend
from moto.kms.responses import KmsResponse

from .patching import extend

_moto_sign = KmsBackend.sign
_moto_schedule_key_deletion = KmsBackend.schedule_key_deletion
_moto_get_public_key = KmsResponse.get_public_key
_moto_sign_response = KmsResponse.sign

RAW_LIMIT = 4096


class DisabledException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("DisabledException", message)


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("KMSInvalidStateException", message)


def refuse_unusable(key: Key) -> None:
    """A disabled key, or one pending deletion, signs nothing."""
    if key.key_state == "Disabled":
        raise DisabledException(f"{key.arn} is disabled.")
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")


@extend(KmsBackend)
def sign(self: KmsBackend, key_id: str, message: bytes, signing_algorithm: str) -> tuple[str, bytes, str]:
    refuse_unusable(self.describe_key(key_id))
    return _moto_sign(self, key_id, message, signing_algorithm)


@extend(KmsResponse)
def get_public_key(self: KmsResponse) -> str:
    answer = json.loads(_moto_get_public_key(self))
    key = self.kms_backend.describe_key(answer["KeyId"])
    answer["KeySpec"] = answer["CustomerMasterKeySpec"]
    answer["KeyId"] = key.arn
    return json.dumps(answer)


@extend(KmsResponse)
def sign(self: KmsResponse) -> str:
    message = self._get_param("Message")
    if isinstance(message, str):
        message = message.encode("utf-8")
    if self._get_param("MessageType") != "DIGEST":
        if len(message) > RAW_LIMIT:
            raise ValidationException(
                "1 validation error detected: Value at 'message' failed to satisfy constraint: "
                f"Member must have length less than or equal to {RAW_LIMIT}"
            )
        return _moto_sign_response(self)
    key = self.kms_backend.describe_key(self._get_param("KeyId"))
    algorithm = self._get_param("SigningAlgorithm")
    refuse_unusable(key)
    if algorithm not in key.signing_algorithms or not algorithm.endswith("SHA_256") or len(message) != 32:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    prehashed = utils.Prehashed(hashes.SHA256())
    private = key.private_key.private_key
    if algorithm == "ECDSA_SHA_256":
        signature = private.sign(message, ec.ECDSA(prehashed))
    elif algorithm == "RSASSA_PKCS1_V1_5_SHA_256":
        signature = private.sign(message, padding.PKCS1v15(), prehashed)
    else:
        raise ValidationException(f"{algorithm} is not one this local KMS signs digests with.")
    return json.dumps(
        {"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": algorithm}
    )


@extend(KmsBackend)
def schedule_key_deletion(self: KmsBackend, key_id: str, pending_window_in_days: int) -> float:
    key = self.describe_key(key_id)
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    return _moto_schedule_key_deletion(self, key.id, pending_window_in_days)
