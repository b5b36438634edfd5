"""End to end through `make local`, as a user would: get a signed URL and
verify it; upload an object and see its invalidation; rotate the key and see
the key group change while the old URL still verifies; then Ctrl-C (SIGTERM
to the process group) stops everything."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from common import ROOT

NAMES = ("SIGNER_URL", "AWS_ENDPOINT_URL", "BUCKET", "DISTRIBUTION_ID", "KEY_GROUP_ID", "KEY_SECRET_ID")
checks = 0


def check(condition, message):
    global checks
    if not condition:
        raise AssertionError(message)
    checks += 1


def ctl(*args):
    done = subprocess.run([str(ROOT / "tests/local-stack/ctl"), *args], capture_output=True, text=True)
    return done.returncode, done.stdout.strip() + done.stderr.strip()


def signed_url(signer_url, path):
    with urllib.request.urlopen(f"{signer_url}/sign?path={path}", timeout=60) as response:
        return json.loads(response.read())["url"]


def key_pair_id(url):
    return url.split("Key-Pair-Id=")[1].split("&")[0]


def main():
    stack = subprocess.Popen(["make", "--no-print-directory", "local"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
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
        check(True, "make local printed every NAME=value line")

        # A signed URL that verifies.
        url = signed_url(values["SIGNER_URL"], "/images/cat.jpg")
        code, out = ctl("verify", url)
        check(code == 0 and out == "valid", f"a fresh signed URL does not verify: {out}")

        # An upload becomes an invalidation.
        code, out = ctl("put", "images/cat.jpg")
        check(code == 0, out)
        deadline = time.time() + 120
        while "/images/cat.jpg" not in (out := ctl("invalidations")[1]):
            check(time.time() < deadline, f"no invalidation for /images/cat.jpg: {out}")
            time.sleep(1)
        check(True, "the upload was invalidated")

        # A rotation: the group gains the new key, the old URL still verifies, new URLs use the new key.
        _, before = ctl("key-group")
        code, out = ctl("rotate")
        check(code == 0, f"rotation failed: {out}")
        _, after = ctl("key-group")
        check(len(after.split()) == 2 and before in after.split(), f"key group {before!r} -> {after!r}")
        code, out = ctl("verify", url)
        check(code == 0 and out == "valid", f"the URL signed before the rotation no longer verifies: {out}")
        time.sleep(3)  # the url-signer's key cache (KEY_CACHE_TTL_SECONDS=2 locally)
        new_url = signed_url(values["SIGNER_URL"], "/images/cat.jpg")
        check(key_pair_id(new_url) != key_pair_id(url) and key_pair_id(new_url) in after.split(), f"{new_url}")
        code, out = ctl("verify", new_url)
        check(code == 0 and out == "valid", f"a URL signed after the rotation does not verify: {out}")

        # A prune keeps the old key: its URLs may still be valid.
        code, out = ctl("prune")
        check(code == 0 and json.loads(out)["removed"] == [], f"the prune removed a key in its grace period: {out}")
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise AssertionError("make local did not stop on SIGTERM")
    leftovers = subprocess.run(["pgrep", "-g", str(stack.pid)], capture_output=True, text=True).stdout.split()
    check(not leftovers, f"processes left after SIGTERM: {leftovers}")
    print(f"local-stack e2e: {checks} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"local-stack e2e: FAILED: {e}", file=sys.stderr)
        for log in sorted((ROOT / ".tools" / "local-stack").glob("*.log")):
            print(f"--- {log}", file=sys.stderr)
            print("".join(log.read_text(errors="replace").splitlines(keepends=True)[-20:]), file=sys.stderr)
        sys.exit(1)
