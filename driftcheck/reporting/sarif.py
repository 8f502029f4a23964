"""SARIF 2.1.0 for code-scanning uploaders: one rule per catalogue id, results on files.

Ignored findings carry a `suppressions` entry with the ignore's reason, as SARIF asks,
rather than being dropped. Mocks the run could not match are notes among the tool's
execution notifications, on their file and line; the coverage counts are run properties.
"""

from __future__ import annotations

import hashlib
from typing import Any

from driftcheck import __version__, jsonio
from driftcheck.core.model import Finding, Location, MockCoverage, Report, Severity
from driftcheck.core.rules import CATALOGUE
from driftcheck.reporting import RenderOptions

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INDEX = {rule.id: position for position, rule in enumerate(CATALOGUE)}


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {
                "text": f"{rule.summary} (default severity: {rule.severity.label})"
            },
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"tags": ["api-contract", "drift"]},
        }
        for rule in CATALOGUE
    ]


def _location(location: Location | None) -> dict[str, Any]:
    where = location or Location("driftcheck.toml")
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": where.file.replace("\\", "/")},
            "region": {"startLine": max(where.line, 1)},
        }
    }


def _result(finding: Finding) -> dict[str, Any]:
    identity = "\0".join(
        [finding.endpoint, str(finding.status), finding.path, finding.rule, finding.source]
    )
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": _INDEX[finding.rule],
        "level": LEVELS[finding.severity],
        "message": {
            "text": f"{finding.endpoint}: {finding.message} ({finding.baseline} → "
            f"{finding.current})"
        },
        "locations": [_location(finding.location)],
        "partialFingerprints": {
            "driftcheckFinding/v1": hashlib.sha256(identity.encode()).hexdigest()
        },
        "properties": {
            "endpoint": finding.endpoint,
            "status": finding.status,
            "path": finding.path,
            "source": finding.source,
            "baseline": finding.baseline,
            "current": finding.current,
        },
    }
    if finding.ignored:
        result["suppressions"] = [{"kind": "external", "justification": finding.ignored}]
    return result


def _unmatched(coverage: MockCoverage) -> list[dict[str, Any]]:
    return [
        {
            "level": "note",
            "message": {"text": f"mock not checked: {mock.reason}"},
            "locations": [_location(mock.location)],
        }
        for mock in coverage.unmatched
    ]


def _coverage_properties(coverage: MockCoverage) -> dict[str, Any]:
    """Counts only: the JSON report has the lists."""
    return {
        "mockCoverage": {
            "checked": len(coverage.checked),
            "checkedBy": coverage.counts_by(),
            "notMatched": len(coverage.unmatched),
            "mockedNotRecorded": len(coverage.mocked_not_recorded),
            "recordedNotMocked": len(coverage.recorded_not_mocked),
        }
    }


def sarif_dict(report: Report) -> dict[str, Any]:
    notifications = [
        {"level": "error", "message": {"text": f"{e.file}: {e.message}"}} for e in report.errors
    ] + [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "driftcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": _rules(),
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f) for f in report.findings],
    }
    if report.coverage is not None:
        notifications += _unmatched(report.coverage)
        run["properties"] = _coverage_properties(report.coverage)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, options: RenderOptions) -> str:
    """The report as a SARIF 2.1.0 log."""
    return jsonio.dumps_indented(sarif_dict(report))
