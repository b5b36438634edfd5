"""Which AWS operation a request is, for the call log and fault injection.

Each protocol names its operation differently:
- JSON protocols (Secrets Manager, SQS JSON): the X-Amz-Target header,
  "secretsmanager.PutSecretValue", "AmazonSQS.SendMessage";
- query protocol (SQS query): the Action form parameter;
- REST protocols (CloudFront, S3): method + path (+ query for S3), matched
  against botocore's service model by moto's own router, so the names are the
  API's (UpdateKeyGroup, ListObjectsV2, PutBucketNotificationConfiguration...).
"""

import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from moto.core.request import Request
from moto.core.routing import get_service_router

# Credential=AKID/20250101/us-east-1/cloudfront/aws4_request
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_UNKNOWN = "Unknown"
# application/x-amz-json-1.0 or -1.1: the JSON protocol's version.
_JSON_VERSION = re.compile(r"application/x-amz-json-(1\.[01])\b")


@dataclass(frozen=True)
class Operation:
    service: str  # signing name: cloudfront, s3, secretsmanager, sqs, ...
    action: str  # API operation name, or "Unknown"
    protocol: str  # json-1.0, json-1.1, query, rest-xml or s3: see errors.py

    def as_record(self) -> dict[str, str]:
        return {"service": self.service, "action": self.action}


def identify(environ: dict[str, Any]) -> Operation:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    service = _service(environ)
    # An S3 object body may be anything, and large: only other services' are read.
    form = _form_body(environ) if service != "s3" else {}
    if target:
        version = _JSON_VERSION.search(environ.get("CONTENT_TYPE", ""))
        # A plain application/json names no version: 1.1, as botocore's default.
        return Operation(service, target.rsplit(".", 1)[-1], f"json-{version.group(1) if version else '1.1'}")
    if "Action" in form:
        return Operation(service, form["Action"][0], "query")
    return Operation(service, _rest_action(service, environ), "s3" if service == "s3" else "rest-xml")


def _service(environ: dict[str, Any]) -> str:
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    # moto serves an unsigned request as S3 (SDKs sign every other service's).
    return scope.group(1) if scope else "s3"


def _rest_action(service: str, environ: dict[str, Any]) -> str:
    try:
        operation, _ = get_service_router(service).match(Request(environ.copy()))
    except Exception:  # a path or service the model lacks is logged, not failed
        return _UNKNOWN
    return str(operation.name)


def _form_body(environ: dict[str, Any]) -> dict[str, list[str]]:
    """Parse a query-protocol form body, leaving it readable for moto."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))
