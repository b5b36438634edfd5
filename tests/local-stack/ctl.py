"""Drives a running local stack (`make local`): ctl COMMAND [ARGS]

  verify URL          cfsign verify with the key group's public keys: valid, or why not
  verify-cookies URL COOKIES
                      the same for signed cookies sent with a request for URL
                      (COOKIES: a Cookie header's value, 'CloudFront-Policy=...; ...')
  put KEY [FILE]      put an object in the bucket (FILE, or a few bytes)
  delete KEY          delete an object from the bucket
  invalidations       the distribution's invalidations and their paths (an upload's within seconds)
  rotate              a rotation, as Secrets Manager runs it: RotateSecret, then the four steps
  prune               the scheduled prune; each waiting key with when it may leave (epoch, UTC)
  revoke KEY_ID       revoke a key at once
  key-group           the key group's members"""

import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.error

import botocore.exceptions

from common import ROOT, TARGET, FunctionError, client, invoke, key_group_public_keys, read_state

# The key-rotator's refusals of the request itself (a malformed or unknown key
# id): the caller's argument, exit 2 as for any other bad argument.
REFUSED_ARGUMENT = ("KeyRotator.BadEvent", "KeyRotator.RevokeUnknown")


class BadArgument(Exception):
    """One line on stderr and exit 2."""


def cfsign():
    """cfsign's binary, built first if missing (`make local` builds it)."""
    binary = TARGET / "debug" / "cfsign"
    if not binary.exists():
        print("building cfsign...", file=sys.stderr, flush=True)
        command = [os.environ.get("CARGO", "cargo"), "build", "--quiet", "-p", "cfsign", "--bin", "cfsign"]
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            raise SystemExit("ctl: building cfsign failed")
    return binary


def verify(aws, state, url, *cookie_options):
    keys = key_group_public_keys(aws("cloudfront"), state["KEY_GROUP_ID"])
    with tempfile.TemporaryDirectory() as work:
        options = []
        for key_id, pem in keys.items():
            path = pathlib.Path(work, key_id)
            path.write_text(pem)
            options += ["--public-key", f"{key_id}={path}"]
        return subprocess.run([str(cfsign()), "verify", "--url", url, *cookie_options, *options]).returncode


def read_body(file):
    try:
        return pathlib.Path(file).read_bytes()
    except OSError as e:
        raise BadArgument(f"cannot read {file}: {e.strerror or e}")


def invalidations(aws, state):
    cloudfront = aws("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=state["DISTRIBUTION_ID"])["InvalidationList"]
    items = listed.get("Items", [])
    if not items:
        # Silence would look like a failure; an upload's invalidation appears within a second or two.
        print("no invalidations yet")
    for summary in items:
        batch = cloudfront.get_invalidation(DistributionId=state["DISTRIBUTION_ID"], Id=summary["Id"])
        invalidation = batch["Invalidation"]
        paths = invalidation["InvalidationBatch"]["Paths"].get("Items", [])
        print(json.dumps({"id": invalidation["Id"], "status": invalidation["Status"], "paths": paths}))


def utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_utc(report):
    """The prune's report with each waiting key's epoch second also in UTC:
    [id, epoch, "2026-12-02T07:00:00Z"]."""
    return {**report, "waiting": [[key_id, at, utc(at)] for key_id, at in report.get("waiting", [])]}


def run(command, args, state):
    aws = lambda service: client(service, state["AWS_ENDPOINT_URL"])  # noqa: E731
    if command == "verify" and len(args) == 1:
        return verify(aws, state, args[0])
    if command == "verify-cookies" and len(args) == 2:
        return verify(aws, state, args[0], "--cookie", args[1])
    if command in ("put", "delete") and len(args) >= 1 and not args[0]:
        raise BadArgument("the object key is empty")
    if command == "put" and len(args) in (1, 2):
        body = read_body(args[1]) if len(args) == 2 else b"local stack object\n"
        aws("s3").put_object(Bucket=state["BUCKET"], Key=args[0], Body=body)
        print(f"put s3://{state['BUCKET']}/{args[0]}")
        return 0
    if command == "delete" and len(args) == 1:
        aws("s3").delete_object(Bucket=state["BUCKET"], Key=args[0])
        print(f"deleted s3://{state['BUCKET']}/{args[0]}")
        return 0
    if command == "invalidations" and not args:
        invalidations(aws, state)
        return 0
    if command == "rotate" and not args:
        secrets = aws("secretsmanager")
        token = secrets.rotate_secret(SecretId=state["KEY_SECRET_ID"], RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
        for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
            event = {"Step": step, "SecretId": state["KEY_SECRET_ID"], "ClientRequestToken": token}
            invoke(state["INVOKE_URL"], "key-rotator", event)
            print(f"{step} {token}: done")
        return 0
    if command == "prune" and not args:
        print(json.dumps(with_utc(invoke(state["INVOKE_URL"], "key-rotator", {"action": "prune"}))))
        return 0
    if command == "revoke" and len(args) == 1:
        print(json.dumps(invoke(state["INVOKE_URL"], "key-rotator", {"action": "revoke", "keyPairId": args[0]})))
        return 0
    if command == "key-group" and not args:
        for key_id in key_group_public_keys(aws("cloudfront"), state["KEY_GROUP_ID"]):
            print(key_id)
        return 0
    raise BadArgument(f"unknown command or wrong arguments: {' '.join([command, *args])} (ctl --help lists them)")


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    state = read_state()
    # Failures are one line each, never a traceback: a bad argument exits 2, anything else 1.
    try:
        return run(argv[0], argv[1:], state)
    except BadArgument as e:
        print(f"ctl: {e}", file=sys.stderr)
        return 2
    except FunctionError as e:
        kind = e.body.get("errorType") if isinstance(e.body, dict) else None
        print(f"ctl: {kind}: {e.body.get('errorMessage', '')}" if kind else f"ctl: {e}", file=sys.stderr)
        return 2 if kind in REFUSED_ARGUMENT else 1
    except (botocore.exceptions.EndpointConnectionError, urllib.error.URLError, ConnectionError) as e:
        print(f"ctl: the local stack does not answer ({e}); is `make local` still running?", file=sys.stderr)
        return 1
    except botocore.exceptions.BotoCoreError as e:
        print(f"ctl: {e}", file=sys.stderr)
        return 2 if isinstance(e, botocore.exceptions.ParamValidationError) else 1
    except botocore.exceptions.ClientError as e:
        print(f"ctl: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
