"""End to end through `make local`, as a user would: get a signed URL and
verify it; upload an object and see its invalidation; load objects through the
local edge by signed URLs and cookies, and every key of the shared key table
by a URL signed for its key, see its cache hit and an upload's
invalidation purge it, and see it refuse what CloudFront refuses; rotate the
key and see the key group change while the old URL still verifies and loads;
revoke the old key and see the edge refuse its URLs; load the gallery page in
Chromium (browser.py); run the README's example
lines as written; sign through a KMS key and load through the edge
(kms_signing.py); then Ctrl-C (SIGTERM to the process group) stops everything.

`e2e.py MODE` runs it with the key-rotator's SIGNING_KEY_SOURCE=MODE
(`make local SIGNING_KEY_SOURCE=MODE`): secret (the default), where the secret
holds each private key as a PEM, or kms, where every key pair is made in the
local KMS and the url-signer signs through kms:Sign. Along the way,
signing_keys.py checks where the keys live in that mode: the secret's versions,
and in kms mode each KMS key's tags, alias and state after the rotation, the
prunes and the revoke. kms_signing.py, which moves a stack signing with a PEM
key onto a KMS key by changing AWSCURRENT, runs in secret mode only: in kms
mode the whole test signs through KMS keys, the rotator's own."""

import datetime
import http.client
import json
import os
import pathlib
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

from browser import gallery_in_chromium
from kms_signing import signs_through_a_kms_key
from object_keys import objects_by_key
from signing_keys import SigningKeys
from common import CHILDREN, DELIVERY_ERRORS, ROOT, client, invalidations, key_pair_id

NAMES = ("SIGNER_URL", "AWS_ENDPOINT_URL", "BUCKET", "DISTRIBUTION_ID", "KEY_GROUP_ID", "KEY_SECRET_ID", "EDGE_URL",
         "EDGE_CA_FILE", "APP_URL")
# The edge's object of the cache, invalidation and rotation checks, and the cookies' prefix.
EDGE_PATH = "/edge/object.txt"
COOKIE_PREFIX = "/documents/"
MISS, HIT = "Miss from cloudfront", "Hit from cloudfront"
# The README's example lines for `make local` follow this sentence.
README_INTRO = "With `make local` running, in another shell"
# The key-rotator's SIGNING_KEY_SOURCE values; the first is the default.
MODES = ("secret", "kms")
checks = 0


def check(condition, message):
    global checks
    if not condition:
        raise AssertionError(message)
    checks += 1


def still_waiting(deadline, message):
    """A poll's time limit: fails the test when passed, and is not a check."""
    if time.time() >= deadline:
        raise AssertionError(message)


def delivery_errors():
    """What `make local` wrote on failing to deliver the bucket's notifications
    to the invalidator (DELIVERY_ERRORS), or "" when it never failed."""
    try:
        return DELIVERY_ERRORS.read_text().strip()
    except FileNotFoundError:
        return ""


def ctl(*args):
    done = subprocess.run([str(ROOT / "tests/local-stack/ctl"), *args], capture_output=True, text=True)
    return done.returncode, done.stdout.strip() + done.stderr.strip()


def stack_environment():
    """This environment without the local stack's overrides (LOCAL_STACK_*):
    the checks expect its own settings, whatever the shell running them set."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LOCAL_STACK_")}


def signed_url(signer_url, path):
    with urllib.request.urlopen(f"{signer_url}/sign?path={path}", timeout=60) as response:
        return json.loads(response.read())["url"]


def short_lived_url(signer_url, path):
    """A URL that expires 5 s from now and its expiry, epoch seconds: an exact
    expiresAt, which the signer never rounds to its expiry window."""
    body = json.dumps({"paths": [path], "expiresAt": int(time.time()) + 5}).encode()
    request = urllib.request.Request(f"{signer_url}/sign", data=body, method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return answer["urls"][0]["url"], answer["expiresAt"]


def signed_cookies(signer_url, resource):
    """The signer's cookies for `resource` as one Cookie header, as a browser would send them."""
    body = json.dumps({"mode": "cookies", "resource": resource}).encode()
    request = urllib.request.Request(f"{signer_url}/sign", data=body, method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        set_cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0].strip() for cookie in set_cookies)


def put(key, body):
    """Uploads `body` as `key` with `ctl put KEY FILE`."""
    with tempfile.NamedTemporaryFile() as file:
        file.write(body)
        file.flush()
        code, out = ctl("put", key, file.name)
    check(code == 0, f"ctl put {key} failed: {out}")


class Edge:
    """GETs through the local edge: HTTPS (HTTP/1.1 by ALPN) trusting its CA,
    or plain HTTP; any status is an answer, not an error."""

    def __init__(self, values):
        self.url = values["EDGE_URL"]
        self.tls = ssl.create_default_context(cafile=values["EDGE_CA_FILE"])
        self.tls.set_alpn_protocols(["http/1.1"])

    def get(self, url, cookie=None):
        """(status, headers, body); `url` is a signed URL or an edge path."""
        parts = urllib.parse.urlsplit(url if "://" in url else self.url + url)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=self.tls, timeout=30)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            # Host is localhost:PORT, the host the signer signs for and the edge checks.
            connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                               headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def refusal(self, url, cookie=None):
        """(status, code and message of CloudFront's XML body, x-cfsign-reason)."""
        status, headers, body = self.get(url, cookie)
        text = body.decode(errors="replace")
        code = text.partition("<Code>")[2].partition("</Code>")[0]
        message = text.partition("<Message>")[2].partition("</Message>")[0]
        return status, f"{code} {message}", headers.get("x-cfsign-reason", "")


def wait_for_invalidation(cloudfront, distribution_id, path, known, seconds=30):
    """Waits for an invalidation of `path` not in `known` to complete. While the
    edge reports, the local AWS completes one only once the edge applied it."""
    deadline = time.time() + seconds
    while True:
        found = invalidations(cloudfront, distribution_id)
        new = {i: status for i, (status, paths) in found.items() if i not in known and path in paths}
        if "Completed" in new.values():
            return
        still_waiting(deadline, f"no completed invalidation of {path} in {seconds} s: {new or found}")
        time.sleep(0.5)


def processes_in_sessions(sessions):
    """`pid args` of every live process in one of `sessions` (or their process
    groups): what `make local` started and did not stop."""
    listing = subprocess.run(["ps", "-e", "-o", "pid=,sid=,pgid=,stat=,args="], capture_output=True, text=True,
                             check=True).stdout
    found = []
    for line in listing.splitlines():
        pid, sid, pgid, stat, args = (line.split(None, 4) + [""])[:5]
        if (sid in sessions or pgid in sessions) and not stat.startswith("Z"):
            found.append(f"{pid} {args}")
    return found


def port_open(url):
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((parts.hostname, parts.port)) == 0


def edge_caches_and_purges(values, edge, cloudfront):
    """A signed URL loads an object through the edge: a miss, then a hit; a new
    version's invalidation purges it. Returns the signed URL."""
    distribution_id, key = values["DISTRIBUTION_ID"], EDGE_PATH.lstrip("/")
    # The first version's own invalidation first, so it cannot purge between the miss and the hit.
    known = set(invalidations(cloudfront, distribution_id))
    put(key, b"edge object, version 1\n")
    wait_for_invalidation(cloudfront, distribution_id, EDGE_PATH, known)
    url = signed_url(values["SIGNER_URL"], EDGE_PATH)
    check(url.startswith(values["EDGE_URL"] + "/"), f"the signer signed {url}, not for the edge {values['EDGE_URL']}")
    for x_cache in (MISS, HIT):
        status, headers, body = edge.get(url)
        check((status, body, headers.get("X-Cache")) == (200, b"edge object, version 1\n", x_cache),
              f"load through the edge, expected 200 and {x_cache}: {status} {headers.get('X-Cache')} {body[:200]!r}")

    known = set(invalidations(cloudfront, distribution_id))
    put(key, b"edge object, version 2\n")
    deadline = time.time() + 30
    while (answer := edge.get(url))[2] != b"edge object, version 2\n":
        still_waiting(deadline, f"the edge still serves {answer[2][:200]!r} 30 s after the upload")
        time.sleep(0.5)
    check(answer[0] == 200 and answer[1].get("X-Cache") == MISS,
          f"the first load after the purge: {answer[0]} {answer[1].get('X-Cache')}")
    wait_for_invalidation(cloudfront, distribution_id, EDGE_PATH, known)
    return url


def edge_refuses_revoked(values, edge, old_url, new_url, old_key):
    """A revoked key leaves the group at once: the edge, re-reading the group
    every 250 ms, refuses its URLs within seconds; the new key's still load.
    Returns the revoke's report."""
    # A typo during an incident must not look like a successful revoke.
    _, members_before = ctl("key-group")
    code, out = ctl("revoke", "K2JCJMDEHXQW5F")
    check(code == 2 and "is not in key group" in out and old_key in out and len(out.splitlines()) == 1,
          f"a revoke of a key id the stack does not know: exit {code}: {out}")
    check(ctl("key-group")[1] == members_before, "a refused revoke changed the key group")
    code, out = ctl("revoke", old_key)
    check(code == 0, f"revoking {old_key} failed: {out}")
    report = json.loads(out)
    deadline = time.time() + 5
    while (refusal := edge.refusal(old_url))[0] == 200:
        still_waiting(deadline, f"the edge still loads a URL of the revoked key {old_key} after 5 s")
        time.sleep(0.25)
    check(refusal[:2] == (403, "InvalidKey Unknown Key"), f"a URL of the revoked key: {refusal}")
    status, _, body = edge.get(new_url)
    check(status == 200 and body == b"edge object, version 2\n",
          f"the new key's URL after the revoke: {status} {body[:200]!r}")
    return report


def edge_refusals(values, edge):
    """Cookies for a prefix load what is under it and nothing else; an expired
    URL, a request with no signature and plain HTTP are refused."""
    expiring, expires_at = short_lived_url(values["SIGNER_URL"], EDGE_PATH)

    objects = {f"{COOKIE_PREFIX}{n}.txt": f"document {n}\n".encode() for n in (1, 2, 3)}
    for path, body in objects.items():
        put(path.lstrip("/"), body)
    cookie = signed_cookies(values["SIGNER_URL"], f"{COOKIE_PREFIX}*")
    # Policy, Signature, Key-Pair-Id and, the local stack signing with SHA-256, Hash-Algorithm.
    names = [pair.split("=", 1)[0] for pair in cookie.split("; ")]
    check(names == ["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id", "CloudFront-Hash-Algorithm"],
          f"the signer's cookies: {cookie!r}")
    for path, expected in objects.items():
        status, _, body = edge.get(path, cookie)
        check(status == 200 and body == expected,
              f"{path} with the cookies for {COOKIE_PREFIX}*: {status} {body[:200]!r}")
    # The same answer from cfsign's verifier, through ctl.
    inside, outside = values["EDGE_URL"] + f"{COOKIE_PREFIX}1.txt", values["EDGE_URL"] + EDGE_PATH
    code, out = ctl("verify-cookies", inside, cookie)
    check((code, out) == (0, "valid"), f"ctl verify-cookies {inside}: exit {code}: {out}")
    code, out = ctl("verify-cookies", outside, cookie)
    check(code == 1 and out.startswith("resource does not match"), f"ctl verify-cookies {outside}: exit {code}: {out}")
    # CloudFront's refusal ("Access denied"), not S3's for a missing object ("Access Denied"): the object exists.
    refusal = edge.refusal(EDGE_PATH, cookie)
    check(refusal[:2] == (403, "AccessDenied Access denied"),
          f"{EDGE_PATH} with the cookies for {COOKIE_PREFIX}*: {refusal}")

    refusal = edge.refusal(EDGE_PATH)
    check(refusal[:2] == (403, "MissingKey Missing Key-Pair-Id query parameter or cookie value"),
          f"{EDGE_PATH} with no signature: {refusal}")

    # Epoch seconds past the expiry, whichever way the edge rounds.
    time.sleep(max(0.0, expires_at + 1 - time.time()))
    refusal = edge.refusal(expiring)
    check(refusal[0] == 403 and refusal[2].startswith("expired at"), f"an expired URL: {refusal}")

    plain = "http://127.0.0.1:%d%s" % (urllib.parse.urlsplit(values["EDGE_URL"]).port, EDGE_PATH)
    status, headers, body = edge.get(plain)
    check((status, headers.get("X-Cache")) == (403, "Error from cloudfront"),
          f"plain HTTP to the edge's port (https-only): {status} {headers.get('X-Cache')} {body[:200]!r}")


def readme_lines():
    """The README's example lines for `make local`, each as (command, claim):
    the claim is its trailing comment, which says what the command prints."""
    text = (ROOT / "README.md").read_text()
    block = text.split(README_INTRO, 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    # A line of comment alone runs nothing and claims nothing.
    return [(command, claim) for command, claim in map(split_comment, block.splitlines()) if command]


def split_comment(line):
    """(command, comment): a comment starts at a # beginning a word outside quotes, as bash reads it."""
    quote, escaped, word_start = None, False, True
    for at, c in enumerate(line):
        literal, escaped = escaped, False
        if literal:
            pass
        elif c == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and word_start:
            return line[:at].rstrip(), line[at + 1:].strip()
        word_start = c.isspace() and not literal and not quote
    return line.rstrip(), ""


def run_readme_lines(commands, work):
    """Runs `commands` in one bash in the repo root, as a user pastes them, each
    one's stdout and stderr to files of its own. Returns (each one's (stdout,
    stderr), the index of the one that failed or None)."""
    script = ["set -euo pipefail"]
    for n, command in enumerate(commands):
        # A group, not a subshell: what a line assigns is there for the next.
        script += ["{", command, f"}} >{shlex.quote(f'{work}/{n}.out')} 2>{shlex.quote(f'{work}/{n}.err')}"]
    script.append(f"touch {shlex.quote(f'{work}/done')}")
    try:
        subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT, env=stack_environment(), timeout=600)
    except subprocess.TimeoutExpired:
        pass  # the line that hangs is the last one started, and reported as failed
    outputs = []
    for n in range(len(commands)):
        out, err = pathlib.Path(work, f"{n}.out"), pathlib.Path(work, f"{n}.err")
        if not out.exists():
            break
        outputs.append((out.read_text(errors="replace").strip(), err.read_text(errors="replace").strip()))
    failed = None if pathlib.Path(work, "done").exists() else len(outputs) - 1
    return outputs, failed


def curl_answer(out):
    """(status, {lower-case header name: value}, body) of `curl -i` output."""
    head, _, body = out.partition("\n\n")
    lines = head.splitlines()
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else None
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def claimed_shape(claimed):
    """A regular expression for a value as the README writes it: PORT is a port, ... anything."""
    return re.escape(claimed).replace("PORT", r"\d+").replace(re.escape("..."), ".+?")


def utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def readme_claims(values, edge, seen):
    """(pattern of a claim, its check): each check takes the command, the claim
    and its stdout and returns what is wrong, or None. `seen` carries the first
    signed URL on to the checks after the rotation."""

    def signed_url_json(command, claim, out):
        url = json.loads(out)["url"]
        seen.setdefault("url", url)
        claimed = re.search(r'"url":"([^"]+)"', claim).group(1)
        if not (re.fullmatch(claimed_shape(claimed), url) and url.startswith(values["EDGE_URL"] + "/")):
            return f"{url} is not {claimed} for the edge {values['EDGE_URL']}"

    def uploaded(command, claim, out):
        if out != f"put s3://{values['BUCKET']}/{command.split()[-1]}":
            return "not the upload's line"

    def invalidation_lines(command, claim, out):
        claimed = json.loads(re.search(r'"paths": (\[.*?\])', claim).group(1))
        lines = [json.loads(line) for line in out.splitlines()]
        if not all(set(line) == {"id", "status", "paths"} for line in lines):
            return "not invalidation lines"
        if not any(line["paths"] == claimed and line["status"] in ("InProgress", "Completed") for line in lines):
            return f"no invalidation of {claimed}"

    def valid(command, claim, out):
        if out != "valid":
            return "not valid"

    def loads_with(x_cache):
        def loads(command, claim, out):
            status, headers, _ = curl_answer(out)
            if status != 200 or (x_cache and headers.get("x-cache") != x_cache):
                return f"not 200{' with X-Cache: ' + x_cache if x_cache else ''}"
        return loads

    def missing_key(command, claim, out):
        status, headers, body = curl_answer(out)
        if not (status == 403 and "<Code>MissingKey</Code>" in body and headers.get("x-cfsign-reason")):
            return "not 403 MissingKey with an x-cfsign-reason"

    def rotated(command, claim, out):
        steps = [line.split()[0] for line in out.splitlines() if line.endswith(": done")]
        if steps != ["createSecret", "setSecret", "testSecret", "finishSecret"]:
            return "not the four steps done"

    def two_keys(command, claim, out):
        old = key_pair_id(seen["url"])
        if len(out.split()) != 2 or old not in out.split():
            return f"not two keys, one of them {old}, the key of the URL signed before the rotation"
        code, verified = ctl("verify", seen["url"])
        status, _, _ = edge.get(seen["url"])
        if (code, verified, status) != (0, "valid", 200):
            return f"the URL signed before the rotation: {verified}, {status} through the edge"

    def pruned(command, claim, out):
        report = json.loads(out)
        waiting = {entry[0]: entry[1:] for entry in report["waiting"]}
        old = key_pair_id(seen["url"])
        if set(report) != {"removed", "deleted", "waiting", "drift", "retired_kms_keys"} or report["removed"]:
            return "not a prune's report, or it removed a key in its grace period"
        if report["retired_kms_keys"]:
            return "it retired KMS keys in the grace period"
        if old not in waiting or not all(len(w) == 2 and w[1] == utc(w[0]) for w in waiting.values()):
            return f"{old} is not waiting, or a waiting key's time is not [epoch, UTC]"

    def nothing(command, claim, out):
        if out:
            return "printed something"

    return [
        (r'\{"url":"https://localhost:PORT/', signed_url_json),
        (r"upload\b", uploaded),
        (r'\{"id": \.\.\., "status"', invalidation_lines),
        (r"valid\b", valid),
        (r"200 through the local edge; X-Cache: Miss from cloudfront", loads_with(MISS)),
        (r"403 MissingKey\b", missing_key),
        (r"200 by signed cookies", loads_with(None)),
        (r"RotateSecret, then the four steps", rotated),
        (r"two keys now; the old URL still verifies and loads", two_keys),
        (r"the hourly prune\b", pruned),
        (r"$", nothing),
    ]


def readme_examples(values, edge):
    """The README's example lines for `make local` run as written, each
    printing what its comment claims: a user's first experience. They rotate
    and prune, so they come last. One check a line."""
    lines = readme_lines()
    with tempfile.TemporaryDirectory() as work:
        outputs, failed = run_readme_lines([command for command, _ in lines], work)
    seen = {}
    claims = readme_claims(values, edge, seen)
    for n, ((command, claim), (out, err)) in enumerate(zip(lines, outputs)):
        checker = next((c for pattern, c in claims if re.match(pattern, claim)), None)
        if n == failed:
            wrong = "failed"
        elif checker is None:
            wrong = "a claim e2e.py does not check: add a check to readme_claims"
        else:
            try:
                wrong = checker(command, claim, out)
            except (ValueError, KeyError, IndexError, AttributeError) as e:
                wrong = f"unreadable ({type(e).__name__}: {e})"
        check(wrong is None, f"README line {command!r} (# {claim}): {wrong}; printed:\n{out}\n{err}")
    check(len(lines) >= 10 and failed is None, f"the README's examples after {README_INTRO!r} did not all run: {lines}")


def main(mode, started):
    # The stack removes it when it starts; a stack that never got that far must not show an older run's.
    DELIVERY_ERRORS.unlink(missing_ok=True)
    # The mode as a user sets it, through the Makefile; named in both modes, so
    # that neither the shell's environment nor make's MAKEFLAGS decide it.
    stack = subprocess.Popen(["make", "--no-print-directory", "local", f"SIGNING_KEY_SOURCE={mode}"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, start_new_session=True, env=stack_environment())
    values = {}
    lines = []

    def read():
        for line in stack.stdout:
            lines.append(line)
            name, _, value = line.strip().partition("=")
            if name in NAMES:
                values[name] = value

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.time() + 1800
        while len(values) < len(NAMES):
            if stack.poll() is not None or time.time() > deadline:
                raise AssertionError(f"make local did not print {NAMES}; printed: {''.join(lines)}")
            time.sleep(1)
        check(values["EDGE_URL"].startswith("https://localhost:") and os.path.isfile(values["EDGE_CA_FILE"]),
              f"make local printed EDGE_URL={values['EDGE_URL']} and EDGE_CA_FILE={values['EDGE_CA_FILE']}")

        # A signed URL that verifies.
        url = signed_url(values["SIGNER_URL"], "/images/cat.jpg")
        code, out = ctl("verify", url)
        check(code == 0 and out == "valid", f"a fresh signed URL does not verify: {out}")

        # Before any upload, a word rather than silence; a missing file, one line and exit 2.
        answer = ctl("invalidations")
        check(answer == (0, "no invalidations yet"), f"ctl invalidations before any upload: {answer}")
        missing = ROOT / ".tools" / "local-stack" / "no-such-file"
        answer = ctl("put", "images/cat.jpg", str(missing))
        check(answer == (2, f"ctl: cannot read {missing}: No such file or directory"), f"ctl put of a missing file: {answer}")

        # An upload becomes an invalidation.
        code, out = ctl("put", "images/cat.jpg")
        check(code == 0, out)
        deadline = time.time() + 120
        while "/images/cat.jpg" not in (out := ctl("invalidations")[1]):
            still_waiting(deadline, f"no invalidation for /images/cat.jpg: {out}")
            time.sleep(1)

        # Through the local edge: caching and purging.
        edge = Edge(values)
        cloudfront = client("cloudfront", values["AWS_ENDPOINT_URL"])
        edge_url = edge_caches_and_purges(values, edge, cloudfront)
        # The bootstrap's key is of the mode, and signed what just loaded through the edge.
        keys = SigningKeys(values, mode, check)
        first = keys.started(edge_url, lambda: signed_url(values["SIGNER_URL"], f"/images/{uuid.uuid4()}.jpg"))
        # Every key of the shared table, signed by key and by locator, loaded through the edge.
        objects_by_key(values, edge, check)

        # A rotation: the group gains the new key, the old URL still verifies, new URLs use the new key.
        _, before = ctl("key-group")
        code, out = ctl("rotate")
        check(code == 0, f"rotation failed: {out}")
        token = out.split()[1].rstrip(":")  # "createSecret TOKEN: done"
        _, after = ctl("key-group")
        check(len(after.split()) == 2 and before in after.split(), f"key group {before!r} -> {after!r}")
        code, out = ctl("verify", url)
        check(code == 0 and out == "valid", f"the URL signed before the rotation no longer verifies: {out}")
        time.sleep(3)  # the url-signer's key cache (KEY_CACHE_TTL_SECONDS=2 locally)
        new_url = signed_url(values["SIGNER_URL"], "/images/cat.jpg")
        check(key_pair_id(new_url) != key_pair_id(url) and key_pair_id(new_url) in after.split(), f"{new_url}")
        code, out = ctl("verify", new_url)
        check(code == 0 and out == "valid", f"a URL signed after the rotation does not verify: {out}")
        keys.rotated(token, first, new_url)
        # Through the edge, which follows the key group: both keys' URLs load.
        new_edge_url = signed_url(values["SIGNER_URL"], EDGE_PATH)
        for name, signed in (("signed before", edge_url), ("signed after", new_edge_url)):
            status, _, body = edge.get(signed)
            check(status == 200 and body == b"edge object, version 2\n",
                  f"a URL {name} the rotation: {status} {body[:200]!r}")

        # A prune keeps the old key: its URLs may still be valid.
        code, out = ctl("prune")
        check(code == 0 and json.loads(out)["removed"] == [], f"the prune removed a key in its grace period: {out}")
        keys.pruned(json.loads(out), "the prune after the rotation")

        # A revoke does not wait for the grace period; in kms mode the key's KMS key signs no more.
        keys.revoked(edge_refuses_revoked(values, edge, edge_url, new_edge_url, key_pair_id(edge_url)), first)
        edge_refusals(values, edge)
        # The gallery page in Chromium: cookies, URLs, refusals, expiry, h2 and h3.
        gallery_in_chromium(values, check)
        readme_examples(values, edge)
        # After another rotation and prune (the README's): every version and KMS key as the mode says.
        keys.settled()
        # Last: it makes a KMS key, which the stack's key-rotator does not rotate, AWSCURRENT.
        if mode == "secret":
            signs_through_a_kms_key(values, edge, check, lambda path: signed_url(values["SIGNER_URL"], path), EDGE_PATH,
                                    b"edge object, version 2\n")
    finally:
        try:
            os.killpg(stack.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass  # make local already stopped (the failure being reported)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise AssertionError("make local did not stop on SIGTERM")
    # make itself, and the sessions of the local AWS, the edge and `cargo lambda
    # watch` (and all they started), which stack.py runs apart from make's.
    children = CHILDREN.read_text().split()
    check(len(children) == 3,
          f"make local recorded {children} as its children, not the local AWS, the edge and the functions")
    sessions = {str(stack.pid), *children}
    deadline = time.time() + 30
    while (leftovers := processes_in_sessions(sessions)) and time.time() < deadline:
        time.sleep(1)
    check(not leftovers, f"processes left after SIGTERM: {leftovers}")
    for name in ("AWS_ENDPOINT_URL", "SIGNER_URL", "EDGE_URL", "APP_URL"):
        check(not port_open(values[name]), f"{values[name]} ({name}) still answers after SIGTERM")
    # A stop's own errors are not written (stack.py): whatever is there happened while the checks ran.
    errors = delivery_errors()
    check(not errors, f"delivering the notifications failed while the checks passed: {errors}")
    print(f"local-stack e2e ({mode}): {checks} passed, 0 failed in {time.time() - started:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) > 2 or sys.argv[1:] and sys.argv[1] not in MODES:
        sys.exit(f"usage: e2e.py [{'|'.join(MODES)}] (the key-rotator's SIGNING_KEY_SOURCE; {MODES[0]} when not given)")
    mode = sys.argv[1] if sys.argv[1:] else MODES[0]
    started = time.time()
    try:
        main(mode, started)
    except AssertionError as e:
        # A failed delivery explains a missing invalidation better than its timeout does.
        errors = delivery_errors()
        print(f"local-stack e2e ({mode}): FAILED after {time.time() - started:.0f} s: {e}"
              + (f"\n(and {errors})" if errors else ""), file=sys.stderr)
        for log in sorted((ROOT / ".tools" / "local-stack").glob("*.log")):
            print(f"--- {log}", file=sys.stderr)
            print("".join(log.read_text(errors="replace").splitlines(keepends=True)[-20:]), file=sys.stderr)
        sys.exit(1)
