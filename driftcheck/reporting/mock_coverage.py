"""What a run could not verify, spelled once for every format: the mock coverage (counts,
and lists cut short) and the endpoints whose recording failed.

A report shows what it verified of the tests' mocks compactly; the JSON report has the
full lists, so every other format says how many it left out. A failed recording is spelled
the same everywhere, and as the JSON report's `errors` entry that `merge` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftcheck.core.model import MockCoverage, Outcome

MOCKED_NOT_RECORDED = "mocked but never recorded"
RECORDED_NOT_MOCKED = "recorded but never mocked"
RECORDING_FAILED = "recording failed"  # `sources/reports.py` reads `recording failed: ` back


def failed(outcome: Outcome) -> str:
    """`recording failed: connection refused`: one endpoint's failure, as `errors` says it."""
    return f"{RECORDING_FAILED}: {outcome.error}"


def failed_count(outcomes: Sequence[Outcome]) -> str:
    """`recording failed for 2 endpoint(s)`: the headline of the failures."""
    return f"{RECORDING_FAILED} for {len(outcomes)} endpoint(s)"


def headline(coverage: MockCoverage) -> str:
    """`12 mocks checked (10 by url, 2 by shape), 3 not matched`."""
    checked = len(coverage.checked)
    text = f"{checked} mock{'' if checked == 1 else 's'} checked"
    by = ", ".join(f"{count} by {kind}" for kind, count in coverage.counts_by().items())
    if by:
        text += f" ({by})"
    return f"{text}, {len(coverage.unmatched)} not matched"


def endpoint_counts(coverage: MockCoverage) -> str:
    """`endpoints: 2 mocked but never recorded, 1 recorded but never mocked`, or `` when
    every endpoint is both mocked and recorded."""
    counts = ", ".join(f"{len(names)} {title}" for title, names in endpoint_lists(coverage))
    return f"endpoints: {counts}" if counts else ""


def sentence(coverage: MockCoverage) -> str:
    """The headline and the endpoint counts as one line."""
    return "; ".join(filter(None, [headline(coverage), endpoint_counts(coverage)]))


def endpoint_lists(coverage: MockCoverage) -> list[tuple[str, tuple[str, ...]]]:
    """The two endpoint lists with their titles, empty ones left out."""
    lists = [
        (MOCKED_NOT_RECORDED, coverage.mocked_not_recorded),
        (RECORDED_NOT_MOCKED, coverage.recorded_not_mocked),
    ]
    return [(title, names) for title, names in lists if names]


def shortened(items: Sequence[str], shown: int) -> str:
    """`a, b, … and 3 more`: the first `shown` items, and how many are left out."""
    text = ", ".join(items[:shown])
    left = len(items) - shown
    if left > 0:
        text += f", … and {left} more" if text else f"{left} more"
    return text
