"""The WSGI application: admin endpoints, call log and faults in front of moto."""

import threading
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.http import HTTP_STATUS_CODES

from .admin import PREFIX, Admin
from .errors import render
from .faults import CallLog, Faults
from .operations import identify

# The services whose patches read, check and then write moto's state: IfMatch
# and the quotas (cloudfront/), the token and pending-rotation checks
# (secretsmanager.py). Their calls run one at a time, so the check and the
# write are atomic, as on AWS, even when a test races two clients. No other
# service is serialized: SQS ReceiveMessage with WaitTimeSeconds sleeps inside
# moto, and holding a lock there would stall every other call, including the
# SendMessage (or the PutObject that notifies) that would wake it.
SERIALIZED_SERVICES = frozenset({"cloudfront", "secretsmanager"})


class LocalAws:
    def __init__(self) -> None:
        self.moto_lock = threading.Lock()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.calls = CallLog()
        self.faults = Faults()
        self.admin = Admin(self.calls, self.faults, self.moto_lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self.admin(environ, start_response)
        if path.startswith("/moto-api/"):  # moto's own admin API: not an AWS call
            with self.moto_lock:
                return self.moto(environ, start_response)

        operation = identify(environ)
        self.calls.record(operation)
        fault = self.faults.take(operation)
        if fault:
            self.faults.wait_out(fault)
            if fault.error:
                status, headers, body = render(operation.protocol, fault.error, fault.message, fault.status)
                headers.append(("Content-Length", str(len(body))))
                start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'Error')}", headers)
                return [body]
        if operation.service in SERIALIZED_SERVICES:
            with self.moto_lock:
                return self.moto(environ, start_response)
        return self.moto(environ, start_response)
