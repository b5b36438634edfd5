"""A signing key in KMS, end to end: a KMS key of the local AWS, its public
key registered with CloudFront and put in the key group, becomes AWSCURRENT as
{"keyPairId", "kmsKeyArn"}; the url-signer's next URLs are signed through it
(SHA-256) and load through the local edge, which verifies them as CloudFront
would. It moves a stack whose key-rotator keeps PEM keys in the secret
(SIGNING_KEY_SOURCE=secret, the only mode e2e.py runs this in) onto a KMS key
by changing AWSCURRENT alone: the secret is written here, as a deployment
signing with its own KMS key would. In kms mode the key-rotator writes this
shape itself, and the whole end-to-end test signs through its KMS keys."""

import base64
import json
import textwrap
import time
import uuid

from common import client, local_calls


def pem_of(der):
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"


def signs_through_a_kms_key(values, edge, check, sign, path, content):
    """`sign(path)` is the url-signer's GET /sign; `path` holds `content` on the edge."""
    endpoint = values["AWS_ENDPOINT_URL"]
    kms, cloudfront, secrets = (client(name, endpoint) for name in ("kms", "cloudfront", "secretsmanager"))
    # RSA_2048: the local stack sets KEY_ALGORITHM=rsa2048, which the url-signer holds keys to.
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    public = cloudfront.create_public_key(PublicKeyConfig={
        "CallerReference": str(uuid.uuid4()), "Name": "local-stack-kms-key",
        "EncodedKey": pem_of(kms.get_public_key(KeyId=key["Arn"])["PublicKey"]),
    })["PublicKey"]["Id"]
    group = cloudfront.get_key_group(Id=values["KEY_GROUP_ID"])
    config = group["KeyGroup"]["KeyGroupConfig"]
    config["Items"] = [*config["Items"], public]
    cloudfront.update_key_group(Id=values["KEY_GROUP_ID"], IfMatch=group["ETag"], KeyGroupConfig=config)
    secrets.put_secret_value(SecretId=values["KEY_SECRET_ID"], VersionStages=["AWSCURRENT"],
                             SecretString=json.dumps({"keyPairId": public, "kmsKeyArn": key["Arn"]}))

    deadline = time.time() + 30
    while f"Key-Pair-Id={public}" not in (url := sign(path)):
        if time.time() > deadline:
            break
        time.sleep(1)  # the url-signer's key cache (KEY_CACHE_TTL_SECONDS=2 locally)
    check(f"Key-Pair-Id={public}&Hash-Algorithm=SHA256" in url, f"the url-signer did not sign with the KMS key: {url}")
    # The edge re-reads the key group every 250 ms: the new key may reach the
    # url-signer first (as on CloudFront, where the activation delay covers it).
    deadline = time.time() + 10
    while (answer := edge.get(url))[0] == 403 and time.time() < deadline:
        time.sleep(0.25)
    status, headers, body = answer
    check(status == 200 and body == content,
          f"a URL signed by the KMS key through the edge: {status} {headers.get('x-cfsign-reason')} {body[:200]!r}")
    # The signature is KMS's: the local AWS's call log holds the Sign calls.
    calls = local_calls(endpoint)
    check(any(c["service"] == "kms" and c["action"] == "Sign" for c in calls), "the local KMS recorded no Sign call")
