"""ETags and IfMatch: CloudFront's optimistic concurrency.

Every change to a resource gives it a new ETag; every change or delete must
carry the ETag it was based on in IfMatch.
"""

from moto.cloudfront.models import random_id

from .errors import CloudFrontError


def new_etag() -> str:
    return "E" + random_id(length=13)


def check_if_match(current: str, if_match: str | None) -> None:
    if not if_match:
        raise CloudFrontError("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.")
    if if_match != current:
        raise CloudFrontError(
            "PreconditionFailed",
            "The precondition given in one or more of the request-header fields evaluated to false.",
        )
