"""Self-check of shared/tests/fixtures/peer-vectors.json with openssl.

    python3 check.py [PATH]     (standard library only; needs `openssl` on PATH)

For every vector: rebuild the exact policy bytes from what the peer returned
(canned: the canned policy of the signed URL minus CloudFront's parameters, or
of the cookie's URL; custom: the decoded Policy), check them against the vector's
fields, and verify the signature with `openssl dgst -sha1|-sha256 -verify`.
Also: a tampered policy must fail to verify (so the check is not vacuous), and
RSA vectors over the same bytes must carry the same signature whichever peer
made them (PKCS#1 v1.5 is deterministic). Exits non-zero on any failure.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    KEYS_REL, ROOT, canned_policy, cf_b64decode, split_signed_url, with_cidr,
)

PUBLIC = {"rsa2048": "test-only-rsa2048.public.pem", "p256": "test-only-p256.public.pem"}
COOKIE_NAMES = {"CloudFront-Expires", "CloudFront-Policy", "CloudFront-Signature",
                "CloudFront-Key-Pair-Id", "CloudFront-Hash-Algorithm"}


class Failed(Exception):
    pass


def need(cond, message):
    if not cond:
        raise Failed(message)


def resource_matches(pattern, url):
    """CloudFront resource matching: `*` zero or more characters, `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, url, flags=re.DOTALL) is not None


def openssl_verify(tmp, key, hash_name, data, signature):
    data_path = os.path.join(tmp, "policy")
    sig_path = os.path.join(tmp, "sig")
    with open(data_path, "wb") as f:
        f.write(data)
    with open(sig_path, "wb") as f:
        f.write(signature)
    pub = os.path.join(ROOT, KEYS_REL, PUBLIC[key])
    p = subprocess.run(["openssl", "dgst", "-" + hash_name.lower(), "-verify", pub, "-signature", sig_path,
                        data_path], capture_output=True, text=True)
    return p.returncode == 0 and "Verified OK" in p.stdout


def fields_of(v, key_pair_id):
    """(policy kind, policy bytes, signature bytes, URL CloudFront would see, hash param or None)."""
    if v["kind"] == "url":
        base, cf = split_signed_url(v["signed_url"])
        params = dict(cf)
        need(params.get("Key-Pair-Id") == key_pair_id, "Key-Pair-Id is %r" % params.get("Key-Pair-Id"))
        need("Signature" in params, "no Signature parameter")
        need(("Expires" in params) != ("Policy" in params), "need exactly one of Expires and Policy")
        if "Expires" in params:
            policy = canned_policy(base, int(params["Expires"]))
            kind, expires = "canned", int(params["Expires"])
        else:
            policy, kind, expires = cf_b64decode(params["Policy"]), "custom", None
        return kind, policy, cf_b64decode(params["Signature"]), base, params.get("Hash-Algorithm"), expires
    c = v["cookies"]
    need(set(c) <= COOKIE_NAMES, "unexpected cookies %s" % sorted(set(c) - COOKIE_NAMES))
    need(c.get("CloudFront-Key-Pair-Id") == key_pair_id, "CloudFront-Key-Pair-Id is %r" % c.get("CloudFront-Key-Pair-Id"))
    need("CloudFront-Signature" in c, "no CloudFront-Signature cookie")
    need(("CloudFront-Expires" in c) != ("CloudFront-Policy" in c), "need exactly one of Expires and Policy cookies")
    if "CloudFront-Expires" in c:
        expires = int(c["CloudFront-Expires"])
        policy, kind = canned_policy(v["url"], expires), "canned"
    else:
        policy, kind, expires = cf_b64decode(c["CloudFront-Policy"]), "custom", None
    return kind, policy, cf_b64decode(c["CloudFront-Signature"]), v["url"], c.get("CloudFront-Hash-Algorithm"), expires


def check_vector(v, key_pair_id, tmp):
    kind, policy, signature, target, hash_param, expires = fields_of(v, key_pair_id)
    if v["key"] == "rsa2048":
        need(len(signature) == 256, "RSA-2048 signature of %d bytes" % len(signature))
    else:
        need(signature[:1] == b"\x30", "ECDSA signature is not DER")
    need(openssl_verify(tmp, v["key"], v["hash"], policy, signature), "openssl does not verify the signature")
    need(kind == v["policy"], "policy field says %s, output is %s" % (v["policy"], kind))
    need(policy.decode("utf-8") == v["policy_json"], "policy_json differs from the signed policy")
    if v["hash"] == "SHA1":
        need(hash_param is None, "Hash-Algorithm %r on a SHA1 vector" % hash_param)
    else:
        need(hash_param == "SHA256", "Hash-Algorithm is %r on a SHA256 vector" % hash_param)
    if v["kind"] == "url" and target != v["url"]:
        need(v.get("peer_normalised_url") == target, "peer changed the URL but peer_normalised_url is not it")
    if kind == "canned":
        need(expires == v["expires"], "Expires %s, vector says %s" % (expires, v["expires"]))
        need(v["starts"] is None and v["ip"] is None and v["policy_resource"] is None,
             "canned policy but starts/ip/policy_resource set")
    else:
        doc = json.loads(policy)
        need(list(doc) == ["Statement"] and len(doc["Statement"]) == 1, "policy must have one statement")
        st = doc["Statement"][0]
        need(set(st) == {"Resource", "Condition"}, "statement keys %s" % sorted(st))
        cond = st["Condition"]
        need(set(cond) <= {"DateLessThan", "DateGreaterThan", "IpAddress"}, "conditions %s" % sorted(cond))
        need(cond["DateLessThan"] == {"AWS:EpochTime": v["expires"]}, "DateLessThan %r" % cond["DateLessThan"])
        if v["starts"] is None:
            need("DateGreaterThan" not in cond, "unexpected DateGreaterThan")
        else:
            need(cond.get("DateGreaterThan") == {"AWS:EpochTime": v["starts"]}, "DateGreaterThan %r" % cond.get("DateGreaterThan"))
        if v["ip"] is None:
            need("IpAddress" not in cond, "unexpected IpAddress")
        else:
            need(cond.get("IpAddress") == {"AWS:SourceIp": with_cidr(v["ip"])}, "IpAddress %r" % cond.get("IpAddress"))
        need(st["Resource"] == (v["policy_resource"] or target), "Resource %r" % st["Resource"])
        need(resource_matches(st["Resource"], target), "resource %r does not cover %r" % (st["Resource"], target))
    return policy, signature


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "shared/tests/fixtures/peer-vectors.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    vectors = doc["vectors"]
    failed, passed = [], 0
    by_bytes = {}
    tampered = {}
    with tempfile.TemporaryDirectory(prefix="cf-check-") as tmp:
        for v in vectors:
            try:
                policy, signature = check_vector(v, doc["key_pair_id"], tmp)
            except (Failed, ValueError, KeyError, json.JSONDecodeError) as e:
                failed.append((v.get("name"), "%s: %s" % (type(e).__name__, e)))
                continue
            passed += 1
            if v["key"] == "rsa2048":
                by_bytes.setdefault((v["hash"], policy), []).append((v["name"], signature))
            tampered.setdefault((v["key"], v["hash"]), (v["name"], policy, signature))
        # Negative control: the same signatures over one changed byte must not verify.
        for (key, hash_name), (name, policy, signature) in sorted(tampered.items()):
            bad = policy[:-1] + bytes([policy[-1] ^ 1])
            if openssl_verify(tmp, key, hash_name, bad, signature):
                failed.append((name, "tampered policy still verifies: the check is broken"))
    # A file emptied of its vectors would otherwise pass, checking nothing.
    if not vectors:
        failed.append(("(file)", "no vectors in %s" % path))
    groups = 0
    for (hash_name, _), sigs in by_bytes.items():
        if len({s for _, s in sigs}) != 1:
            failed.append((sigs[0][0], "RSA signatures over the same bytes differ: %s" % [n for n, _ in sigs]))
        if len({n.split("-")[0] for n, _ in sigs}) > 1:
            groups += 1
    counts = {}
    for v in vectors:
        k = (v["peer"], v["kind"], v["key"], v["hash"])
        counts[k] = counts.get(k, 0) + 1
    for k in sorted(counts):
        print("  %-8s %-7s %-7s %-6s %3d" % (k + (counts[k],)))
    print("  RSA policies signed identically by more than one peer: %d" % groups)
    print("  negative controls (tampered policy rejected): %d" % len(tampered))
    for name, why in failed:
        print("FAIL %s: %s" % (name, why), file=sys.stderr)
    print("conformance: %d passed, %d failed" % (passed, len(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
