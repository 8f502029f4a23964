"""Commands that end in a report: diff, check and merge."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from driftcheck.cli.common import (
    ALLOW_UNREADABLE,
    CONCURRENCY,
    CONFIG,
    ENDPOINTS,
    FAIL_ON_OPTION,
    FORMAT,
    OUTPUT,
    SPEC,
    FailOn,
    Format,
    finish,
    make_policy,
    recording_progress,
    report_options,
    scope,
)

# Each command imports what it runs when it runs: `--help` needs none of it.
if TYPE_CHECKING:
    from driftcheck.core.model import Severity
    from driftcheck.core.policy import Ignore
    from driftcheck.core.shard import Shard
    from driftcheck.core.staleness import Age


@click.command()
@click.argument("baseline", required=False, type=click.Path(exists=True))
@click.argument("current", required=False, type=click.Path(exists=True))
@CONFIG
@SPEC
@report_options
@ALLOW_UNREADABLE
@click.pass_context
def diff(
    ctx: click.Context,
    baseline: str | None,
    current: str | None,
    config_path: Path | None,
    spec_path: Path | None,
    fmt: Format,
    output: str,
    fail_on: FailOn,
    shard: Shard | None,
    max_age: Age | None,
    severity_flags: Mapping[str, Severity],
    ignore_flags: tuple[Ignore, ...],
    workers: int | None,
    no_cache: bool,
    allow_unreadable: bool,
) -> None:
    """Compare response shapes: two cassette sets, or what the config names.

    With BASELINE and CURRENT (cassette files or folders, searched recursively),
    their interactions are grouped by endpoint (METHOD host/path, ids as {id})
    and status code, and shapes are compared. Only structure, never values.

    With no arguments, the config drives it: fresh recordings vs committed
    cassettes (when fresh ones exist), and every endpoint's mock `fixtures` vs
    its recordings (fresh if present, else committed), in one report.

    With --spec (or `spec` in the config), the recordings (CURRENT, or the
    config's) are also held to a provider's OpenAPI description: `spec-*`
    findings. `diff --spec openapi.yaml cassettes/` does only that.

    The config's [severity] and [[ignore]] apply in both modes.

    Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 input error
    (including unreadable files and fixtures, unless --allow-unreadable),
    130 Ctrl-C, 143 SIGTERM.

    \b
    Example:
        driftcheck diff
        driftcheck diff cassettes/ .driftcheck/fresh/
        driftcheck diff old.yaml new.yaml --format json --output report.json
        driftcheck diff --shard 2/3 --format json --output shard-2.json
        driftcheck diff --spec openapi.yaml cassettes/
    """
    from driftcheck.config import load_config
    from driftcheck.run import diff as diff_run

    config = load_config(config_path, require_env=False)
    run = scope(shard, max_age or config.max_age, config, workers=workers, no_cache=no_cache)
    if spec_path is not None:
        run = dataclasses.replace(run, spec=spec_path)
    rules = make_policy(config, severity_flags, ignore_flags)
    if baseline is None:
        report = diff_run.diff_config(config, run)
    elif current is None and run.spec is not None:
        report = diff_run.spec_paths(baseline, run)
    elif current is None:
        raise click.UsageError(
            "give CURRENT too (a cassette file or folder), or no argument to use the config",
            ctx=ctx,
        )
    else:
        report = diff_run.diff_paths(baseline, current, run)
    finish(ctx, report, rules, fmt, output, fail_on, allow_unreadable)


@click.command()
@CONFIG
@ENDPOINTS
@CONCURRENCY
@report_options
@click.pass_context
def check(
    ctx: click.Context,
    config_path: Path | None,
    endpoint_names: tuple[str, ...],
    concurrency: int | None,
    fmt: Format,
    output: str,
    fail_on: FailOn,
    shard: Shard | None,
    max_age: Age | None,
    severity_flags: Mapping[str, Severity],
    ignore_flags: tuple[Ignore, ...],
    workers: int | None,
    no_cache: bool,
) -> None:
    """Record the live endpoints into a temporary folder and diff them with the committed cassettes.

    The scheduled job in one command, and the quick probe during an incident;
    fixtures are checked against the fresh recording too. Same report formats
    and exit codes as `diff`; 3 when recording failed for some endpoint
    (listed in the report's errors). The temporary folder is removed however
    the run ends, Ctrl-C (130) and SIGTERM (143) included.

    \b
    Example:
        driftcheck check
        driftcheck check --endpoint user --format json
    """
    from driftcheck.config import load_config
    from driftcheck.run import check as check_run
    from driftcheck.run.record import selected

    config = load_config(config_path).with_overrides(concurrency=concurrency)
    run = scope(shard, max_age or config.max_age, config, workers=workers, no_cache=no_cache)
    rules = make_policy(config, severity_flags, ignore_flags)
    endpoints = selected(config, endpoint_names, run)
    with recording_progress(len(endpoints)) as on_outcome:
        report, _ = check_run.check(config, endpoints, on_outcome, run)
    finish(ctx, report, rules, fmt, output, fail_on)


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@FORMAT
@OUTPUT
@FAIL_ON_OPTION
@ALLOW_UNREADABLE
@click.pass_context
def merge(
    ctx: click.Context,
    reports: tuple[str, ...],
    fmt: Format,
    output: str,
    fail_on: FailOn,
    allow_unreadable: bool,
) -> None:
    """Combine the JSON reports of sharded runs into one report, in any format.

    The exit code is the one an unsharded run would have given: 3 when some
    shard failed to record, 2 for unreadable input, 1 for drift at or above
    --fail-on. Ignores and severities were applied by the shards.

    \b
    Example:
        driftcheck merge shard-*.json --format markdown --output comment.md
    """
    from driftcheck.core.policy import Policy
    from driftcheck.run import merge as merge_run

    report = merge_run.merge_reports(reports)
    finish(ctx, report, Policy(), fmt, output, fail_on, allow_unreadable)
