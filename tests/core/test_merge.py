"""Reports side by side: mock coverage of parts and shards combined once, order kept."""

from __future__ import annotations

from driftcheck.core.merge import combine, combine_coverage
from driftcheck.core.model import (
    MATCHED_BY,
    CheckedMock,
    Location,
    MockCoverage,
    Report,
    UnmatchedMock,
)

USERS = "GET api.example.com/users/{id}"
ORDERS = "GET api.example.com/orders"
TEAMS = "GET api.example.com/teams"


def checked(line: int, endpoint: str = USERS, by: str = "url") -> CheckedMock:
    kind = {k: k for k in MATCHED_BY}[by]
    return CheckedMock(Location("tests/test_api.py", line), endpoint, 200, kind, "responses")


def unmatched(line: int, reason: str = "no recorded endpoint matches") -> UnmatchedMock:
    return UnmatchedMock(Location("tests/test_api.py", line), reason, "responses")


FIRST = MockCoverage(
    checked=(checked(10), checked(20, ORDERS)),
    unmatched=(unmatched(30), unmatched(40)),
    mocked_not_recorded=("GET api.example.com/health",),
    recorded_not_mocked=(TEAMS, "GET api.example.com/feed"),
)
SECOND = MockCoverage(
    checked=(checked(20, ORDERS), checked(50, TEAMS, "shape")),
    unmatched=(unmatched(40), unmatched(10), unmatched(60)),
    mocked_not_recorded=("GET api.example.com/ping", "GET api.example.com/health"),
    recorded_not_mocked=("GET api.example.com/feed",),
)


def test_overlapping_coverage_is_combined_once_in_first_seen_order() -> None:
    combined = combine_coverage([FIRST, SECOND])
    assert combined == MockCoverage(
        checked=(checked(10), checked(20, ORDERS), checked(50, TEAMS, "shape")),
        # line 10 is checked in the first part: a shard lacking its endpoint is not a reason
        unmatched=(unmatched(30), unmatched(40), unmatched(60)),
        mocked_not_recorded=("GET api.example.com/health", "GET api.example.com/ping"),
        # TEAMS is mocked in the second part
        recorded_not_mocked=("GET api.example.com/feed",),
    )


def test_combine_carries_coverage_through_reports() -> None:
    report = combine([Report((), 1, coverage=FIRST), Report((), 0), Report((), 1, coverage=SECOND)])
    assert report.coverage == combine_coverage([FIRST, SECOND])
    alone = combine([Report((), 0), Report((), 1, coverage=FIRST)])
    assert alone.coverage == FIRST


def test_a_mock_unmatched_with_another_name_at_a_checked_line_stays() -> None:
    """Only the same mock (location and name) checked elsewhere removes an unmatched one."""
    other = UnmatchedMock(Location("tests/test_api.py", 10), "body is not data", "respx", "x")
    combined = combine_coverage([FIRST, MockCoverage(unmatched=(other,))])
    assert combined is not None
    assert other in combined.unmatched


def test_no_coverage_when_no_part_looked_at_mocks() -> None:
    """A folder diff's parts have none, and their combination none either."""
    assert combine([Report((), 1), Report((), 2)]).coverage is None
    assert combine([Report((), 1, coverage=MockCoverage()), Report((), 2)]).coverage == (
        MockCoverage()
    )


def test_counts_by_evidence_in_catalogue_order_without_zeros() -> None:
    coverage = MockCoverage(
        checked=(checked(1, by="shape"), checked(2), checked(3, by="patch-target"), checked(4))
    )
    assert list(coverage.counts_by().items()) == [("url", 2), ("patch-target", 1), ("shape", 1)]
    assert MockCoverage().counts_by() == {}
