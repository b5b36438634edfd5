"""Helpers for the tests: start the server, use its admin API, sign raw requests."""

import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

START = Path(__file__).resolve().parent.parent / "start"
LINE_PREFIX = "AWS_ENDPOINT_URL="


class Server:
    """`start` as a subprocess: what the lead's tests and CI do with it."""

    def __init__(self, *args: str, log: IO[bytes], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [str(START), *args],
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, **(env or {})},
            text=True,
        )
        # The first start on a machine builds the venv: allow for it.
        self.first_line = _readline(self.process.stdout, timeout=300)
        if not self.first_line.startswith(LINE_PREFIX):
            self.stop()
            raise RuntimeError(f"start printed {self.first_line!r}; see {log.name}")
        self.endpoint = self.first_line.strip()[len(LINE_PREFIX) :]

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send the signal; return the exit code and whatever else was on stdout."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        rest, _ = self.process.communicate(timeout=20)
        return self.process.returncode, rest


def _readline(stream: IO[str], timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""


class Admin:
    """The /_local/ API."""

    def __init__(self, endpoint: str) -> None:
        self.url = f"{endpoint}/_local"

    def reset(self) -> None:
        requests.post(f"{self.url}/reset").raise_for_status()

    def calls(self) -> list[dict[str, str]]:
        return requests.get(f"{self.url}/calls").json()

    def clear_calls(self) -> None:
        requests.delete(f"{self.url}/calls").raise_for_status()

    def fault(self, **spec: Any) -> None:
        requests.post(f"{self.url}/faults", json=spec).raise_for_status()

    def faults(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/faults").json()

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/faults").raise_for_status()

    def edge_report(self, distribution_id: str, applied: list[str]) -> requests.Response:
        return requests.post(f"{self.url}/edge", json={"distribution_id": distribution_id, "applied": applied})

    def config(self, **settings: Any) -> dict[str, Any]:
        response = (
            requests.post(f"{self.url}/config", json=settings) if settings else requests.get(f"{self.url}/config")
        )
        response.raise_for_status()
        return response.json()


def signed(
    method: str,
    url: str,
    service: str,
    body: str = "",
    headers: dict[str, str] | None = None,
    region: str = "us-east-1",
) -> requests.Response:
    """A SigV4-signed request, for looking at raw bodies and old protocols."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials("test", "test"), service, region).add_auth(request)
    return requests.request(method, url, data=body, headers=dict(request.headers))
