"""Markdown for a pull-request comment: a verdict, a summary table, details per endpoint.

GitHub refuses comments over 65,536 characters; endpoints that do not fit are left out
with a note saying how many, so the comment always posts. The mock coverage comes after
the findings and is cut first: it never takes a finding's room.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TypeVar

from driftcheck.core.model import FileError, Finding, MockCoverage, Outcome, Report, Severity
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import endpoint_lists, failed_count, sentence
from driftcheck.reporting.safe_text import (
    code_span,
    html_text,
    markdown_message,
    markdown_text,
)

LIMIT = 65_536
_MARGIN = 400  # room for the truncation note
_T = TypeVar("_T")
_LIST_ROOM = LIMIT // 5  # characters for the failed recordings, and for unreadable files


def _cell(text: str) -> str:
    """Untrusted text in a table cell or list item: what it quotes in backticks as code,
    the rest escaped, each part cut, so one huge value never takes the others' room."""
    return markdown_message(text)


def _item(text: str) -> str:
    """Untrusted text in a list item, where a `|` in a code span needs no escape."""
    return markdown_message(text, table=False)


def _verdict(report: Report, options: RenderOptions) -> str:
    """One line: failed recordings first (their endpoints were not checked at all), then
    the drift; never "no drift" when some endpoint was not recorded."""
    limit = options.fail_on
    drift = None
    if report.fails(limit):
        assert limit is not None
        failing = sum(1 for f in report.active if f.severity >= limit)
        drift = f"{failing} finding(s) at or above {limit.label}"
    elif report.active:
        drift = "drift below the failure threshold"
    if report.failed:
        return "; ".join(filter(None, [f"### ❌ driftcheck: {failed_count(report.failed)}", drift]))
    if drift is None and report.errors:  # those files were not checked: never "no drift"
        return f"### ⚠️ driftcheck: no drift in the files read; {len(report.errors)} unreadable"
    if drift is None:
        return "### ✅ driftcheck: no drift"
    return f"### {'❌' if report.fails(limit) else '⚠️'} driftcheck: {drift}"


def _summary(report: Report) -> list[str]:
    ignored = len(report.findings) - len(report.active)
    counts = " | ".join(str(report.count(s)) for s in reversed(Severity))
    return [
        "| endpoints | breaking | warning | info | ignored |",
        "|---:|---:|---:|---:|---:|",
        f"| {report.endpoints} | {counts} | {ignored} |",
    ]


def _row(finding: Finding) -> str:
    severity = finding.severity.label
    if finding.ignored:
        severity = f"~~{severity}~~ ignored: {_cell(finding.ignored)}"
    status = "" if finding.status is None else str(finding.status)
    message = markdown_message(finding.message, (finding.path, finding.endpoint))
    what = f"{message}<br>{markdown_text(finding.baseline)} → {markdown_text(finding.current)}"
    where = code_span(str(finding.location)) if finding.location else ""
    return (
        f"| {severity} | {code_span(finding.rule)} | {status} | {code_span(finding.path)} | {what} "
        f"| {where} |"
    )


def _section(endpoint: str, findings: list[Finding], rows: int | None = None) -> str:
    counts = ", ".join(
        f"{n} {s.label}"
        for s in reversed(Severity)
        if (n := sum(1 for f in findings if f.severity is s and not f.ignored))
    )
    shown = findings if rows is None else findings[:rows]
    lines = [
        f"<details><summary><b>{html_text(endpoint)}</b> — {counts or 'ignored only'}</summary>",
        "",
        "| severity | rule | status | path | finding | where |",
        "|---|---|---|---|---|---|",
        *(_row(f) for f in shown),
    ]
    if len(shown) < len(findings):
        lines.append(f"\n… {len(findings) - len(shown)} more finding(s) for this endpoint")
    return "\n".join([*lines, "", "</details>", ""])


def _problems(report: Report) -> list[str]:
    """Failed recordings, unreadable files and warnings, each list cut to its share of the
    comment, so neither crowds out the other or the findings."""
    lines: list[str] = []
    if report.failed:
        lines += ["", f"**{failed_count(report.failed).capitalize()}:**", ""]
        lines += _bounded(report.failed, _failure, "endpoint(s)")
    if report.errors:
        lines += ["", f"**{len(report.errors)} file(s) could not be used:**", ""]
        lines += _bounded(report.errors, _unreadable, "file(s)", most=50)
    if report.warnings:
        lines += ["", "**Warnings:**", ""] + [f"- {_item(w)}" for w in report.warnings]
    return lines


def _failure(outcome: Outcome) -> str:
    return f"- {code_span(outcome.endpoint, table=False)}: {_item(outcome.error or '')}"


def _unreadable(error: FileError) -> str:
    return f"- {code_span(error.file, table=False)}: {_item(error.message)}"


def _bounded(
    items: Sequence[_T], item: Callable[[_T], str], what: str, most: int | None = None
) -> list[str]:
    """The first items as list entries, at most `most` of them and `_LIST_ROOM` characters,
    then how many were left out. Only the entries shown are rendered."""
    lines: list[str] = []
    room = _LIST_ROOM
    for entry in items[:most]:
        line = item(entry)
        room -= len(line) + 1
        if room < 0:
            break
        lines.append(line)
    if len(lines) < len(items):
        lines.append(f"- … and {len(items) - len(lines)} more {what}: the JSON report has them all")
    return lines


def render(report: Report, options: RenderOptions) -> str:
    """The comment, never longer than GitHub's limit."""
    head = "\n".join([_verdict(report, options), "", *_summary(report), *_problems(report), ""])
    text = "\n".join([head, *_findings(report, len(head))])
    if report.coverage is None:
        return text
    coverage = _fit_coverage(report.coverage, LIMIT - len(text) - 1)
    return "\n".join([text, coverage]) if coverage else text


def _findings(report: Report, size: int) -> list[str]:
    """A section per endpoint, as many as fit after `size` characters of head."""
    body: list[str] = []
    groups = [(e, list(fs)) for e, fs in groupby(report.findings, key=lambda f: f.endpoint)]
    for position, (endpoint, findings) in enumerate(groups):
        section = _section(endpoint, findings)
        if size + len(section) > LIMIT - _MARGIN:
            partial = _fit(endpoint, findings, LIMIT - _MARGIN - size)
            if partial:
                body.append(partial)
                position += 1
            left = groups[position:]
            more = sum(len(fs) for _, fs in left)
            if left:
                body.append(
                    f"… {more} more finding(s) in {len(left)} endpoint(s) not shown: a comment "
                    f"holds at most {LIMIT:,} characters. The JSON report has them all.\n"
                )
            break
        body.append(section)
        size += len(section) + 1
    return body


def _fit(endpoint: str, findings: list[Finding], room: int) -> str | None:
    """The section with as many rows as fit in `room`, or None if not even one does."""
    rows = _most(len(findings), lambda n: len(_section(endpoint, findings, n)) <= room)
    return _section(endpoint, findings, rows) if rows else None


def _most(high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in 0..high that fits (0 when none does); `fits` is monotone."""
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _coverage(coverage: MockCoverage, rows: int | None = None) -> str:
    """The counts line, then collapsed lists of the unmatched mocks and of the endpoints
    mocked but not recorded (and the reverse), each cut to `rows` entries."""
    lines = [f"**Mocks:** {_item(sentence(coverage))}", ""]
    unmatched = [
        f"| {code_span(str(m.location))} | {_cell(m.reason)} |" for m in coverage.unmatched
    ]
    lists = [
        (f"{len(unmatched)} mock(s) not matched", ["| mock | reason |", "|---|---|"], unmatched)
    ]
    lists += [
        (
            f"{len(names)} endpoint(s) {title}",
            [],
            [f"- {code_span(name, table=False)}" for name in names],
        )
        for title, names in endpoint_lists(coverage)
    ]
    for title, header, items in lists:
        if not items or rows == 0:
            continue
        shown = items if rows is None else items[:rows]
        lines += [f"<details><summary>{title}</summary>", "", *header, *shown]
        if len(shown) < len(items):
            lines.append(f"\n… and {len(items) - len(shown)} more: the JSON report has them all")
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _fit_coverage(coverage: MockCoverage, room: int) -> str:
    """The coverage with as many list entries as fit in `room`: the counts line alone when
    no entry fits, nothing when not even that does."""
    full = _coverage(coverage)
    if len(full) <= room:
        return full
    longest = max(len(coverage.unmatched), *(len(n) for _, n in endpoint_lists(coverage)))
    text = _coverage(coverage, _most(longest, lambda n: len(_coverage(coverage, n)) <= room))
    return text if len(text) <= room else ""
