"""The command line: parse, call one command function, render, exit with its code.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage/config/input error,
3 recording failed. `DriftcheckError`s become one-line messages here and nowhere else.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from driftcheck import __version__, commands
from driftcheck.errors import DriftcheckError
from driftcheck.model import Severity
from driftcheck.reporting import FORMATS, RenderOptions, json_report, rich_report

FAIL_ON = ("breaking", "warning", "info", "never")


def fail(message: str, exit_code: int = 2) -> NoReturn:
    """Print one `Error:` line on stderr and exit; the only way a command reports failure."""
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(exit_code)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DriftcheckError as error:
            fail(str(error), error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if os.environ.get("DRIFTCHECK_DEBUG"):
                raise
            fail(
                f"internal error: {type(error).__name__}: {error} "
                "(a bug in driftcheck; DRIFTCHECK_DEBUG=1 shows the traceback)"
            )


def _render_options(output: str) -> RenderOptions:
    to_terminal = output == "-" and sys.stdout.isatty()
    color = to_terminal and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    return RenderOptions(color=color, width=max(width, 40))


def _emit(text: str, output: str) -> None:
    if output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")


def _threshold(fail_on: str) -> Severity | None:
    return None if fail_on == "never" else Severity.parse(fail_on)


_OUTPUT = click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Write the report to FILE; '-' is standard output.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftcheck")
def cli() -> None:
    """Catch API contract drift in recorded VCR.py cassettes.

    driftcheck infers the shape of every JSON response body (key paths, types,
    how often each key is present, nullability) and reports how shapes drift.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["rich", "json"]),
    default="rich",
    show_default=True,
    help="Output format.",
)
@_OUTPUT
@click.pass_context
def shape(ctx: click.Context, paths: tuple[str, ...], fmt: str, output: str) -> None:
    """Show the inferred shape of every endpoint in cassette files or folders.

    Folders are searched recursively for .yaml, .yml, .json and extensionless files.
    Exits 2 when a file cannot be read (the others are still shown).

    \b
    Example:
        driftcheck shape cassettes/
        driftcheck shape cassettes/user.yaml --format json
    """
    endpoints, errors = commands.shape_paths(paths)
    options = _render_options(output)
    renderer = json_report.render_shapes if fmt == "json" else rich_report.render_shapes
    _emit(renderer(endpoints, errors, options), output)
    ctx.exit(2 if errors else 0)


@cli.command()
@click.argument("baseline", required=False, type=click.Path(exists=True))
@click.argument("current", required=False, type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="rich",
    show_default=True,
    help="Report format.",
)
@_OUTPUT
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="breaking",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option(
    "--allow-unreadable",
    is_flag=True,
    help="Do not exit 2 because some files in a folder could not be read.",
)
@click.pass_context
def diff(
    ctx: click.Context,
    baseline: str | None,
    current: str | None,
    fmt: str,
    output: str,
    fail_on: str,
    allow_unreadable: bool,
) -> None:
    """Compare the response shapes of BASELINE and CURRENT cassettes.

    BASELINE and CURRENT are cassette files or folders (searched recursively);
    interactions are grouped by endpoint (METHOD host/path, ids as {id}) and
    status code. Only structure is compared, never values.

    Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 input error
    (including unreadable files in a folder, unless --allow-unreadable).

    \b
    Example:
        driftcheck diff cassettes/ .driftcheck/fresh/
        driftcheck diff old.yaml new.yaml --format json --output report.json
    """
    if baseline is None or current is None:
        raise click.UsageError(
            "give both BASELINE and CURRENT (cassette files or folders)", ctx=ctx
        )
    report = commands.diff_paths(baseline, current)
    _emit(FORMATS[fmt](report, _render_options(output)), output)
    if report.errors and not allow_unreadable:
        ctx.exit(2)
    ctx.exit(1 if report.fails(_threshold(fail_on)) else 0)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="driftcheck")
