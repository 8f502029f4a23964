"""`driftcheck diff`: two cassette sets, or what the config names (fresh recordings vs
committed cassettes, mock fixtures vs recordings, stale cassettes), as one report."""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from driftcheck.core.compare import HeaderRules, compare
from driftcheck.core.domain_rules import clear_enums
from driftcheck.core.file_names import FileNames
from driftcheck.core.maps import Declared
from driftcheck.core.merge import combine
from driftcheck.core.model import EndpointSet, Location, Report, StatusShape
from driftcheck.core.recency import only_old, recent, select
from driftcheck.core.shape import AUTO
from driftcheck.core.slugs import group_sides
from driftcheck.core.staleness import stale_findings
from driftcheck.errors import CassetteError, ConfigError
from driftcheck.run.recordings import Recordings, newest
from driftcheck.run.scope import Scope
from driftcheck.sources import scan
from driftcheck.sources.cassettes import discover_files

if TYPE_CHECKING:
    from driftcheck.config import Config
    from driftcheck.core.spec_model import Spec

PathLike = str | os.PathLike[str]


def _scan_sides(
    paths: Sequence[PathLike], reading: scan.Settings, maps: Declared | None = None
) -> list[scan.Scanned]:
    """A file must load (its error is fatal); a folder lists its unreadable files and goes on."""
    folders = [Path(path).is_dir() for path in paths]
    sides = [FileNames(discover_files([path])) for path in paths]  # a file: checked regular
    scanned = scan.scan_sides(sides, reading, maps=maps)
    for folder, side in zip(folders, scanned, strict=True):
        if side.errors and not folder:
            raise CassetteError(side.errors[0].file, side.errors[0].message)
    return scanned


def _only(endpoints: EndpointSet, names: set[str]) -> EndpointSet:
    return EndpointSet({n: s for n, s in endpoints.endpoints.items() if n in names})


def diff_paths(baseline: PathLike, current: PathLike, scope: Scope | None = None) -> Report:
    """Compare the shapes of two cassette files or folders (endpoints by automatic key,
    slugs collapsed over both sides)."""

    scope = scope or Scope()
    spec = None if scope.spec is None else _load_spec(scope.spec)  # fails first
    old_side, new_side = _scan_sides([baseline, current], scope.reading, scope.maps)
    (old_set, new_set), _, (old, new) = group_sides(
        [(old_side.census, old_side.shapes), (new_side.census, new_side.shapes)],
        maps=scope.maps or AUTO,
    )
    old_set, new_set = (clear_enums(side, scope.scrub_body) for side in (old_set, new_set))
    if scope.shard is not None:
        picked = scope.pick({*old_set.endpoints, *new_set.endpoints})
        old_set, new_set = _only(old_set, picked), _only(new_set, picked)
        old, new = old.only(picked), new.only(picked)
    report = compare(old_set, new_set, header_rules=scope.header_rules)
    notes = (*old.all_notes(), *new.all_notes())
    errors = (*old_side.errors, *new_side.errors)
    parts = [dataclasses.replace(report, errors=errors, notes=notes)]
    if spec is not None:
        parts.append(_spec_report(spec, new_set))
    if scope.max_age:
        from driftcheck.sources.staleness import recorded

        cassettes = recorded([old, new])
        parts.append(Report(tuple(stale_findings(cassettes, scope.max_age, scope.now)), 0))
    return combine(parts)


def spec_paths(current: PathLike, scope: Scope) -> Report:
    """`diff --spec F PATH`: the recordings of one cassette file or folder against a spec
    alone (endpoints by automatic key, slugs collapsed)."""

    assert scope.spec is not None  # the command asks for it
    spec = _load_spec(scope.spec)  # a bad spec fails before any cassette is read
    (side,) = _scan_sides([current], scope.reading, scope.maps)
    (endpoints,), _, (loaded,) = group_sides([(side.census, side.shapes)], maps=scope.maps or AUTO)
    endpoints = clear_enums(endpoints, scope.scrub_body)
    if scope.shard is not None:
        endpoints = _only(endpoints, scope.pick(endpoints.endpoints))
    report = _spec_report(spec, endpoints)
    return dataclasses.replace(
        report, errors=tuple(side.errors), notes=(*report.notes, *loaded.all_notes())
    )


def cassette_report(
    config: Config,
    recordings: Recordings | None = None,
    names: set[str] | None = None,
    now: datetime.datetime | None = None,
) -> Report | None:
    """Every fresh recording vs every committed one, endpoint by endpoint (of those in
    `names`), whatever files hold them; None when nothing fresh exists.

    Only endpoints the fresh recordings hold are compared: `record` re-records configured
    endpoints, so what else the committed cassettes hold was not asked again. The committed
    side is what each endpoint's `contract_since` / `contract_newest` keep; an endpoint of
    which they keep nothing is not compared, with a note."""
    recordings = recordings or Recordings(config)
    if not recordings.fresh_files():
        return None
    committed, fresh = recordings.sides()
    compared = set(fresh.endpoints.endpoints) & (
        set(fresh.endpoints.endpoints) if names is None else names
    )
    old, new = committed.only(compared), fresh.only(compared)
    baseline, unkept = _recent_enough(config, old.endpoints)
    current = _only(new.endpoints, set(new.endpoints.endpoints) - unkept)
    rules = _header_rules(config, now)
    report = compare(baseline, current, header_rules=rules)
    report = _old_only_marked(config, report, baseline, current, rules)
    left_out = [
        f"`{name}`: no committed recording within {config.recency(name).setting}; its fresh "
        "recordings were not compared"
        for name in sorted(unkept)
    ]
    return dataclasses.replace(
        report,
        errors=(*committed.errors, *fresh.errors),
        notes=(*old.notes(), *new.notes(), *left_out),
    )


def _header_rules(config: Config, now: datetime.datetime | None) -> HeaderRules:
    moment = (now or datetime.datetime.now(datetime.timezone.utc)).timestamp()
    return HeaderRules(moment, config.volatile_headers, config.scrub_headers)


def _old_only_marked(
    config: Config,
    report: Report,
    baseline: EndpointSet,
    current: EndpointSet,
    rules: HeaderRules,
) -> Report:
    """Findings that only committed recordings more than a year older than an endpoint's
    newest give (no recency configured for it) say so, and are marked ignored: the API's
    recent recordings do not show them."""
    findings = list(report.findings)
    for name, statuses in baseline.endpoints.items():
        old = None if config.recency(name) else recent(statuses)
        if old is None or name not in current.endpoints:
            continue
        positions = [n for n, found in enumerate(findings) if found.endpoint == name]
        again = compare(
            EndpointSet({name: old.statuses}),
            EndpointSet({name: current.endpoints[name]}),
            header_rules=rules,
        ).findings
        marked = only_old([findings[n] for n in positions], again, old.before)
        for position, found in zip(positions, marked, strict=True):
            findings[position] = found
    return dataclasses.replace(report, findings=tuple(findings))


def _recent_enough(config: Config, endpoints: EndpointSet) -> tuple[EndpointSet, set[str]]:
    """The committed shapes each endpoint's recency keeps, and the endpoints it keeps
    nothing of."""
    kept: dict[str, Mapping[int, StatusShape]] = {}
    for name, statuses in endpoints.endpoints.items():
        kept[name] = select(statuses, config.recency(name))
    unkept = {name for name, statuses in kept.items() if endpoints.endpoints[name] and not statuses}
    return EndpointSet({n: s for n, s in kept.items() if n not in unkept}), unkept


def stale_report(
    config: Config, names: Iterable[str], scope: Scope, recordings: Recordings | None = None
) -> Report:
    """`cassette-stale` for the endpoints of `names`, each by its newest committed
    recording, when a max age is set."""
    max_age = scope.max_age or config.max_age
    if not max_age:
        return Report((), 0)
    committed = (recordings or Recordings(config, scope.reading)).committed
    return Report(tuple(stale_findings(newest(committed, names), max_age, scope.now)), 0)


NO_CONFIG = (
    "no driftcheck.toml found: `driftcheck init` writes one from this repository's "
    "cassettes and mocks; or give BASELINE and CURRENT"
)


def diff_config(config: Config, scope: Scope | None = None) -> Report:
    """`driftcheck diff` with no arguments: fresh vs committed recordings, the repository's
    mocks vs the recordings, and stale cassettes, in one report."""
    from driftcheck.run.mocks import mock_report  # the repository's mocks: config mode only

    if config.source is None:
        raise ConfigError(NO_CONFIG)
    scope = scope or Scope()
    spec = None if scope.spec is None else _load_spec(scope.spec)  # fails first
    recordings = Recordings(config, scope.reading)
    committed, fresh = recordings.sides()
    configured = [e.name for e in config.endpoints]
    names = scope.pick([*configured, *fresh.endpoints.endpoints])
    everything = [*configured, *committed.endpoints.endpoints, *fresh.endpoints.endpoints]
    mocks = mock_report(
        config, recordings, None if scope.shard is None else scope.pick(everything), spec
    )
    cassettes = cassette_report(config, recordings, names, scope.now)
    specced = None if spec is None else _spec_part(config, recordings, scope, spec)
    if (
        cassettes is None
        and specced is None
        and not _looked_at(mocks)
        and not (scope.max_age or config.max_age)
    ):
        raise ConfigError(
            f"{config.source}: nothing to compare: no fresh recordings in {_fresh(config)} "
            f"and no mocks found in the tests under {config.root}; run `driftcheck record`, "
            "or give BASELINE and CURRENT"
        )
    unread = Report((), 0, tuple(committed.errors)) if cassettes is None else None
    stale = stale_report(config, names, scope, recordings)
    notes: list[str] = []
    if cassettes is None:
        compared = "fixtures and the spec" if specced is not None else "fixtures"
        notes.append(f"no fresh recordings in {_fresh(config)}: only {compared} were compared")
    parts = (cassettes, unread, mocks, stale, specced)
    return relative(combine([r for r in parts if r is not None], notes), config.root)


def relative(report: Report, root: Path) -> Report:
    """Config mode: files under the config's folder named relative to it, as mocks' are,
    so that code scanning (SARIF) and annotations resolve them against the checkout."""
    base = os.path.realpath(root)

    def near(file: str) -> str:
        if not os.path.isabs(file):
            return file
        inside = os.path.relpath(os.path.realpath(file), base)
        return file if inside.startswith("..") else Path(inside).as_posix()

    def moved(where: Location | None) -> Location | None:
        return None if where is None else dataclasses.replace(where, file=near(where.file))

    # a config at `/` names every path: its messages are left as they are
    prefixes = {p for p in (os.path.join(str(root), ""), os.path.join(base, "")) if p != "/"}

    def said(text: str) -> str:  # a message naming a file (the spec's line, say)
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    findings = tuple(
        dataclasses.replace(
            f,
            location=moved(f.location),
            spec_location=moved(f.spec_location),
            message=said(f.message),
        )
        for f in report.findings
    )
    errors = tuple(dataclasses.replace(e, file=near(e.file)) for e in report.errors)
    notes, warnings = tuple(map(said, report.notes)), tuple(map(said, report.warnings))
    return dataclasses.replace(
        report, findings=findings, errors=errors, notes=notes, warnings=warnings
    )


def _spec_part(config: Config, recordings: Recordings, scope: Scope, spec: Spec) -> Report:
    """The recordings (fresh where they hold an endpoint, else committed) against the
    spec `--spec` or the config names."""

    endpoints = _recorded(recordings)
    if scope.shard is not None:
        endpoints = _only(endpoints, scope.pick(endpoints.endpoints))
    return _spec_report(spec, endpoints, config)


def _looked_at(mocks: Report) -> bool:
    """Whether the mock check had anything: a mock found, or a `fixtures` error."""
    coverage = mocks.coverage
    return bool(mocks.errors or (coverage and (coverage.checked or coverage.unmatched)))


def _fresh(config: Config) -> str:
    return " or ".join(config.fresh_places)


# `run/spec.py` (the OpenAPI loader and rules) imported on use: a diff without a spec
# starts without it.
def _load_spec(path: Path) -> Spec:
    from driftcheck.run import spec

    return spec.load(path)


def _spec_report(spec: Spec, endpoints: EndpointSet, config: Config | None = None) -> Report:
    from driftcheck.run import spec as spec_run

    return spec_run.spec_report(spec, endpoints, config)


def _recorded(recordings: Recordings) -> EndpointSet:
    from driftcheck.run import spec

    return spec.recorded(recordings)
