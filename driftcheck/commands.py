"""What each CLI command does, as plain functions the CLI (and tests) call once."""

from __future__ import annotations

import dataclasses
import datetime
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from driftcheck import contracts, scan
from driftcheck.cassettes import discover, read_cassette
from driftcheck.compare import compare
from driftcheck.config import Config
from driftcheck.endpoints import endpoint_key, group
from driftcheck.errors import CassetteError, ConfigError, InputError
from driftcheck.model import EndpointSet, FileError, Interaction, Outcome, Report
from driftcheck.reporting.json_report import load_report
from driftcheck.scan import Settings
from driftcheck.shard import Scope
from driftcheck.staleness import parse_age, recorded_time, stale_findings

PathLike = str | os.PathLike[str]
UTC = datetime.timezone.utc


def _load_sides(paths: Sequence[PathLike], reading: Settings) -> list[scan.Loaded]:
    """A file must load (its error is fatal); a folder lists its unreadable files and goes on."""
    folders = [Path(path).is_dir() for path in paths]
    sides = [
        discover([p]) if folder else [Path(p)] for p, folder in zip(paths, folders, strict=True)
    ]
    loaded = scan.load_sides(sides, reading, across=True)
    for folder, (_, errors) in zip(folders, loaded, strict=True):
        if errors and not folder:
            raise CassetteError(errors[0].file, errors[0].message)
    return loaded


def diff_paths(baseline: PathLike, current: PathLike, scope: Scope | None = None) -> Report:
    """Compare the shapes of two cassette files or folders."""
    scope = scope or Scope()
    (old, old_errors), (new, new_errors) = _load_sides([baseline, current], scope.reading)
    before, after = group(old), group(new)
    picked = scope.pick([*before.endpoints, *after.endpoints])
    if scope.shard is not None:
        old = [i for i in old if endpoint_key(i.method, i.uri) in picked]
        new = [i for i in new if endpoint_key(i.method, i.uri) in picked]
        before, after = group(old), group(new)
    report = compare(before, after)
    notes = contracts.notes_of((*old, *new))
    parts = [dataclasses.replace(report, errors=(*old_errors, *new_errors), notes=tuple(notes))]
    if scope.max_age:
        files = {i.source for i in (*old, *new)}
        stale = stale_findings(files, [*old, *new], scope.max_age, scope.now, _endpoint_of)
        parts.append(Report(tuple(stale), 0))
    return contracts.combine(parts)


def _endpoint_of(interaction: Interaction) -> str:
    return endpoint_key(interaction.method, interaction.uri)


def shape_paths(
    paths: Sequence[PathLike], reading: Settings | None = None
) -> tuple[EndpointSet, list[FileError]]:
    """Infer shapes per endpoint from cassette files and folders."""
    interactions, errors = scan.load(discover(paths), reading or Settings(), across=True)
    return group(interactions), errors


def selected(config: Config, names: tuple[str, ...], scope: Scope | None = None) -> list[str]:
    """The configured endpoints a run covers: those named (all when none), in its shard."""
    if not config.select(names):
        where = config.source or "no driftcheck.toml found"
        raise ConfigError(f"{where}: no [[endpoints]] to record")
    chosen = [e.name for e in config.select(names)]
    picked = (scope or Scope()).pick(chosen)
    return [name for name in chosen if name in picked]


def record_endpoints(
    config: Config,
    names: tuple[str, ...],
    out: Path,
    concurrency: int,
    on_outcome: Callable[[Outcome], None] | None = None,
    scope: Scope | None = None,
) -> list[Outcome]:
    """Record the selected endpoints of `config` (in this shard) into `out`."""
    from driftcheck import recorder  # imports requests (~0.15 s): only recording needs it

    covered = set(selected(config, names, scope))
    endpoints = tuple(e for e in config.select(names) if e.name in covered)
    return recorder.record(
        endpoints, out, recorder.Settings.from_config(config), concurrency, on_outcome
    )


def check(
    config: Config,
    names: tuple[str, ...],
    concurrency: int,
    on_outcome: Callable[[Outcome], None] | None = None,
    scope: Scope | None = None,
) -> tuple[Report, list[Outcome]]:
    """Record into a temporary folder and compare with the committed cassettes."""
    scope = scope or Scope()
    with tempfile.TemporaryDirectory(prefix="driftcheck-check-") as folder:
        outcomes = record_endpoints(config, names, Path(folder), concurrency, on_outcome, scope)
        recorded = {o.endpoint for o in outcomes if o.error is None}
        checked = tuple(e for e in config.endpoints if e.name in recorded)
        fresh = dataclasses.replace(config, fresh=Path(folder), endpoints=checked)
        recordings = contracts.Recordings(scope.reading)
        report = contracts.cassette_report(fresh, recordings, recorded) or Report((), 0)
        mocks = contracts.fixture_report(fresh, recordings)
    failures = [FileError(o.endpoint, f"recording failed: {o.error}") for o in outcomes if o.error]
    cassettes = dataclasses.replace(report, errors=(*report.errors, *failures))
    stale = contracts.stale_report(config, [o.endpoint for o in outcomes], scope)
    return contracts.combine([cassettes, mocks, stale]), outcomes


def merge_reports(paths: Sequence[PathLike]) -> Report:
    """The JSON reports of sharded runs as the one report an unsharded run gives."""
    parts = []
    for path in paths:
        try:
            text = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
        parts.append(load_report(text, str(path)))
    return contracts.combine(parts)


def due(config: Config, names: tuple[str, ...], target: Path, scope: Scope) -> tuple[str, ...]:
    """What `record` should record: the selected endpoints of this shard, and with a max
    age only those whose cassette in `target` is missing, unreadable or older than it."""
    chosen = selected(config, names, scope)
    if not scope.max_age:
        return tuple(chosen)
    limit = parse_age(scope.max_age)
    result = []
    for name in chosen:
        path = target / f"{name}.yaml"
        try:
            found = recorded_time(str(path), read_cassette(path).interactions)
        except CassetteError:
            found = None
        recorded = None if found is None else datetime.datetime.fromtimestamp(found[0], UTC)
        if recorded is None or scope.now - recorded > limit:
            result.append(name)
    return tuple(result)
