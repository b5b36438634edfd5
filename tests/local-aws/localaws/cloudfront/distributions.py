"""Distributions: moto's model, with IfMatch enforced, an ETag that changes on
every update (also of a key group the distribution trusts), trusted key groups
that must exist, and InProgressInvalidationBatches that counts.
"""

from typing import Any

from moto.cloudfront.models import CloudFrontBackend, Distribution

from ..patching import extend
from .errors import CloudFrontError, no_such_distribution
from .etags import check_if_match, new_etag

_moto_create = CloudFrontBackend.create_distribution_with_tags
_moto_get = CloudFrontBackend.get_distribution
_moto_update = CloudFrontBackend.update_distribution
_moto_delete = CloudFrontBackend.delete_distribution


def _trusted_key_group_ids(config: dict[str, Any]) -> set[str]:
    """Key groups named in a DistributionConfig as the API sends it (before
    moto turns its behaviors into objects)."""
    behaviors = [config.get("DefaultCacheBehavior") or {}]
    behaviors += (config.get("CacheBehaviors") or {}).get("Items") or []
    return {group_id for b in behaviors for group_id in (b.get("TrustedKeyGroups") or {}).get("Items") or []}


def _check_key_groups_exist(backend: CloudFrontBackend, group_ids: set[str]) -> None:
    missing = sorted(group_ids - backend.key_groups.keys())
    if missing:
        raise CloudFrontError(
            "TrustedKeyGroupDoesNotExist", f"The specified key groups do not exist: {', '.join(missing)}"
        )


def distributions_trusting(backend: CloudFrontBackend, group_id: str) -> list[Distribution]:
    return [d for d in backend.distributions.values() if group_id in d.trusted_key_group_ids]


def _existing(backend: CloudFrontBackend, distribution_id: str) -> Distribution:
    if distribution_id not in backend.distributions:
        raise no_such_distribution(distribution_id)
    return backend.distributions[distribution_id]


@extend(CloudFrontBackend)
def create_distribution_with_tags(
    self: CloudFrontBackend, distribution_config: dict[str, Any], tags: list[dict[str, str]]
) -> tuple[Distribution, str, str]:
    group_ids = _trusted_key_group_ids(distribution_config)
    _check_key_groups_exist(self, group_ids)
    distribution, location, etag = _moto_create(self, distribution_config, tags)
    distribution.trusted_key_group_ids = group_ids
    return distribution, location, etag


@extend(CloudFrontBackend)
def get_distribution(self: CloudFrontBackend, distribution_id: str) -> tuple[Distribution, str]:
    distribution, etag = _moto_get(self, distribution_id)
    distribution.in_progress_invalidation_batches = sum(
        1 for i in self.invalidations.get(distribution_id, []) if i.status == "InProgress"
    )
    return distribution, etag


@extend(CloudFrontBackend)
def update_distribution(
    self: CloudFrontBackend, dist_config: dict[str, Any], _id: str, if_match: str | None
) -> tuple[Distribution, str, str]:
    distribution = _existing(self, _id)
    check_if_match(distribution.etag, if_match)
    group_ids = _trusted_key_group_ids(dist_config)
    _check_key_groups_exist(self, group_ids)
    _moto_update(self, dist_config, _id, if_match)
    distribution.trusted_key_group_ids = group_ids
    distribution.etag = new_etag()
    return distribution, distribution.location, distribution.etag


@extend(CloudFrontBackend)
def delete_distribution(self: CloudFrontBackend, distribution_id: str, if_match: str | None) -> None:
    check_if_match(_existing(self, distribution_id).etag, if_match)
    _moto_delete(self, distribution_id, if_match)
    self.invalidations.pop(distribution_id, None)
