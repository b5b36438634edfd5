"""CloudFront public keys (CreatePublicKey, GetPublicKey, GetPublicKeyConfig,
ListPublicKeys, UpdatePublicKey, DeletePublicKey) as the API reference has them."""

import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error, create_distribution, create_key_group, create_public_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from localserver import signed


def test_public_key_round_trip(cloudfront, rsa_pem):
    """CreatePublicKey returns the key, its Location and ETag; GetPublicKey and
    GetPublicKeyConfig return the same config and ETag; ListPublicKeys
    summarizes it (Id, Name, CreatedTime, EncodedKey, Comment)."""
    created = cloudfront.create_public_key(
        PublicKeyConfig={"CallerReference": "r1", "Name": "signer-1", "EncodedKey": rsa_pem, "Comment": "first"}
    )
    key_id, etag = created["PublicKey"]["Id"], created["ETag"]
    assert created["Location"].endswith(f"/2020-05-31/public-key/{key_id}")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201

    got = cloudfront.get_public_key(Id=key_id)
    config = cloudfront.get_public_key_config(Id=key_id)
    expected = {"CallerReference": "r1", "Name": "signer-1", "EncodedKey": rsa_pem, "Comment": "first"}
    assert got["PublicKey"]["PublicKeyConfig"] == expected
    assert config["PublicKeyConfig"] == expected
    assert got["ETag"] == config["ETag"] == etag

    [summary] = cloudfront.list_public_keys()["PublicKeyList"]["Items"]
    assert (summary["Id"], summary["Name"], summary["EncodedKey"], summary["Comment"]) == (
        key_id,
        "signer-1",
        rsa_pem,
        "first",
    )


def test_ecdsa_p256_public_keys_are_accepted(cloudfront, ec_pem):
    """CloudFront takes RSA 2048-bit and ECDSA P-256 public keys."""
    key_id, _ = create_public_key(cloudfront, ec_pem(), "ec-signer")
    assert cloudfront.get_public_key(Id=key_id)["PublicKey"]["Id"] == key_id


def _pem(public_key, encoding=serialization.PublicFormat.SubjectPublicKeyInfo):
    return public_key.public_bytes(serialization.Encoding.PEM, encoding).decode()


@pytest.mark.parametrize(
    "encoded_key",
    [
        pytest.param("not a key", id="garbage"),
        pytest.param("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", id="bad-base64-body"),
        pytest.param(
            _pem(
                rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(),
                serialization.PublicFormat.PKCS1,
            ),
            id="pkcs1-rsa-public-key",
        ),
        pytest.param(_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()), id="rsa-1024"),
        pytest.param(_pem(ec.generate_private_key(ec.SECP384R1()).public_key()), id="ecdsa-p384"),
    ],
)
def test_encoded_key_must_be_an_rsa_2048_or_p256_subject_public_key_info(cloudfront, encoded_key):
    """EncodedKey is the PEM of a SubjectPublicKeyInfo ("BEGIN PUBLIC KEY") of
    an RSA 2048-bit or ECDSA P-256 key; anything else is InvalidArgument (400)."""
    with pytest.raises(ClientError) as error:
        create_public_key(cloudfront, encoded_key, "bad")
    assert aws_error(error) == ("InvalidArgument", 400)
    assert cloudfront.list_public_keys()["PublicKeyList"]["Quantity"] == 0


def test_caller_reference_and_name_are_unique(cloudfront, ec_pem):
    """A CallerReference (or Name) already used for a public key gives
    PublicKeyAlreadyExists (409): a retried create does not make a second key."""
    create_public_key(cloudfront, ec_pem(), "signer")
    for config in (
        {"CallerReference": "ref-signer", "Name": "other-name"},
        {"CallerReference": "other-ref", "Name": "signer"},
    ):
        with pytest.raises(ClientError) as error:
            cloudfront.create_public_key(PublicKeyConfig={**config, "EncodedKey": ec_pem()})
        assert aws_error(error) == ("PublicKeyAlreadyExists", 409)


def test_at_most_ten_public_keys_per_account(cloudfront, ec_pem):
    """The quota is 10 public keys per account; the 11th gives TooManyPublicKeys (400)."""
    for n in range(10):
        create_public_key(cloudfront, ec_pem(), f"signer-{n}")
    with pytest.raises(ClientError) as error:
        create_public_key(cloudfront, ec_pem(), "signer-10")
    assert aws_error(error) == ("TooManyPublicKeys", 400)


def test_update_public_key_changes_only_the_comment_and_the_etag(cloudfront, ec_pem):
    """UpdatePublicKey needs IfMatch (the current ETag); only the Comment can
    change (CannotChangeImmutablePublicKeyFields otherwise); the ETag changes."""
    pem = ec_pem()
    key_id, etag = create_public_key(cloudfront, pem, "signer")
    config = cloudfront.get_public_key_config(Id=key_id)["PublicKeyConfig"]

    updated = cloudfront.update_public_key(Id=key_id, IfMatch=etag, PublicKeyConfig={**config, "Comment": "retired"})
    assert updated["PublicKey"]["PublicKeyConfig"]["Comment"] == "retired"
    assert updated["ETag"] != etag
    assert cloudfront.get_public_key(Id=key_id)["ETag"] == updated["ETag"]

    with pytest.raises(ClientError) as error:
        cloudfront.update_public_key(
            Id=key_id, IfMatch=updated["ETag"], PublicKeyConfig={**config, "EncodedKey": ec_pem()}
        )
    assert aws_error(error) == ("CannotChangeImmutablePublicKeyFields", 400)
    with pytest.raises(ClientError) as error:
        cloudfront.update_public_key(Id=key_id, IfMatch=etag, PublicKeyConfig=config)
    assert aws_error(error) == ("PreconditionFailed", 412)


def test_delete_public_key_needs_the_current_etag(cloudfront, ec_pem):
    """DeletePublicKey without IfMatch is InvalidIfMatchVersion (400); with a
    stale ETag PreconditionFailed (412); with the current one it deletes (204)."""
    key_id, etag = create_public_key(cloudfront, ec_pem(), "signer")
    config = cloudfront.get_public_key_config(Id=key_id)["PublicKeyConfig"]
    new_etag = cloudfront.update_public_key(Id=key_id, IfMatch=etag, PublicKeyConfig=config)["ETag"]

    with pytest.raises(ClientError) as error:
        cloudfront.delete_public_key(Id=key_id)
    assert aws_error(error) == ("InvalidIfMatchVersion", 400)
    with pytest.raises(ClientError) as error:
        cloudfront.delete_public_key(Id=key_id, IfMatch=etag)
    assert aws_error(error) == ("PreconditionFailed", 412)

    deleted = cloudfront.delete_public_key(Id=key_id, IfMatch=new_etag)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as error:
        cloudfront.get_public_key(Id=key_id)
    assert aws_error(error) == ("NoSuchPublicKey", 404)


def test_a_public_key_in_a_key_group_cannot_be_deleted(cloudfront, ec_pem):
    """DeletePublicKey fails with PublicKeyInUse (409) while the key is in any
    key group: rotation removes it from the group first, then deletes it."""
    old_id, old_etag = create_public_key(cloudfront, ec_pem(), "old")
    new_id, _ = create_public_key(cloudfront, ec_pem(), "new")
    group_id, group_etag = create_key_group(cloudfront, "signers", [old_id, new_id])

    with pytest.raises(ClientError) as error:
        cloudfront.delete_public_key(Id=old_id, IfMatch=old_etag)
    assert aws_error(error) == ("PublicKeyInUse", 409)

    cloudfront.update_key_group(Id=group_id, IfMatch=group_etag, KeyGroupConfig={"Name": "signers", "Items": [new_id]})
    cloudfront.delete_public_key(Id=old_id, IfMatch=old_etag)
    assert [k["Id"] for k in cloudfront.list_public_keys()["PublicKeyList"]["Items"]] == [new_id]


@pytest.mark.parametrize("call", ["get_public_key", "get_public_key_config", "delete_public_key", "update_public_key"])
def test_unknown_public_key_is_no_such_public_key(cloudfront, call):
    """Any call on a public key id that does not exist is NoSuchPublicKey (404)."""
    arguments = {"Id": "K000000000000X"}
    if call in ("delete_public_key", "update_public_key"):
        arguments["IfMatch"] = "E000000000000X"
    if call == "update_public_key":
        arguments["PublicKeyConfig"] = {"CallerReference": "r", "Name": "n", "EncodedKey": "k"}
    with pytest.raises(ClientError) as error:
        getattr(cloudfront, call)(**arguments)
    assert aws_error(error) == ("NoSuchPublicKey", 404)


def _unknown_invalidation(cloudfront):
    dist_id = create_distribution(cloudfront, "site", [])[0]
    return f"/2020-05-31/distribution/{dist_id}/invalidation/I000000000000X"


@pytest.mark.parametrize(
    "code, path",
    [
        ("NoSuchPublicKey", lambda _: "/2020-05-31/public-key/K000000000000X"),
        ("NoSuchResource", lambda _: "/2020-05-31/key-group/00000000-0000-0000-0000-000000000000"),
        ("NoSuchDistribution", lambda _: "/2020-05-31/distribution/E000000000000X"),
        ("NoSuchInvalidation", _unknown_invalidation),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_errors_have_cloudfronts_xml_shape(endpoint, cloudfront, code, path):
    """CloudFront errors are <ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
    holding Error (Type Sender, Code, Message) and RequestId, with the
    error's status (404 for every unknown id)."""
    response = signed("GET", f"{endpoint}{path(cloudfront)}", "cloudfront")
    assert response.status_code == 404
    ns = {"cf": "http://cloudfront.amazonaws.com/doc/2020-05-31/"}
    root = ET.fromstring(response.content)
    assert root.tag == "{http://cloudfront.amazonaws.com/doc/2020-05-31/}ErrorResponse"
    assert root.findtext("cf:Error/cf:Type", namespaces=ns) == "Sender"
    assert root.findtext("cf:Error/cf:Code", namespaces=ns) == code
    assert root.findtext("cf:Error/cf:Message", namespaces=ns)
    assert root.findtext("cf:RequestId", namespaces=ns)
