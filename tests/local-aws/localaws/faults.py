"""The call log and the injected faults: what tests read and arm over /_local/."""

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from .operations import Operation


# Enough for any one test's workflow; a server left running for days (make
# local) must not grow without end.
MAX_CALLS_KEPT = 10_000


class CallLog:
    """The AWS calls received, in order, including the ones a fault failed (a
    test can count an SDK's retries): the last `limit` of them."""

    def __init__(self, limit: int = MAX_CALLS_KEPT) -> None:
        self._lock = threading.Lock()
        self._calls: deque[dict[str, str]] = deque(maxlen=limit)

    def record(self, operation: Operation) -> None:
        with self._lock:
            self._calls.append(operation.as_record())

    def list(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


# The optional fields' JSON types (error may also be null: no error, a delay only).
_FIELD_TYPES = {"count": int, "skip": int, "error": str, "status": int, "message": str, "delay_ms": int}


@dataclass
class Fault:
    service: str
    action: str
    count: int = 1  # how many calls it applies to
    skip: int = 0  # matching calls let through untouched before it applies
    error: str | None = None  # AWS error code; None: only delay
    status: int = 400
    message: str = ""
    delay_ms: int = 0

    @classmethod
    def from_json(cls, data: Any) -> "Fault":
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        if not (isinstance(data.get("service"), str) and isinstance(data.get("action"), str)):
            raise ValueError("service and action are required strings")
        # Checked now: a wrong type armed would only break the call it hits.
        for name, kind in _FIELD_TYPES.items():
            if name not in data or (name == "error" and data[name] is None):
                continue
            if isinstance(data[name], bool) or not isinstance(data[name], kind):
                raise ValueError(f"{name} must be {'a string' if kind is str else 'an integer'}")
        fault = cls(**data)
        if fault.count < 1 or fault.skip < 0 or fault.delay_ms < 0:
            raise ValueError("count must be >= 1, skip and delay_ms >= 0")
        if fault.error is None and fault.delay_ms == 0:
            raise ValueError("a fault needs an error, a delay_ms, or both")
        if not 400 <= fault.status <= 599:
            raise ValueError("status must be an HTTP error status")
        return fault

    def matches(self, operation: Operation) -> bool:
        return (self.service, self.action) == (operation.service, operation.action)


class Faults:
    """Faults armed by tests, consumed by the calls they match, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Fault] = []
        # Set by clear(): a delayed call waits for its delay or for this,
        # whichever comes first, so a test can hold a call for as long as it
        # needs and release it when it is ready (DELETE /_local/faults).
        self._released = threading.Event()

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._released.clear()
            self._armed.append(fault)

    def wait_out(self, fault: Fault) -> None:
        """A fault's delay, cut short when the faults are cleared."""
        self._released.wait(fault.delay_ms / 1000)

    def take(self, operation: Operation) -> Fault | None:
        """The fault to apply to this call, if any, counting it as used."""
        with self._lock:
            fault = next((f for f in self._armed if f.matches(operation)), None)
            if fault is None:
                return None
            if fault.skip:
                fault.skip -= 1
                return None
            fault.count -= 1
            if fault.count == 0:
                self._armed.remove(fault)
            return fault

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._armed]

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
            self._released.set()
