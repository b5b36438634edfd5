"""Drives a running local stack (`make local`): ctl COMMAND [ARGS]

  verify URL          cfsign verify with the key group's public keys: valid, or why not
  put KEY [FILE]      put an object in the bucket (FILE, or a few bytes)
  delete KEY          delete an object from the bucket
  invalidations       the distribution's invalidations and their paths
  rotate              a rotation, as Secrets Manager runs it: RotateSecret, then the four steps
  prune               the scheduled prune
  revoke KEY_ID       revoke a key at once
  key-group           the key group's members"""

import json
import pathlib
import subprocess
import sys
import tempfile

from common import ROOT, TARGET, client, invoke, key_group_public_keys, read_state


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    state = read_state()
    aws = lambda service: client(service, state["AWS_ENDPOINT_URL"])  # noqa: E731
    command, args = argv[0], argv[1:]
    if command == "verify" and len(args) == 1:
        keys = key_group_public_keys(aws("cloudfront"), state["KEY_GROUP_ID"])
        with tempfile.TemporaryDirectory() as work:
            options = []
            for key_id, pem in keys.items():
                path = pathlib.Path(work, key_id)
                path.write_text(pem)
                options += ["--public-key", f"{key_id}={path}"]
            cfsign = TARGET / "debug" / "cfsign"
            if not cfsign.exists():
                subprocess.run(["cargo", "build", "--quiet", "-p", "cfsign", "--bin", "cfsign"], cwd=ROOT, check=True)
            return subprocess.run([str(cfsign), "verify", "--url", args[0], *options]).returncode
    if command == "put" and len(args) in (1, 2):
        body = pathlib.Path(args[1]).read_bytes() if len(args) == 2 else b"local stack object\n"
        aws("s3").put_object(Bucket=state["BUCKET"], Key=args[0], Body=body)
        print(f"put s3://{state['BUCKET']}/{args[0]}")
        return 0
    if command == "delete" and len(args) == 1:
        aws("s3").delete_object(Bucket=state["BUCKET"], Key=args[0])
        print(f"deleted s3://{state['BUCKET']}/{args[0]}")
        return 0
    if command == "invalidations" and not args:
        cloudfront = aws("cloudfront")
        listed = cloudfront.list_invalidations(DistributionId=state["DISTRIBUTION_ID"])["InvalidationList"]
        for summary in listed.get("Items", []):
            batch = cloudfront.get_invalidation(DistributionId=state["DISTRIBUTION_ID"], Id=summary["Id"])
            invalidation = batch["Invalidation"]
            paths = invalidation["InvalidationBatch"]["Paths"].get("Items", [])
            print(json.dumps({"id": invalidation["Id"], "status": invalidation["Status"], "paths": paths}))
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
        print(json.dumps(invoke(state["INVOKE_URL"], "key-rotator", {"action": "prune"})))
        return 0
    if command == "revoke" and len(args) == 1:
        print(json.dumps(invoke(state["INVOKE_URL"], "key-rotator", {"action": "revoke", "keyPairId": args[0]})))
        return 0
    if command == "key-group" and not args:
        for key_id in key_group_public_keys(aws("cloudfront"), state["KEY_GROUP_ID"]):
            print(key_id)
        return 0
    print(f"ctl: unknown command or wrong arguments: {' '.join(argv)}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
