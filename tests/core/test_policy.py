"""Policy values: rule ids and levels checked once, flags parsed, ignores applied."""

from __future__ import annotations

import datetime

import pytest

from driftcheck.core import policy
from driftcheck.core.model import Finding, Report, Severity
from driftcheck.core.policy import CLI_REASON, Ignore, Policy
from driftcheck.errors import ConfigError

TODAY = datetime.date(2026, 6, 1)


def finding(rule: str, severity: Severity, path: str = "$.a") -> Finding:
    return Finding(
        endpoint="GET a.example/x",
        status=200,
        path=path,
        rule=rule,
        severity=severity,
        source="cassette",
        baseline="b",
        current="c",
        message="m",
    )


def test_levels_are_the_severities_most_severe_first() -> None:
    assert policy.LEVELS == ("breaking", "warning", "info")
    assert [policy.parse_level(level) for level in policy.LEVELS] == [
        Severity.BREAKING,
        Severity.WARNING,
        Severity.INFO,
    ]
    assert policy.parse_level("Warning") is None
    assert policy.parse_level(2) is None


def test_check_rule_takes_ids_and_where_allowed_globs() -> None:
    assert policy.check_rule("field-added", "x") == "field-added"
    assert policy.check_rule("mock-*", "x") == "mock-*"
    assert policy.check_rule("type-?hanged", "x") == "type-?hanged"
    with pytest.raises(ConfigError) as caught:
        policy.check_rule("mock-*", "f.toml: [severity]", patterns=False)
    assert str(caught.value) == "f.toml: [severity] takes rule ids, not patterns: `mock-*`"
    with pytest.raises(ConfigError) as caught:
        policy.check_rule("field-adde", "f.toml: [[ignore]] #3")
    assert str(caught.value) == (
        "f.toml: [[ignore]] #3: unknown rule `field-adde`; did you mean `field-added`?"
    )


def test_severities_are_checked_against_the_catalogue() -> None:
    assert policy.severities({"field-added": "breaking"}, "w") == {"field-added": Severity.BREAKING}
    with pytest.raises(ConfigError) as caught:
        policy.severities({"field-added": "loud"}, "f.toml: [severity]")
    assert str(caught.value) == (
        "f.toml: [severity] `field-added` = 'loud'; valid: breaking, warning, info"
    )


def test_severity_flags() -> None:
    assert policy.parse_severity_flags([" field-added = WARNING ", "type-changed=info"]) == {
        "field-added": Severity.WARNING,
        "type-changed": Severity.INFO,
    }


def test_ignore_flags() -> None:
    assert policy.parse_ignore_flag("type-changed") == Ignore(
        reason=CLI_REASON, rule="type-changed", label="--ignore"
    )
    assert policy.parse_ignore_flag(
        "rule=type-*, endpoint=GET a/*, path=$.x, reason=why, until=2027-01-31"
    ) == Ignore(
        reason="why",
        endpoint="GET a/*",
        path="$.x",
        rule="type-*",
        until=datetime.date(2027, 1, 31),
        label="--ignore",
    )


def test_until_dates() -> None:
    assert policy.until_date(datetime.date(2027, 1, 31), "w") == datetime.date(2027, 1, 31)
    assert policy.until_date("2027-01-31T10:00:00", "w") == datetime.date(2027, 1, 31)
    with pytest.raises(ConfigError) as caught:
        policy.until_date("31/01/2027", "f.toml: [[ignore]] #1")
    assert str(caught.value) == (
        "f.toml: [[ignore]] #1: `until` = '31/01/2027' is not a date; write it like 2027-01-31"
    )


def test_apply_overrides_hides_and_reports_expired_ignores() -> None:
    report = Report(
        findings=(
            finding("field-added", Severity.INFO),
            finding("type-changed", Severity.BREAKING, "$.b"),
        ),
        endpoints=1,
    )
    rules = Policy(
        severity={"field-added": Severity.WARNING},
        ignores=(
            Ignore(reason="live", rule="type-*", until=TODAY),
            Ignore(reason="old", path="$.a", until=TODAY - datetime.timedelta(days=1)),
        ),
    )
    applied = policy.apply(report, rules, TODAY)
    assert [(f.rule, f.severity, f.ignored) for f in applied.findings] == [
        ("field-added", Severity.WARNING, None),
        ("type-changed", Severity.BREAKING, "live"),
    ]
    assert applied.warnings == (
        "[[ignore]] (rule `*`, endpoint `*`, path `$.a`: old) expired on 2026-05-31; "
        "the 1 finding it matched count again",
    )
