"""What the local stack's commands share: the stack's settings, AWS clients for
the local AWS, and invoking a function served by `cargo lambda watch`."""

import json
import os
import pathlib
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Where cargo puts cfsign: CARGO_TARGET_DIR (relative to ROOT, where it is built) or target/.
TARGET = ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
WORK = ROOT / ".tools" / "local-stack"
# Written by `run` once the stack answers; read by `ctl`.
STATE = WORK / "stack.env"
# The pid of every child `run` started, one a line; each leads its own session.
CHILDREN = WORK / "children"
# Written by `run` when delivering the bucket's notifications failed (how many
# times, and the last error): the end-to-end test reports it, where it would
# otherwise see only an invalidation that never came.
DELIVERY_ERRORS = WORK / "delivery-errors"

BUCKET = "local-assets"
KEY_SECRET_ID = "local-signing-key"
KEY_GROUP_NAME = "local-signers"
QUEUE = "local-invalidator-events"
DEAD_LETTERS = "local-invalidator-dead-letters"
RESPONSES_BUCKET = "local-cloudformation-responses"

FUNCTIONS = ("url-signer", "key-rotator", "invalidator")


def by_name(url):
    """`url` on loopback as a browser reaches it: `localhost`, a secure origin
    (an HTTPS page may load it) that the benchmark maps to its delayed link."""
    return url.replace("://127.0.0.1:", "://localhost:")


def client(service, endpoint):
    # No SDK retries: a failure here should show, not hide.
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def invalidations(cloudfront, distribution_id):
    """{id: (status, paths)} of the distribution's invalidations."""
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    found = {}
    for summary in listed:
        invalidation = cloudfront.get_invalidation(DistributionId=distribution_id, Id=summary["Id"])["Invalidation"]
        paths = invalidation["InvalidationBatch"]["Paths"].get("Items", [])
        found[invalidation["Id"]] = (invalidation["Status"], paths)
    return found


def invoke(invoke_base, function, payload, timeout=900):
    """Invokes `function` as Lambda would; returns its answer, or raises with its error."""
    request = urllib.request.Request(
        f"{invoke_base}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read() or b"null")
            failed = response.headers.get("X-Amz-Function-Error")
    except urllib.error.HTTPError as e:
        raw = e.read().decode(errors="replace")
        # cargo lambda answers a function error as HTTP 500 with Lambda's JSON error.
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        failed = "HTTP %d" % e.code
    if failed or (isinstance(body, dict) and "errorType" in body and "errorMessage" in body):
        raise FunctionError(function, body)
    return body


class FunctionError(Exception):
    def __init__(self, function, body):
        super().__init__(f"{function} failed: {body}")
        self.body = body


def read_state():
    if not STATE.exists():
        raise SystemExit("ctl: no local stack is running (start it with `make local`)")
    values = dict(line.split("=", 1) for line in STATE.read_text().splitlines() if "=" in line)
    return values


def local_calls(endpoint, clear=False):
    """The AWS calls the local AWS at `endpoint` has answered, as
    {"service", "action"} entries; `clear` empties its log instead."""
    url = f"{endpoint}/_local/calls"
    if clear:
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).close()
        return []
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def key_pair_id(url):
    """The Key-Pair-Id a signed URL names."""
    return url.split("Key-Pair-Id=")[1].split("&")[0]


def key_group_public_keys(cloudfront, key_group_id):
    """{key id: PEM} of every public key in the key group."""
    group = cloudfront.get_key_group(Id=key_group_id)["KeyGroup"]["KeyGroupConfig"]
    return {
        key_id: cloudfront.get_public_key(Id=key_id)["PublicKey"]["PublicKeyConfig"]["EncodedKey"]
        for key_id in group["Items"]
    }


def cloudformation_request(request_type, response_url, physical_id=None):
    """A custom resource request in CloudFormation's shape, for the SigningKeys resource."""
    request = {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:000000000000:function:key-rotator",
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/local/00000000-0000-4000-8000-000000000000",
        "RequestId": os.urandom(16).hex(),
        "LogicalResourceId": "SigningKeys",
        "ResourceType": "Custom::SigningKeys",
        "ResourceProperties": {},
    }
    if physical_id:
        request["PhysicalResourceId"] = physical_id
    return request
