"""A minimal Lambda Runtime API on loopback that starts the function itself,
so cold start is measured from process start to the first answered request.

Usage: fake_runtime.py BINARY EVENT_JSON RUNS INVOCATIONS
Prints one line per run: cold start to the first answer (ms), start to the first
request for work, i.e. the init phase with the key fetched (ms), and peak RSS (KiB).
The function's environment (AWS endpoint, secret id, ...) is inherited.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Runtime(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out as two writes: without this, Nagle's algorithm
        # and the client's delayed ACK add ~40 ms that Lambda's real API does not.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        state = self.server.state
        state["first_next"] = state["first_next"] or time.monotonic()
        if state["served"] >= state["wanted"]:
            state["done"].set()
            time.sleep(3600)  # the function waits here for work that never comes
        state["served"] += 1
        body = state["event"]
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", f"req-{state['served']}")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:url-signer")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length", 0))
        payload = self.rfile.read(length)
        if "/error" in self.path:
            state["errors"].append(payload.decode(errors="replace"))
        elif state["first_response"] is None:
            state["first_response"] = time.monotonic()
            status = json.loads(payload).get("statusCode")
            if status != 200:
                state["errors"].append(f"status {status}: {payload[:300]!r}")
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def run_once(binary, event, invocations):
    state = {"event": event, "served": 0, "wanted": invocations, "first_response": None,
             "errors": [], "done": threading.Event(), "first_next": None}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Runtime)
    server.daemon_threads = True
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_port}")
    started = time.monotonic()
    logs = sys.stderr if os.environ.get("SHOW_LOGS") else subprocess.DEVNULL
    child = subprocess.Popen([binary], env=env, stdout=logs, stderr=logs)
    if not state["done"].wait(60):
        child.kill()
        raise SystemExit(f"the function did not finish {invocations} invocations (SHOW_LOGS=1 shows its log)")
    child.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(child.pid, 0)
    server.shutdown()
    if state["errors"] or state["first_response"] is None:
        raise SystemExit(f"the function failed: {state['errors'][:3]}")
    init_ms = (state["first_next"] - started) * 1000
    return init_ms, (state["first_response"] - started) * 1000, usage.ru_maxrss


def main():
    binary, event_file, runs, invocations = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    event = open(event_file, "rb").read()
    for _ in range(runs):
        init_ms, cold_ms, rss_kib = run_once(binary, event, invocations)
        print(f"{cold_ms:.1f} {init_ms:.1f} {rss_kib}", flush=True)


if __name__ == "__main__":
    main()
