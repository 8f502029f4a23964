"""Commands for looking and learning: shape, fixtures and demo."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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
from driftcheck.cli.streams import stderr, to_stderr

# Each command imports what it runs when it runs: `--help` needs none of it.
if TYPE_CHECKING:
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
    from driftcheck.config import load_config
    from driftcheck.core.model import Report
    from driftcheck.reporting import shape_renderer
    from driftcheck.run import inspect as inspect_run

    config = load_config(config_path, require_env=False)
    reading = reading_settings(config, workers=workers, no_cache=no_cache)
    endpoints, errors = inspect_run.shape_paths(paths, reading, config.scrub_body)
    options = render_options(output)
    emit(shape_renderer(fmt.value)(endpoints, errors, options), output)
    ctx.exit(exit_code(Report((), len(endpoints.endpoints), errors=tuple(errors)), None))


@click.command()
@click.argument("endpoint")
@click.option(
    "--variants",
    is_flag=True,
    help="Write the fewest recorded bodies (edited copies) that show every variation.",
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

    Together the files show every variation the recordings have: each optional
    key absent, each nullable value null, each value of a tag such as `type`, each
    value of an enum-like field such as `status`, and each format of a field seen in
    several (a date-time and a date).
    They are recorded bodies, picked greedily so that few are needed, some
    with edits: an optional key removed, or a nullable value set to null, at
    places where the API has been seen to do that. Nothing is invented.
    Recordings are the fresh ones if present, else the committed cassettes.
    Listing the files as the endpoint's `fixtures` clears its mock-uncovered-*
    findings.

    \b
    Example:
        driftcheck fixtures user --variants
        driftcheck fixtures user --variants --out tests/fixtures/user
    """
    if not variants:
        raise click.UsageError(
            "say what to write: --variants (recorded bodies showing every variation)", ctx=ctx
        )
    from driftcheck.config import load_config
    from driftcheck.run import inspect as inspect_run

    config = load_config(config_path, require_env=False)
    target = out or config.root / "tests" / "fixtures" / endpoint
    written = inspect_run.write_variants(config, endpoint, target)
    pattern = _shown(target / f"{endpoint}.*.json")
    lines = [*_written_lines(written), f'use them with: fixtures = ["{pattern}"]']
    emit("".join(f"{line}\n" for line in lines), "-")


def _written_lines(written: inspect_run.WrittenVariants) -> Iterator[str]:
    """One line per file (its body, its edits, what it is the first to show), then the
    summary, what no body could show, and files the glob would pick up besides."""
    made = written.cover
    for path, variant in written.files:
        how = f"recorded body {variant.body + 1} of {written.recorded}"
        if variant.edits:
            how += "; " + ", ".join(str(edit) for edit in variant.edits)
        shows = ", ".join(str(target) for target in variant.covers) or "a recorded body"
        yield f"wrote {_shown(path)}  ({how})  shows: {shows}"
    kinds = Counter(target.kind for target in made.targets)
    total, shown = len(made.targets), len(made.targets) - len(made.uncovered)
    files, bodies = len(written.files), made.bodies
    parts = [
        _count(kinds["absent"], "optional key"),
        _count(kinds["null"], "nullable path"),
        _count(kinds["variant"], "variant"),
    ]
    if kinds["value"]:
        parts.append(_count(kinds["value"], "enum value"))
    if kinds["format"]:
        parts.append(_count(kinds["format"], "format"))
    yield (
        f"{files} {_plural(files, 'file')} from {bodies} recorded {_plural(bodies, 'body')} "
        f"cover {shown} of {total} targets ({', '.join(parts)})"
    )
    if made.uncovered:
        missing = ", ".join(str(target) for target in made.uncovered)
        yield f"not covered (no recorded body shows it, even edited): {missing}"
    if written.others:
        others = ", ".join(_shown(path) for path in written.others)
        yield f"also matched by the glob, not written now (old variants? remove them): {others}"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else ("bodies" if word == "body" else f"{word}s")


def _count(count: int, word: str) -> str:
    return f"{count} {_plural(count, word)}"


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@click.command()
@click.argument("targets", nargs=-1, metavar="[ENDPOINT|PATH]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["openapi", "jsonschema"]),
    default="openapi",
    show_default=True,
    help="An OpenAPI 3.1 document, or JSON Schema 2020-12 per endpoint and status.",
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Write the document to FILE (YAML when it ends in .yaml or .yml, else JSON); "
    "'-' is standard output (JSON).",
)
@CONFIG
@WORKERS
@NO_CACHE
@click.pass_context
def schema(
    ctx: click.Context,
    targets: tuple[str, ...],
    fmt: str,
    output: str,
    config_path: Path | None,
    workers: int | None,
    no_cache: bool,
) -> None:
    """Write what the recordings prove as an OpenAPI document or JSON Schemas.

    TARGETS are cassette files or folders, or endpoint names of the config (all
    its recorded endpoints when none is given: fresh recordings where they hold
    an endpoint, else the committed ones). A key is `required` when every
    recorded sample had it; null shows as a type; maps, variants, enums and
    formats only where the recordings prove them; presence counts are under
    `x-driftcheck`. Exits 2 when a file cannot be read (the rest is written).

    \b
    Example:
        driftcheck schema --output openapi.yaml
        driftcheck schema cassettes/ --format jsonschema --output shapes.json
        driftcheck schema get_user --format jsonschema
    """
    from driftcheck.config import load_config
    from driftcheck.core.model import Report
    from driftcheck.run import schema as schema_run

    if output == "":
        raise click.BadParameter("must be a file name, or '-' for standard output")
    config = load_config(config_path, require_env=False)
    reading = reading_settings(config, workers=workers, no_cache=no_cache)
    exported = schema_run.export(targets, config, reading, fmt)
    emit(schema_run.text_of(exported.document, output), output)
    for error in exported.errors:
        to_stderr(f"error: {error.file}: {error.message}")
    if output != "-":
        to_stderr(f"wrote {_count(exported.endpoints, 'endpoint')} to {output}")
    ctx.exit(exit_code(Report((), exported.endpoints, errors=exported.errors), None))


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Run the bundled demo end to end: a local API drifts, driftcheck finds it.

    Starts a small users API on 127.0.0.1, records it, switches it to a
    drifted v2, records again and shows the diff report. Needs no network
    and no config.
    """
    from driftcheck.reporting import FORMATS, progress
    from driftcheck.run.demo import run_demo

    # Plain lines, not a bar: the demo narrates between the two recordings.
    with progress.progress(6, stderr(), terminal=False) as on_outcome:
        report = run_demo(to_stderr, on_outcome)
    emit(FORMATS["rich"](report, render_options("-")), "-")
