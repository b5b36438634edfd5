"""CloudFront public keys: validation, quotas, ETags, IfMatch, in-use checks.

moto keeps any string as a key, never changes ETags, ignores IfMatch,
deletes unknown or in-use keys and answers 500 for unknown ids.
"""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from moto.cloudfront.models import CloudFrontBackend

from ..patching import extend
from .errors import CloudFrontError, invalid_argument, no_such_public_key
from .etags import check_if_match, new_etag
from .models import PublicKey

MAX_PUBLIC_KEYS_PER_ACCOUNT = 10


def validate_encoded_key(encoded_key: str) -> None:
    """CloudFront takes the PEM of a SubjectPublicKeyInfo ("BEGIN PUBLIC KEY",
    not PKCS#1's "BEGIN RSA PUBLIC KEY") of an RSA-2048 or ECDSA P-256 key."""
    if "-----BEGIN PUBLIC KEY-----" not in encoded_key:
        raise invalid_argument("EncodedKey must be a PEM-encoded SubjectPublicKeyInfo (BEGIN PUBLIC KEY).")
    try:
        key = load_pem_public_key(encoded_key.encode())
    except (ValueError, UnsupportedAlgorithm) as error:
        raise invalid_argument(f"EncodedKey is not a valid public key: {error}") from error
    if isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048:
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return
    raise invalid_argument("EncodedKey must be an RSA 2048-bit or ECDSA P-256 public key.")


@extend(CloudFrontBackend)
def create_public_key(
    self: CloudFrontBackend, caller_ref: str, name: str, encoded_key: str, comment: str = ""
) -> PublicKey:
    validate_encoded_key(encoded_key)
    for key in self.public_keys.values():
        if key.caller_reference == caller_ref or key.name == name:
            raise CloudFrontError(
                "PublicKeyAlreadyExists",
                f"A public key with this CallerReference or Name already exists: {key.id}",
            )
    if len(self.public_keys) >= MAX_PUBLIC_KEYS_PER_ACCOUNT:
        raise CloudFrontError(
            "TooManyPublicKeys",
            f"The maximum number of public keys ({MAX_PUBLIC_KEYS_PER_ACCOUNT}) for this account has been reached.",
        )
    key = PublicKey(caller_reference=caller_ref, name=name, encoded_key=encoded_key, comment=comment)
    self.public_keys[key.id] = key
    return key


@extend(CloudFrontBackend)
def get_public_key(self: CloudFrontBackend, key_id: str) -> PublicKey:
    if key_id not in self.public_keys:
        raise no_such_public_key(key_id)
    return self.public_keys[key_id]


@extend(CloudFrontBackend)
def update_public_key(self: CloudFrontBackend, key_id: str, config: dict[str, str], if_match: str | None) -> PublicKey:
    """Only the comment of a public key can change."""
    key = self.get_public_key(key_id)
    check_if_match(key.etag, if_match)
    immutable = ("CallerReference", "Name", "EncodedKey")
    if any(config.get(field) != key.public_key_config[field] for field in immutable):
        raise CloudFrontError(
            "CannotChangeImmutablePublicKeyFields",
            "You can't change the value of a public key's CallerReference, Name or EncodedKey.",
        )
    key.comment = config.get("Comment", "")
    key.etag = new_etag()
    return key


@extend(CloudFrontBackend)
def delete_public_key(self: CloudFrontBackend, key_id: str, if_match: str | None) -> None:
    key = self.get_public_key(key_id)
    check_if_match(key.etag, if_match)
    groups = [group.id for group in self.key_groups.values() if key_id in group.items]
    if groups:
        raise CloudFrontError(
            "PublicKeyInUse", f"The specified public key is in use by key groups: {', '.join(groups)}"
        )
    del self.public_keys[key_id]
