"""The JSON report: the contract other tools build on (see DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftcheck import jsonio
from driftcheck.core.model import EndpointSet, FileError, Finding, MockCoverage, Report, Severity
from driftcheck.core.shape import flatten
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import failed
from driftcheck.reporting.safe_text import without_surrogates

REPORT_VERSION = 1
SHAPES_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the contract spells it (`spec_location` only on `spec-*` findings
    and on mocks held to a spec)."""
    found = {
        "endpoint": finding.endpoint,
        "status": finding.status,
        "path": finding.path,
        "rule": finding.rule,
        "severity": finding.severity.label,
        "source": finding.source,
        "baseline": finding.baseline,
        "current": finding.current,
        "message": finding.message,
        "location": None if finding.location is None else str(finding.location),
        "ignored": finding.ignored is not None,
        "ignore_reason": finding.ignored,
    }
    if finding.spec_location is not None:
        found["spec_location"] = str(finding.spec_location)
    return found


def coverage_dict(coverage: MockCoverage) -> dict[str, Any]:
    """The mocks a run checked and could not match, as the contract spells them."""
    return {
        "fixtures_checked": [
            {
                "location": str(mock.location),
                "endpoint": mock.endpoint,
                "status": mock.status,
                "matched_by": mock.matched_by,
                "library": mock.library,
                "name": mock.name,
            }
            for mock in coverage.checked
        ],
        "fixtures_unmatched": [
            {
                "location": str(mock.location),
                "reason": mock.reason,
                "library": mock.library,
                "name": mock.name,
            }
            for mock in coverage.unmatched
        ],
        "mocked_not_recorded": list(coverage.mocked_not_recorded),
        "recorded_not_mocked": list(coverage.recorded_not_mocked),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report; counts in `summary` leave ignored findings out. Coverage comes
    last and only from runs that looked at mocks, so a folder diff's report is unchanged."""
    summary = {severity.label: report.count(severity) for severity in reversed(Severity)}
    ignored = len(report.findings) - len(report.active)
    coverage = {} if report.coverage is None else coverage_dict(report.coverage)
    return {
        "driftcheck_report": REPORT_VERSION,
        "summary": {**summary, "endpoints": report.endpoints, "ignored": ignored},
        "findings": [finding_dict(finding) for finding in report.findings],
        "errors": [{"file": e.file, "message": e.message} for e in report.errors]
        + [
            {"file": outcome.endpoint, "message": failed(outcome), "kind": "recording"}
            for outcome in report.failed
        ],
        "notes": list(report.notes),
        "warnings": list(report.warnings),
        "checked": [{"endpoint": e, "status": s} for e, s in report.checked],
        **coverage,
    }


def dumps(data: Any) -> str:
    """Indented JSON. Control characters are JSON escapes already; a lone surrogate (a file
    name that was not UTF-8) has no UTF-8 form, so it is written as its escape's text."""
    try:
        return jsonio.dumps_indented(data)
    except TypeError:  # orjson's JSONEncodeError: only strings with surrogates get here
        return jsonio.dumps_indented(_encodable(data))


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value


def render(report: Report, options: RenderOptions | None = None) -> str:
    """The report as indented JSON."""
    return dumps(report_dict(report))


def shapes_dict(endpoints: EndpointSet, errors: Sequence[FileError]) -> dict[str, Any]:
    entries = []
    for name, by_status in endpoints.endpoints.items():
        for status, shape in by_status.items():
            fields = [] if shape.shape is None else list(flatten(shape.shape))
            entries.append(
                {
                    "endpoint": name,
                    "status": status,
                    "samples": shape.samples,
                    "content_types": dict(shape.content_types),
                    "fields": [
                        {
                            "path": f.path,
                            "types": list(f.counts),
                            "present": f.present,
                            "of": f.parent,
                            "required": f.required,
                            "nullable": f.nulls > 0,
                            "empty_arrays": f.empty,
                            "format": f.format,
                            "enum": None if f.enum is None else list(f.enum),
                        }
                        for f in fields
                    ],
                    "notes": list(shape.notes),
                }
            )
    return {
        "driftcheck_shapes": SHAPES_VERSION,
        "endpoints": entries,
        "errors": [{"file": e.file, "message": e.message} for e in errors],
    }


def render_shapes(
    endpoints: EndpointSet, errors: Sequence[FileError], options: RenderOptions | None = None
) -> str:
    """Inferred shapes as JSON, for scripts."""
    return dumps(shapes_dict(endpoints, errors))
