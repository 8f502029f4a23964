"""The terminal report: a summary, then per endpoint a tree of findings by severity, then
what could not be checked: endpoints whose recording failed, unreadable files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from driftcheck.core.model import (
    EndpointSet,
    FileError,
    Finding,
    MockCoverage,
    Outcome,
    Report,
    Severity,
    StatusShape,
)
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, percent
from driftcheck.core.shape import describe_values, flatten, format_types
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import (
    endpoint_lists,
    failed_count,
    headline,
    shortened,
)
from driftcheck.reporting.safe_text import MESSAGE, for_terminal

ENDPOINT_RULES = frozenset({RuleId.ENDPOINT_MISSING, RuleId.ENDPOINT_ADDED, RuleId.STATUS_CHANGED})
STYLES = {Severity.BREAKING: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
UNMATCHED_SHOWN = 10  # unmatched mocks listed one per line; the JSON report has them all
ENDPOINTS_SHOWN = 5  # endpoints per mocked-not-recorded / recorded-not-mocked line


def _console(options: RenderOptions) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
    )
    return console, buffer


def render(report: Report, options: RenderOptions) -> str:
    """The report for a person at a terminal (plain text when colour is off)."""
    console, buffer = _console(options)
    verdict = _verdict(report)
    alone = report.failed or (report.errors and not report.active)
    if alone:  # a line of its own: a table's title wraps at the table's width
        style = "bold red" if report.failed else "bold yellow"
        console.print(Text(verdict, style=style), soft_wrap=True)
    console.print(_summary(report, None if alone else verdict))
    for endpoint, findings in groupby(report.findings, key=lambda f: f.endpoint):
        console.print(_endpoint_tree(endpoint, list(findings)))
    if report.coverage is not None:
        _print_coverage(console, report.coverage)
    _print_failed(console, report.failed)
    _print_problems(console, report.errors, report.notes)
    for warning in report.warnings:
        console.print(Text(f"warning: {_long(warning)}", style="yellow"), soft_wrap=True)
    return buffer.getvalue()


def _long(text: str) -> str:
    """A message (which may quote several values) for the terminal: shown, never run."""
    return for_terminal(text, MESSAGE)


def _verdict(report: Report) -> str:
    verdict = "drift found" if report.active else "no drift"
    if not report.active and report.errors:  # unreadable files were not checked
        verdict = f"no drift in the files read; {len(report.errors)} unreadable"
    if report.failed:  # those endpoints were not checked: never "no drift"
        failed = failed_count(report.failed)
        verdict = f"{verdict}; {failed}" if report.active else failed
    return f"driftcheck: {verdict}"


def _summary(report: Report, title: str | None) -> Table:
    breaking, warning, info = (report.count(s) for s in reversed(Severity))
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("endpoints", justify="right")
    for severity in reversed(Severity):
        table.add_column(severity.label, justify="right", style=STYLES[severity])
    ignored = len(report.findings) - len(report.active)
    if ignored:
        table.add_column("ignored", justify="right", style="dim")
        table.add_row(str(report.endpoints), str(breaking), str(warning), str(info), str(ignored))
    else:
        table.add_row(str(report.endpoints), str(breaking), str(warning), str(info))
    return table


def _endpoint_tree(endpoint: str, findings: list[Finding]) -> Tree:
    active = [f for f in findings if f.ignored is None]
    worst = max(f.severity for f in active) if active else None
    tree = Tree(Text(for_terminal(endpoint), style=f"bold {STYLES[worst]}" if worst else "dim"))
    groups = [
        (s.label, STYLES[s], [f for f in active if f.severity is s]) for s in reversed(Severity)
    ]
    groups.append(("ignored", "dim", [f for f in findings if f.ignored is not None]))
    for name, style, chosen in groups:
        if not chosen:
            continue
        branch = tree.add(Text(f"{name} ({len(chosen)})", style=style))
        for finding in chosen:
            label = Text(for_terminal(finding.rule), style=STYLES[finding.severity])
            if finding.status is not None:
                label.append(f" [{finding.status}]", style="dim")
            if finding.rule not in ENDPOINT_RULES:
                label.append(f" {for_terminal(finding.path)}", style="bold")
            node = branch.add(label)
            node.add(Text(_long(finding.message)))
            if finding.rule not in ENDPOINT_RULES:
                baseline, current = for_terminal(finding.baseline), for_terminal(finding.current)
                node.add(Text.assemble((baseline, "dim"), " → ", current))
            if finding.location:
                node.add(Text(f"at {for_terminal(str(finding.location))}", style="dim"))
            if finding.ignored:
                node.add(Text(f"ignored: {_long(finding.ignored)}", style="dim"))
    return tree


def _print_coverage(console: Console, coverage: MockCoverage) -> None:
    """What the tests' mocks had checked, in a few lines: the counts, then each unmatched
    mock with its reason, then the endpoint lists (long lists cut short)."""
    unmatched = coverage.unmatched
    console.print(Text(f"\n{headline(coverage)}{':' if unmatched else ''}", style="bold"))
    for mock in unmatched[:UNMATCHED_SHOWN]:
        where = for_terminal(str(mock.location))
        console.print(Text(f"  {where}: {_long(mock.reason)}"), soft_wrap=True)
    if len(unmatched) > UNMATCHED_SHOWN:
        console.print(Text(f"  … and {len(unmatched) - UNMATCHED_SHOWN} more", style="dim"))
    for title, names in endpoint_lists(coverage):
        line = Text.assemble(
            (f"{title} ({len(names)}): ", "yellow"),
            shortened([for_terminal(name) for name in names], ENDPOINTS_SHOWN),
        )
        console.print(line, soft_wrap=True)


def _print_failed(console: Console, failed: Sequence[Outcome]) -> None:
    """Each endpoint whose recording failed, with the reason: why the run exits 3."""
    if failed:
        console.print(Text(f"\n{failed_count(failed)}:", style="bold red"))
    for outcome in failed:
        line = f"  {for_terminal(outcome.endpoint)}: {_long(outcome.error or '')}"
        console.print(Text(line), soft_wrap=True)


def _print_problems(console: Console, errors: Sequence[FileError], notes: Sequence[str]) -> None:
    if errors:
        console.print(Text(f"\n{len(errors)} file(s) could not be used:", style="bold red"))
        for error in errors:
            line = f"  {for_terminal(error.file)}: {_long(error.message)}"
            console.print(Text(line), soft_wrap=True)
    if notes:
        console.print(Text(f"\n{len(notes)} note(s):", style="dim"))
        for note in notes:
            console.print(Text(f"  {_long(note)}", style="dim"), soft_wrap=True)


def render_shapes(
    endpoints: EndpointSet, errors: Sequence[FileError], options: RenderOptions
) -> str:
    """Inferred shapes as trees: path, types, how often present, nullable."""
    console, buffer = _console(options)
    for name, by_status in endpoints.endpoints.items():
        for status, shape in by_status.items():
            console.print(_shape_tree(name, status, shape))
    _print_problems(console, errors, [])
    return buffer.getvalue()


def _shape_tree(name: str, status: int, shape: StatusShape) -> Tree:
    kinds = for_terminal(", ".join(shape.content_types), MESSAGE)
    samples = f"{shape.samples} sample{'s' if shape.samples != 1 else ''}"
    tree = Tree(
        Text.assemble((for_terminal(name), "bold"), f"  {status}  {samples}  ", (kinds, "dim"))
    )
    if shape.shape is not None:
        nodes: dict[str, Tree] = {}
        for field in flatten(shape.shape):
            label = (
                field.path if field.parent_path is None else field.path[len(field.parent_path) :]
            )
            text = Text.assemble(
                (for_terminal(label.lstrip(".")), "bold"),
                "  ",
                (for_terminal(format_types(field.types) + describe_values(field)), "green"),
            )
            if field.is_item:
                plural = "" if field.present == 1 else "s"
                text.append(f"  {field.present} element{plural}", style="dim")
            elif field.path != ROOT:
                text.append(
                    f"  present in {field.present}/{field.parent} "
                    f"({percent(field.present, field.parent)})",
                    style="" if field.required else "yellow",
                )
            if field.nulls:
                text.append(f"  nullable ({field.nulls})", style="magenta")
            if field.empty:
                text.append(f"  empty in {field.empty}", style="dim")
            parent = tree if field.parent_path is None else nodes[field.parent_path]
            nodes[field.path] = parent.add(text)
    for note in shape.notes:
        tree.add(Text(_long(note), style="dim"))
    return tree
