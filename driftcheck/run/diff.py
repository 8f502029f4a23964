"""`driftcheck diff`: two cassette sets, or what the config names (fresh recordings vs
committed cassettes, mock fixtures vs recordings, stale cassettes), as one report."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from driftcheck.config import Config
from driftcheck.core.compare import compare
from driftcheck.core.endpoints import endpoint_key, group
from driftcheck.core.fixture_check import compare_fixtures
from driftcheck.core.merge import combine
from driftcheck.core.model import FileError, Finding, Interaction, Report
from driftcheck.core.staleness import stale_findings
from driftcheck.errors import CassetteError, ConfigError, InputError
from driftcheck.run.recordings import Recordings, by_name, contract, notes_of
from driftcheck.run.scope import Scope
from driftcheck.sources import scan
from driftcheck.sources.cassettes import discover
from driftcheck.sources.fixtures import load_fixtures
from driftcheck.sources.staleness import recorded

PathLike = str | os.PathLike[str]


def _scan_sides(paths: Sequence[PathLike], reading: scan.Settings) -> list[scan.Scanned]:
    """A file must load (its error is fatal); a folder lists its unreadable files and goes on."""
    folders = [Path(path).is_dir() for path in paths]
    sides = [
        discover([p]) if folder else [Path(p)] for p, folder in zip(paths, folders, strict=True)
    ]
    scanned = scan.scan_sides(sides, reading)
    for folder, side in zip(folders, scanned, strict=True):
        if side.errors and not folder:
            raise CassetteError(side.errors[0].file, side.errors[0].message)
    return scanned


def _endpoint_of(interaction: Interaction) -> str:
    return endpoint_key(interaction.method, interaction.uri)


def diff_paths(baseline: PathLike, current: PathLike, scope: Scope | None = None) -> Report:
    """Compare the shapes of two cassette files or folders."""
    scope = scope or Scope()
    old_side, new_side = _scan_sides([baseline, current], scope.reading)
    old, new = old_side.interactions, new_side.interactions
    if scope.shard is not None:
        picked = scope.pick({_endpoint_of(i) for i in (*old, *new)})
        old = [i for i in old if _endpoint_of(i) in picked]
        new = [i for i in new if _endpoint_of(i) in picked]
    report = compare(group(old, old_side.shapes), group(new, new_side.shapes))
    notes = notes_of((*old, *new))
    errors = (*old_side.errors, *new_side.errors)
    parts = [dataclasses.replace(report, errors=errors, notes=tuple(notes))]
    if scope.max_age:
        files = {i.source for i in (*old, *new)}
        cassettes = recorded(files, [*old, *new], _endpoint_of)
        parts.append(Report(tuple(stale_findings(cassettes, scope.max_age, scope.now)), 0))
    return combine(parts)


def fixture_report(
    config: Config, recordings: Recordings | None = None, names: set[str] | None = None
) -> Report:
    """Every configured endpoint's fixtures (of those in `names`) against its recordings."""
    recordings = recordings or Recordings()
    findings: list[Finding] = []
    errors: list[FileError] = []
    notes: list[str] = []
    checked: list[tuple[str, int | None]] = []
    endpoints = [e for e in config.endpoints if e.fixtures and (names is None or e.name in names)]
    for endpoint in endpoints:
        loaded = load_fixtures(endpoint.fixtures, config.root)
        errors.extend(loaded.errors)
        notes.extend(loaded.notes)
        if not loaded.fixtures:
            continue
        try:
            recorded_contract = contract(config, endpoint.name, recordings)
        except InputError as error:
            errors.append(FileError(endpoint.name, f"fixtures not checked: {error}"))
            continue
        checked.append((endpoint.name, recorded_contract.status))
        findings.extend(compare_fixtures(recorded_contract, loaded.fixtures))
    return Report(
        tuple(findings), len(endpoints), tuple(errors), tuple(notes), checked=tuple(checked)
    )


def fresh_files(config: Config) -> list[Path]:
    """The fresh recordings `record` wrote, one per endpoint."""
    return sorted(config.fresh.glob("*.yaml")) if config.fresh.is_dir() else []


def cassette_report(
    config: Config, recordings: Recordings | None = None, names: set[str] | None = None
) -> Report | None:
    """Fresh recordings vs their committed cassettes; None when nothing fresh exists."""
    every = fresh_files(config)
    if not every:
        return None
    fresh = [p for p in every if names is None or p.stem in names]
    committed = [config.cassettes / p.name for p in fresh if (config.cassettes / p.name).is_file()]
    old, new = (recordings or Recordings()).load_sides([committed, fresh])
    report = compare(old.endpoints(), new.endpoints())
    return dataclasses.replace(
        report,
        errors=(*old.errors, *new.errors),
        notes=notes_of((*old.interactions, *new.interactions)),
    )


def stale_report(
    config: Config, names: Iterable[str], scope: Scope, recordings: Recordings | None = None
) -> Report:
    """`cassette-stale` for the committed cassettes of `names`, when a max age is set."""
    max_age = scope.max_age or config.max_age
    if not max_age:
        return Report((), 0)
    paths = [config.cassettes / f"{name}.yaml" for name in sorted(set(names))]
    existing = [path for path in paths if path.is_file()]
    interactions = (recordings or Recordings()).load(existing).interactions
    cassettes = recorded([str(path) for path in existing], interactions, by_name)
    return Report(tuple(stale_findings(cassettes, max_age, scope.now)), 0)


def diff_config(config: Config, scope: Scope | None = None) -> Report:
    """`driftcheck diff` with no arguments: both comparisons in one report."""
    scope = scope or Scope()
    recordings = Recordings(scope.reading)
    configured = [e.name for e in config.endpoints]
    names = scope.pick([*configured, *(p.stem for p in fresh_files(config))])
    cassettes = cassette_report(config, recordings, names)
    has_fixtures = any(e.fixtures for e in config.endpoints)
    if cassettes is None and not has_fixtures and not (scope.max_age or config.max_age):
        where = config.source or "no driftcheck.toml found"
        raise ConfigError(
            f"{where}: nothing to compare: no fresh recordings in {config.fresh} and no "
            "endpoint lists `fixtures`; run `driftcheck record`, or give BASELINE and CURRENT"
        )
    parts = [
        r
        for r in (
            cassettes,
            fixture_report(config, recordings, names),
            stale_report(config, names, scope, recordings),
        )
        if r
    ]
    notes: list[str] = []
    if cassettes is None:
        notes.append(f"no fresh recordings in {config.fresh}: only fixtures were compared")
    return combine(parts, notes)
