"""Edges that follow a distribution: the local edge (tests/local-edge) reports
each invalidation it has applied to its cache, as CloudFront's edges do before
an invalidation is Completed.

While an edge reports for a distribution (POST /_local/edge at least every
`edge_silence_seconds`), an invalidation of it stays InProgress until that
edge applied it, however long `invalidation_seconds` is: a viewer who sees
Completed never gets the purged object from that edge again. An edge that has
gone silent holds nothing back, so a stopped edge never blocks an invalidation.
"""

import threading
import time

from .config import config


class Edges:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_report: dict[str, float] = {}
        self._applied: dict[str, set[str]] = {}

    def report(self, distribution_id: str, applied: list[str]) -> None:
        with self._lock:
            self._last_report[distribution_id] = time.monotonic()
            self._applied.setdefault(distribution_id, set()).update(applied)

    def holds(self, distribution_id: str, invalidation_id: str) -> bool:
        """True while an edge follows the distribution and has not applied the invalidation."""
        with self._lock:
            last = self._last_report.get(distribution_id)
            if last is None or time.monotonic() - last > config.edge_silence_seconds:
                return False
            return invalidation_id not in self._applied.get(distribution_id, set())

    def clear(self) -> None:
        with self._lock:
            self._last_report.clear()
            self._applied.clear()


edges = Edges()
