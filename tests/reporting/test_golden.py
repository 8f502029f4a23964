"""Every format's rendering of one canonical report, and the rich (plain) and Markdown
renderings of it with mock coverage, compared exactly.

The expected texts are files in tests/reporting/golden/, so a change to a renderer shows
as a diff to review. After an intended change, rewrite them and read the diff:

    DRIFTCHECK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reporting/test_golden.py
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from driftcheck import __version__
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
from driftcheck.reporting import FORMATS, RenderOptions

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DRIFTCHECK_UPDATE_GOLDEN") == "1"
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


GOLDEN_FILES = [  # format, file, with coverage
    ("rich", "report.txt", False),
    ("markdown", "report.md", False),
    ("json", "report.json", False),
    ("junit", "report.junit.xml", False),
    ("github", "report.github.txt", False),
    ("sarif", "report.sarif.json", False),
    ("rich", "mocks.txt", True),
    ("markdown", "mocks.md", True),
]


@pytest.mark.parametrize(("fmt", "name", "coverage"), GOLDEN_FILES)
def test_rendering_matches_its_golden_file(fmt: str, name: str, coverage: bool) -> None:
    """Without coverage, every format renders as it did before coverage existed."""
    report = canonical_report_with_coverage() if coverage else canonical_report()
    text = FORMATS[fmt](report, OPTIONS).replace(f'"{__version__}"', '"VERSION"')
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="")
        pytest.skip(f"rewrote tests/reporting/golden/{name}: review its diff")
    if not golden.exists():
        pytest.fail(f"{golden} is missing: create it with DRIFTCHECK_UPDATE_GOLDEN=1")
    assert text == golden.read_bytes().decode("utf-8")  # bytes: no newline translation
