"""CloudFront distributions with trusted key groups: what the rotator and the
invalidator read, and the ETags infrastructure code updates them with."""

import pytest
from botocore.exceptions import ClientError
from cloudfront_helpers import (
    aws_error,
    create_distribution,
    create_key_group,
    create_public_key,
    distribution_config,
)


@pytest.fixture
def key_group(cloudfront, ec_pem):
    """(Id, ETag) of a key group holding one public key."""
    key_id, _ = create_public_key(cloudfront, ec_pem(), "signer")
    return create_key_group(cloudfront, "signers", [key_id])


def test_distribution_with_trusted_key_groups_round_trip(cloudfront, key_group):
    """CreateDistribution with DefaultCacheBehavior.TrustedKeyGroups returns
    the distribution and its ETag; GetDistribution, GetDistributionConfig and
    ListDistributions show the trusted key group; Get* share one ETag."""
    group_id, _ = key_group
    created = cloudfront.create_distribution(DistributionConfig=distribution_config("d1", [group_id]))
    dist_id, etag = created["Distribution"]["Id"], created["ETag"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201

    got = cloudfront.get_distribution(Id=dist_id)
    config = cloudfront.get_distribution_config(Id=dist_id)
    trusted = {"Enabled": True, "Quantity": 1, "Items": [group_id]}
    assert got["Distribution"]["DistributionConfig"]["DefaultCacheBehavior"]["TrustedKeyGroups"] == trusted
    assert config["DistributionConfig"]["DefaultCacheBehavior"]["TrustedKeyGroups"] == trusted
    assert got["ETag"] == config["ETag"] == etag

    [summary] = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert summary["Id"] == dist_id
    assert summary["DefaultCacheBehavior"]["TrustedKeyGroups"] == trusted


def test_trusted_key_groups_must_exist(cloudfront, key_group):
    """A distribution can only trust key groups that exist:
    TrustedKeyGroupDoesNotExist (400)."""
    with pytest.raises(ClientError) as error:
        create_distribution(cloudfront, "d1", [key_group[0], "00000000-0000-0000-0000-000000000000"])
    assert aws_error(error) == ("TrustedKeyGroupDoesNotExist", 400)


def test_update_distribution_needs_the_current_etag(cloudfront, key_group):
    """UpdateDistribution without IfMatch is InvalidIfMatchVersion (400), with
    a stale ETag PreconditionFailed (412); a successful update changes the ETag."""
    dist_id, etag = create_distribution(cloudfront, "d1", [key_group[0]])
    config = cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]
    config["Comment"] = "changed"

    with pytest.raises(ClientError) as error:
        cloudfront.update_distribution(Id=dist_id, DistributionConfig=config)
    assert aws_error(error) == ("InvalidIfMatchVersion", 400)

    updated = cloudfront.update_distribution(Id=dist_id, DistributionConfig=config, IfMatch=etag)
    assert updated["ETag"] != etag
    assert cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]["Comment"] == "changed"
    with pytest.raises(ClientError) as error:
        cloudfront.update_distribution(Id=dist_id, DistributionConfig=config, IfMatch=etag)
    assert aws_error(error) == ("PreconditionFailed", 412)


def test_changing_a_key_group_changes_the_etag_of_distributions_trusting_it(cloudfront, ec_pem, key_group):
    """Reported from the field: after UpdateKeyGroup the distributions using
    the group have a new ETag, so infrastructure code holding the old one gets
    PreconditionFailed (412) on its next UpdateDistribution."""
    group_id, group_etag = key_group
    dist_id, dist_etag = create_distribution(cloudfront, "trusting", [group_id])
    other_id, other_etag = create_distribution(cloudfront, "unrelated", [])
    new_key, _ = create_public_key(cloudfront, ec_pem(), "new-signer")
    items = cloudfront.get_key_group_config(Id=group_id)["KeyGroupConfig"]["Items"] + [new_key]

    cloudfront.update_key_group(Id=group_id, IfMatch=group_etag, KeyGroupConfig={"Name": "signers", "Items": items})

    assert cloudfront.get_distribution(Id=dist_id)["ETag"] != dist_etag
    assert cloudfront.get_distribution(Id=other_id)["ETag"] == other_etag
    config = cloudfront.get_distribution_config(Id=dist_id)["DistributionConfig"]
    with pytest.raises(ClientError) as error:
        cloudfront.update_distribution(Id=dist_id, DistributionConfig=config, IfMatch=dist_etag)
    assert aws_error(error) == ("PreconditionFailed", 412)


def test_delete_distribution_needs_the_current_etag(cloudfront, key_group):
    """DeleteDistribution needs IfMatch: InvalidIfMatchVersion (400) without,
    PreconditionFailed (412) when stale; then 204 and NoSuchDistribution (404)."""
    dist_id, etag = create_distribution(cloudfront, "d1", [key_group[0]])
    with pytest.raises(ClientError) as error:
        cloudfront.delete_distribution(Id=dist_id)
    assert aws_error(error) == ("InvalidIfMatchVersion", 400)
    with pytest.raises(ClientError) as error:
        cloudfront.delete_distribution(Id=dist_id, IfMatch="E000000000000X")
    assert aws_error(error) == ("PreconditionFailed", 412)

    assert cloudfront.delete_distribution(Id=dist_id, IfMatch=etag)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as error:
        cloudfront.get_distribution(Id=dist_id)
    assert aws_error(error) == ("NoSuchDistribution", 404)


@pytest.mark.parametrize("call", ["get_distribution", "get_distribution_config", "delete_distribution"])
def test_unknown_distribution_is_no_such_distribution(cloudfront, call):
    """Any call on a distribution id that does not exist is NoSuchDistribution (404)."""
    arguments = {"Id": "E000000000000X"}
    if call == "delete_distribution":
        arguments["IfMatch"] = "E000000000000X"
    with pytest.raises(ClientError) as error:
        getattr(cloudfront, call)(**arguments)
    assert aws_error(error) == ("NoSuchDistribution", 404)
