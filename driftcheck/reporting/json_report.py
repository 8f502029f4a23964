"""The JSON report: the contract other tools build on (see DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from driftcheck.model import EndpointSet, FileError, Finding, Report, Severity
from driftcheck.reporting import RenderOptions
from driftcheck.shape import flatten

REPORT_VERSION = 1
SHAPES_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "endpoint": finding.endpoint,
        "status": finding.status,
        "path": finding.path,
        "rule": finding.rule,
        "severity": finding.severity.label,
        "source": finding.source,
        "baseline": finding.baseline,
        "current": finding.current,
        "message": finding.message,
        "location": finding.location,
    }


def report_dict(report: Report) -> dict[str, Any]:
    summary = {severity.label: report.count(severity) for severity in reversed(Severity)}
    return {
        "driftcheck_report": REPORT_VERSION,
        "summary": {**summary, "endpoints": report.endpoints},
        "findings": [finding_dict(finding) for finding in report.findings],
        "errors": [{"file": e.file, "message": e.message} for e in report.errors],
        "notes": list(report.notes),
    }


def _dumps(data: Any) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def render(report: Report, options: RenderOptions | None = None) -> str:
    """The report as indented JSON."""
    return _dumps(report_dict(report))


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
    return _dumps(shapes_dict(endpoints, errors))
