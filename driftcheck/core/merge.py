"""Reports side by side as one report: the parts of one run (cassettes, fixtures,
staleness) and the shards of a CI matrix (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from driftcheck.core.model import MockCoverage, Report

T = TypeVar("T")


def combine(parts: Sequence[Report], notes: Sequence[str] = ()) -> Report:
    """Reports side by side, findings grouped by endpoint (each part's order kept).

    The endpoint count is that of the distinct endpoints compared, so the counts of
    shards add up to the count of the whole.
    """
    findings = sorted((f for part in parts for f in part.findings), key=lambda f: f.endpoint)
    checked = unique(c for part in parts for c in part.checked)
    names = {f.endpoint for f in findings} | {endpoint for endpoint, _ in checked}
    return Report(
        findings=tuple(findings),
        endpoints=len(names) if checked else max([len(names), *(p.endpoints for p in parts)]),
        errors=tuple(unique(e for part in parts for e in part.errors)),
        notes=tuple(unique([*notes, *(n for part in parts for n in part.notes)])),
        warnings=tuple(unique(w for part in parts for w in part.warnings)),
        checked=tuple(sorted(checked, key=lambda c: c[0])),
        failed=tuple(unique(o for part in parts for o in part.failed)),
        coverage=combine_coverage([p.coverage for p in parts if p.coverage is not None]),
    )


def combine_coverage(parts: Sequence[MockCoverage]) -> MockCoverage | None:
    """The mock coverage of reports side by side, each entry once, first-seen order kept;
    None when no part looked at mocks (so a folder diff stays without coverage).

    A mock checked in one part is not also unmatched (a shard that lacks its endpoint
    cannot match it), and an endpoint a checked mock is held to is not unmocked.
    """
    if not parts:
        return None
    checked = unique(c for part in parts for c in part.checked)
    seen = {(c.location, c.name) for c in checked}
    mocked = {c.endpoint for c in checked}
    return MockCoverage(
        checked=tuple(checked),
        unmatched=tuple(
            unique(u for part in parts for u in part.unmatched if (u.location, u.name) not in seen)
        ),
        mocked_not_recorded=tuple(unique(e for part in parts for e in part.mocked_not_recorded)),
        recorded_not_mocked=tuple(
            unique(e for part in parts for e in part.recorded_not_mocked if e not in mocked)
        ),
    )


def unique(items: Iterable[T]) -> list[T]:
    """Items in first-seen order, each once."""
    return list(dict.fromkeys(items))
