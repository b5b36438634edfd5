"""S3 event notifications in AWS's shape.

moto's records lack userIdentity, requestParameters, responseElements, the
bucket's ownerIdentity and the object's sequencer, and its keys have every `/`
encoded as %2F. AWS form-encodes the key (a space as `+`, a literal `+` as
%2B, non-ASCII as %XX of UTF-8) but leaves `/` as it is; the invalidator and
any other consumer of these notifications reads AWS's shape.

Importing this module installs the patch.
"""

import itertools
import time
from typing import Any
from urllib.parse import quote_plus

from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.s3 import notifications

# Per key, S3's sequencer grows with each event; one counter for all keys does too.
_sequence = itertools.count(int(time.time() * 1000) << 16)


def _get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, list[dict[str, Any]]]:
    removed = event_name.startswith("s3:ObjectRemoved")
    obj: dict[str, Any] = {"key": quote_plus(key.name, safe="/"), "sequencer": f"{next(_sequence):016X}"}
    if not removed:
        obj.update({"size": key.size, "eTag": key.etag.replace('"', "")})
    if getattr(key, "version_id", None) and key.version_id != "null":
        obj["versionId"] = key.version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": bucket.region_name,
                "eventTime": iso_8601_datetime_with_milliseconds(),
                "eventName": event_name[len("s3:"):],
                "userIdentity": {"principalId": "AWS:AIDALOCALAWSEXAMPLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {"x-amz-request-id": "LOCALAWS00000000", "x-amz-id-2": "localaws"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": notification_id,
                    "bucket": {
                        "name": bucket.name,
                        "ownerIdentity": {"principalId": "LOCALAWSOWNER"},
                        "arn": bucket.arn,
                    },
                    "object": obj,
                },
            }
        ]
    }


notifications._get_s3_event = _get_s3_event
