"""Setting a repository up: `init`."""

from __future__ import annotations

from pathlib import Path

import click

from driftcheck.cli.common import WORKERS, emit


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what was found; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite an existing config.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the config (default: PATH/driftcheck.toml).",
)
@WORKERS
def init(path: Path, dry_run: bool, force: bool, output: Path | None, workers: int | None) -> None:
    """Write driftcheck.toml from the cassettes and mocks of a repository.

    Finds the cassettes under PATH (any layout: pytest-recording, vcrpy,
    Betamax, Ruby VCR), groups their interactions into endpoints, and writes
    each endpoint with its URL template, the `params` its recordings took and
    its recorded statuses, so `driftcheck record` can re-record it; the tests'
    mocks are matched to the endpoints as `driftcheck diff` will check them.
    Prints what it found: endpoints, mocks matched and how, mocks not matched
    and why. Credentials are never written: `${VAR}`s take their place.

    Exit codes: 0 written (or shown, with --dry-run), 2 no cassettes found or
    a config already there (--force overwrites it).

    \b
    Example:
        driftcheck init --dry-run
        driftcheck init
        driftcheck init path/to/repo --output path/to/repo/driftcheck.toml --force
    """
    from driftcheck.reporting.safe_text import visible
    from driftcheck.run.init import init as init_run
    from driftcheck.run.init_summary import summary
    from driftcheck.sources.scan import Settings

    result = init_run(path, output, dry_run=dry_run, force=force, reading=Settings(workers or 0))
    # Mocks' URLs and recorded paths come from the repository: shown, never acted on.
    shown = "".join(visible(line) + "\n" for line in summary(result).splitlines())
    emit(shown, "-")
