"""Config-mode commands: fresh vs committed cassettes, fixtures vs recordings, variants.

Recorded shapes for an endpoint come from its fresh recording when there is one, else
its committed cassette (`<name>.yaml` in either folder).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson

from driftcheck.cassettes import load_all, write_atomic
from driftcheck.compare import compare
from driftcheck.config import Config
from driftcheck.endpoints import group
from driftcheck.errors import ConfigError, InputError
from driftcheck.fixtures import load_fixtures
from driftcheck.mocks import PER_PAYLOAD_RULES, Contract, compare_fixtures, contract_of
from driftcheck.model import BodyKind, FileError, Finding, Fixture, Interaction, Report
from driftcheck.scan import FileScan, Settings, scan
from driftcheck.shard import Scope
from driftcheck.staleness import stale_findings
from driftcheck.variants import Variant, variants


class Recordings:
    """Loads each cassette once per run, labelled by file name like configured endpoints."""

    def __init__(self, reading: Settings | None = None) -> None:
        self._reading = reading or Settings()
        self._loaded: dict[Path, FileScan] = {}

    def load(self, paths: Iterable[Path]) -> tuple[list[Interaction], list[FileError]]:
        wanted = list(paths)
        missing = [path for path in dict.fromkeys(wanted) if path not in self._loaded]
        for path, result in zip(missing, scan(missing, self._reading), strict=True):
            self._loaded[path] = result
        interactions: list[Interaction] = []
        errors: list[FileError] = []
        for path in wanted:
            result = self._loaded[path]
            if result.error is not None:
                errors.append(FileError(result.path, result.error))
            interactions.extend(result.interactions)
        return interactions, errors


def recording_of(config: Config, name: str) -> Path | None:
    """The fresh recording of an endpoint if there is one, else its committed cassette."""
    for folder in (config.fresh, config.cassettes):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def known_endpoint(config: Config, name: str) -> str:
    """`name` if it is configured or recorded; else an error listing the nearest names."""
    names = {e.name for e in config.endpoints}
    if name in names or recording_of(config, name) is not None:
        return name
    recorded = {
        p.stem for folder in (config.fresh, config.cassettes) for p in folder.glob("*.yaml")
    }
    valid = sorted(names | recorded)
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    listing = ", ".join(valid) or "none: add [[endpoints]] to the config or record first"
    raise ConfigError(f"unknown endpoint `{name}`{hint} (known: {listing})")


def _by_name(interaction: Interaction) -> str:
    """Configured endpoints are labelled by their cassette's file name."""
    return Path(interaction.source).stem


def notes_of(interactions: Iterable[Interaction]) -> tuple[str, ...]:
    """`file#index: note` for every body left out of shape inference."""
    return tuple(f"{i.source}#{i.index}: {i.note}" for i in interactions if i.note)


def contract(config: Config, name: str, recordings: Recordings | None = None) -> Contract:
    """The recorded contract of one endpoint; InputError when there is nothing to go by."""
    path = _recording(config, name)
    interactions, errors = (recordings or Recordings()).load([path])
    return _contract_of(name, path, interactions, errors)


def _recording(config: Config, name: str) -> Path:
    path = recording_of(config, name)
    if path is None:
        raise InputError(
            f"endpoint `{name}` has no recording: neither {config.fresh / name}.yaml nor "
            f"{config.cassettes / name}.yaml exists; run `driftcheck record`"
        )
    return path


def _contract_of(
    name: str, path: Path, interactions: list[Interaction], errors: list[FileError]
) -> Contract:
    if errors:
        raise InputError(f"{errors[0].file}: {errors[0].message}")
    found = contract_of(name, group(interactions, _by_name).endpoints.get(name, {}))
    if found is None:
        raise InputError(f"{path}: no successful (2xx) JSON response recorded for `{name}`")
    return found


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
            recorded = contract(config, endpoint.name, recordings)
        except InputError as error:
            errors.append(FileError(endpoint.name, f"fixtures not checked: {error}"))
            continue
        checked.append((endpoint.name, recorded.status))
        findings.extend(compare_fixtures(recorded, loaded.fixtures))
    return Report(
        tuple(findings), len(endpoints), tuple(errors), tuple(notes), checked=tuple(checked)
    )


def _fresh_files(config: Config) -> list[Path]:
    return sorted(config.fresh.glob("*.yaml")) if config.fresh.is_dir() else []


def cassette_report(
    config: Config, recordings: Recordings | None = None, names: set[str] | None = None
) -> Report | None:
    """Fresh recordings vs their committed cassettes; None when nothing fresh exists."""
    every = _fresh_files(config)
    if not every:
        return None
    fresh = [p for p in every if names is None or p.stem in names]
    recordings = recordings or Recordings()
    new, new_errors = recordings.load(fresh)
    committed = [config.cassettes / p.name for p in fresh if (config.cassettes / p.name).is_file()]
    old, old_errors = recordings.load(committed)
    report = compare(group(old, _by_name), group(new, _by_name))
    return dataclasses.replace(
        report, errors=(*old_errors, *new_errors), notes=notes_of((*old, *new))
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
    interactions, _ = (recordings or Recordings()).load(existing)
    files = [str(path) for path in existing]
    return Report(tuple(stale_findings(files, interactions, max_age, scope.now, _by_name)), 0)


def diff_config(config: Config, scope: Scope | None = None) -> Report:
    """`driftcheck diff` with no arguments: both comparisons in one report."""
    scope = scope or Scope()
    recordings = Recordings(scope.reading)
    configured = [e.name for e in config.endpoints]
    names = scope.pick([*configured, *(p.stem for p in _fresh_files(config))])
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


def combine(parts: Sequence[Report], notes: Sequence[str] = ()) -> Report:
    """Reports side by side, findings grouped by endpoint (each part's order kept).

    The endpoint count is that of the distinct endpoints compared, so the counts of
    shards add up to the count of the whole.
    """
    findings = sorted((f for part in parts for f in part.findings), key=lambda f: f.endpoint)
    checked = _unique(c for part in parts for c in part.checked)
    names = {f.endpoint for f in findings} | {endpoint for endpoint, _ in checked}
    return Report(
        findings=tuple(findings),
        endpoints=len(names) if checked else max([len(names), *(p.endpoints for p in parts)]),
        errors=tuple(_unique(e for part in parts for e in part.errors)),
        notes=tuple(_unique([*notes, *(n for part in parts for n in part.notes)])),
        warnings=tuple(_unique(w for part in parts for w in part.warnings)),
        checked=tuple(sorted(checked, key=lambda c: c[0])),
    )


T = TypeVar("T")


def _unique(items: Iterable[T]) -> list[T]:
    """Items in first-seen order, each once."""
    return list(dict.fromkeys(items))


def payload_findings(recorded: Contract, payload: Any, label: str = "payload") -> list[Finding]:
    """What is wrong with one mock payload by itself (coverage needs all fixtures)."""
    fixture = Fixture(payload, label, 0, label)
    findings = compare_fixtures(recorded, [fixture])
    return [f for f in findings if f.rule in PER_PAYLOAD_RULES]


def recorded_bodies(config: Config, name: str) -> tuple[Contract, list[Any]]:
    """An endpoint's contract and its successful JSON bodies, for generating fixtures."""
    path = _recording(config, name)
    interactions, errors = load_all([path])  # with bodies: variants are made of them
    recorded = _contract_of(name, path, interactions, errors)
    bodies = [i.body for i in interactions if 200 <= i.status < 300 and i.kind is BodyKind.JSON]
    return recorded, bodies


def write_variants(config: Config, name: str, out: Path) -> list[tuple[Path, Variant]]:
    """Write the base body and its variants as `<name>.<variant>.json` files in `out`."""
    recorded, bodies = recorded_bodies(config, known_endpoint(config, name))
    written: list[tuple[Path, Variant]] = []
    for variant in variants(bodies, recorded.shape):
        path = out / f"{name}.{variant.name}.json"
        text = orjson.dumps(variant.value, option=orjson.OPT_INDENT_2).decode() + "\n"
        try:
            write_atomic(path, text)
        except OSError as error:
            raise InputError(f"cannot write {path}: {error.strerror or error}") from None
        written.append((path, variant))
    return written
