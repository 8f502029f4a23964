"""SARIF 2.1.0 for code-scanning uploaders: one rule per catalogue id, results on files.

Ignored findings carry a `suppressions` entry with the ignore's reason, as SARIF asks,
rather than being dropped. Unreadable files and endpoints whose recording failed are
errors among the tool's execution notifications (the run did not succeed); mocks the run
could not match are notes there, on their file and line; the coverage counts are run
properties.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from driftcheck import __version__
from driftcheck.core.model import Finding, Location, MockCoverage, Outcome, Report, Severity
from driftcheck.core.rules import CATALOGUE
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.json_report import dumps
from driftcheck.reporting.mock_coverage import failed

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
KNOWN = frozenset(rule.id.value for rule in CATALOGUE)
_URI_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 characters a path keeps as they are
_UNKNOWN = (
    "a rule this version of driftcheck does not know: the finding comes from a report "
    "written by another version (driftcheck merge)"
)


def _rules(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """The catalogue, then a generic entry per rule id no catalogue entry has."""
    unknown = dict.fromkeys(str(f.rule) for f in findings if str(f.rule) not in KNOWN)
    return [
        *_catalogue(),
        *(
            {
                "id": rule,
                "shortDescription": {"text": _UNKNOWN},
                "properties": {"tags": ["api-contract", "drift"]},
            }
            for rule in unknown
        ),
    ]


def _catalogue() -> list[dict[str, Any]]:
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
            "artifactLocation": {"uri": _uri(where.file)},
            "region": {"startLine": max(where.line, 1)},
        }
    }


def _uri(file: str) -> str:
    """A file name as a URI reference: `/` separators, anything a URI cannot hold
    percent-encoded (a name that was not UTF-8 by its own bytes)."""
    path = file.replace("\\", "/")
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe=_URI_SAFE)


def _related(finding: Finding) -> dict[str, Any]:
    """The spec's line a `spec-*` finding is about, beside the cassette's."""
    if finding.spec_location is None:
        return {}
    related = {**_location(finding.spec_location), "id": 1}
    related["message"] = {"text": "what the OpenAPI description says"}
    return {"relatedLocations": [related]}


def _result(finding: Finding, index: Mapping[str, int]) -> dict[str, Any]:
    identity = "\0".join(
        [finding.endpoint, str(finding.status), finding.path, finding.rule, finding.source]
    )
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[str(finding.rule)],
        "level": LEVELS[finding.severity],
        "message": {
            "text": f"{finding.endpoint}: {finding.message} ({finding.baseline} → "
            f"{finding.current})"
        },
        "locations": [_location(finding.location)],
        **_related(finding),
        "partialFingerprints": {
            "driftcheckFinding/v1": hashlib.sha256(
                identity.encode("utf-8", "surrogatepass")
            ).hexdigest()
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


def _failed(outcomes: tuple[Outcome, ...]) -> list[dict[str, Any]]:
    """An error per endpoint not recorded, spelled as the JSON report's `errors` entry; the
    endpoint is a property too, since no file or line is to blame."""
    return [
        {
            "level": "error",
            "message": {"text": f"{outcome.endpoint}: {failed(outcome)}"},
            "properties": {"endpoint": outcome.endpoint, "kind": "recording"},
        }
        for outcome in outcomes
    ]


def sarif_dict(report: Report) -> dict[str, Any]:
    notifications = [
        {"level": "error", "message": {"text": f"{e.file}: {e.message}"}} for e in report.errors
    ]
    notifications += _failed(report.failed)
    notifications += [{"level": "warning", "message": {"text": w}} for w in report.warnings]
    rules = _rules(report.findings)
    index = {str(rule["id"]): position for position, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "driftcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.errors and not report.failed,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f, index) for f in report.findings],
    }
    if report.coverage is not None:
        notifications += _unmatched(report.coverage)
        run["properties"] = _coverage_properties(report.coverage)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, options: RenderOptions) -> str:
    """The report as a SARIF 2.1.0 log."""
    return dumps(sarif_dict(report))
