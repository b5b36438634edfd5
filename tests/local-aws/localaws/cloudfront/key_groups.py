"""CloudFront key groups: UpdateKeyGroup, DeleteKeyGroup, GetKeyGroupConfig,
quotas, ETags and IfMatch (moto has only create, get and list).

A key group's config is replaced whole (read-modify-write with IfMatch), and
changing a group changes the ETag of every distribution that trusts it.
"""

from moto.cloudfront.models import CloudFrontBackend

from ..patching import extend
from .distributions import distributions_trusting
from .errors import CloudFrontError, invalid_argument, no_such_key_group
from .etags import check_if_match, new_etag
from .models import KeyGroup

MAX_PUBLIC_KEYS_PER_KEY_GROUP = 5
MAX_KEY_GROUPS_PER_ACCOUNT = 10


def _validate_config(backend: CloudFrontBackend, name: str, items: list[str], group_id: str | None = None) -> None:
    if not items:
        raise invalid_argument("A key group must contain at least one public key.")
    if len(items) > MAX_PUBLIC_KEYS_PER_KEY_GROUP:
        raise CloudFrontError(
            "TooManyPublicKeysInKeyGroup",
            f"A key group can contain at most {MAX_PUBLIC_KEYS_PER_KEY_GROUP} public keys, not {len(items)}.",
        )
    unknown = [key_id for key_id in items if key_id not in backend.public_keys]
    if unknown:
        raise invalid_argument(f"The public keys {', '.join(unknown)} do not exist.")
    if any(g.name == name and g.id != group_id for g in backend.key_groups.values()):
        raise CloudFrontError("KeyGroupAlreadyExists", f"A key group named {name} already exists.")


@extend(CloudFrontBackend)
def create_key_group(self: CloudFrontBackend, name: str, items: list[str], comment: str = "") -> KeyGroup:
    _validate_config(self, name, items)
    if len(self.key_groups) >= MAX_KEY_GROUPS_PER_ACCOUNT:
        raise CloudFrontError(
            "TooManyKeyGroups",
            f"The maximum number of key groups ({MAX_KEY_GROUPS_PER_ACCOUNT}) for this account has been reached.",
        )
    group = KeyGroup(name=name, items=list(items), comment=comment)
    self.key_groups[group.id] = group
    return group


@extend(CloudFrontBackend)
def get_key_group(self: CloudFrontBackend, group_id: str) -> KeyGroup:
    if group_id not in self.key_groups:
        raise no_such_key_group(group_id)
    return self.key_groups[group_id]


@extend(CloudFrontBackend)
def update_key_group(self: CloudFrontBackend, group_id: str, config: dict, if_match: str | None) -> KeyGroup:
    group = self.get_key_group(group_id)
    check_if_match(group.etag, if_match)
    name, items = config.get("Name", ""), config.get("Items") or []
    _validate_config(self, name, items, group_id)
    group.replace_config(name, list(items), config.get("Comment", ""))
    for distribution in distributions_trusting(self, group_id):
        distribution.etag = new_etag()
    return group


@extend(CloudFrontBackend)
def delete_key_group(self: CloudFrontBackend, group_id: str, if_match: str | None) -> None:
    group = self.get_key_group(group_id)
    check_if_match(group.etag, if_match)
    users = [d.id for d in distributions_trusting(self, group_id)]
    if users:
        raise CloudFrontError("ResourceInUse", f"The key group is referenced by distributions: {', '.join(users)}")
    del self.key_groups[group_id]
