"""The rule catalogue: stable ids, default severities, and each rule's message (pure).

Every `Finding` is built here, by `finding()`: callers say which rule fired and with what
facts; the rule words the message. A message shows structure and counts, never values,
save an enum-like path's values, formats, header names and deprecation dates and links.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.core.model import Finding, Location, Severity
from driftcheck.core.rule_ids import VALUE_RULES, Rule, RuleId
from driftcheck.core.rules_spec import SPEC_CATALOGUE
from driftcheck.core.rules_values import VALUE_CATALOGUE

__all__ = ["CATALOGUE", "RULES", "VALUE_RULES", "Rule", "RuleId", "finding", "severity_of"]

_B, _W, _I = Severity.BREAKING, Severity.WARNING, Severity.INFO
R = RuleId

CATALOGUE: tuple[Rule, ...] = (
    Rule(
        R.FIELD_REMOVED,
        _B,
        "key present in baseline, absent from every current sample",
        {
            "": "`{path}` is no longer returned: absent from all {current_parent} current "
            "samples that have its parent (baseline: {baseline})"
        },
    ),
    Rule(
        R.FIELD_BECAME_OPTIONAL,
        _B,
        "key always present before, now missing in some samples",
        {
            "": "`{path}` is now missing in {missing} of {current_parent} current samples "
            "({missing_pct}); it was always present before"
        },
    ),
    Rule(
        R.TYPE_CHANGED,
        _B,
        "the set of types changed incompatibly",
        {"": "`{path}` changed type from {baseline_types} to {current_types}"},
    ),
    Rule(
        R.BECAME_NULLABLE,
        _B,
        "null now seen where it never was",
        {
            "": "`{path}` is now null in {nulls} of {current_present} current samples; "
            "it was never null before"
        },
    ),
    Rule(
        R.TYPE_WIDENED,
        _W,
        "a type was added alongside the old one",
        {"": "`{path}` widened from {baseline_types} to {current_types}"},
    ),
    Rule(
        R.STATUS_CHANGED,
        _B,
        "a baseline status code is no longer returned, or a new error status appears",
        {
            "gone": "status {status} is no longer returned (current statuses: {statuses})",
            "new-error": "new error status {status} in {samples} current samples "
            "(baseline statuses: {statuses})",
        },
    ),
    Rule(
        R.CONTENT_TYPE_CHANGED,
        _B,
        "the response content type changed",
        {"": "content type changed from {baseline} to {current}"},
    ),
    Rule(
        R.ENDPOINT_MISSING,
        _B,
        "endpoint in baseline, not in current",
        {"": "endpoint `{endpoint}` is in the baseline but was not recorded in current"},
    ),
    Rule(
        R.FIELD_ADDED,
        _I,
        "new key",
        {"": "`{path}` is new: present in {current_present} of {current_parent} current samples"},
    ),
    Rule(
        R.FIELD_BECAME_REQUIRED,
        _I,
        "key now always present",
        {"": "`{path}` is now present in every current sample (baseline: {baseline})"},
    ),
    Rule(
        R.TYPE_NARROWED,
        _I,
        "a type disappeared from a union",
        {"": "`{path}` narrowed from {baseline_types} to {current_types}"},
    ),
    Rule(
        R.ENDPOINT_ADDED,
        _I,
        "new endpoint",
        {"": "endpoint `{endpoint}` is new in current"},
    ),
    Rule(
        R.CASSETTE_STALE,
        _W,
        "a cassette is older than `max_age`: re-record it",
        {
            "": "cassette {file} was recorded {days} days ago ({day}, {how}); older than the "
            "max age of {max_age}: re-record it"
        },
    ),
    Rule(
        R.MOCK_FIELD_UNKNOWN,
        _W,
        "a mock fixture has a key the API never returned",
        {
            "": "`{path}` is in fixture {where} but endpoint `{endpoint}` never returned it "
            "({samples})",
            "spec": "`{path}` is in fixture {where} but the spec's response for endpoint "
            "`{endpoint}` does not document it ({spec}); no recordings to compare with",
        },
    ),
    Rule(
        R.MOCK_FIELD_MISSING,
        _W,
        "the API always returns a key the mock lacks",
        {
            "": "`{path}` is in all {samples} of endpoint `{endpoint}` but missing from "
            "fixture {where}",
            "spec": "`{path}` is required by the spec's response for endpoint `{endpoint}` "
            "({spec}) but missing from fixture {where}; no recordings to compare with",
        },
    ),
    Rule(
        R.MOCK_TYPE_MISMATCH,
        _B,
        "mock value's type never seen from the API at that path (a path only ever null "
        "accepts any type)",
        {
            "": "`{path}` is {kind} in fixture {where}; endpoint `{endpoint}` returned only "
            "{recorded} there ({count} recorded values)",
            "spec": "`{path}` is {kind} in fixture {where}; the spec's response for endpoint "
            "`{endpoint}` says {declared} there ({spec}); no recordings to compare with",
        },
    ),
    Rule(
        R.MOCK_UNCOVERED_OPTIONAL,
        _W,
        "API omits a key in some samples; no fixture covers the absent case",
        {
            "": "`{path}` is missing in {missing} of {samples} ({missing_pct}); no fixture for "
            "endpoint `{endpoint}` covers its absence"
        },
    ),
    Rule(
        R.MOCK_UNCOVERED_NULL,
        _W,
        "API returns null at a path; fixtures have that key, never null",
        {
            "": "`{path}` is null in {nulls} of {present} recorded values ({nulls_pct}); no "
            "fixture for endpoint `{endpoint}` has null there"
        },
    ),
    Rule(
        R.MOCK_NULL_UNSEEN,
        _W,
        "a mock has null where the API never returned null",
        {
            "": "`{path}` is null in fixture {where}; endpoint `{endpoint}` never returned "
            "null there ({recorded} in {count} recorded values): the mock tests a case the "
            "API does not produce",
            "spec": "`{path}` is null in fixture {where}; the spec's response for endpoint "
            "`{endpoint}` does not allow null there ({declared}, {spec}); no recordings to "
            "compare with",
        },
    ),
    Rule(
        R.MOCK_UNLIKE_ENDPOINT,
        _W,
        "a mock object shares almost nothing with the API's objects at that path",
        {
            "": "fixture {where} at `{path}` does not look like endpoint `{endpoint}`'s "
            "responses: {unknown} of its {keys} keys were never returned and {missing} of "
            "{required} always-returned keys are missing"
        },
    ),
    Rule(
        R.MOCK_UNCOVERED_VARIANT,
        _W,
        "API returns a variant of an object (by its `type`); no fixture has that variant",
        {
            "": "no fixture for endpoint `{endpoint}` covers `{path}` of {tag} `{name}` "
            "({count} of {objects} recorded `{path}` objects)",
            "untagged": "no fixture for endpoint `{endpoint}` covers `{path}` without a "
            "`{tag}` ({count} of {objects} recorded `{path}` objects)",
        },
    ),
    *VALUE_CATALOGUE,
    *SPEC_CATALOGUE,
)

RULES: Mapping[str, Rule] = {rule.id.value: rule for rule in CATALOGUE}


def severity_of(
    rule_id: str,
    overrides: Mapping[str, Severity] | None = None,
    default: Severity | None = None,
) -> Severity:
    """The severity in force for a rule: an override if one is given, else `default` (a
    rule whose severity depends on the facts: a format, a date), else the rule's own."""
    if overrides and rule_id in overrides:
        return overrides[rule_id]
    return default or RULES[rule_id].severity


def finding(
    rule: RuleId,
    *,
    endpoint: str,
    status: int | None,
    path: str,
    source: str,
    baseline: str,
    current: str,
    location: Location | None = None,
    spec_location: Location | None = None,
    overrides: Mapping[str, Severity] | None = None,
    variant: str = "",
    severity: Severity | None = None,
    **facts: Any,
) -> Finding:
    """The one way a `Finding` is made: the rule's severity and its message, worded from
    the facts given (every placeholder of the template must be among them)."""
    message = (
        RULES[rule]
        .messages[variant]
        .format(
            path=path,
            endpoint=endpoint,
            status=status,
            baseline=baseline,
            current=current,
            **facts,
        )
    )
    return Finding(
        endpoint=endpoint,
        status=status,
        path=path,
        rule=rule,
        severity=severity_of(rule, overrides, severity),
        source=source,
        baseline=baseline,
        current=current,
        message=message,
        location=location,
        spec_location=spec_location,
    )


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
