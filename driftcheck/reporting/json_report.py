"""The JSON report: the contract other tools build on (see DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from driftcheck.errors import InputError
from driftcheck.model import EndpointSet, FileError, Finding, Report, Severity
from driftcheck.reporting import RenderOptions
from driftcheck.shape import flatten

REPORT_VERSION = 1
SHAPES_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the contract spells it."""
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
        "ignored": finding.ignored is not None,
        "ignore_reason": finding.ignored,
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report; counts in `summary` leave ignored findings out."""
    summary = {severity.label: report.count(severity) for severity in reversed(Severity)}
    ignored = len(report.findings) - len(report.active)
    return {
        "driftcheck_report": REPORT_VERSION,
        "summary": {**summary, "endpoints": report.endpoints, "ignored": ignored},
        "findings": [finding_dict(finding) for finding in report.findings],
        "errors": [{"file": e.file, "message": e.message} for e in report.errors],
        "notes": list(report.notes),
        "warnings": list(report.warnings),
        "checked": [{"endpoint": e, "status": s} for e, s in report.checked],
    }


def load_report(text: str | bytes, name: str) -> Report:
    """A JSON report read back (for `merge`); InputError when it is not one."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{name}: not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("driftcheck_report") != REPORT_VERSION:
        raise InputError(
            f"{name}: not a driftcheck JSON report (`driftcheck_report`: {REPORT_VERSION} "
            "expected; write one with --format json)"
        )
    try:
        return Report(
            findings=tuple(_finding(item) for item in data["findings"]),
            endpoints=int(data["summary"]["endpoints"]),
            errors=tuple(FileError(e["file"], e["message"]) for e in data.get("errors", [])),
            notes=tuple(data.get("notes", [])),
            warnings=tuple(data.get("warnings", [])),
            checked=tuple((c["endpoint"], c["status"]) for c in data.get("checked", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(
            f"{name}: malformed driftcheck report ({type(error).__name__}: {error})"
        ) from None


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(
        endpoint=item["endpoint"],
        status=item["status"],
        path=item["path"],
        rule=item["rule"],
        severity=Severity.parse(item["severity"]),
        source=item["source"],
        baseline=item["baseline"],
        current=item["current"],
        message=item["message"],
        location=item.get("location"),
        ignored=item.get("ignore_reason") if item.get("ignored") else None,
    )


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
