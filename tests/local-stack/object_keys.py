"""Signing by object key, end to end: every key of the shared table
(tests/object-keys/keys.json) is uploaded to the local S3, signed by key and
by s3:// locator through the url-signer, loaded through the local edge and
compared byte for byte; its upload's invalidation covers the very path its
URL requests; and every refused key is a 400 naming why."""

import json
import time
import urllib.error
import urllib.request

from common import BUCKET, ROOT, client, invalidations

TABLE = ROOT / "tests" / "object-keys" / "keys.json"


def table():
    """(served, refused): [(key, path)], [(key, why)]."""
    keys = json.loads(TABLE.read_text(encoding="utf-8"))["keys"]
    return ([(k["key"], k["path"]) for k in keys if "path" in k],
            [(k["key"], k["refused"]) for k in keys if "refused" in k])


def sign(signer_url, body):
    """(status, answer) of POST /sign with the JSON `body`."""
    request = urllib.request.Request(f"{signer_url}/sign", data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def covers(invalidation_path, path):
    """The invalidator's paths: the exact path, or a wildcard cut before a `~`
    or at a `*`; at the root, where that wildcard would be `/*`, the exact path
    with `~` written `%7E` as CloudFront's guide asks (functions/invalidator,
    cloudfront_path.rs)."""
    if invalidation_path.endswith("*"):
        return path.startswith(invalidation_path[:-1])
    return invalidation_path in (path, path.replace("~", "%7E") if path.startswith("/~") else path)


def objects_by_key(values, edge, check):
    served, refused = table()
    s3 = client("s3", values["AWS_ENDPOINT_URL"])
    bodies = {}
    for index, (key, _) in enumerate(served):
        bodies[key] = f"object {index} of the key table: {key!r}\n".encode()
        s3.put_object(Bucket=BUCKET, Key=key, Body=bodies[key])

    edge_base = values["EDGE_URL"]
    status, answer = sign(values["SIGNER_URL"], {"keys": [key for key, _ in served]})
    check(status == 200 and len(answer.get("urls", [])) == len(served), f"signing {len(served)} keys: {status} {answer}")
    by_locator = sign(values["SIGNER_URL"], {"locators": [f"s3://{BUCKET}/{key}" for key, _ in served]})
    check(by_locator[0] == 200, f"signing {len(served)} locators: {by_locator}")
    for (key, path), entry, located in zip(served, answer["urls"], by_locator[1]["urls"]):
        unsigned = entry["url"].split("?", 1)[0]
        check(entry["key"] == key and unsigned == edge_base + path,
              f"the key {key!r} was signed as {entry}, not for {edge_base + path}")
        check(located["url"].split("?", 1)[0] == unsigned and located["locator"] == f"s3://{BUCKET}/{key}",
              f"the locator of {key!r} was signed as {located}")
        status, headers, body = edge.get(entry["url"])
        check(status == 200 and body == bodies[key],
              f"the key {key!r} through the edge ({path}): {status} {headers.get('x-cfsign-reason')} {body[:200]!r}")

    for key, why in refused:
        status, answer = sign(values["SIGNER_URL"], {"keys": [key]})
        error = answer.get("error", {})
        check(status == 400 and error.get("code") == "invalid_key" and why in error.get("message", ""),
              f"the key {key!r} should be refused with {why!r}: {status} {answer}")
    status, answer = sign(values["SIGNER_URL"], {"locators": ["s3://someone-elses-bucket/a.jpg"]})
    check((status, answer["error"]["code"]) == (403, "bucket_not_served"), f"a locator of another bucket: {answer}")

    # The uploads' invalidations: the path each URL requests, or a wildcard over it.
    cloudfront = client("cloudfront", values["AWS_ENDPOINT_URL"])
    deadline = time.time() + 120
    while True:
        invalidated = {p for _, paths in invalidations(cloudfront, values["DISTRIBUTION_ID"]).values() for p in paths}
        missing = [path for _, path in served if not any(covers(p, path) for p in invalidated)]
        if not missing or time.time() > deadline:
            break
        time.sleep(1)
    check(not missing, f"{len(missing)} uploads' paths were never invalidated, such as {missing[:3]}")
