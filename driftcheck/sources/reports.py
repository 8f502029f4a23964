"""Read back a JSON report (`driftcheck merge` of sharded runs) into a `Report`.

The field names are the JSON report's contract, written by `reporting.json_report`; a
round-trip test keeps the two in step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from driftcheck import jsonio
from driftcheck.core.model import (
    MATCHED_BY,
    CheckedMock,
    FileError,
    Finding,
    Location,
    MatchedBy,
    MockCoverage,
    Outcome,
    Report,
    Severity,
    UnmatchedMock,
)
from driftcheck.core.rules import RuleId
from driftcheck.errors import InputError

REPORT_VERSION = 1
RECORDING_FAILED = "recording failed: "  # how a failed endpoint is spelled in `errors`
COVERAGE_KEYS = (
    "fixtures_checked",
    "fixtures_unmatched",
    "mocked_not_recorded",
    "recorded_not_mocked",
)
_MATCHED_BY: dict[str, MatchedBy] = {kind: kind for kind in MATCHED_BY}  # KeyError: not one


def read_report(path: str | os.PathLike[str]) -> Report:
    """A JSON report file as a Report; InputError when it cannot be read or is not one."""
    try:
        text = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    return load_report(text, str(path))


def load_report(text: str | bytes, name: str) -> Report:
    """A JSON report's text as a Report; InputError when it is not one."""
    try:
        data = jsonio.loads(text)
    except jsonio.JSONDecodeError as error:
        raise InputError(f"{name}: not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("driftcheck_report") != REPORT_VERSION:
        raise InputError(
            f"{name}: not a driftcheck JSON report (`driftcheck_report`: {REPORT_VERSION} "
            "expected; write one with --format json)"
        )
    try:
        errors = data.get("errors", [])
        return Report(
            findings=tuple(_finding(item) for item in data["findings"]),
            endpoints=int(data["summary"]["endpoints"]),
            errors=tuple(FileError(e["file"], e["message"]) for e in errors if not _failed(e)),
            notes=tuple(data.get("notes", [])),
            warnings=tuple(data.get("warnings", [])),
            checked=tuple((c["endpoint"], c["status"]) for c in data.get("checked", [])),
            failed=tuple(
                Outcome(e["file"], 0, error=e["message"].removeprefix(RECORDING_FAILED))
                for e in errors
                if _failed(e)
            ),
            coverage=_coverage(data),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(
            f"{name}: malformed driftcheck report ({type(error).__name__}: {error})"
        ) from None


def _failed(error: dict[str, Any]) -> bool:
    return error.get("kind") == "recording"


def _coverage(data: dict[str, Any]) -> MockCoverage | None:
    """The mocks a run checked, when its report lists them (None: it looked at none)."""
    if not any(key in data for key in COVERAGE_KEYS):
        return None
    return MockCoverage(
        checked=tuple(_checked(item) for item in data.get("fixtures_checked", [])),
        unmatched=tuple(
            UnmatchedMock(
                location=Location.parse(item["location"]),
                reason=item["reason"],
                library=item.get("library", ""),
                name=item.get("name", ""),
            )
            for item in data.get("fixtures_unmatched", [])
        ),
        mocked_not_recorded=tuple(data.get("mocked_not_recorded", [])),
        recorded_not_mocked=tuple(data.get("recorded_not_mocked", [])),
    )


def _checked(item: dict[str, Any]) -> CheckedMock:
    return CheckedMock(
        location=Location.parse(item["location"]),
        endpoint=item["endpoint"],
        status=item["status"],
        matched_by=_MATCHED_BY[item["matched_by"]],
        library=item.get("library", ""),
        name=item.get("name", ""),
    )


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(
        endpoint=item["endpoint"],
        status=item["status"],
        path=item["path"],
        rule=RuleId(item["rule"]),
        severity=Severity.parse(item["severity"]),
        source=item["source"],
        baseline=item["baseline"],
        current=item["current"],
        message=item["message"],
        location=None if item.get("location") is None else Location.parse(item["location"]),
        ignored=item.get("ignore_reason") if item.get("ignored") else None,
    )
