"""Inputs and helpers shared by the conformance generators and the checker.

Everything here is fixed so that the RSA vectors are byte-identical from run
to run (ECDSA signatures are randomised by design).
"""

import base64
import json
import os

KEY_PAIR_ID = "K2JCJMDEHXQW5F"
DIST = "https://d111111abcdef8.cloudfront.net"
EXPIRES = 1767225600  # 2026-01-01T00:00:00Z
STARTS = 1767139200  # 2025-12-31T00:00:00Z
IP = "192.0.2.0/24"
WILDCARD = DIST + "/images/*"

# Where the repository is; the generators run from it so that the key paths
# recorded in cli_args are the ones a replay from the repository root uses.
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KEYS_REL = "shared/tests/fixtures/keys"


def key_path(name):
    return os.path.join(ROOT, KEYS_REL, name)


def long_url():
    """A fixed path of about 1,000 characters."""
    url = DIST + "/long"
    i = 0
    while len(url) < 980:
        url += "/segment-%03d" % i
        i += 1
    return url + "/file.bin"


URLS = {
    "plain": DIST + "/index.html",
    "query": DIST + "/video.mp4?a=1&b=2",
    "pct-space": DIST + "/my%20file.jpg",
    "pct-utf8": DIST + "/caf%C3%A9.png",
    "tilde": DIST + "/~user/profile.png",
    "long": long_url(),
    "images": DIST + "/images/photo.jpg",
    "raw-utf8": DIST + "/café.png",
}

CF_URL_PARAMS = ("Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm")


def cf_b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").replace("+", "-").replace("=", "_").replace("/", "~")


def cf_b64decode(text: str) -> bytes:
    std = text.replace("-", "+").replace("_", "=").replace("~", "/")
    return base64.b64decode(std, validate=True)


def canned_policy(resource: str, expires: int) -> bytes:
    # Exactly the bytes CloudFront rebuilds from the request (no escaping of the
    # URL: CloudFront does not escape it either).
    return ('{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'
            % (resource, expires)).encode("utf-8")


def with_cidr(ip):
    if ip is None:
        return None
    return ip if "/" in ip else ip + "/32"


def documented_custom_policy(resource, expires, starts=None, ip=None) -> bytes:
    """Compact custom policy, conditions in the documentation's order, raw UTF-8."""
    condition = {"DateLessThan": {"AWS:EpochTime": expires}}
    if starts is not None:
        condition["DateGreaterThan"] = {"AWS:EpochTime": starts}
    if ip is not None:
        condition["IpAddress"] = {"AWS:SourceIp": with_cidr(ip)}
    doc = {"Statement": [{"Resource": resource, "Condition": condition}]}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def split_signed_url(signed_url):
    """Split a signed URL into (the URL without CloudFront's parameters, as
    CloudFront rebuilds it, and the ordered list of CloudFront (name, value)).

    The caller's own parameters must come first; a CloudFront parameter that
    appears twice, or before a caller parameter, is an error.
    """
    if "?" not in signed_url:
        raise ValueError("signed URL has no query: %r" % signed_url)
    base, query = signed_url.split("?", 1)
    raw = query.split("&")
    names = [p.split("=", 1)[0] for p in raw]
    first = next((i for i, n in enumerate(names) if n in CF_URL_PARAMS), None)
    if first is None:
        raise ValueError("no CloudFront parameters in %r" % signed_url)
    cf = []
    for part in raw[first:]:
        name, _, value = part.partition("=")
        if name not in CF_URL_PARAMS:
            raise ValueError("caller parameter %r after CloudFront parameters in %r" % (name, signed_url))
        cf.append((name, value))
    if len({n for n, _ in cf}) != len(cf):
        raise ValueError("duplicate CloudFront parameter in %r" % signed_url)
    caller = "&".join(raw[:first])
    return (base + "?" + caller if caller else base), cf
