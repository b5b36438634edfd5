"""Merge the peers' raw output into shared/tests/fixtures/peer-vectors.json.

    python assemble.py PY_JSON JS_JSON OUT_JSON

Adds to each vector what is derived from the peer's own output:
  policy            "canned" | "custom" (from Expires vs Policy), checked against what was asked for
  policy_json       the exact policy text the signature covers
  canonical_policy  true when policy_json is byte-for-byte the compact, documentation-order
                    policy for (policy_resource or peer_normalised_url or url, expires,
                    starts, ip with /32 added to a bare address): a signer that builds policies
                    that way must reproduce an RSA signature exactly; false means the peer
                    wrote the policy differently (condition order, escaping), so only verify
  peer_normalised_url  (url vectors) the URL the peer actually signed, when it differs from url
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    KEY_PAIR_ID, canned_policy, cf_b64decode, documented_custom_policy, split_signed_url,
)


def signed_policy(v):
    """(policy kind, exact policy bytes, the URL the peer signed or None for cookies)."""
    if v["kind"] == "url":
        base, cf = split_signed_url(v["signed_url"])
        params = dict(cf)
        if "Expires" in params:
            return "canned", canned_policy(base, int(params["Expires"])), base
        return "custom", cf_b64decode(params["Policy"]), base
    cookies = v["cookies"]
    if "CloudFront-Expires" in cookies:
        return "canned", canned_policy(v["url"], int(cookies["CloudFront-Expires"])), None
    return "custom", cf_b64decode(cookies["CloudFront-Policy"]), None


def finish(v):
    kind, policy, signed_base = signed_policy(v)
    expected = v.pop("expect_policy")
    if kind != expected:
        raise SystemExit("%s: asked for a %s policy, peer produced %s" % (v["name"], expected, kind))
    v["policy"] = kind
    v["policy_json"] = policy.decode("utf-8")
    if signed_base is not None and signed_base != v["url"]:
        v["peer_normalised_url"] = signed_base
    target = v.get("peer_normalised_url") or v["url"]
    if kind == "canned":
        canonical = canned_policy(target, v["expires"])
    else:
        canonical = documented_custom_policy(v["policy_resource"] or target, v["expires"], v["starts"], v["ip"])
    v["canonical_policy"] = policy == canonical
    return v


def main():
    py_path, js_path, out_path = sys.argv[1:4]
    with open(py_path, encoding="utf-8") as f:
        py = json.load(f)
    with open(js_path, encoding="utf-8") as f:
        js = json.load(f)
    vectors = [finish(v) for v in py["vectors"] + js["vectors"]]
    names = [v["name"] for v in vectors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SystemExit("duplicate vector names: %s" % dupes)
    pv, jv = py["versions"], js["versions"]
    doc = {
        "generated_by": "tests/conformance/generate",
        "peers": {
            "botocore": pv["botocore"],
            "awscli": pv["awscli"],
            "@aws-sdk/cloudfront-signer": jv["@aws-sdk/cloudfront-signer"],
        },
        "environment": {
            "awscli_vendored_botocore": pv["awscli_vendored_botocore"],
            "cryptography": pv["cryptography"],
            "python_rsa": pv["rsa"],
            "python": pv["python"],
            "node": jv["node"],
            "node_openssl": jv["node_openssl"],
        },
        "key_pair_id": KEY_PAIR_ID,
        "vectors": vectors,
        "key_probes": py["key_probes"] + js["key_probes"],
        "date_probes": py["date_probes"] + js["date_probes"],
    }
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main()
