"""One canonical report (and one with mock coverage), built by hand from core values,
that every renderer is tested on; and a report too big for a pull-request comment."""

from __future__ import annotations

import dataclasses

from driftcheck.core.model import (
    CheckedMock,
    FileError,
    Finding,
    Location,
    MockCoverage,
    Report,
    Severity,
    UnmatchedMock,
)
from driftcheck.core.rules import RuleId
from driftcheck.reporting import RenderOptions

OPTIONS = RenderOptions(color=False, width=100)

USERS = "GET api.example.com/users/{id}"
ORDERS = "GET api.example.com/orders"
NEW_ORDER = "POST api.example.com/orders"


def _finding(
    endpoint: str,
    rule: RuleId,
    severity: Severity,
    path: str,
    message: str,
    *,
    status: int | None = 200,
    changed: tuple[str, str] = ("string, present in 4/4", "integer, present in 4/4"),
    location: Location | None = None,
    source: str = "cassette",
    ignored: str | None = None,
) -> Finding:
    """A finding with the defaults most of the canonical ones share."""
    baseline, current = changed
    return Finding(
        endpoint=endpoint,
        status=status,
        path=path,
        rule=rule,
        severity=severity,
        source=source,
        baseline=baseline,
        current=current,
        message=message,
        location=location,
        ignored=ignored,
    )


def canonical_report() -> Report:
    """Every part a renderer shows: each severity, endpoint-level and field-level rules, an
    ignored finding, locations with and without a line, characters Markdown must escape, an
    unreadable file, a note and a warning."""
    findings = (
        _finding(
            USERS,
            RuleId.TYPE_CHANGED,
            Severity.BREAKING,
            "$.age",
            "`$.age` changed type from string to integer",
            location=Location("cassettes/users.yaml", 12),
        ),
        _finding(
            USERS,
            RuleId.FIELD_ADDED,
            Severity.INFO,
            "$.nickname",
            "`$.nickname` is new: present in 3 of 4 current samples",
            changed=("absent", "string, present in 3/4"),
            location=Location("fresh/users.yaml"),
        ),
        _finding(
            USERS,
            RuleId.TYPE_WIDENED,
            Severity.WARNING,
            "$.score",
            "`$.score` widened from integer to integer|number",
            changed=("integer, present in 4/4", "integer|number, present in 4/4"),
            ignored="floats are fine | see <API-123>",
        ),
        _finding(
            ORDERS,
            RuleId.STATUS_CHANGED,
            Severity.BREAKING,
            "$",
            "status 200 is no longer returned (current: 404)",
            changed=("200", "404"),
        ),
        _finding(
            ORDERS,
            RuleId.BECAME_NULLABLE,
            Severity.BREAKING,
            "$.items[*].price",
            "`$.items[*].price` is now null in 2 of 9 current samples; it was never null before",
            changed=("number, present in 9/9", "number|null, present in 9/9, null in 2"),
            location=Location("cassettes/orders.yaml", 3),
        ),
        _finding(
            ORDERS,
            RuleId.MOCK_FIELD_UNKNOWN,
            Severity.WARNING,
            "$.coupon",
            "`$.coupon` is in fixture tests/fixtures/order.json:4 but endpoint "
            f"`{ORDERS}` never returned it (9 samples)",
            changed=("absent", "in fixture"),
            location=Location("tests/fixtures/order.json", 4),
            source="fixture",
        ),
        _finding(
            NEW_ORDER,
            RuleId.ENDPOINT_ADDED,
            Severity.INFO,
            "$",
            f"endpoint `{NEW_ORDER}` is new in current",
            status=None,
            changed=("absent", "present"),
        ),
    )
    return Report(
        findings=findings,
        endpoints=3,
        errors=(FileError("cassettes/broken.yaml", "invalid YAML at line 3, column 1: found '|'"),),
        notes=("cassettes/feed.yaml: GET api.example.com/feed: text/event-stream body left out",),
        warnings=("the [[ignore]] entry for `type-widened` expired on 2024-01-31",),
        checked=((USERS, 200), (ORDERS, 200), (NEW_ORDER, None)),
    )


def canonical_coverage() -> MockCoverage:
    """Every part of mock coverage a renderer shows: each kind of evidence, a mock without
    a status, locations with and without a line, reasons Markdown must escape, and more
    endpoints recorded but never mocked than the terminal lists."""
    test = "tests/test_users.py"
    return MockCoverage(
        checked=(
            CheckedMock(Location(test, 12), USERS, 200, "url", "responses", f"{test}::t.add@12"),
            CheckedMock(Location(test, 30), USERS, 404, "url", "requests-mock", f"{test}::e@30"),
            CheckedMock(Location("tests/conftest.py", 8), ORDERS, 200, "config", "pytest-fixture"),
            CheckedMock(Location("tests/test_orders.py", 21), ORDERS, 200, "patch-target"),
            CheckedMock(Location("tests/data/order.json"), ORDERS, None, "shape", "data-file"),
        ),
        unmatched=(
            UnmatchedMock(
                Location(test, 40),
                "no recorded endpoint matches GET https://api.example.com/health",
                "responses",
            ),
            UnmatchedMock(
                Location("tests/test_orders.py", 55),
                "body is not data: a call to make_order() | <factory>",
                "respx",
            ),
        ),
        mocked_not_recorded=("GET api.example.com/health",),
        recorded_not_mocked=tuple(f"GET api.example.com/reports/{n}" for n in "abcdef"),
    )


def canonical_report_with_coverage() -> Report:
    return dataclasses.replace(canonical_report(), coverage=canonical_coverage())


def big_report(findings: int) -> Report:
    """Many long findings, for renderers that must cut their output to fit."""
    return Report(
        tuple(
            Finding(
                f"GET api.example.com/things/{n // 10}",
                200,
                f"$.field_{n}",
                "field-removed",
                Severity.BREAKING,
                "cassette",
                "string, present in 9/9",
                "absent, 0/9",
                f"`$.field_{n}` is no longer returned: " + "x" * 200,
                f"cassettes/t{n}.yaml:3",
            )
            for n in range(findings)
        ),
        findings // 10,
    )
