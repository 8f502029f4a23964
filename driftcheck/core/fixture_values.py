"""A mock's strings against the values its endpoint returns (pure): a value none of an
enum-like path's (`mock-enum-unknown`, the mock's value shown: it is tested against a
case the API never produces, `ACTIVE` where the API says `active`), a string of another
format than every recorded one (`mock-format-mismatch`, formats shown, never the value).
The walk beside the contract (`signature.Reach`) notes the first of each per path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.core.model import Field, Finding, Severity
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.signature import First, Reach


def off_domain(
    endpoint: str,
    status: int,
    fields: Mapping[str, Field],
    reach: Reach,
    overrides: Mapping[str, Severity] | None,
) -> list[tuple[int, Finding]]:
    """Each finding with its place in walk order."""
    found = []
    for path, first in reach.off_enum.items():
        item = fields[path]
        known = "|".join(item.enum or ())
        facts = {"value": first.detail, "known": known}
        found.append(
            _found(endpoint, status, RuleId.MOCK_ENUM_UNKNOWN, item, first, overrides,
                   f"string, one of {known}", f"`{first.detail}` in fixture", facts)
        )  # fmt: skip
    for path, first in reach.off_format.items():
        item = fields[path]
        facts = {"kind": first.detail, "recorded": item.format or ""}
        found.append(
            _found(endpoint, status, RuleId.MOCK_FORMAT_MISMATCH, item, first, overrides,
                   f"string, {item.format}", f"string, {first.detail} in fixture", facts)
        )  # fmt: skip
    return found


def _found(
    endpoint: str,
    status: int,
    rule: RuleId,
    item: Field,
    first: First,
    overrides: Mapping[str, Severity] | None,
    baseline: str,
    current: str,
    facts: dict[str, Any],
) -> tuple[int, Finding]:
    return first.order, finding(
        rule,
        endpoint=endpoint,
        status=status,
        path=item.path,
        source="fixture",
        baseline=baseline,
        current=current,
        location=first.location,
        overrides=overrides,
        where=first.location,
        count=item.present,
        **facts,
    )
