"""Reports side by side as one report: the parts of one run (cassettes, fixtures,
staleness) and the shards of a CI matrix (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from driftcheck.core.model import Report

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
    )


def unique(items: Iterable[T]) -> list[T]:
    """Items in first-seen order, each once."""
    return list(dict.fromkeys(items))
