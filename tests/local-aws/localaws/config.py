"""Server settings a test may change at run time (POST /_local/config).

POST /_local/reset puts them back to the values the server started with, so
that a test never sees a setting an earlier test changed.
"""

import os
import threading


class Config:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # AWS takes minutes to complete an invalidation; tests want seconds.
        self._default_invalidation_seconds = float(os.environ.get("LOCAL_AWS_INVALIDATION_SECONDS", "2"))
        self._invalidation_seconds = self._default_invalidation_seconds
        # How long an edge may stay silent before its invalidations stop waiting for it (edges.py).
        self._default_edge_silence_seconds = 5.0
        self._edge_silence_seconds = self._default_edge_silence_seconds

    @property
    def invalidation_seconds(self) -> float:
        with self._lock:
            return self._invalidation_seconds

    @property
    def edge_silence_seconds(self) -> float:
        with self._lock:
            return self._edge_silence_seconds

    def as_json(self) -> dict[str, float]:
        return {"invalidation_seconds": self.invalidation_seconds, "edge_silence_seconds": self.edge_silence_seconds}

    def update(self, data: object) -> None:
        names = {"invalidation_seconds", "edge_silence_seconds"}
        if not isinstance(data, dict) or set(data) - names:
            raise ValueError('expected {"invalidation_seconds": SECONDS, "edge_silence_seconds": SECONDS}, either or both')
        for name in names & set(data):
            seconds = data[name]
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise ValueError(f"{name} must be a number >= 0")
        with self._lock:
            if "invalidation_seconds" in data:
                self._invalidation_seconds = float(data["invalidation_seconds"])
            if "edge_silence_seconds" in data:
                self._edge_silence_seconds = float(data["edge_silence_seconds"])

    def restore_defaults(self) -> None:
        with self._lock:
            self._invalidation_seconds = self._default_invalidation_seconds
            self._edge_silence_seconds = self._default_edge_silence_seconds


config = Config()
