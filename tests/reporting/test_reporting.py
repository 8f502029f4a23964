"""Renderers: every format renders one canonical report; colour only when asked."""

from __future__ import annotations

import json

import pytest

from driftcheck.core.model import FileError, Finding, Report, Severity
from driftcheck.reporting import FORMATS, RenderOptions
from driftcheck.reporting.rich_report import render

REPORT = Report(
    findings=(
        Finding(
            "GET api.example.com/users/{id}",
            200,
            "$.profile",
            "field-became-optional",
            Severity.BREAKING,
            "cassette",
            "object, present in 12/12",
            "object, present in 9/12",
            "`$.profile` is now missing in 3 of 12 current samples (25 %)",
        ),
        Finding(
            "GET api.example.com/teams",
            None,
            "$",
            "endpoint-added",
            Severity.INFO,
            "cassette",
            "not recorded",
            "recorded",
            "endpoint `GET api.example.com/teams` is new in current",
        ),
    ),
    endpoints=2,
    errors=(FileError("old.yaml", "pre-1.0 vcrpy cassette format"),),
)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_the_canonical_report(name: str) -> None:
    text = FORMATS[name](REPORT, RenderOptions())
    assert "$.profile" in text
    assert "old.yaml" in text


def test_json_summary() -> None:
    data = json.loads(FORMATS["json"](REPORT, RenderOptions()))
    assert data["summary"] == {
        "breaking": 1,
        "warning": 0,
        "info": 1,
        "endpoints": 2,
        "ignored": 0,
    }
    assert data["errors"] == [{"file": "old.yaml", "message": "pre-1.0 vcrpy cassette format"}]


def test_rich_colour_only_when_asked() -> None:
    assert "\x1b[" in render(REPORT, RenderOptions(color=True))
    plain = render(REPORT, RenderOptions(color=False, width=80))
    assert "\x1b[" not in plain
    assert "    └── endpoint-added\n" in plain
    assert "object, present in 12/12 → object, present in 9/12" in plain
    assert max(len(line) for line in plain.splitlines()) <= 80


def test_fails_threshold() -> None:
    assert REPORT.fails(Severity.BREAKING)
    assert not REPORT.fails(None)
    assert not Report(findings=REPORT.findings[1:], endpoints=1).fails(Severity.WARNING)


@pytest.mark.parametrize("fmt", ["rich", "markdown"])
def test_unreadable_files_never_read_as_no_drift(fmt: str) -> None:
    """Exit 2 with files left unread: the verdict must not say the run found nothing."""
    report = Report((), 1, errors=(FileError("a.yaml", "bad"), FileError("b.yaml", "bad")))
    text = FORMATS[fmt](report, RenderOptions(color=False, width=100))
    assert "no drift in the files read; 2 unreadable" in text
    assert "✅" not in text
