"""The `start` script's contract: one line on stdout, then a clean stop."""

import re
import signal
import socket

import requests
from localserver import Admin, Server


def test_start_prints_the_endpoint_line_and_stops_cleanly_on_sigterm(tmp_path):
    """`start` prints exactly AWS_ENDPOINT_URL=http://127.0.0.1:PORT (the
    variable every AWS SDK reads for a custom endpoint) once the server answers
    HTTP, nothing else on stdout, and exits 0 on SIGTERM."""
    with open(tmp_path / "server.log", "wb") as log:
        server = Server(log=log)
        assert re.fullmatch(r"AWS_ENDPOINT_URL=http://127\.0\.0\.1:\d+\n", server.first_line)
        assert requests.get(f"{server.endpoint}/_local/calls").status_code == 200
        code, rest_of_stdout = server.stop(signal.SIGTERM)
    assert (code, rest_of_stdout) == (0, "")


def test_start_stops_cleanly_on_sigint(tmp_path):
    """Ctrl-C in a terminal (SIGINT) stops the server with exit code 0 too."""
    with open(tmp_path / "server.log", "wb") as log:
        server = Server(log=log)
        assert server.stop(signal.SIGINT) == (0, "")


def test_start_listens_on_the_port_asked_for(tmp_path):
    """`start --port P` serves on 127.0.0.1:P."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(tmp_path / "server.log", "wb") as log:
        server = Server("--port", str(port), log=log)
        try:
            assert server.endpoint == f"http://127.0.0.1:{port}"
        finally:
            assert server.stop() == (0, "")


def test_invalidation_seconds_default_comes_from_the_environment(tmp_path):
    """LOCAL_AWS_INVALIDATION_SECONDS sets how long a new invalidation stays
    InProgress (AWS: typically minutes) until a test changes it at run time."""
    with open(tmp_path / "server.log", "wb") as log:
        server = Server(log=log, env={"LOCAL_AWS_INVALIDATION_SECONDS": "7.5"})
        try:
            assert Admin(server.endpoint).config()["invalidation_seconds"] == 7.5
        finally:
            server.stop()


def test_start_reaches_its_own_endpoint_despite_an_http_proxy(tmp_path):
    """The readiness check goes straight to loopback: an http_proxy in the
    environment (here one that refuses every connection) does not stop `start`
    from announcing the endpoint."""
    unreachable = "http://127.0.0.1:9"
    env = {"http_proxy": unreachable, "HTTP_PROXY": unreachable, "no_proxy": "", "NO_PROXY": ""}
    with open(tmp_path / "server.log", "wb") as log:
        server = Server(log=log, env=env)
        assert server.stop() == (0, "")
