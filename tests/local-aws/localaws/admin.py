"""The admin endpoints under /_local/ (documented in README.md)."""

import json
import threading
from collections.abc import Callable
from typing import Any

from moto.moto_api._internal import moto_api_backend
from werkzeug.wrappers import Request, Response

from .config import config
from .edges import edges
from .faults import CallLog, Fault, Faults

PREFIX = "/_local/"


class Admin:
    def __init__(self, calls: CallLog, faults: Faults, aws_lock: threading.Lock) -> None:
        self.calls = calls
        self.faults = faults
        self.aws_lock = aws_lock  # held while moto serves a call
        self.routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "calls"): lambda _: _json(self.calls.list()),
            ("DELETE", "calls"): self.clear_calls,
            ("GET", "faults"): lambda _: _json(self.faults.list()),
            ("POST", "faults"): self.arm_fault,
            ("DELETE", "faults"): self.clear_faults,
            ("POST", "reset"): self.reset,
            ("GET", "config"): lambda _: _json(config.as_json()),
            ("POST", "config"): self.update_config,
            ("POST", "edge"): self.edge_report,
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        name = request.path[len(PREFIX) :].strip("/")
        handler = self.routes.get((request.method, name))
        if handler is None:
            allowed = sorted(f"{m} {PREFIX}{n}" for m, n in self.routes)
            response = _json({"error": f"no such admin endpoint; try one of {allowed}"}, 404)
        else:
            try:
                response = handler(request)
            except (ValueError, TypeError) as error:
                response = _json({"error": str(error)}, 400)
        return response(environ, start_response)

    def clear_calls(self, _: Request) -> Response:
        self.calls.clear()
        return Response(status=204)

    def arm_fault(self, request: Request) -> Response:
        fault = Fault.from_json(_body(request))
        self.faults.arm(fault)
        return _json(self.faults.list(), 201)

    def clear_faults(self, _: Request) -> Response:
        self.faults.clear()
        return Response(status=204)

    def reset(self, _: Request) -> Response:
        # moto's reset drops every backend; our CloudFront and Secrets Manager
        # state lives on those backends, so it goes with them.
        with self.aws_lock:
            moto_api_backend.reset()
        self.faults.clear()
        self.calls.clear()
        config.restore_defaults()
        edges.clear()
        return Response(status=204)

    def edge_report(self, request: Request) -> Response:
        report = _body(request)
        if not isinstance(report, dict) or set(report) != {"distribution_id", "applied"}:
            raise ValueError('expected {"distribution_id": ID, "applied": [INVALIDATION_ID, ...]}')
        applied = report["applied"]
        if not isinstance(report["distribution_id"], str) or not isinstance(applied, list) or not all(
            isinstance(i, str) for i in applied
        ):
            raise ValueError("distribution_id is a string and applied a list of strings")
        edges.report(report["distribution_id"], applied)
        return Response(status=204)

    def update_config(self, request: Request) -> Response:
        config.update(_body(request))
        return _json(config.as_json())


def _body(request: Request) -> Any:
    try:
        return json.loads(request.get_data() or b"null")
    except json.JSONDecodeError as error:
        raise ValueError(f"body is not JSON: {error}") from error


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")
