"""Invalidations: CallerReference idempotence, paths that start with /, the
per-distribution limits on paths in progress (and on one batch), and
InProgress for a while.

moto creates a new invalidation for a reused CallerReference, completes it at
once and has no limits.
"""

from moto.cloudfront.models import CloudFrontBackend

from ..config import config
from ..patching import extend
from .errors import CloudFrontError, invalid_argument, no_such_distribution
from .models import Invalidation

MAX_FILE_PATHS_IN_PROGRESS = 3000
MAX_WILDCARD_PATHS_IN_PROGRESS = 15
MAX_PATH_LENGTH = 4000


def _is_wildcard(path: str) -> bool:
    return path.endswith("*")


def _validate_paths(paths: list[str]) -> None:
    if not paths:
        raise invalid_argument("An invalidation batch must contain at least one path.")
    for path in paths:
        if not path.startswith("/"):
            raise invalid_argument(f"Your request contains one or more invalid invalidation paths: {path}")
        if len(path) > MAX_PATH_LENGTH:
            raise invalid_argument(f"A path can be at most {MAX_PATH_LENGTH} characters long.")


def _count(paths: list[str]) -> tuple[int, int]:
    """(file paths, wildcard paths): the limits count them separately."""
    wildcards = sum(1 for p in paths if _is_wildcard(p))
    return len(paths) - wildcards, wildcards


def _over_limits(files: int, wildcards: int) -> bool:
    return files > MAX_FILE_PATHS_IN_PROGRESS or wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS


def _check_batch_size(paths: list[str]) -> None:
    """A batch that would exceed the in-progress limits on its own can never
    be accepted, however long the caller waits: BatchTooLarge (413, the
    status botocore's CloudFront model gives it), not the retryable
    TooManyInvalidationsInProgress."""
    files, wildcards = _count(paths)
    if _over_limits(files, wildcards):
        raise CloudFrontError(
            "BatchTooLarge",
            f"An invalidation batch can hold at most {MAX_FILE_PATHS_IN_PROGRESS} file paths and "
            f"{MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths, not {files} and {wildcards}.",
        )


def _check_limits(in_progress: list[Invalidation], paths: list[str]) -> None:
    """File paths and wildcard paths are counted separately, over every
    invalidation of the distribution still in progress plus this one."""
    files, wildcards = _count([p for i in in_progress for p in i.paths] + paths)
    if _over_limits(files, wildcards):
        raise CloudFrontError(
            "TooManyInvalidationsInProgress",
            "Processing your request would cause the maximum number of in-progress invalidations "
            f"({MAX_FILE_PATHS_IN_PROGRESS} file paths, {MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths) "
            f"to be exceeded: {files} file paths and {wildcards} wildcard paths.",
        )


@extend(CloudFrontBackend)
def create_invalidation(self: CloudFrontBackend, dist_id: str, paths: list[str], caller_ref: str) -> Invalidation:
    if dist_id not in self.distributions:
        raise no_such_distribution(dist_id)
    _validate_paths(paths)
    _check_batch_size(paths)
    existing = self.invalidations.setdefault(dist_id, [])
    for invalidation in existing:
        if invalidation.caller_reference == caller_ref:
            # A retried request gets the invalidation it already created.
            if sorted(invalidation.paths) == sorted(paths):
                return invalidation
            raise CloudFrontError(
                "InvalidationBatchAlreadyExists",
                f"CallerReference {caller_ref} was already used for invalidation {invalidation.id} with other paths.",
            )
    _check_limits([i for i in existing if i.status == "InProgress"], paths)
    invalidation = Invalidation(dist_id, caller_ref, list(paths), config.invalidation_seconds)
    existing.append(invalidation)
    return invalidation


_moto_list_invalidations = CloudFrontBackend.list_invalidations


@extend(CloudFrontBackend)
def list_invalidations(
    self: CloudFrontBackend, dist_id: str, **pagination: object
) -> tuple[list[Invalidation], str | None]:
    # moto lists nothing, successfully, for an unknown distribution.
    if dist_id not in self.distributions:
        raise no_such_distribution(dist_id)
    return _moto_list_invalidations(self, dist_id=dist_id, **pagination)
