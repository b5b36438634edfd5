"""CloudFront key groups (CreateKeyGroup, GetKeyGroup, GetKeyGroupConfig,
ListKeyGroups, UpdateKeyGroup, DeleteKeyGroup) as the API reference has them."""

import threading

import pytest
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error, create_distribution, create_key_group, create_public_key


@pytest.fixture
def keys(cloudfront, ec_pem):
    """Six public key ids: one more than a key group may hold."""
    return [create_public_key(cloudfront, ec_pem(), f"signer-{n}")[0] for n in range(6)]


def test_key_group_round_trip(cloudfront, keys):
    """CreateKeyGroup returns the group, Location and ETag; GetKeyGroup and
    GetKeyGroupConfig return the same config (Name, Items, Comment) and ETag;
    ListKeyGroups lists it."""
    created = cloudfront.create_key_group(KeyGroupConfig={"Name": "signers", "Items": keys[:2], "Comment": "c"})
    group_id, etag = created["KeyGroup"]["Id"], created["ETag"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["Location"].endswith(f"/2020-05-31/key-group/{group_id}")

    expected = {"Name": "signers", "Items": keys[:2], "Comment": "c"}
    got = cloudfront.get_key_group(Id=group_id)
    config = cloudfront.get_key_group_config(Id=group_id)
    assert got["KeyGroup"]["KeyGroupConfig"] == config["KeyGroupConfig"] == expected
    assert got["ETag"] == config["ETag"] == etag
    assert "LastModifiedTime" in got["KeyGroup"]

    listed = cloudfront.list_key_groups()["KeyGroupList"]
    assert [item["KeyGroup"]["Id"] for item in listed["Items"]] == [group_id]


def test_update_key_group_replaces_the_whole_config(cloudfront, keys):
    """UpdateKeyGroup replaces the whole KeyGroupConfig (read it, change it,
    send all of it with IfMatch): a field left out is gone, and the ETag and
    LastModifiedTime change. This is rotation step 1, adding the new key."""
    group_id, etag = create_key_group(cloudfront, "signers", keys[:1])
    before = cloudfront.get_key_group(Id=group_id)["KeyGroup"]["LastModifiedTime"]
    config = cloudfront.get_key_group_config(Id=group_id)
    config["KeyGroupConfig"]["Items"].append(keys[1])
    config["KeyGroupConfig"]["Comment"] = "rotating"

    updated = cloudfront.update_key_group(Id=group_id, IfMatch=config["ETag"], KeyGroupConfig=config["KeyGroupConfig"])
    assert updated["KeyGroup"]["KeyGroupConfig"] == {"Name": "signers", "Items": keys[:2], "Comment": "rotating"}
    assert updated["ETag"] != etag
    assert updated["KeyGroup"]["LastModifiedTime"] > before

    # Without Comment the comment is cleared: nothing is merged.
    again = cloudfront.update_key_group(
        Id=group_id, IfMatch=updated["ETag"], KeyGroupConfig={"Name": "signers", "Items": keys[1:2]}
    )
    assert cloudfront.get_key_group_config(Id=group_id)["KeyGroupConfig"] == {
        "Name": "signers",
        "Items": keys[1:2],
        "Comment": "",
    }
    assert again["ETag"] not in (etag, updated["ETag"])


def test_update_key_group_needs_the_current_etag(cloudfront, keys):
    """UpdateKeyGroup without IfMatch is InvalidIfMatchVersion (400); with an
    ETag someone else's update made stale, PreconditionFailed (412): the
    rotator must read again and retry."""
    group_id, etag = create_key_group(cloudfront, "signers", keys[:1])
    config = {"Name": "signers", "Items": keys[:2]}
    with pytest.raises(ClientError) as error:
        cloudfront.update_key_group(Id=group_id, KeyGroupConfig=config)
    assert aws_error(error) == ("InvalidIfMatchVersion", 400)

    cloudfront.update_key_group(Id=group_id, IfMatch=etag, KeyGroupConfig=config)
    with pytest.raises(ClientError) as error:
        cloudfront.update_key_group(Id=group_id, IfMatch=etag, KeyGroupConfig={"Name": "signers", "Items": keys[:3]})
    assert aws_error(error) == ("PreconditionFailed", 412)
    assert cloudfront.get_key_group_config(Id=group_id)["KeyGroupConfig"]["Items"] == keys[:2]


def test_concurrent_updates_with_one_etag_let_exactly_one_win(cloudfront, client, keys):
    """IfMatch is a compare-and-swap: of two updates based on the same ETag,
    one succeeds and the other gets PreconditionFailed (412)."""
    group_id, etag = create_key_group(cloudfront, "signers", keys[:1])
    outcomes = []

    def update(items):
        try:
            client("cloudfront").update_key_group(
                Id=group_id, IfMatch=etag, KeyGroupConfig={"Name": "signers", "Items": items}
            )
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=update, args=(keys[:n],)) for n in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["PreconditionFailed", "ok"]


def test_a_key_group_holds_at_most_five_public_keys(cloudfront, keys):
    """The quota is 5 public keys per key group: TooManyPublicKeysInKeyGroup
    (400) on create and on update. Rotation with 5 keys must remove one first."""
    with pytest.raises(ClientError) as error:
        create_key_group(cloudfront, "signers", keys)
    assert aws_error(error) == ("TooManyPublicKeysInKeyGroup", 400)

    group_id, etag = create_key_group(cloudfront, "signers", keys[:5])
    with pytest.raises(ClientError) as error:
        cloudfront.update_key_group(Id=group_id, IfMatch=etag, KeyGroupConfig={"Name": "signers", "Items": keys})
    assert aws_error(error) == ("TooManyPublicKeysInKeyGroup", 400)


def test_a_key_group_holds_at_least_one_public_key(cloudfront, keys):
    """A key group must contain at least one public key (InvalidArgument, 400):
    the last key of a group cannot be removed."""
    with pytest.raises(ClientError) as error:
        create_key_group(cloudfront, "signers", [])
    assert aws_error(error) == ("InvalidArgument", 400)

    group_id, etag = create_key_group(cloudfront, "signers", keys[:1])
    with pytest.raises(ClientError) as error:
        cloudfront.update_key_group(Id=group_id, IfMatch=etag, KeyGroupConfig={"Name": "signers", "Items": []})
    assert aws_error(error) == ("InvalidArgument", 400)


def test_a_key_group_holds_only_existing_public_keys(cloudfront, keys):
    """Items are ids of existing public keys; an unknown id is InvalidArgument (400)."""
    with pytest.raises(ClientError) as error:
        create_key_group(cloudfront, "signers", [keys[0], "K000000000000X"])
    assert aws_error(error) == ("InvalidArgument", 400)


def test_key_group_names_are_unique(cloudfront, keys):
    """A second key group with the same Name is KeyGroupAlreadyExists (409)."""
    create_key_group(cloudfront, "signers", keys[:1])
    with pytest.raises(ClientError) as error:
        create_key_group(cloudfront, "signers", keys[1:2])
    assert aws_error(error) == ("KeyGroupAlreadyExists", 409)


def test_at_most_ten_key_groups_per_account(cloudfront, keys):
    """The quota is 10 key groups per account; the 11th is TooManyKeyGroups (400)."""
    for n in range(10):
        create_key_group(cloudfront, f"group-{n}", keys[:1])
    with pytest.raises(ClientError) as error:
        create_key_group(cloudfront, "group-10", keys[:1])
    assert aws_error(error) == ("TooManyKeyGroups", 400)


def test_delete_key_group_needs_the_current_etag_and_no_distribution_using_it(cloudfront, keys):
    """DeleteKeyGroup needs IfMatch (InvalidIfMatchVersion 400 without, 412
    when stale), fails with ResourceInUse (409) while a distribution trusts the
    group, and deletes it otherwise (204)."""
    used_id, used_etag = create_key_group(cloudfront, "used", keys[:1])
    create_distribution(cloudfront, "dist", [used_id])
    with pytest.raises(ClientError) as error:
        cloudfront.delete_key_group(Id=used_id, IfMatch=used_etag)
    assert aws_error(error) == ("ResourceInUse", 409)

    group_id, etag = create_key_group(cloudfront, "unused", keys[:1])
    with pytest.raises(ClientError) as error:
        cloudfront.delete_key_group(Id=group_id)
    assert aws_error(error) == ("InvalidIfMatchVersion", 400)
    with pytest.raises(ClientError) as error:
        cloudfront.delete_key_group(Id=group_id, IfMatch=used_etag)
    assert aws_error(error) == ("PreconditionFailed", 412)
    assert cloudfront.delete_key_group(Id=group_id, IfMatch=etag)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [g["KeyGroup"]["Id"] for g in cloudfront.list_key_groups()["KeyGroupList"]["Items"]] == [used_id]


@pytest.mark.parametrize("call", ["get_key_group", "get_key_group_config", "update_key_group", "delete_key_group"])
def test_unknown_key_group_is_no_such_resource(cloudfront, keys, call):
    """Any call on a key group id that does not exist is NoSuchResource (404)."""
    arguments = {"Id": "00000000-0000-0000-0000-000000000000"}
    if call in ("update_key_group", "delete_key_group"):
        arguments["IfMatch"] = "E000000000000X"
    if call == "update_key_group":
        arguments["KeyGroupConfig"] = {"Name": "signers", "Items": keys[:1]}
    with pytest.raises(ClientError) as error:
        getattr(cloudfront, call)(**arguments)
    assert aws_error(error) == ("NoSuchResource", 404)
