"""End to end through `make local`, as a user would: get a signed URL and
verify it; upload an object and see its invalidation; rotate the key and see
the key group change while the old URL still verifies; then Ctrl-C (SIGTERM
to the process group) stops everything."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

from common import CHILDREN, ROOT

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
        try:
            os.killpg(stack.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass  # make local already stopped (the failure being reported)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise AssertionError("make local did not stop on SIGTERM")
    # make itself, and the sessions of the local AWS and `cargo lambda watch`
    # (and all they started), which stack.py runs apart from make's.
    children = CHILDREN.read_text().split()
    check(len(children) == 2, f"make local recorded {children} as its children, not the local AWS and the functions")
    sessions = {str(stack.pid), *children}
    deadline = time.time() + 30
    while (leftovers := processes_in_sessions(sessions)) and time.time() < deadline:
        time.sleep(1)
    check(not leftovers, f"processes left after SIGTERM: {leftovers}")
    for name in ("AWS_ENDPOINT_URL", "SIGNER_URL"):
        check(not port_open(values[name]), f"{values[name]} ({name}) still answers after SIGTERM")
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
