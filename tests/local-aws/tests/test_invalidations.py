"""CloudFront invalidations (CreateInvalidation, GetInvalidation,
ListInvalidations) as the API reference and the developer guide have them."""

import time

import pytest
import requests
from botocore.exceptions import ClientError
from cloudfront_helpers import aws_error, create_distribution


@pytest.fixture
def dist_id(cloudfront):
    return create_distribution(cloudfront, "site", [])[0]


def invalidate(cloudfront, dist_id, paths, reference):
    return cloudfront.create_invalidation(
        DistributionId=dist_id,
        InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference},
    )


def wait_until_completed(cloudfront, dist_id, invalidation_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            cloudfront.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["Status"]
            == "Completed"
        ):
            return
        time.sleep(0.1)
    raise AssertionError(f"invalidation {invalidation_id} still in progress after {timeout}s")


def late(started, seconds):
    """True once `seconds` have passed since `started`. The server times
    invalidations and edges on this same clock (the machine's monotonic one),
    from a moment after `started`: whatever was read before late() is true was
    read while a state lasting `seconds` from that moment still held. A
    machine slow enough to make it true cannot show that state."""
    return time.monotonic() - started >= seconds


def hold_with_an_edge(admin, dist_id):
    """An edge that follows `dist_id` for the rest of the test: each of its
    invalidations stays InProgress until admin.edge_report says it was applied,
    so the test, not the machine's speed, decides when one completes."""
    admin.config(invalidation_seconds=0, edge_silence_seconds=600)
    assert admin.edge_report(dist_id, []).status_code == 204


def test_an_invalidation_is_in_progress_for_a_while_then_completed(cloudfront, admin, dist_id):
    """A new invalidation is InProgress (and counts in the distribution's
    InProgressInvalidationBatches) until CloudFront has processed it, then
    Completed. Here the while is set through the admin API."""
    seconds = 2
    admin.config(invalidation_seconds=seconds)
    started = time.monotonic()
    created = invalidate(cloudfront, dist_id, ["/a.jpg"], "ref-1")
    in_progress_batches = cloudfront.get_distribution(Id=dist_id)["Distribution"]["InProgressInvalidationBatches"]
    too_slow = late(started, seconds)
    invalidation = created["Invalidation"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["Location"].endswith(f"/distribution/{dist_id}/invalidation/{invalidation['Id']}")
    assert invalidation["InvalidationBatch"] == {
        "Paths": {"Quantity": 1, "Items": ["/a.jpg"]},
        "CallerReference": "ref-1",
    }
    if not too_slow:
        assert invalidation["Status"] == "InProgress"
        assert in_progress_batches == 1

    wait_until_completed(cloudfront, dist_id, invalidation["Id"])
    # Not before its `seconds`, which began after `started`: true on any machine.
    assert time.monotonic() - started >= seconds
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["InProgressInvalidationBatches"] == 0
    [summary] = cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Items"]
    assert (summary["Id"], summary["Status"]) == (invalidation["Id"], "Completed")
    if too_slow:
        pytest.skip(f"creating and reading the invalidation took over {seconds} s: its InProgress was not seen")


def status(cloudfront, dist_id, invalidation_id):
    return cloudfront.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["Status"]


def test_an_edge_that_follows_the_distribution_holds_its_invalidations_until_applied(cloudfront, admin, dist_id):
    """While the local edge reports for a distribution, an invalidation is
    Completed only once that edge applied it, past invalidation_seconds too
    (0 here: past at once)."""
    hold_with_an_edge(admin, dist_id)
    held = invalidate(cloudfront, dist_id, ["/a.jpg"], "ref-held")["Invalidation"]["Id"]
    other = invalidate(cloudfront, dist_id, ["/b.jpg"], "ref-other")["Invalidation"]["Id"]
    assert status(cloudfront, dist_id, held) == status(cloudfront, dist_id, other) == "InProgress"
    admin.edge_report(dist_id, [held])
    assert status(cloudfront, dist_id, held) == "Completed"
    assert status(cloudfront, dist_id, other) == "InProgress"
    assert cloudfront.get_distribution(Id=dist_id)["Distribution"]["InProgressInvalidationBatches"] == 1


def test_a_silent_edge_holds_nothing_back(cloudfront, admin, dist_id):
    """An edge that stopped reporting (for edge_silence_seconds) no longer
    holds invalidations: a stopped edge never blocks one for ever."""
    silence = 1
    admin.config(invalidation_seconds=0, edge_silence_seconds=silence)
    started = time.monotonic()
    admin.edge_report(dist_id, [])
    invalidation = invalidate(cloudfront, dist_id, ["/a.jpg"], "ref-silent")["Invalidation"]["Id"]
    held = status(cloudfront, dist_id, invalidation)
    too_slow = late(started, silence)
    if not too_slow:
        assert held == "InProgress"
    wait_until_completed(cloudfront, dist_id, invalidation)
    # Not before the edge had been silent `silence` seconds, from its report after `started`.
    assert time.monotonic() - started >= silence
    # Reports for one distribution hold nothing of another.
    other_dist = create_distribution(cloudfront, "other", [])[0]
    admin.edge_report(dist_id, [])
    free = invalidate(cloudfront, other_dist, ["/a.jpg"], "ref-free")["Invalidation"]["Id"]
    assert status(cloudfront, other_dist, free) == "Completed"
    if too_slow:
        pytest.skip(f"reporting and reading took over {silence} s: the edge's hold was not seen")


@pytest.mark.parametrize(
    "report",
    [{}, {"distribution_id": "E1"}, {"distribution_id": 1, "applied": []}, {"distribution_id": "E1", "applied": "I1"},
     {"distribution_id": "E1", "applied": [], "extra": 1}],
)
def test_edge_reports_are_checked(admin, report):
    response = requests.post(f"{admin.url}/edge", json=report)
    assert response.status_code == 400, response.text
    assert "distribution_id" in response.json()["error"]


def test_same_caller_reference_and_paths_returns_the_existing_invalidation(cloudfront, dist_id):
    """A request with a CallerReference already used, and the same paths, is a
    retry: CloudFront returns the invalidation it created (201, same Id) and
    creates no other."""
    first = invalidate(cloudfront, dist_id, ["/a.jpg", "/b/*"], "s3-event-1")
    again = invalidate(cloudfront, dist_id, ["/b/*", "/a.jpg"], "s3-event-1")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert again["Invalidation"]["Id"] == first["Invalidation"]["Id"]
    assert cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Quantity"] == 1


def test_same_caller_reference_with_other_paths_is_rejected(cloudfront, dist_id):
    """A CallerReference already used with different paths is
    InvalidationBatchAlreadyExists (400)."""
    invalidate(cloudfront, dist_id, ["/a.jpg"], "s3-event-1")
    with pytest.raises(ClientError) as error:
        invalidate(cloudfront, dist_id, ["/b.jpg"], "s3-event-1")
    assert aws_error(error) == ("InvalidationBatchAlreadyExists", 400)


@pytest.mark.parametrize(
    "paths",
    [
        pytest.param(["/ok.jpg", "a.jpg"], id="relative"),
        pytest.param(["/ok.jpg", "*"], id="bare-wildcard"),
        pytest.param(["%2Fa.jpg"], id="encoded-slash"),
        pytest.param(["/" + "a" * 4000], id="longer-than-4000"),
        pytest.param([], id="no-path"),
    ],
)
def test_paths_must_be_valid(cloudfront, dist_id, paths):
    """Invalidation paths start with / and are at most 4,000 characters long,
    and a batch has at least one: InvalidArgument (400) otherwise."""
    with pytest.raises(ClientError) as error:
        invalidate(cloudfront, dist_id, paths, "ref")
    assert aws_error(error) == ("InvalidArgument", 400)
    assert cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Quantity"] == 0


def test_at_most_3000_file_paths_in_progress_per_distribution(cloudfront, admin, dist_id):
    """At most 3,000 individual file paths may be in progress per distribution;
    past it TooManyInvalidationsInProgress (400) until some complete.
    Wildcard paths are counted separately."""
    hold_with_an_edge(admin, dist_id)
    invalidate(cloudfront, dist_id, [f"/img/{n}.jpg" for n in range(2000)], "batch-1")
    first = invalidate(cloudfront, dist_id, [f"/css/{n}.css" for n in range(1000)], "batch-2")
    with pytest.raises(ClientError) as error:
        invalidate(cloudfront, dist_id, ["/one-more.jpg"], "batch-3")
    assert aws_error(error) == ("TooManyInvalidationsInProgress", 400)
    invalidate(cloudfront, dist_id, ["/wildcards/count/apart/*"], "batch-4")

    admin.edge_report(dist_id, [first["Invalidation"]["Id"]])
    assert status(cloudfront, dist_id, first["Invalidation"]["Id"]) == "Completed"
    invalidate(cloudfront, dist_id, ["/one-more.jpg"], "batch-3")


@pytest.mark.parametrize(
    "paths",
    [[f"/img/{n}.jpg" for n in range(3001)], [f"/dir{n}/*" for n in range(16)]],
    ids=["3001 file paths", "16 wildcard paths"],
)
def test_a_batch_over_the_limits_on_its_own_is_batch_too_large(cloudfront, dist_id, paths):
    """One batch with more than 3,000 file paths or more than 15 wildcard
    paths can never be in progress: BatchTooLarge (413), and nothing is
    created. A batch of exactly 3,000 file paths and 15 wildcards is accepted."""
    with pytest.raises(ClientError) as error:
        invalidate(cloudfront, dist_id, paths, "too-large")
    assert aws_error(error) == ("BatchTooLarge", 413)
    assert cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Quantity"] == 0
    at_limit = [f"/img/{n}.jpg" for n in range(3000)] + [f"/dir{n}/*" for n in range(15)]
    invalidate(cloudfront, dist_id, at_limit, "at-limit")


def test_a_quantity_unlike_the_number_of_items_is_inconsistent_quantities(cloudfront, dist_id):
    """Paths.Quantity must be the number of Paths.Items: otherwise
    InconsistentQuantities (400), and nothing is created."""
    with pytest.raises(ClientError) as error:
        cloudfront.create_invalidation(
            DistributionId=dist_id,
            InvalidationBatch={"Paths": {"Quantity": 2, "Items": ["/a.jpg"]}, "CallerReference": "ref"},
        )
    assert aws_error(error) == ("InconsistentQuantities", 400)
    assert cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Quantity"] == 0


def test_at_most_15_wildcard_paths_in_progress_per_distribution(cloudfront, admin, dist_id):
    """At most 15 wildcard paths (ending in *) may be in progress per
    distribution; the 16th is TooManyInvalidationsInProgress (400) while file
    paths are still accepted."""
    admin.config(invalidation_seconds=600)
    invalidate(cloudfront, dist_id, [f"/dir{n}/*" for n in range(14)], "batch-1")
    invalidate(cloudfront, dist_id, ["/last/*", "/file.jpg"], "batch-2")
    with pytest.raises(ClientError) as error:
        invalidate(cloudfront, dist_id, ["/sixteenth/*"], "batch-3")
    assert aws_error(error) == ("TooManyInvalidationsInProgress", 400)
    invalidate(cloudfront, dist_id, ["/file2.jpg"], "batch-4")


def test_limits_are_per_distribution(cloudfront, admin, dist_id):
    """The in-progress limits count one distribution's invalidations only:
    each of two distributions takes its 15 wildcard paths, and each refuses a
    16th (a server with no limit, or one shared, fails here)."""
    admin.config(invalidation_seconds=600)
    other_id = create_distribution(cloudfront, "other-site", [])[0]
    for distribution in (dist_id, other_id):
        invalidate(cloudfront, distribution, [f"/dir{n}/*" for n in range(15)], "batch-1")
    for distribution in (dist_id, other_id):
        with pytest.raises(ClientError) as error:
            invalidate(cloudfront, distribution, ["/sixteenth/*"], "batch-2")
        assert aws_error(error) == ("TooManyInvalidationsInProgress", 400)


def test_unknown_distribution_or_invalidation(cloudfront, dist_id):
    """CreateInvalidation, ListInvalidations and GetInvalidation on a
    distribution that does not exist are NoSuchDistribution (404); an unknown
    invalidation id is NoSuchInvalidation (404)."""
    for call in (
        lambda: invalidate(cloudfront, "E000000000000X", ["/a"], "ref"),
        lambda: cloudfront.list_invalidations(DistributionId="E000000000000X"),
        lambda: cloudfront.get_invalidation(DistributionId="E000000000000X", Id="I000000000000X"),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert aws_error(error) == ("NoSuchDistribution", 404)
    with pytest.raises(ClientError) as error:
        cloudfront.get_invalidation(DistributionId=dist_id, Id="I000000000000X")
    assert aws_error(error) == ("NoSuchInvalidation", 404)


def test_list_invalidations_lists_every_invalidation_of_the_distribution(cloudfront, admin, dist_id):
    """ListInvalidations summarizes (Id, CreateTime, Status) the distribution's invalidations."""
    admin.config(invalidation_seconds=600)  # all still InProgress when listed, however slow the machine
    ids = {invalidate(cloudfront, dist_id, [f"/{n}"], f"ref-{n}")["Invalidation"]["Id"] for n in range(3)}
    listed = cloudfront.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert listed["Quantity"] == 3
    assert {item["Id"] for item in listed["Items"]} == ids
    assert all(item["Status"] == "InProgress" and item["CreateTime"] for item in listed["Items"])
