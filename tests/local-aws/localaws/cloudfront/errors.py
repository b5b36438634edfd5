"""CloudFront errors, answered in CloudFront's XML shape with AWS's status.

They are werkzeug HTTPExceptions because moto passes those through from a
handler as they are, while its own exception serializer would label an error
that botocore's model lacks (InvalidationBatchAlreadyExists) a Receiver fault.
"""

from werkzeug.exceptions import HTTPException

from ..errors import render

# HTTP status per error code, as in the CloudFront API reference.
STATUS = {
    "BatchTooLarge": 413,
    "CannotChangeImmutablePublicKeyFields": 400,
    "InconsistentQuantities": 400,
    "InvalidArgument": 400,
    "InvalidIfMatchVersion": 400,
    "InvalidationBatchAlreadyExists": 400,
    "KeyGroupAlreadyExists": 409,
    "NoSuchDistribution": 404,
    "NoSuchPublicKey": 404,
    "NoSuchResource": 404,
    "PreconditionFailed": 412,
    "PublicKeyAlreadyExists": 409,
    "PublicKeyInUse": 409,
    "ResourceInUse": 409,
    "TooManyInvalidationsInProgress": 400,
    "TooManyKeyGroups": 400,
    "TooManyPublicKeys": 400,
    "TooManyPublicKeysInKeyGroup": 400,
    "TrustedKeyGroupDoesNotExist": 400,
}


class CloudFrontError(HTTPException):
    def __init__(self, code: str, message: str) -> None:
        status, headers, body = render("rest-xml", code, message, STATUS[code])
        super().__init__(description=body.decode())
        self.code = status  # werkzeug's name for the HTTP status
        self._headers = headers

    def get_headers(self, *_: object, **__: object) -> list[tuple[str, str]]:
        return self._headers


def no_such_public_key(key_id: str) -> CloudFrontError:
    return CloudFrontError("NoSuchPublicKey", f"The specified public key does not exist: {key_id}")


def no_such_key_group(group_id: str) -> CloudFrontError:
    return CloudFrontError("NoSuchResource", f"The specified key group does not exist: {group_id}")


def no_such_distribution(distribution_id: str) -> CloudFrontError:
    return CloudFrontError("NoSuchDistribution", f"The specified distribution does not exist: {distribution_id}")


def invalid_argument(message: str) -> CloudFrontError:
    return CloudFrontError("InvalidArgument", message)
