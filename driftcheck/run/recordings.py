"""Config mode's recordings: every cassette under `cassettes` and under `fresh`, in any
layout and file name, read once per run; each interaction belongs to the configured
endpoint whose matcher fits it, else to its automatic key; and an endpoint's contract.

An endpoint's recorded shapes come from the fresh recordings when they hold it, else
from the committed ones.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftcheck.config import Config
from driftcheck.core.census import Census
from driftcheck.core.domain_rules import clear_enums
from driftcheck.core.endpoints import Names
from driftcheck.core.file_names import FileNames
from driftcheck.core.model import BodyKind, EndpointSet, FileError, Interaction, StatusShape
from driftcheck.core.recency import day_of, keeps, select
from driftcheck.core.shape import AUTO
from driftcheck.core.slugs import group_sides
from driftcheck.core.staleness import Recorded
from driftcheck.core.suggest import unknown_name
from driftcheck.errors import CassetteError, ConfigError, InputError
from driftcheck.sources.cassettes import find, load_all, read_cassette
from driftcheck.sources.scan import Settings, scan_sides
from driftcheck.sources.staleness import recorded_time

if TYPE_CHECKING:  # contracts are for mocks and the plugin: a plain diff does not load them
    from driftcheck.core.fixture_check import Contract

LISTED = 20  # known endpoint names an "unknown endpoint" error lists


@dataclass(frozen=True, slots=True)
class Loaded:
    """One set of recordings (committed or fresh): their census (per endpoint, as named
    for the run), the files that could not be read, the endpoints they make, and how
    interactions were named."""

    census: Census
    errors: list[FileError]
    endpoints: EndpointSet
    names: Names

    def files_of(self, name: str) -> list[str]:
        """The files that hold one endpoint."""
        return self.census.files_of(name)

    def uris(self) -> dict[str, tuple[str, ...]]:
        """Each endpoint's recorded request URLs, the first `census.URIS` of each
        operation (a URL-regex mock is tested on them)."""
        return {
            name: tuple(dict.fromkeys(u for o in tally.operations.values() for u in o.uris))
            for name, tally in self.census.endpoints.items()
        }

    def sampled(self) -> set[str]:
        """The endpoints of which only the first `census.URIS` distinct URLs were kept."""
        return {
            name
            for name, tally in self.census.endpoints.items()
            if any(operation.dropped for operation in tally.operations.values())
        }

    def every_uri(self, name: str) -> Callable[[], tuple[str, ...]]:
        """How to read every URL recorded for `name` again, once, when asked."""
        return functools.cache(lambda: every_uri(self.census, self.names, name))

    def only(self, names: set[str]) -> Loaded:
        """These endpoints alone (a shard, the endpoints a check recorded)."""
        kept = {n: s for n, s in self.endpoints.endpoints.items() if n in names}
        return Loaded(self.census.only(names), self.errors, EndpointSet(kept), self.names)

    def notes(self) -> tuple[str, ...]:
        """`file#index: note` for every body left out of shape inference."""
        return self.census.all_notes()


class Recordings:
    """The committed and the fresh recordings of a config, read together on one pool the
    first time they are asked for; slugs are collapsed over both (`group_sides`)."""

    def __init__(self, config: Config, reading: Settings | None = None) -> None:
        self.config = config
        self._reading = reading or Settings()
        self._sides: tuple[Loaded, Loaded] | None = None
        self._fresh_files: FileNames | None = None

    def fresh_files(self) -> Sequence[str]:
        """The fresh recordings' files (found, not read: whether there are any decides
        what a run compares), compact: a `str` each costs more, by the hundred thousand."""
        if self._fresh_files is None:
            self._fresh_files = FileNames(find(self.config.fresh_places))
        return self._fresh_files

    def _committed(self) -> FileNames:
        """The committed recordings' files; a fresh folder inside theirs is not theirs."""
        apart = set(self.fresh_files())
        return FileNames(p for p in find(self.config.committed_places) if p not in apart)

    def sides(self) -> tuple[Loaded, Loaded]:
        """The committed recordings and the fresh ones."""
        if self._sides is None:
            fresh, committed = self.fresh_files(), self._committed()
            matchers = self.config.matchers
            rule = self.config.map_rule
            old, new = scan_sides([committed, fresh], self._reading, matchers, rule)
            (old_set, new_set), names, (old_census, new_census) = group_sides(
                [(old.census, old.shapes), (new.census, new.shapes)],
                Names(matchers),
                maps=rule or AUTO,
            )
            scrubbed = self.config.scrub_body
            self._sides = (
                Loaded(old_census, old.errors, clear_enums(old_set, scrubbed), names),
                Loaded(new_census, new.errors, clear_enums(new_set, scrubbed), names),
            )
        return self._sides

    @property
    def committed(self) -> Loaded:
        return self.sides()[0]

    @property
    def fresh(self) -> Loaded:
        return self.sides()[1]

    def holding(self, name: str) -> Loaded | None:
        """The recordings an endpoint's contract comes from: fresh if they hold it."""
        return next(
            (s for s in (self.fresh, self.committed) if name in s.endpoints.endpoints), None
        )


def recordings_in(config: Config, folder: Path, reading: Settings | None = None) -> Loaded:
    """The recordings under one folder, named by the config's matchers (`record
    --max-age` asks which endpoints its target holds a recent recording of)."""
    matchers = config.matchers
    rule = config.map_rule
    files = FileNames(find([str(folder)]))
    (scanned,) = scan_sides([files], reading or Settings(), matchers, rule)
    (endpoints,), names, (census,) = group_sides(
        [(scanned.census, scanned.shapes)], Names(matchers), maps=rule or AUTO
    )
    return Loaded(census, scanned.errors, clear_enums(endpoints, config.scrub_body), names)


def every_uri(census: Census, names: Names, name: str) -> tuple[str, ...]:
    """Every distinct URL recorded for endpoint `name`, read again from its files: a scan
    keeps the first `census.URIS` (a URL-regex mock that fits only a later one must
    still find it). One file at a time, its bodies let go: these may be many."""
    tally = census.endpoints.get(name)
    kept = [] if tally is None else [u for o in tally.operations.values() for u in o.uris]
    found = dict.fromkeys(kept)
    for path in census.files_of(name):
        try:
            interactions = read_cassette(path).interactions
        except CassetteError:  # changed since the scan: what it kept stands for it
            continue
        found.update(dict.fromkeys(i.uri for i in interactions if names(i) == name))
    return tuple(found)


def places(config: Config) -> str:
    """Where a config's recordings are read, for messages."""
    return " or ".join((*config.fresh_places, *config.committed_places))


def known_endpoint(config: Config, name: str, recordings: Recordings | None = None) -> str:
    """`name` if it is configured or recorded (an automatic key, as reports spell it);
    else an error listing the nearest names."""
    configured = [e.name for e in config.endpoints]
    if name in configured:
        return name
    recordings = recordings or Recordings(config)
    if recordings.holding(name) is not None:
        return name
    recorded = {n for side in recordings.sides() for n in side.endpoints.endpoints}
    valid = sorted(set(configured) | recorded)
    shown = [*configured, *sorted(recorded - set(configured))]
    listing = ", ".join(shown[:LISTED]) or "none: add [[endpoints]] to the config or record first"
    if len(shown) > LISTED:
        listing += f", and {len(shown) - LISTED} more"
    raise ConfigError(f"{unknown_name('endpoint', name, valid)} (known: {listing})")


def contract(config: Config, name: str, recordings: Recordings | None = None) -> Contract:
    """The recorded contract of one endpoint, from its recordings in whatever files hold
    them, of the days its `contract_since` / `contract_newest` keep; InputError when there
    is nothing to go by."""
    from driftcheck.core.fixture_check import contract_of

    recordings = recordings or Recordings(config)
    statuses = _statuses(config, name, recordings)
    recency = config.recency(name)
    chosen = select(statuses, recency)
    if recency and contract_of(name, chosen) is None and contract_of(name, statuses):
        raise InputError(
            f"no successful (2xx) JSON response recorded for `{name}` within {recency.setting}"
        )
    return _contract_of(name, chosen)


def _statuses(config: Config, name: str, recordings: Recordings) -> Mapping[int, StatusShape]:
    loaded = recordings.holding(name)
    if loaded is not None:
        return loaded.endpoints.endpoints[name]
    configured = {e.name: e for e in config.endpoints}
    what = f" ({configured[name].method} {configured[name].url})" if name in configured else ""
    raise InputError(
        f"endpoint `{name}`{what} has no recording: no interaction in {places(config)} "
        "matches it; run `driftcheck record`"
    )


def _contract_of(name: str, statuses: Mapping[int, StatusShape]) -> Contract:
    from driftcheck.core.fixture_check import contract_of

    found = contract_of(name, statuses)
    if found is None:
        first = next((s.location for s in statuses.values() if s.location), None)
        where = f"{first.file}: " if first else ""
        raise InputError(f"{where}no successful (2xx) JSON response recorded for `{name}`")
    return found


def recorded_bodies(
    config: Config, name: str, recordings: Recordings | None = None
) -> tuple[Contract, list[Any]]:
    """An endpoint's contract and its successful JSON bodies, for generating fixtures:
    the files that hold the endpoint are read again, with their bodies."""
    recordings = recordings or Recordings(config)
    recorded = contract(config, name, recordings)
    loaded = recordings.holding(name)
    files = sorted(loaded.files_of(name)) if loaded else []
    interactions, _ = load_all(Path(file) for file in files)  # read once already: no errors
    names = loaded.names if loaded else Names()
    statuses = loaded.endpoints.endpoints.get(name, {}) if loaded else {}
    kept = _kept_files(interactions, keeps(statuses, config.recency(name)))
    return recorded, [
        i.body
        for i in interactions
        if 200 <= i.status < 300 and i.kind is BodyKind.JSON and names(i) == name
        if i.source in kept
    ]


def _kept_files(interactions: Iterable[Interaction], keep: Callable[[str], bool]) -> set[str]:
    """The files whose recording day `keep` accepts (each dated as a scan dates it)."""
    stamps: dict[str, list[float | None]] = defaultdict(list)
    for interaction in interactions:
        stamps[interaction.source].append(interaction.recorded_at)
    return {source for source, found in stamps.items() if keep(day_of(found))}


def newest(loaded: Loaded, names: Iterable[str]) -> list[Recorded]:
    """When each endpoint of `names` was last recorded: its newest recording across the
    files that hold it (dates in them, else the file's git or modification time)."""
    file_times: dict[str, tuple[float, str] | None] = {}  # one git call per file
    found = []
    for name in sorted(set(names)):
        tally = loaded.census.endpoints.get(name)
        if tally is None:
            continue
        paths = loaded.census.paths
        times = []
        if tally.newest is not None:
            stamp, position = tally.newest
            times.append((stamp, "date recorded in the cassette", paths[position]))
        for path in sorted(paths[position] for position in tally.undated):
            if (time := _file_time(path, file_times)) is not None:
                times.append((*time, path))
        if times:  # of equal times, the file whose path sorts first
            times.sort(key=lambda time: time[2])
            stamp, how, path = max(times, key=lambda time: time[0])
            found.append(Recorded(path, stamp, how, (name,)))
    return found


def _file_time(path: str, known: dict[str, tuple[float, str] | None]) -> tuple[float, str] | None:
    if path not in known:
        known[path] = recorded_time(path)
    return known[path]
