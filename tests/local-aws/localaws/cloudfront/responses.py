"""The CloudFront API handlers moto lacks or gets wrong for public keys, key
groups and invalidations: they read the request and call the backend methods
that hold the rules (public_keys.py, key_groups.py, invalidations.py). moto
serializes what they return from botocore's model.
"""

from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult

from ..patching import extend
from .errors import CloudFrontError


@extend(CloudFrontResponse)
def create_public_key(self: CloudFrontResponse) -> ActionResult:
    config = self._get_param("PublicKeyConfig")
    key = self.backend.create_public_key(
        caller_ref=config["CallerReference"],
        name=config["Name"],
        encoded_key=config["EncodedKey"],
        comment=config.get("Comment", ""),
    )
    return ActionResult({"PublicKey": key, "Location": key.location, "ETag": key.etag})


@extend(CloudFrontResponse)
def get_public_key_config(self: CloudFrontResponse) -> ActionResult:
    key = self.backend.get_public_key(self._get_param("Id"))
    return ActionResult({"PublicKeyConfig": key.public_key_config, "ETag": key.etag})


@extend(CloudFrontResponse)
def update_public_key(self: CloudFrontResponse) -> ActionResult:
    key = self.backend.update_public_key(
        self._get_param("Id"), self._get_param("PublicKeyConfig"), self._get_param("IfMatch")
    )
    return ActionResult({"PublicKey": key, "ETag": key.etag})


@extend(CloudFrontResponse)
def delete_public_key(self: CloudFrontResponse) -> EmptyResult:
    self.backend.delete_public_key(self._get_param("Id"), self._get_param("IfMatch"))
    return EmptyResult()


@extend(CloudFrontResponse)
def create_key_group(self: CloudFrontResponse) -> ActionResult:
    config = self._get_param("KeyGroupConfig", {})
    group = self.backend.create_key_group(config.get("Name", ""), config.get("Items") or [], config.get("Comment", ""))
    return ActionResult({"KeyGroup": group, "Location": group.location, "ETag": group.etag})


@extend(CloudFrontResponse)
def get_key_group_config(self: CloudFrontResponse) -> ActionResult:
    group = self.backend.get_key_group(self._get_param("Id"))
    return ActionResult({"KeyGroupConfig": group.key_group_config, "ETag": group.etag})


@extend(CloudFrontResponse)
def update_key_group(self: CloudFrontResponse) -> ActionResult:
    group = self.backend.update_key_group(
        self._get_param("Id"), self._get_param("KeyGroupConfig", {}), self._get_param("IfMatch")
    )
    return ActionResult({"KeyGroup": group, "ETag": group.etag})


@extend(CloudFrontResponse)
def delete_key_group(self: CloudFrontResponse) -> EmptyResult:
    self.backend.delete_key_group(self._get_param("Id"), self._get_param("IfMatch"))
    return EmptyResult()


@extend(CloudFrontResponse)
def create_invalidation(self: CloudFrontResponse) -> ActionResult:
    """moto ignored Paths.Quantity; AWS refuses one that is not len(Items)."""
    batch = self._get_param("InvalidationBatch", {})
    paths = batch.get("Paths") or {}
    items = paths.get("Items") or []
    if str(paths.get("Quantity")) != str(len(items)):
        raise CloudFrontError(
            "InconsistentQuantities",
            f"Paths.Quantity is {paths.get('Quantity')} but Paths.Items holds {len(items)} paths.",
        )
    invalidation = self.backend.create_invalidation(
        self._get_param("DistributionId"), items, batch.get("CallerReference")
    )
    return ActionResult({"Invalidation": invalidation, "Location": invalidation.location})
