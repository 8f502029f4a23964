"""GitHub Actions workflow commands: one annotation per finding, on its file and line.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from driftcheck.core.model import Finding, Location, MockCoverage, Report, Severity
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import sentence

LEVELS = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _where(location: Location | None) -> list[str]:
    if not location:
        return []
    if location.line > 0:
        return [f"file={_property(location.file)}", f"line={location.line}"]
    return [f"file={_property(location.file)}"]


def _annotation(level: str, location: Location | None, title: str, message: str) -> str:
    properties = ",".join([*_where(location), f"title={_property(title)}"])
    return f"::{level} {properties}::{_data(message)}"


def _finding(finding: Finding) -> str:
    title = f"{finding.rule} {finding.path} ({finding.endpoint})"
    message = f"{finding.message}\n{finding.baseline} → {finding.current}"
    return _annotation(LEVELS[finding.severity], finding.location, title, message)


def render(report: Report, options: RenderOptions) -> str:
    """One workflow command per active finding and unreadable file, a notice per mock not
    checked, then a summary notice (and one for the mocks)."""
    lines = [_finding(f) for f in report.active]
    lines += [
        _annotation("error", Location(error.file), "driftcheck: unreadable input", error.message)
        for error in report.errors
    ]
    if report.coverage is not None:
        lines += _unmatched(report.coverage)
    counts = ", ".join(f"{report.count(s)} {s.label}" for s in reversed(Severity))
    ignored = len(report.findings) - len(report.active)
    summary = f"driftcheck: {counts} in {report.endpoints} endpoints"
    if ignored:
        summary += f" ({ignored} ignored)"
    lines.append(f"::notice title=driftcheck::{_data(summary)}")
    if report.coverage is not None:
        lines.append(f"::notice title=driftcheck mocks::{_data(sentence(report.coverage))}")
    lines += [f"::warning title=driftcheck policy::{_data(w)}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _unmatched(coverage: MockCoverage) -> list[str]:
    """A notice on each mock nothing was compared with: unverified, so said where it is."""
    return [
        _annotation("notice", mock.location, "driftcheck: mock not checked", mock.reason)
        for mock in coverage.unmatched
    ]
