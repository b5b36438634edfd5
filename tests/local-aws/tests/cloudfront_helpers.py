"""Small builders shared by the CloudFront tests."""

from typing import Any

import pytest
from botocore.exceptions import ClientError


def aws_error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    """The AWS error code and HTTP status the SDK saw."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def create_public_key(cf: Any, pem: str, name: str, comment: str = "") -> tuple[str, str]:
    """Returns (Id, ETag)."""
    response = cf.create_public_key(
        PublicKeyConfig={"CallerReference": f"ref-{name}", "Name": name, "EncodedKey": pem, "Comment": comment}
    )
    return response["PublicKey"]["Id"], response["ETag"]


def create_key_group(cf: Any, name: str, key_ids: list[str]) -> tuple[str, str]:
    """Returns (Id, ETag)."""
    response = cf.create_key_group(KeyGroupConfig={"Name": name, "Items": key_ids})
    return response["KeyGroup"]["Id"], response["ETag"]


def distribution_config(reference: str, key_group_ids: list[str]) -> dict[str, Any]:
    """A minimal private-content distribution: an S3 origin whose default
    behavior trusts the given key groups for signed URLs."""
    return {
        "CallerReference": reference,
        "Comment": "signed URLs",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "media",
                    "DomainName": "media.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "media",
            "ViewerProtocolPolicy": "https-only",
            "TrustedKeyGroups": {
                "Enabled": bool(key_group_ids),
                "Quantity": len(key_group_ids),
                "Items": key_group_ids,
            },
        },
    }


def create_distribution(cf: Any, reference: str, key_group_ids: list[str]) -> tuple[str, str]:
    """Returns (Id, ETag)."""
    response = cf.create_distribution(DistributionConfig=distribution_config(reference, key_group_ids))
    return response["Distribution"]["Id"], response["ETag"]
