"""Command line: serve the local AWS on 127.0.0.1 until SIGINT or SIGTERM."""

import argparse
import logging
import os
import signal
import sys
import threading
import urllib.request

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import make_server

from . import cloudfront, kms, s3_notifications, secretsmanager  # noqa: F401  (importing installs the AWS behaviour)
from .app import LocalAws


def main() -> None:
    parser = argparse.ArgumentParser(prog="start", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 (default): a free one")
    args = parser.parse_args()

    # stdout carries the endpoint line and nothing else; moto prints to it.
    stdout, sys.stdout = sys.stdout, sys.stderr
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The SDKs may use any region name, real or not.
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    server = make_server("127.0.0.1", args.port, LocalAws(), threaded=True, request_handler=MotoRequestHandler)
    serving = threading.Thread(target=server.serve_forever, name="server", daemon=True)
    serving.start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    # Straight to loopback: an http_proxy in the environment must not intercept it.
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with direct.open(f"{endpoint}/_local/config", timeout=10):
        pass  # it answers HTTP: now the endpoint may be announced
    print(f"AWS_ENDPOINT_URL={endpoint}", file=stdout, flush=True)

    # Poll rather than block for good, so the handler's set() is seen at once.
    while not stop.wait(0.5):
        pass
    logging.info("stopping")
    server.shutdown()
    serving.join()
    server.server_close()


if __name__ == "__main__":
    main()
