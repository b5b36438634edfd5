"""botocore's CloudFrontSigner on every served key of keys.json, given the URL
a user builds from a key (the distribution's URL, `/`, the key as it is).

Run by ./generate-peers with tests/conformance/.venv's interpreter; prints
{"version", "urls": {key: signed URL or {"error": ...}}} on stdout.
"""

import datetime
import json
import pathlib
import sys

import botocore
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "conformance"))
from common import DIST, EXPIRES, KEY_PAIR_ID, key_path  # noqa: E402


def main():
    with open(key_path("test-only-rsa2048.pkcs8.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    signer = CloudFrontSigner(KEY_PAIR_ID, lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA1()))
    expires = datetime.datetime.fromtimestamp(EXPIRES, datetime.timezone.utc)
    urls = {}
    for entry in json.loads((HERE / "keys.json").read_text(encoding="utf-8"))["keys"]:
        if "path" not in entry:
            continue
        try:
            urls[entry["key"]] = signer.generate_presigned_url(f"{DIST}/{entry['key']}", date_less_than=expires)
        except Exception as e:  # what the peer does with the key is the record
            urls[entry["key"]] = {"error": f"{type(e).__name__}: {e}"}
    json.dump({"version": botocore.__version__, "urls": urls}, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
