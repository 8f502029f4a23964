"""Commands for looking and learning: shape, fixtures and demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from driftcheck.cli.common import (
    CONFIG,
    NO_CACHE,
    OUTPUT,
    WORKERS,
    Format,
    emit,
    exit_code,
    format_option,
    reading_settings,
    render_options,
)
from driftcheck.config import load_config
from driftcheck.core.model import Report
from driftcheck.reporting import FORMATS, progress, shape_renderer
from driftcheck.run import inspect as inspect_run

SHAPE_FORMATS = (Format("rich"), Format("json"))  # trees for people, JSON for scripts


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option(SHAPE_FORMATS, "Output format.")
@OUTPUT
@CONFIG
@WORKERS
@NO_CACHE
@click.pass_context
def shape(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: Format,
    output: str,
    config_path: Path | None,
    workers: int | None,
    no_cache: bool,
) -> None:
    """Show the inferred shape of every endpoint in cassette files or folders.

    Folders are searched recursively for .yaml, .yml, .json and extensionless files.
    Exits 2 when a file cannot be read (the others are still shown).

    \b
    Example:
        driftcheck shape cassettes/
        driftcheck shape cassettes/user.yaml --format json
    """
    config = load_config(config_path, require_env=False)
    reading = reading_settings(config, workers=workers, no_cache=no_cache)
    endpoints, errors = inspect_run.shape_paths(paths, reading)
    options = render_options(output)
    emit(shape_renderer(fmt.value)(endpoints, errors, options), output)
    ctx.exit(exit_code(Report((), len(endpoints.endpoints), errors=tuple(errors)), None))


@click.command()
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
@CONFIG
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
    config = load_config(config_path, require_env=False)
    target = out or config.root / "tests" / "fixtures" / endpoint
    written = inspect_run.write_variants(config, endpoint, target)
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


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Run the bundled demo end to end: a local API drifts, driftcheck finds it.

    Starts a small users API on 127.0.0.1, records it, switches it to a
    drifted v2, records again and shows the diff report. Needs no network
    and no config.
    """
    from driftcheck.run.demo import run_demo

    # Plain lines, not a bar: the demo narrates between the two recordings.
    with progress.progress(6, sys.stderr, terminal=False) as on_outcome:
        report = run_demo(lambda text: click.echo(text, err=True), on_outcome)
    emit(FORMATS["rich"](report, render_options("-")), "-")


COMMANDS = (shape, fixtures, demo)
