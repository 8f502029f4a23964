"""What each CLI command does, as plain functions the CLI (and tests) call once."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from driftcheck import contracts, recorder
from driftcheck.cassettes import discover, load_all, read_cassette
from driftcheck.compare import Overrides, compare
from driftcheck.config import Config
from driftcheck.endpoints import group
from driftcheck.errors import ConfigError
from driftcheck.model import EndpointSet, FileError, Interaction, Outcome, Report

PathLike = str | os.PathLike[str]


def _load_side(path: PathLike) -> tuple[list[Interaction], list[FileError]]:
    """A file must load (its error is fatal); a folder lists its unreadable files and goes on."""
    if Path(path).is_dir():
        return load_all(discover([path]))
    return list(read_cassette(path).interactions), []


def diff_paths(baseline: PathLike, current: PathLike, overrides: Overrides | None = None) -> Report:
    """Compare the shapes of two cassette files or folders."""
    old, old_errors = _load_side(baseline)
    new, new_errors = _load_side(current)
    report = compare(group(old), group(new), overrides)
    notes = _notes(old) + _notes(new)
    return dataclasses.replace(report, errors=(*old_errors, *new_errors), notes=tuple(notes))


def _notes(interactions: Sequence[Interaction]) -> list[str]:
    return [f"{i.source}#{i.index}: {i.note}" for i in interactions if i.note]


def shape_paths(paths: Sequence[PathLike]) -> tuple[EndpointSet, list[FileError]]:
    """Infer shapes per endpoint from cassette files and folders."""
    interactions, errors = load_all(discover(paths))
    return group(interactions), errors


def record_endpoints(
    config: Config,
    names: tuple[str, ...],
    out: Path,
    concurrency: int,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Record the selected endpoints of `config` into `out`."""
    endpoints = config.select(names)
    if not endpoints:
        where = config.source or "no driftcheck.toml found"
        raise ConfigError(f"{where}: no [[endpoints]] to record")
    return recorder.record(
        endpoints, out, recorder.Settings.from_config(config), concurrency, on_outcome
    )


def by_cassette_name(interaction: Interaction) -> str:
    """Configured endpoints are labelled by their cassette's file name."""
    return Path(interaction.source).stem


def check(
    config: Config,
    names: tuple[str, ...],
    concurrency: int,
    on_outcome: Callable[[Outcome], None] | None = None,
    overrides: Overrides | None = None,
) -> tuple[Report, list[Outcome]]:
    """Record into a temporary folder and compare with the committed cassettes."""
    with tempfile.TemporaryDirectory(prefix="driftcheck-check-") as folder:
        outcomes = record_endpoints(config, names, Path(folder), concurrency, on_outcome)
        fresh, fresh_errors = load_all(sorted(Path(folder).glob("*.yaml")))
        recorded = {o.endpoint for o in outcomes if o.error is None}
        checked = tuple(e for e in config.endpoints if e.name in recorded)
        mocks = contracts.fixture_report(
            dataclasses.replace(config, fresh=Path(folder), endpoints=checked), overrides
        )
    committed = [config.cassettes / f"{name}.yaml" for name in sorted(recorded)]
    old, old_errors = load_all(path for path in committed if path.exists())
    report = compare(group(old, by_cassette_name), group(fresh, by_cassette_name), overrides)
    failures = [FileError(o.endpoint, f"recording failed: {o.error}") for o in outcomes if o.error]
    errors = (*old_errors, *fresh_errors, *failures)
    cassettes = dataclasses.replace(report, errors=errors, notes=tuple(_notes(old + fresh)))
    return contracts.combine([cassettes, mocks]), outcomes
