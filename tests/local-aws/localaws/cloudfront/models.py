"""Public keys, key groups and invalidations as AWS describes them.

They replace moto's classes of the same names, which lack comments,
LastModifiedTime, changing ETags and a status that moves with time. moto's
serializer reads the API's fields from these attributes (Id <- id, ...).
"""

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.cloudfront.models import random_id

from ..edges import edges
from .etags import new_etag

API = "https://cloudfront.amazonaws.com/2020-05-31"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class PublicKey:
    caller_reference: str
    name: str
    encoded_key: str
    comment: str
    id: str = field(default_factory=lambda: "K" + random_id(length=13))
    created_time: datetime = field(default_factory=_now)
    etag: str = field(default_factory=new_etag)

    @property
    def location(self) -> str:
        return f"{API}/public-key/{self.id}"

    @property
    def public_key_config(self) -> dict[str, str]:
        return {
            "CallerReference": self.caller_reference,
            "Name": self.name,
            "EncodedKey": self.encoded_key,
            "Comment": self.comment,
        }


@dataclass
class KeyGroup:
    name: str
    items: list[str]
    comment: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    last_modified_time: datetime = field(default_factory=_now)
    etag: str = field(default_factory=new_etag)

    @property
    def location(self) -> str:
        return f"{API}/key-group/{self.id}"

    @property
    def key_group_config(self) -> dict[str, Any]:
        return {"Name": self.name, "Items": self.items, "Comment": self.comment}

    def replace_config(self, name: str, items: list[str], comment: str) -> None:
        self.name, self.items, self.comment = name, items, comment
        self.last_modified_time = _now()
        self.etag = new_etag()


@dataclass
class Invalidation:
    distribution_id: str
    caller_reference: str
    paths: list[str]
    in_progress_seconds: float
    id: str = field(default_factory=lambda: "I" + random_id(length=13))
    create_time: datetime = field(default_factory=_now)
    _started: float = field(default_factory=time.monotonic)

    @property
    def status(self) -> str:
        elapsed = time.monotonic() - self._started
        waiting = elapsed < self.in_progress_seconds or edges.holds(self.distribution_id, self.id)
        return "InProgress" if waiting else "Completed"

    @property
    def location(self) -> str:
        return f"{API}/distribution/{self.distribution_id}/invalidation/{self.id}"

    @property
    def invalidation_batch(self) -> dict[str, Any]:
        return {
            "Paths": {"Quantity": len(self.paths), "Items": self.paths},
            "CallerReference": self.caller_reference,
        }
