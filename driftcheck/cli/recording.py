"""Recording live endpoints: `record`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from driftcheck.cli.common import (
    CONCURRENCY,
    CONFIG,
    ENDPOINTS,
    SHARD,
    exit_code,
    fail,
    recording_progress,
    scope,
    to_age,
)
from driftcheck.cli.streams import to_stderr, to_stdout
from driftcheck.config_spec import MAX_RETRIES, MAX_TIMEOUT
from driftcheck.errors import ExitCode, stop_reason

# What `record` runs is imported when it runs: `--help` needs none of it.
if TYPE_CHECKING:
    from driftcheck.core.shard import Shard
    from driftcheck.core.staleness import Age


def _a_number(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """`FloatRange` lets nan through (every comparison with it is false)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter(f"must be a number of seconds up to {MAX_TIMEOUT}, not nan")
    return value


@click.command()
@CONFIG
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write cassettes here."
)
@click.option("--update", is_flag=True, help="Write the committed cassettes folder.")
@ENDPOINTS
@CONCURRENCY
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, max=MAX_TIMEOUT, min_open=True),
    callback=_a_number,
    help="Seconds per request, all of it (connect, headers, body).",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=MAX_RETRIES),
    help="Retries on connection errors, 5xx, 429.",
)
@SHARD
@click.option(
    "--max-age",
    metavar="AGE",
    callback=to_age,
    help="Only re-record endpoints whose cassette in the target folder is missing or was "
    "recorded longer ago than AGE (30d, 12h, 2w).",
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
    shard: Shard | None,
    max_age: Age | None,
) -> None:
    """Call the configured live endpoints and write one cassette per endpoint.

    Writes the `fresh` folder by default, the committed `cassettes` folder with
    --update, or DIR with --out. Secrets are scrubbed before anything is written;
    each cassette is written whole or not at all. Exits 3 when some endpoint
    failed (its existing cassette is left untouched), 130 on Ctrl-C, 143 on SIGTERM.

    \b
    Example:
        driftcheck record
        driftcheck record --update --endpoint user --concurrency 16
        driftcheck record --update --max-age 7d --shard 1/4
    """
    if out is not None and update:
        raise click.UsageError("give --out or --update, not both", ctx=ctx)
    from driftcheck.config import load_config
    from driftcheck.core.model import Report
    from driftcheck.reporting import progress
    from driftcheck.run.record import due, record_endpoints

    config = load_config(config_path).with_overrides(
        concurrency=concurrency, timeout=timeout, retries=retries
    )
    target = out or (config.cassettes if update else config.fresh)
    run = scope(shard, max_age)
    endpoints = due(config, endpoint_names, target, run)
    if not endpoints:
        _summary(f"nothing to record: no endpoint of this run is due in {target}\n")
        ctx.exit(ExitCode.OK)
    try:
        with recording_progress(len(endpoints)) as on_outcome:
            outcomes = record_endpoints(config, endpoints, target, on_outcome, _waiting)
    except KeyboardInterrupt as stop:  # Ctrl-C (130), or SIGTERM raised as `Terminated` (143)
        what, code = stop_reason(stop)
        fail(f"{what}: cassettes already written are complete; nothing partial was left", code)
    _summary(progress.summary(outcomes, str(target)))
    failed = tuple(outcome for outcome in outcomes if outcome.error)
    ctx.exit(exit_code(Report((), len(outcomes), failed=failed), None))


def _summary(text: str) -> None:
    """The summary on stdout. One that cannot be written does not change the exit code:
    the cassettes are written (or not) whatever stdout does, and 0 / 3 says which."""
    problem = to_stdout(text)
    if problem is not None:
        to_stderr(f"Warning: cannot write the summary to stdout: {problem}")


def _waiting(line: str) -> None:
    """Why a request waits before a retry (Retry-After, backoff), on stderr: a long wait
    must not look like a hang."""
    to_stderr(line)
