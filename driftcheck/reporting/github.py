"""GitHub Actions workflow commands: one annotation per finding, on its file and line, and
an error per unreadable file and per endpoint whose recording failed.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from driftcheck.core.model import Finding, Location, MockCoverage, Report, Severity
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import RECORDING_FAILED, failed_count, sentence
from driftcheck.reporting.safe_text import MESSAGE, for_terminal

LEVELS = {Severity.BREAKING: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    """Text the runner's parser reads back as it was; `%`, CR and LF are its escapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _shown(text: str) -> str:
    """A message for the log, which runs terminal escape sequences: shown, never run."""
    return for_terminal(text, MESSAGE)


def _where(location: Location | None) -> list[str]:
    if not location:
        return []
    file = f"file={_property(_shown(location.file))}"
    return [file, f"line={location.line}"] if location.line > 0 else [file]


def _annotation(level: str, location: Location | None, title: str, message: str) -> str:
    """One workflow command; `title` and `message` are already made visible."""
    properties = ",".join([*_where(location), f"title={_property(title)}"])
    return f"::{level} {properties}::{_data(message)}"


def _finding(finding: Finding) -> str:
    rule, path, endpoint = (for_terminal(t) for t in (finding.rule, finding.path, finding.endpoint))
    title = f"{rule} {path} ({endpoint})"
    change = f"{for_terminal(finding.baseline)} → {for_terminal(finding.current)}"
    message = f"{_shown(finding.message)}\n{change}"
    return _annotation(LEVELS[finding.severity], finding.location, title, message)


def render(report: Report, options: RenderOptions) -> str:
    """One workflow command per active finding, failed recording and unreadable file, a
    notice per mock not checked, then a summary notice (and one for the mocks)."""
    lines = [_finding(f) for f in report.active]
    lines += [
        _annotation(
            "error",
            None,
            f"driftcheck: {RECORDING_FAILED}",
            f"{for_terminal(outcome.endpoint)}: {_shown(outcome.error or '')}",
        )
        for outcome in report.failed
    ]
    lines += [
        _annotation(
            "error", Location(error.file), "driftcheck: unreadable input", _shown(error.message)
        )
        for error in report.errors
    ]
    if report.coverage is not None:
        lines += _unmatched(report.coverage)
    counts = ", ".join(f"{report.count(s)} {s.label}" for s in reversed(Severity))
    ignored = len(report.findings) - len(report.active)
    summary = f"driftcheck: {counts} in {report.endpoints} endpoints"
    if ignored:
        summary += f" ({ignored} ignored)"
    if report.failed:
        summary += f"; {failed_count(report.failed)}"
    lines.append(f"::notice title=driftcheck::{_data(summary)}")
    if report.coverage is not None:
        lines.append(f"::notice title=driftcheck mocks::{_data(sentence(report.coverage))}")
    lines += [f"::warning title=driftcheck policy::{_data(_shown(w))}" for w in report.warnings]
    return "\n".join(lines) + "\n"


def _unmatched(coverage: MockCoverage) -> list[str]:
    """A notice on each mock nothing was compared with: unverified, so said where it is."""
    return [
        _annotation("notice", mock.location, "driftcheck: mock not checked", _shown(mock.reason))
        for mock in coverage.unmatched
    ]
