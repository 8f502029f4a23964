"""The command line: parse, call one command function, render, exit with its code.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage/config/input error,
3 recording failed. `DriftcheckError`s become one-line messages here and nowhere else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from driftcheck import __version__, commands, contracts
from driftcheck.config import Config, load_config
from driftcheck.errors import DriftcheckError
from driftcheck.model import Outcome, Severity
from driftcheck.reporting import FORMATS, RenderOptions, json_report, progress, rich_report

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


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="rich",
    show_default=True,
    help="Report format.",
)
_FAIL_ON = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="breaking",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)


_CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: driftcheck.toml or [tool.driftcheck] in pyproject.toml, "
    "found from the working directory up to the repository root).",
)
_ENDPOINTS = click.option(
    "--endpoint",
    "endpoint_names",
    multiple=True,
    metavar="NAME",
    help="Only this configured endpoint (repeatable).",
)
_CONCURRENCY = click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Requests in flight at once (default: config, else 8).",
)


@cli.command()
@click.argument("baseline", required=False, type=click.Path(exists=True))
@click.argument("current", required=False, type=click.Path(exists=True))
@_CONFIG
@_FORMAT
@_OUTPUT
@_FAIL_ON
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
    config_path: Path | None,
    fmt: str,
    output: str,
    fail_on: str,
    allow_unreadable: bool,
) -> None:
    """Compare response shapes: two cassette sets, or what the config names.

    With BASELINE and CURRENT (cassette files or folders, searched recursively),
    their interactions are grouped by endpoint (METHOD host/path, ids as {id})
    and status code, and shapes are compared. Only structure, never values.

    With no arguments, the config drives it: fresh recordings vs committed
    cassettes (when fresh ones exist), and every endpoint's mock `fixtures` vs
    its recordings (fresh if present, else committed), in one report.

    Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 input error
    (including unreadable files and fixtures, unless --allow-unreadable).

    \b
    Example:
        driftcheck diff
        driftcheck diff cassettes/ .driftcheck/fresh/
        driftcheck diff old.yaml new.yaml --format json --output report.json
    """
    if baseline is None:
        report = contracts.diff_config(load_config(config_path))
    elif current is None:
        raise click.UsageError(
            "give CURRENT too (a cassette file or folder), or no argument to use the config",
            ctx=ctx,
        )
    else:
        report = commands.diff_paths(baseline, current)
    _emit(FORMATS[fmt](report, _render_options(output)), output)
    if report.errors and not allow_unreadable:
        ctx.exit(2)
    ctx.exit(1 if report.fails(_threshold(fail_on)) else 0)


def _load(config_path: Path | None, **flags: Any) -> Config:
    return load_config(config_path).with_overrides(**flags)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[Outcome], None]]:
    terminal = sys.stderr.isatty()  # rich itself honours NO_COLOR
    with progress.progress(total, sys.stderr, terminal) as callback:
        yield callback


@cli.command()
@_CONFIG
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write cassettes here."
)
@click.option("--update", is_flag=True, help="Write the committed cassettes folder.")
@_ENDPOINTS
@_CONCURRENCY
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per request.")
@click.option(
    "--retries", type=click.IntRange(min=0), help="Retries on connection errors, 5xx, 429."
)
@click.pass_context
def record(
    ctx: click.Context,
    config_path: Path | None,
    out: Path | None,
    update: bool,
    endpoint_names: tuple[str, ...],
    concurrency: int | None,
    timeout: float | None,
    retries: int | None,
) -> None:
    """Call the configured live endpoints and write one cassette per endpoint.

    Writes the `fresh` folder by default, the committed `cassettes` folder with
    --update, or DIR with --out. Secrets are scrubbed before anything is written;
    each cassette is written whole or not at all. Exits 3 when some endpoint
    failed (its existing cassette is left untouched).

    \b
    Example:
        driftcheck record
        driftcheck record --update --endpoint user --concurrency 16
    """
    if out is not None and update:
        raise click.UsageError("give --out or --update, not both", ctx=ctx)
    config = _load(config_path, concurrency=concurrency, timeout=timeout, retries=retries)
    target = out or (config.cassettes if update else config.fresh)
    try:
        with _progress(len(config.select(endpoint_names))) as on_outcome:
            outcomes = commands.record_endpoints(
                config, endpoint_names, target, config.concurrency, on_outcome
            )
    except KeyboardInterrupt:
        fail("interrupted: cassettes already written are complete; nothing partial was left", 130)
    click.echo(progress.summary(outcomes, str(target)), nl=False)
    ctx.exit(3 if any(o.error for o in outcomes) else 0)


@cli.command()
@_CONFIG
@_ENDPOINTS
@_CONCURRENCY
@_FORMAT
@_OUTPUT
@_FAIL_ON
@click.pass_context
def check(
    ctx: click.Context,
    config_path: Path | None,
    endpoint_names: tuple[str, ...],
    concurrency: int | None,
    fmt: str,
    output: str,
    fail_on: str,
) -> None:
    """Record the live endpoints into a temporary folder and diff them with the committed cassettes.

    The scheduled job in one command, and the quick probe during an incident.
    Same report formats and exit codes as `diff`; 3 when recording failed for
    some endpoint (listed in the report's errors).

    \b
    Example:
        driftcheck check
        driftcheck check --endpoint user --format json
    """
    config = _load(config_path, concurrency=concurrency)
    with _progress(len(config.select(endpoint_names))) as on_outcome:
        report, outcomes = commands.check(config, endpoint_names, config.concurrency, on_outcome)
    _emit(FORMATS[fmt](report, _render_options(output)), output)
    if any(o.error for o in outcomes):
        ctx.exit(3)
    ctx.exit(1 if report.fails(_threshold(fail_on)) else 0)


@cli.command()
@click.argument("endpoint")
@click.option(
    "--variants",
    is_flag=True,
    help="Write a recorded body and one variant per optional key and nullable path.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the JSON files (default: tests/fixtures/ENDPOINT beside the config).",
)
@_CONFIG
@click.pass_context
def fixtures(
    ctx: click.Context, endpoint: str, variants: bool, out: Path | None, config_path: Path | None
) -> None:
    """Write edge-case JSON fixtures for ENDPOINT, derived from its recordings.

    The base is a real recorded body (the one with the most non-null values);
    each variant changes one thing the API has been seen to do: an optional
    key removed (ENDPOINT.without.PATH.json) or a nullable value set to null
    (ENDPOINT.null.PATH.json). Recordings are the fresh ones if present, else
    the committed cassettes. Listing the files as the endpoint's `fixtures`
    clears its mock-uncovered-* findings.

    \b
    Example:
        driftcheck fixtures user --variants
        driftcheck fixtures user --variants --out tests/fixtures/user
    """
    if not variants:
        raise click.UsageError(
            "say what to write: --variants (a recorded body and its edge cases)", ctx=ctx
        )
    config = load_config(config_path)
    target = out or config.root / "tests" / "fixtures" / endpoint
    written = contracts.write_variants(config, endpoint, target)
    for path, variant in written:
        what = {"base": "a recorded body", "without": "{} removed", "null": "{} null"}
        click.echo(f"wrote {_shown(path)}  ({what[variant.change].format(variant.path)})")
    pattern = _shown(target / f"{endpoint}.*.json")
    click.echo(f'{len(written)} fixtures; use them with: fixtures = ["{pattern}"]')


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@cli.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Run the bundled demo end to end: a local API drifts, driftcheck finds it.

    Starts a small users API on 127.0.0.1, records it, switches it to a
    drifted v2, records again and shows the diff report. Needs no network
    and no config.
    """
    from driftcheck.demo.run import run_demo

    # Plain lines, not a bar: the demo narrates between the two recordings.
    with progress.progress(6, sys.stderr, terminal=False) as on_outcome:
        report = run_demo(lambda text: click.echo(text, err=True), on_outcome)
    _emit(FORMATS["rich"](report, _render_options("-")), "-")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="driftcheck")
