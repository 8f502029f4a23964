"""The rule catalogue: stable ids, default severities and message templates (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from driftcheck.core.model import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of drift; `template` is filled with `path`, `baseline`, `current` and extras."""

    id: str
    severity: Severity
    summary: str
    template: str


_B, _W, _I = Severity.BREAKING, Severity.WARNING, Severity.INFO

CATALOGUE: tuple[Rule, ...] = (
    Rule(
        "field-removed",
        _B,
        "key present in baseline, absent from every current sample",
        "`{path}` is no longer returned: absent from all {current_parent} current samples "
        "that have its parent (baseline: {baseline})",
    ),
    Rule(
        "field-became-optional",
        _B,
        "key always present before, now missing in some samples",
        "`{path}` is now missing in {missing} of {current_parent} current samples "
        "({missing_pct}); it was always present before",
    ),
    Rule(
        "type-changed",
        _B,
        "the set of types changed incompatibly",
        "`{path}` changed type from {baseline_types} to {current_types}",
    ),
    Rule(
        "became-nullable",
        _B,
        "null now seen where it never was",
        "`{path}` is now null in {nulls} of {current_present} current samples; "
        "it was never null before",
    ),
    Rule(
        "type-widened",
        _W,
        "a type was added alongside the old one",
        "`{path}` widened from {baseline_types} to {current_types}",
    ),
    Rule(
        "status-changed",
        _B,
        "a baseline status code is no longer returned, or a new error status appears",
        "{detail}",
    ),
    Rule(
        "content-type-changed",
        _B,
        "the response content type changed",
        "content type changed from {baseline} to {current}",
    ),
    Rule(
        "endpoint-missing",
        _B,
        "endpoint in baseline, not in current",
        "endpoint `{endpoint}` is in the baseline but was not recorded in current",
    ),
    Rule(
        "field-added",
        _I,
        "new key",
        "`{path}` is new: present in {current_present} of {current_parent} current samples",
    ),
    Rule(
        "field-became-required",
        _I,
        "key now always present",
        "`{path}` is now present in every current sample (baseline: {baseline})",
    ),
    Rule(
        "type-narrowed",
        _I,
        "a type disappeared from a union",
        "`{path}` narrowed from {baseline_types} to {current_types}",
    ),
    Rule(
        "endpoint-added",
        _I,
        "new endpoint",
        "endpoint `{endpoint}` is new in current",
    ),
    Rule(
        "cassette-stale",
        _W,
        "a cassette is older than `max_age`: re-record it",
        "{detail}",
    ),
    Rule(
        "mock-field-unknown",
        _W,
        "a mock fixture has a key the API never returned",
        "{detail}",
    ),
    Rule(
        "mock-field-missing",
        _W,
        "the API always returns a key the mock lacks",
        "{detail}",
    ),
    Rule(
        "mock-type-mismatch",
        _B,
        "mock value's type never seen from the API at that path",
        "{detail}",
    ),
    Rule(
        "mock-uncovered-optional",
        _W,
        "API omits a key in some samples; no fixture covers the absent case",
        "{detail}",
    ),
    Rule(
        "mock-uncovered-null",
        _W,
        "API returns null at a path; no fixture has null there",
        "{detail}",
    ),
)

RULES: Mapping[str, Rule] = {rule.id: rule for rule in CATALOGUE}


def severity_of(rule_id: str, overrides: Mapping[str, Severity] | None = None) -> Severity:
    """The severity in force for a rule: an override if one is given, else the default."""
    if overrides and rule_id in overrides:
        return overrides[rule_id]
    return RULES[rule_id].severity


def percent(part: int, whole: int) -> str:
    """`29 %`: whole percents, never rounding a real minority to 0 or a majority to 100."""
    if whole <= 0:
        return "0 %"
    value = round(100 * part / whole)
    if value == 0 and part > 0:
        value = 1
    elif value == 100 and part < whole:
        value = 99
    return f"{value} %"
