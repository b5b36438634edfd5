"""Vectors from the Python peers: botocore's CloudFrontSigner and `aws cloudfront sign` (AWS CLI v1).

Run with the conformance venv's interpreter (tests/conformance/generate does).
Prints one JSON document on stdout: {"versions", "vectors", "key_probes", "date_probes"}.
"""

import concurrent.futures
import datetime
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    EXPIRES, IP, KEY_PAIR_ID, KEYS_REL, ROOT, STARTS, URLS, WILDCARD, key_path,
)

# Import the standalone botocore, never awscli's vendored copy (importing awscli
# installs an import hook that aliases `botocore` to `awscli.botocore`).
import botocore  # noqa: E402
from botocore.signers import CloudFrontSigner  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding  # noqa: E402

assert "awscli" not in sys.modules, "awscli must not be imported here"
assert os.sep + "awscli" + os.sep not in botocore.__file__, botocore.__file__

AWS = os.path.join(os.path.dirname(sys.executable), "aws")


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def load_key(name):
    with open(key_path(name), "rb") as f:
        data = f.read()
    if name.endswith(".der"):
        return serialization.load_der_private_key(data, password=None)
    return serialization.load_pem_private_key(data, password=None)


def signer_for(key_file):
    key = load_key(key_file)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return lambda message: key.sign(message, ec.ECDSA(hashes.SHA1()))
    return lambda message: key.sign(message, padding.PKCS1v15(), hashes.SHA1())


def vector(name, peer, kind, key, key_file, url, expires, starts=None, ip=None,
           policy_resource=None, expect="canned", **extra):
    v = {
        "name": name, "peer": peer, "kind": kind, "key": key, "key_file": key_file,
        "hash": "SHA1", "url": url, "expires": expires, "starts": starts, "ip": ip,
        "policy_resource": policy_resource, "expect_policy": expect,
    }
    v.update(extra)
    return v


# --------------------------------------------------------------------------- botocore

def botocore_vectors():
    out = []

    def canned(name, url, key, key_file):
        signer = CloudFrontSigner(KEY_PAIR_ID, signer_for(key_file))
        signed = signer.generate_presigned_url(url, date_less_than=utc(EXPIRES))
        out.append(vector(name, "botocore", "url", key, key_file, url, EXPIRES, signed_url=signed))

    def custom(name, url, key, key_file, starts=None, ip=None, resource=None, quirk=None):
        signer = CloudFrontSigner(KEY_PAIR_ID, signer_for(key_file))
        policy = signer.build_policy(
            resource or url, utc(EXPIRES),
            date_greater_than=utc(starts) if starts is not None else None,
            ip_address=ip)
        signed = signer.generate_presigned_url(url, policy=policy)
        extra = {"quirk": quirk} if quirk else {}
        out.append(vector(name, "botocore", "url", key, key_file, url, EXPIRES, starts, ip,
                          resource, "custom", signed_url=signed, **extra))

    rsa = "test-only-rsa2048.pkcs8.pem"
    for label in ("plain", "query", "pct-space", "pct-utf8", "tilde", "long"):
        canned("botocore-url-canned-rsa2048-sha1-%s" % label, URLS[label], "rsa2048", rsa)
    # Same key in the other two containers: identical signatures expected.
    canned("botocore-url-canned-rsa2048-sha1-plain-keyfile-pkcs1", URLS["plain"], "rsa2048",
           "test-only-rsa2048.pkcs1.pem")
    canned("botocore-url-canned-rsa2048-sha1-plain-keyfile-der", URLS["plain"], "rsa2048",
           "test-only-rsa2048.der")
    custom("botocore-url-custom-rsa2048-sha1-start", URLS["plain"], "rsa2048", rsa, starts=STARTS)
    custom("botocore-url-custom-rsa2048-sha1-start-query", URLS["query"], "rsa2048", rsa, starts=STARTS)
    custom("botocore-url-custom-rsa2048-sha1-ip", URLS["plain"], "rsa2048", rsa, ip=IP)
    custom("botocore-url-custom-rsa2048-sha1-wildcard", URLS["images"], "rsa2048", rsa, resource=WILDCARD)
    custom("botocore-url-custom-rsa2048-sha1-start-ip-wildcard", URLS["images"], "rsa2048", rsa,
           starts=STARTS, ip=IP, resource=WILDCARD)
    custom("botocore-url-custom-rsa2048-sha1-bare-ip", URLS["plain"], "rsa2048", rsa, ip="192.0.2.1",
           quirk="bare IPv4 address given; botocore appends /32 in the policy")
    custom("botocore-url-custom-rsa2048-sha1-start-raw-utf8", URLS["raw-utf8"], "rsa2048", rsa, starts=STARTS,
           quirk="raw non-ASCII URL; botocore's json.dumps writes the resource as \\u escapes (caf\\u00e9), "
                 "so the policy text differs from a raw UTF-8 one; verify only")
    # botocore takes any signing callable: an ECDSA P-256 signer over SHA-1 works
    # (no Hash-Algorithm parameter exists in botocore, so no SHA-256).
    p256 = "test-only-p256.pkcs8.pem"
    canned("botocore-url-canned-p256-sha1-plain", URLS["plain"], "p256", p256)
    custom("botocore-url-custom-p256-sha1-start-ip-wildcard", URLS["images"], "p256", p256,
           starts=STARTS, ip=IP, resource=WILDCARD)
    return out


# --------------------------------------------------------------------------- awscli

def run_aws(args, tz="UTC"):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TZ": tz,
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }
    p = subprocess.run([AWS, "cloudfront", "sign", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


AWS_KEY = "test-only-rsa2048.pkcs1.pem"  # AWS CLI v1 reads PKCS#1 PEM only


def aws_args(url, expires, starts=None, ip=None, key_file=AWS_KEY):
    args = ["--url", url, "--key-pair-id", KEY_PAIR_ID,
            "--private-key", "file://%s/%s" % (KEYS_REL, key_file),
            "--date-less-than", expires]
    if starts is not None:
        args += ["--date-greater-than", starts]
    if ip is not None:
        args += ["--ip-address", ip]
    return args


def awscli_jobs():
    """(name, url, expires_int, starts_int, ip, cli args, quirk)"""
    jobs = []
    forms = [("ymd", "2026-01-01"), ("iso", "2026-01-01T00:00:00"),
             ("iso-offset", "2026-01-01T02:00:00+02:00"), ("epoch", "1767225600"),
             ("iso-z", "2026-01-01T00:00:00Z")]
    for label, form in forms:
        jobs.append(("awscli-url-canned-rsa2048-sha1-plain-date-%s" % label, URLS["plain"], EXPIRES,
                     None, None, aws_args(URLS["plain"], form), None))
    for label in ("query", "pct-space", "pct-utf8", "tilde", "long"):
        jobs.append(("awscli-url-canned-rsa2048-sha1-%s" % label, URLS[label], EXPIRES, None, None,
                     aws_args(URLS[label], "1767225600"), None))
    jobs.append(("awscli-url-custom-rsa2048-sha1-start-date-ymd", URLS["plain"], EXPIRES, STARTS, None,
                 aws_args(URLS["plain"], "2026-01-01", starts="2025-12-31"), None))
    jobs.append(("awscli-url-custom-rsa2048-sha1-start-query-date-epoch", URLS["query"], EXPIRES, STARTS,
                 None, aws_args(URLS["query"], "1767225600", starts="1767139200"), None))
    jobs.append(("awscli-url-custom-rsa2048-sha1-ip", URLS["plain"], EXPIRES, None, IP,
                 aws_args(URLS["plain"], "2026-01-01T00:00:00", ip=IP), None))
    jobs.append(("awscli-url-custom-rsa2048-sha1-start-ip-date-iso-offset", URLS["images"], EXPIRES, STARTS,
                 IP, aws_args(URLS["images"], "2026-01-01T02:00:00+02:00",
                              starts="2025-12-31T02:00:00+02:00", ip=IP), None))
    jobs.append(("awscli-url-custom-rsa2048-sha1-bare-ip", URLS["plain"], EXPIRES, None, "192.0.2.1",
                 aws_args(URLS["plain"], "1767225600", ip="192.0.2.1"),
                 "bare IPv4 address given; the CLI appends /32 in the policy"))
    jobs.append(("awscli-url-canned-rsa2048-sha1-plain-date-yyyymmdd", URLS["plain"], 20260101, None, None,
                 aws_args(URLS["plain"], "20260101"),
                 "YYYYMMDD is read as epoch seconds: 20260101 is 1970-08-23T03:28:21Z (the CLI help warns)"))
    return jobs


def awscli_vectors(pool):
    jobs = awscli_jobs()
    results = list(pool.map(lambda j: run_aws(j[5]), jobs))
    out = []
    for (name, url, expires, starts, ip, args, quirk), (rc, stdout, stderr) in zip(jobs, results):
        if rc != 0:
            raise SystemExit("aws cloudfront sign failed for %s: %s" % (name, stderr))
        extra = {"cli_args": args}
        if quirk:
            extra["quirk"] = quirk
        expect = "custom" if (starts is not None or ip is not None) else "canned"
        out.append(vector(name, "awscli", "url", "rsa2048", AWS_KEY, url, expires, starts, ip, None,
                          expect, signed_url=stdout, **extra))
    return out


DATE_FORMS = ["2026-01-01", "2026-01-01T00:00:00", "2026-01-01T02:00:00+02:00", "1767225600",
              "2026-01-01T00:00:00Z", "2026-01-01 00:00:00", "2026-01-01T00:00:00.600Z",
              "20260101", "1767225600000"]


def awscli_date_probes(pool):
    jobs = [(tz, form) for tz in ("UTC", "Asia/Kolkata") for form in DATE_FORMS]
    results = list(pool.map(lambda j: run_aws(aws_args(URLS["plain"], j[1]), tz=j[0]), jobs))
    probes = []
    for (tz, form), (rc, stdout, stderr) in zip(jobs, results):
        m = re.search(r"[?&]Expires=(\d+)", stdout)
        probes.append({"peer": "awscli", "input": form, "tz": tz,
                       "expires": int(m.group(1)) if rc == 0 and m else None,
                       "error": None if rc == 0 else last_line(stderr)})
    return probes


def awscli_key_probes(pool):
    names = sorted(os.listdir(os.path.join(ROOT, KEYS_REL)))
    names = [n for n in names if n.startswith("test-only-") and not n.endswith(".public.pem")]
    jobs = [(n, "%s/%s" % (KEYS_REL, n)) for n in names]
    tmp = tempfile.mkdtemp(prefix="cf-conformance-")
    try:
        # The CLI only reads PKCS#1; convert the RSA refusal keys to see whether
        # it would refuse their sizes once the container is right.
        for n in ("test-only-rsa1024.pem", "test-only-rsa4096.pem"):
            dst = os.path.join(tmp, n.replace(".pem", ".pkcs1.pem"))
            subprocess.run(["openssl", "rsa", "-in", key_path(n), "-traditional", "-out", dst],
                           check=True, capture_output=True)
            jobs.append((n + " (converted to PKCS#1)", dst))

        def probe(job):
            rc, stdout, stderr = run_aws(["--url", URLS["plain"], "--key-pair-id", KEY_PAIR_ID,
                                          "--private-key", "file://" + job[1],
                                          "--date-less-than", "1767225600"])
            return {"peer": "awscli", "key_file": job[0],
                    "outcome": "signed" if rc == 0 else "error: " + last_line(stderr)}
        return list(pool.map(probe, jobs))
    finally:
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)


def awscli_vendored_botocore():
    p = subprocess.run([AWS, "--version"], capture_output=True, text=True,
                       env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")})
    m = re.search(r"botocore/(\S+)", p.stdout + p.stderr)
    return m.group(1) if m else None


def main():
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        vectors = botocore_vectors() + awscli_vectors(pool)
        key_probes = awscli_key_probes(pool)
        date_probes = awscli_date_probes(pool)
    versions = {
        "botocore": botocore.__version__,
        "awscli": importlib.metadata.version("awscli"),
        "awscli_vendored_botocore": awscli_vendored_botocore(),
        "cryptography": importlib.metadata.version("cryptography"),
        "rsa": importlib.metadata.version("rsa"),
        "python": "%d.%d.%d" % sys.version_info[:3],
    }
    json.dump({"versions": versions, "vectors": vectors, "key_probes": key_probes,
               "date_probes": date_probes}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
