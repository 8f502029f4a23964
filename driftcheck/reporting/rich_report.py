"""The terminal report: a summary, then per endpoint a tree of findings by severity."""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from driftcheck.core.model import (
    EndpointSet,
    FileError,
    Finding,
    MockCoverage,
    Report,
    Severity,
    StatusShape,
)
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, percent
from driftcheck.core.shape import flatten, format_types
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import endpoint_lists, headline, shortened

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
    console.print(_summary(report))
    for endpoint, findings in groupby(report.findings, key=lambda f: f.endpoint):
        console.print(_endpoint_tree(endpoint, list(findings)))
    if report.coverage is not None:
        _print_coverage(console, report.coverage)
    _print_problems(console, report.errors, report.notes)
    for warning in report.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"), soft_wrap=True)
    return buffer.getvalue()


def _summary(report: Report) -> Table:
    breaking, warning, info = (report.count(s) for s in reversed(Severity))
    verdict = "drift found" if report.active else "no drift"
    table = Table(title=f"driftcheck: {verdict}", title_justify="left", show_edge=False)
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
    tree = Tree(Text(endpoint, style=f"bold {STYLES[worst]}" if worst else "dim"))
    groups = [
        (s.label, STYLES[s], [f for f in active if f.severity is s]) for s in reversed(Severity)
    ]
    groups.append(("ignored", "dim", [f for f in findings if f.ignored is not None]))
    for name, style, chosen in groups:
        if not chosen:
            continue
        branch = tree.add(Text(f"{name} ({len(chosen)})", style=style))
        for finding in chosen:
            label = Text(finding.rule, style=STYLES[finding.severity])
            if finding.status is not None:
                label.append(f" [{finding.status}]", style="dim")
            if finding.rule not in ENDPOINT_RULES:
                label.append(f" {finding.path}", style="bold")
            node = branch.add(label)
            node.add(Text(finding.message))
            if finding.rule not in ENDPOINT_RULES:
                node.add(Text.assemble((finding.baseline, "dim"), " → ", finding.current))
            if finding.location:
                node.add(Text(f"at {finding.location}", style="dim"))
            if finding.ignored:
                node.add(Text(f"ignored: {finding.ignored}", style="dim"))
    return tree


def _print_coverage(console: Console, coverage: MockCoverage) -> None:
    """What the tests' mocks had checked, in a few lines: the counts, then each unmatched
    mock with its reason, then the endpoint lists (long lists cut short)."""
    unmatched = coverage.unmatched
    console.print(Text(f"\n{headline(coverage)}{':' if unmatched else ''}", style="bold"))
    for mock in unmatched[:UNMATCHED_SHOWN]:
        console.print(Text(f"  {mock.location}: {mock.reason}"), soft_wrap=True)
    if len(unmatched) > UNMATCHED_SHOWN:
        console.print(Text(f"  … and {len(unmatched) - UNMATCHED_SHOWN} more", style="dim"))
    for title, names in endpoint_lists(coverage):
        line = Text.assemble(
            (f"{title} ({len(names)}): ", "yellow"), shortened(names, ENDPOINTS_SHOWN)
        )
        console.print(line, soft_wrap=True)


def _print_problems(console: Console, errors: Sequence[FileError], notes: Sequence[str]) -> None:
    if errors:
        console.print(Text(f"\n{len(errors)} file(s) could not be used:", style="bold red"))
        for error in errors:
            console.print(f"  {escape(error.file)}: {escape(error.message)}", soft_wrap=True)
    if notes:
        console.print(Text(f"\n{len(notes)} note(s):", style="dim"))
        for note in notes:
            console.print(f"  {escape(note)}", style="dim", soft_wrap=True)


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
    kinds = ", ".join(shape.content_types)
    samples = f"{shape.samples} sample{'s' if shape.samples != 1 else ''}"
    tree = Tree(Text.assemble((name, "bold"), f"  {status}  {samples}  ", (kinds, "dim")))
    if shape.shape is not None:
        nodes: dict[str, Tree] = {}
        for field in flatten(shape.shape):
            label = (
                field.path if field.parent_path is None else field.path[len(field.parent_path) :]
            )
            text = Text.assemble(
                (label.lstrip("."), "bold"), "  ", (format_types(field.types), "green")
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
        tree.add(Text(note, style="dim"))
    return tree
