"""KMS signing keys as CloudFront signers use them: Sign signs the raw
message with SHA-256, and a key disabled or pending deletion refuses to sign,
with the errors AWS answers."""

import pytest
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

MESSAGE = b'{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/a.jpg"}]}'


@pytest.fixture
def kms(client):
    return client("kms")


def sign(kms, key_id, algorithm):
    return kms.sign(KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm=algorithm)["Signature"]


def signing_key(kms, spec):
    """A new SIGN_VERIFY key of `spec`: its KeyMetadata."""
    return kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]


def verify(kms, key_id, spec, signature, message):
    """Checks `signature` of SHA-256(`message`) with the key's public key, as
    GetPublicKey gives it; raises InvalidSignature when it does not hold."""
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    if spec == "RSA_2048":
        public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    else:
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    "spec,algorithm",
    [("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"), ("ECC_NIST_P256", "ECDSA_SHA_256")],
)
def test_sign_signs_the_raw_message_with_sha256(kms, spec, algorithm):
    key_id = signing_key(kms, spec)["KeyId"]
    verify(kms, key_id, spec, sign(kms, key_id, algorithm), MESSAGE)


def test_a_disabled_key_does_not_sign_until_enabled(kms):
    key_id = signing_key(kms, "RSA_2048")["KeyId"]
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as refused:
        sign(kms, key_id, "RSASSA_PKCS1_V1_5_SHA_256")
    assert aws_error(refused) == ("DisabledException", 400)
    kms.enable_key(KeyId=key_id)
    assert sign(kms, key_id, "RSASSA_PKCS1_V1_5_SHA_256")


def test_a_key_pending_deletion_does_not_sign_until_the_deletion_is_cancelled(kms):
    key_id = signing_key(kms, "ECC_NIST_P256")["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as refused:
        sign(kms, key_id, "ECDSA_SHA_256")
    assert aws_error(refused) == ("KMSInvalidStateException", 400)
    kms.cancel_key_deletion(KeyId=key_id)
    kms.enable_key(KeyId=key_id)
    assert sign(kms, key_id, "ECDSA_SHA_256")


def test_get_public_key_names_the_key_spec_and_the_arn(kms):
    created = signing_key(kms, "ECC_NIST_P256")
    answer = kms.get_public_key(KeyId=created["KeyId"])
    assert (answer["KeySpec"], answer["KeyId"], answer["KeyUsage"]) == ("ECC_NIST_P256", created["Arn"], "SIGN_VERIFY")
    assert answer["SigningAlgorithms"] == ["ECDSA_SHA_256"]


@pytest.mark.parametrize(
    "spec,algorithm",
    [("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"), ("ECC_NIST_P256", "ECDSA_SHA_256")],
)
def test_a_digest_is_signed_as_it_is_and_a_long_raw_message_is_refused(kms, spec, algorithm):
    key_id = signing_key(kms, spec)["KeyId"]
    long_message = b"x" * 5000
    digest = hashes.Hash(hashes.SHA256())
    digest.update(long_message)
    signature = kms.sign(KeyId=key_id, Message=digest.finalize(), MessageType="DIGEST", SigningAlgorithm=algorithm)[
        "Signature"
    ]
    verify(kms, key_id, spec, signature, long_message)
    with pytest.raises(ClientError) as refused:
        kms.sign(KeyId=key_id, Message=long_message, MessageType="RAW", SigningAlgorithm=algorithm)
    assert aws_error(refused) == ("ValidationException", 400)


def test_a_deletion_is_scheduled_by_arn_once(kms):
    created = signing_key(kms, "RSA_2048")
    kms.schedule_key_deletion(KeyId=created["Arn"], PendingWindowInDays=7)
    assert kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    with pytest.raises(ClientError) as refused:
        kms.schedule_key_deletion(KeyId=created["KeyId"], PendingWindowInDays=7)
    assert aws_error(refused) == ("KMSInvalidStateException", 400)
