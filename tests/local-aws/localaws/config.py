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

    @property
    def invalidation_seconds(self) -> float:
        with self._lock:
            return self._invalidation_seconds

    def as_json(self) -> dict[str, float]:
        return {"invalidation_seconds": self.invalidation_seconds}

    def update(self, data: object) -> None:
        if not isinstance(data, dict) or set(data) - {"invalidation_seconds"}:
            raise ValueError('expected {"invalidation_seconds": SECONDS}')
        if "invalidation_seconds" in data:
            seconds = data["invalidation_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise ValueError("invalidation_seconds must be a number >= 0")
            with self._lock:
                self._invalidation_seconds = float(seconds)

    def restore_defaults(self) -> None:
        with self._lock:
            self._invalidation_seconds = self._default_invalidation_seconds


config = Config()
