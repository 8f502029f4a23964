"""What the commands share: options and their typed values, where output goes, policy,
and the exit code."""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from driftcheck.cli import streams
from driftcheck.core.model import Severity
from driftcheck.errors import ExitCode
from driftcheck.reporting import FORMATS, RenderOptions

# What a command needs only once it runs is imported there: `driftcheck CMD --help`
# loads this module, and must not pay for the config, the sources or the pool.
if TYPE_CHECKING:
    from driftcheck.config import Config
    from driftcheck.core import policy
    from driftcheck.core.model import Outcome, Report
    from driftcheck.core.shard import Shard
    from driftcheck.core.staleness import Age
    from driftcheck.run.scope import Scope
    from driftcheck.sources.scan import Settings

# The choices of --format and --fail-on, from the renderers' registry and from Severity.
# Built at run time, so mypy cannot list their members (hence the ignores).
Format = enum.Enum("Format", [(name.upper(), name) for name in sorted(FORMATS)], type=str)  # type: ignore[misc]  # members from the registry
FailOn = enum.Enum(  # type: ignore[misc]  # members from Severity
    "FailOn",
    [*((level.name, level.label) for level in sorted(Severity, reverse=True)), ("NEVER", "never")],
    type=str,
)
DEFAULT_FAIL_ON = FailOn[Severity.BREAKING.name]
DEFAULT_FORMAT = Format("rich")
_F = TypeVar("_F", bound=Callable[..., Any])


def threshold(fail_on: FailOn) -> Severity | None:
    """The least severity that fails the run; None for `never`."""
    return Severity.__members__.get(fail_on.name)


def fail(message: str, exit_code: ExitCode = ExitCode.INPUT) -> NoReturn:
    """Print one `Error:` line on stderr and exit; the only way a command reports failure.
    A line that cannot be written (stderr closed or full) is lost; the exit code stands."""
    from driftcheck.reporting.safe_text import visible

    streams.to_stderr(f"Error: {visible(message)}")  # file names may hold ESC, newlines
    raise click.exceptions.Exit(exit_code)


def render_options(output: str, fail_on: Severity | None = Severity.BREAKING) -> RenderOptions:
    import shutil

    to_terminal = output == "-" and streams.is_terminal(sys.stdout)
    color = to_terminal and "NO_COLOR" not in os.environ
    width = shutil.get_terminal_size((100, 24)).columns if to_terminal else 100
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    return RenderOptions(color=color, width=max(width, 40), fail_on=fail_on)


def emit(text: str, output: str, failed: ExitCode = ExitCode.INPUT) -> None:
    """Write to stdout (`-`) or to a file, whole or not at all; exit `failed` when that
    cannot be done. A reader gone from stdout (`| head -1`) is not a failure: it wanted
    no more, and the run's own exit code stands."""
    if output == "-":
        problem = streams.to_stdout(text)
        if problem is not None:
            fail(f"cannot write the report to stdout: {problem}", failed)
        return
    from driftcheck.files import write_output

    try:
        write_output(Path(output), text)
    except OSError as error:
        fail(f"cannot write {output}: {streams.reason(error)}", failed)


def scope(
    shard: Shard | None, max_age: Age | None, config: Config | None = None, **reading: Any
) -> Scope:
    """A run's scope from its flags; `workers` and `no_cache` override the config."""
    from driftcheck.run.scope import Scope

    return Scope(
        shard=shard,
        max_age=max_age,
        reading=reading_settings(config, **reading),
        maps=config.map_rule if config is not None else None,
        volatile_headers=config.volatile_headers if config is not None else (),
        scrub_headers=config.scrub_headers if config is not None else (),
        scrub_body=config.scrub_body if config is not None else (),
        spec=config.spec if config is not None else None,
    )


def reading_settings(
    config: Config | None, workers: int | None = None, no_cache: bool = False
) -> Settings:
    """Worker processes and the shape cache: flags over config over defaults."""
    from driftcheck.sources.scan import Settings

    if config is None:
        return Settings(workers=workers or 0)
    return Settings(
        workers=config.workers if workers is None else workers,
        cache=None if no_cache else config.cache,
        scrub=config.scrub_body,
    )


def make_policy(
    config: Config, severity: Mapping[str, Severity], ignores: tuple[policy.Ignore, ...]
) -> policy.Policy:
    """The config's policy (typed when it was loaded), with the flags' additions on top."""
    from driftcheck.core import policy

    return policy.Policy(
        severity={**config.severity, **severity},
        ignores=(*config.ignore, *ignores),
        values=config.values,
    )


def finish(
    ctx: click.Context,
    report: Report,
    rules: policy.Policy,
    fmt: Format,
    output: str,
    fail_on: FailOn,
    allow_unreadable: bool = False,
) -> NoReturn:
    """Apply the policy, render, and exit: 3 recording failed, 2 unreadable input, 1 drift.

    The report shows its warnings (an expired ignore); they go to stderr too only when
    the report goes to a file, where the user would not see them.
    """
    import datetime

    from driftcheck.core import policy

    report = policy.apply(report, rules, datetime.date.today())
    limit = threshold(fail_on)
    # a report that could not be written: 2, or 3 when recording failed (the higher rank)
    unwritten = ExitCode.RECORDING if report.failed else ExitCode.INPUT
    emit(FORMATS[fmt.value](report, render_options(output, limit)), output, unwritten)
    if output != "-":
        for warning in report.warnings:
            streams.to_stderr(f"Warning: {warning}")
    ctx.exit(exit_code(report, limit, allow_unreadable))


def exit_code(report: Report, limit: Severity | None, allow_unreadable: bool = False) -> ExitCode:
    """The one place a report becomes an exit code: a failed recording outranks unreadable
    input, which outranks drift."""
    if report.failed:
        return ExitCode.RECORDING
    if report.errors and not allow_unreadable:
        return ExitCode.INPUT
    return ExitCode.DRIFT if report.fails(limit) else ExitCode.OK


@contextlib.contextmanager
def recording_progress(total: int) -> Iterator[Callable[[Outcome], None]]:
    """Progress on stderr: a bar on a terminal, else lines; a stderr that is closed or
    fails loses them, never an endpoint or the exit code."""
    from driftcheck.reporting import progress

    stream = streams.stderr()
    terminal = streams.is_terminal(stream)  # rich itself honours NO_COLOR
    with progress.progress(total, stream, terminal) as callback:
        yield callback


# Flag values parsed as Click reads them: the commands receive typed values, and a bad
# flag is refused before any work is done.


def to_age(ctx: click.Context, param: click.Parameter, text: str | None) -> Age | None:
    from driftcheck.core.staleness import Age

    return None if text is None else Age.parse(text, "--max-age")


def _to_shard(ctx: click.Context, param: click.Parameter, text: str | None) -> Shard | None:
    from driftcheck.core.shard import parse_shard

    return None if text is None else parse_shard(text)


def _to_severities(
    ctx: click.Context, param: click.Parameter, flags: tuple[str, ...]
) -> dict[str, Severity]:
    from driftcheck.core import policy

    return policy.parse_severity_flags(flags)


def _to_ignores(
    ctx: click.Context, param: click.Parameter, flags: tuple[str, ...]
) -> tuple[policy.Ignore, ...]:
    from driftcheck.core import policy

    return tuple(policy.parse_ignore_flag(flag) for flag in flags)


def _choice(kind: type[enum.Enum], choices: Iterable[enum.Enum]) -> dict[str, Any]:
    """Click options for a choice among enum members, handed to the command as a member."""

    def to_member(ctx: click.Context, param: click.Parameter, value: str) -> enum.Enum:
        return kind(value)

    return {"type": click.Choice([m.value for m in choices]), "callback": to_member}


def format_option(choices: Iterable[Format], description: str) -> Callable[[_F], _F]:
    """`--format`, among `choices` (all formats for reports, fewer for shapes)."""
    return click.option(
        "--format",
        "fmt",
        **_choice(Format, choices),
        default=DEFAULT_FORMAT.value,
        show_default=True,
        help=description,
    )


def _output_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if value == "":
        raise click.BadParameter("must be a file name, or '-' for standard output")
    return value


OUTPUT = click.option(
    "--output",
    "-o",
    default="-",
    callback=_output_path,
    show_default=True,
    metavar="FILE",
    help="Write the report to FILE; '-' is standard output.",
)
FORMAT = format_option(list(Format), "Report format.")
FAIL_ON_OPTION = click.option(
    "--fail-on",
    **_choice(FailOn, FailOn),
    default=DEFAULT_FAIL_ON.value,
    show_default=True,
    help="Exit 1 when a finding (not ignored) is at or above this severity.",
)
CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: driftcheck.toml or [tool.driftcheck] in pyproject.toml, "
    "found from the working directory up to the repository root).",
)
ENDPOINTS = click.option(
    "--endpoint",
    "endpoint_names",
    multiple=True,
    metavar="NAME",
    help="Only this configured endpoint (repeatable).",
)
CONCURRENCY = click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Requests in flight at once (default: config, else 8).",
)
SHARD = click.option(
    "--shard",
    metavar="K/N",
    callback=_to_shard,
    help="Only the K-th of N deterministic slices of the endpoints (for CI matrices; "
    "combine the JSON reports with `driftcheck merge`).",
)
MAX_AGE = click.option(
    "--max-age",
    metavar="AGE",
    callback=to_age,
    help="Report cassettes recorded longer ago than AGE (30d, 12h, 2w) as cassette-stale "
    "(default: config `max_age`).",
)
SEVERITY = click.option(
    "--severity",
    "severity_flags",
    multiple=True,
    metavar="RULE=LEVEL",
    callback=_to_severities,
    help="Override a rule's severity for this run, e.g. field-added=warning (repeatable).",
)
IGNORE = click.option(
    "--ignore",
    "ignore_flags",
    multiple=True,
    metavar="SPEC",
    callback=_to_ignores,
    help="Ignore findings for this run: a rule id, or rule=…,endpoint=…,path=… with globs "
    "(repeatable). Ignored findings stay in the report, marked.",
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Processes reading cassettes (default: config `workers`, else one per core).",
)
NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    help="Do not use the shape cache (default: .driftcheck/cache, config `cache`).",
)
SPEC = click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also hold the recordings to this OpenAPI 3.0/3.1 description (YAML or JSON; "
    "overrides the config's `spec`).",
)

ALLOW_UNREADABLE = click.option(
    "--allow-unreadable",
    is_flag=True,
    help="Do not exit 2 because some files could not be read.",
)


def report_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options of every command that ends in a report (diff and check)."""
    options = (FORMAT, OUTPUT, FAIL_ON_OPTION, SHARD, MAX_AGE, SEVERITY, IGNORE, WORKERS, NO_CACHE)
    for option in reversed(options):
        function = option(function)
    return function
