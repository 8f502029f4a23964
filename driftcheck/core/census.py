"""A census of a side's recordings: what later steps need of its interactions once their
bodies are gone, kept per endpoint rather than per interaction (pure).

A scan's worker counts each file's interactions into a census and drops them, so the
main process holds counts per endpoint and status, the few interactions reports point
at (an endpoint's first, those with notes), and per file its position and its newest
date: tens of thousands of per-test cassettes cost a few numbers each, not a record
per interaction. Files are numbered by their position in the side (`paths`); a census
of later files is appended with `extend`, which renumbers them.

Endpoints are keyed by the name the scan gave them; `renamed` merges those that
collapse to one (slugs), ordering what it keeps as the interactions were ordered.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from driftcheck.core.file_names import FileNames
from driftcheck.core.headers import HeaderTally
from driftcheck.core.model import BodyKind, Interaction, Location
from driftcheck.core.query_secrets import redacted_query
from driftcheck.core.recency import day_of
from driftcheck.core.staleness import moment

URIS = 256
"""Distinct request URLs kept per endpoint and GraphQL operation: enough to test a
URL-regex mock on and to harvest an endpoint's parameters from (`init`); past this,
only how many more interactions there were."""
SAMPLES = 8  # the first interactions of an endpoint and operation kept (file, index)
NO_DATE = -math.inf  # a file's newest date when it has none (not NaN: censuses compare equal)

Spot = tuple[int, int]  # an interaction: its file's position in the side, its index there


@dataclass(slots=True)
class StatusTally:
    """One endpoint and status: its interactions counted, the first of them, its notes."""

    samples: int = 0
    content_types: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # bodies neither JSON nor empty
    bodies: dict[str, int] = field(default_factory=dict)  # JSON bodies per recording day
    first: tuple[int, int, int] = (-1, 0, 0)  # file position, index, line (-1: none yet)
    notes: list[tuple[int, int, str]] = field(default_factory=list)  # position, index, note
    headers: HeaderTally = field(default_factory=HeaderTally)  # names sent, notices

    def add(self, position: int, interaction: Interaction, day: str) -> None:
        self.samples += 1
        self.headers.add(interaction.headers, interaction.recorded_at)
        _count(self.content_types, interaction.content_type or "(none)")
        if interaction.kind is BodyKind.JSON:
            _count(self.bodies, day)
        elif interaction.kind is not BodyKind.EMPTY:
            _count(self.skipped, interaction.kind.value)
        if self.first[0] < 0:
            self.first = (position, interaction.index, interaction.line)
        if interaction.note:
            self.notes.append((position, interaction.index, interaction.note))

    def merge(self, other: StatusTally, shift: int = 0) -> None:
        """`other`'s counts added (its files `shift` positions on), in interaction order."""
        self.samples += other.samples
        self.headers.merge(other.headers)
        for mine, theirs in (
            (self.content_types, other.content_types),
            (self.skipped, other.skipped),
            (self.bodies, other.bodies),
        ):
            for key, count in theirs.items():
                _count(mine, key, count)
        first = (other.first[0] + shift, *other.first[1:]) if other.first[0] >= 0 else None
        if first is not None and (self.first[0] < 0 or first[:2] < self.first[:2]):
            self.first = first
        moved = [(position + shift, index, note) for position, index, note in other.notes]
        self.notes = list(heapq.merge(self.notes, moved)) if self.notes else moved


@dataclass(slots=True)
class Operation:
    """One endpoint's interactions of one GraphQL operation ("" for any other request):
    their distinct URLs (the first `URIS` met, each with how often it came and where it
    came first) and the first few interactions."""

    uris: dict[str, list[int]] = field(default_factory=dict)  # URL: [count, position, index]
    dropped: int = 0  # interactions whose URL was not kept
    sampled: list[Spot] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)  # interactions per status

    def add(self, spot: Spot, uri: str, status: int) -> None:
        """One interaction: its URL kept with secret query values redacted (the census is
        cached, and a cassette another tool wrote may hold a key in its URLs)."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        uri = redacted_query(uri)
        kept = self.uris.get(uri)
        if kept is not None:
            kept[0] += 1
        elif len(self.uris) < URIS:
            self.uris[uri] = [1, *spot]
        else:
            self.dropped += 1
        if len(self.sampled) < SAMPLES:
            self.sampled.append(spot)

    def merge(self, other: Operation, shift: int = 0) -> None:
        """`other` added (its files `shift` positions on): URLs kept in the order first met."""
        uris = {uri: list(kept) for uri, kept in self.uris.items()}
        for uri, (count, position, index) in other.uris.items():
            mine = uris.get(uri)
            if mine is None:
                uris[uri] = [count, position + shift, index]
            else:
                mine[0] += count
                mine[1:] = min(mine[1:], [position + shift, index])
        ordered = sorted(uris.items(), key=lambda item: item[1][1:])
        self.uris = dict(ordered[:URIS])
        self.dropped += other.dropped + sum(kept[0] for _, kept in ordered[URIS:])
        moved = [(position + shift, index) for position, index in other.sampled]
        self.sampled = list(heapq.merge(self.sampled, moved))[:SAMPLES]
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def recorded(self) -> list[str]:
        """The kept URLs, each as often as it was recorded, in the order first met."""
        return [uri for uri, kept in self.uris.items() for _ in range(kept[0])]

    @property
    def interactions(self) -> int:
        return sum(self.statuses.values())


@dataclass(slots=True)
class Tally:
    """One endpoint of a side: per status, per operation, and the files that hold it."""

    statuses: dict[int, StatusTally] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)
    echoed: frozenset[int] | None = None  # segments every 2xx JSON body states (None: none)
    files: array[int] = field(default_factory=lambda: array("q"))  # positions, ascending
    undated: array[int] = field(default_factory=lambda: array("q"))  # of them, with no date
    newest: tuple[float, int] | None = None  # its newest date and file (of ties, the first path)

    def add_file(
        self, position: int, interactions: Sequence[Interaction], day: str, paths: Sequence[str]
    ) -> None:
        """This endpoint's interactions of the file at `position` (its day: `day`)."""
        stamps = []
        for interaction in interactions:
            self.statuses.setdefault(interaction.status, StatusTally()).add(
                position, interaction, day
            )
            self.operations.setdefault(interaction.operation or "", Operation()).add(
                (position, interaction.index), interaction.uri, interaction.status
            )
            if interaction.kind is BodyKind.JSON and 200 <= interaction.status < 300:
                here = frozenset(interaction.echoed)
                self.echoed = here if self.echoed is None else self.echoed & here
            if interaction.recorded_at is not None:
                stamps.append(interaction.recorded_at)
        self.files.append(position)
        if not stamps:
            self.undated.append(position)
        else:
            self._newer((max(stamps), position), paths)

    def merge(self, other: Tally, paths: Sequence[str], shift: int = 0) -> None:
        """`other` added, its files `shift` positions on (the same file may hold both)."""
        for status, tally in other.statuses.items():
            self.statuses.setdefault(status, StatusTally()).merge(tally, shift)
        for name, operation in other.operations.items():
            self.operations.setdefault(name, Operation()).merge(operation, shift)
        if other.echoed is not None:
            self.echoed = other.echoed if self.echoed is None else self.echoed & other.echoed
        files = array("q", (p + shift for p in other.files))
        undated = array("q", (p + shift for p in other.undated))
        if not self.files or (files and files[0] > self.files[-1]):  # later files: appended
            self.files.extend(files)
            self.undated.extend(undated)
        else:  # endpoints merged by a rename: a file may hold both, dated by either
            dated = _minus(self.files, self.undated) | _minus(files, undated)
            self.undated = array("q", sorted({*self.undated, *undated} - dated))
            self.files = array("q", sorted({*self.files, *files}))
        if other.newest is not None:
            self._newer((other.newest[0], other.newest[1] + shift), paths)

    def _newer(self, newest: tuple[float, int], paths: Sequence[str]) -> None:
        """`newest` kept if it is later than what is kept, or as late in a file whose path
        sorts first (as `recordings.newest` reports it)."""
        kept = self.newest
        tie = kept is not None and newest[0] == kept[0] and paths[newest[1]] < paths[kept[1]]
        if kept is None or newest[0] > kept[0] or tie:
            self.newest = newest

    def json_bodies(self) -> Iterator[tuple[int, str, int]]:
        """(status, day, JSON bodies): what the pooled shapes of this endpoint count."""
        for status, tally in self.statuses.items():
            yield from ((status, day, count) for day, count in tally.bodies.items())


@dataclass(slots=True)
class Census:
    """A side's files (in order), why some could not be read, each file's newest valid
    date, and per endpoint name its `Tally`."""

    paths: FileNames | list[str] = field(default_factory=FileNames)  # compact: ~30 B a name
    errors: dict[int, str] = field(default_factory=dict)
    stamps: array[float] = field(default_factory=lambda: array("d"))  # NO_DATE: none
    endpoints: dict[str, Tally] = field(default_factory=dict)

    def add_file(
        self,
        path: str,
        interactions: Sequence[Interaction],
        name_of: Callable[[Interaction], str],
        error: str | None = None,
    ) -> None:
        """One more file: its interactions counted under the names `name_of` gives."""
        position = len(self.paths)
        self.paths.append(path)
        if error is not None:
            self.errors[position] = error
        valid = [s for i in interactions if (s := i.recorded_at) is not None and moment(s)]
        self.stamps.append(max(valid, default=NO_DATE))
        day = day_of(i.recorded_at for i in interactions)
        named: dict[str, list[Interaction]] = {}
        for interaction in interactions:
            named.setdefault(name_of(interaction), []).append(interaction)
        for name, found in named.items():
            self.endpoints.setdefault(name, Tally()).add_file(position, found, day, self.paths)

    @classmethod
    def named(cls, paths: FileNames | list[str]) -> Census:
        """A census of none of `paths` yet, to which `extend` appends their files in
        order unnamed: a side's runs joined, its table of names held once, not copied."""
        return cls(paths)

    @property
    def count(self) -> int:
        """How many files the census holds (a worker's comes back without their names)."""
        return len(self.stamps)

    def extend(self, other: Census, paths: Sequence[str] | None = None) -> None:
        """`other`'s files appended after these; named by `paths` when given (a worker's
        census comes back without names: the parent holds them already), by nothing when
        this census was named ahead (`named`)."""
        if paths is not None and (len(paths) != other.count or other.paths not in ([], paths)):
            raise ValueError("a census extended with the names of other files")
        shift = self.count
        if len(self.paths) == shift:
            self.paths.extend(other.paths if paths is None else paths)
        elif len(self.paths) < shift + other.count:
            raise ValueError("a census extended past the files it was named for")
        self.errors.update((position + shift, error) for position, error in other.errors.items())
        self.stamps.extend(other.stamps)
        for name, tally in other.endpoints.items():
            if name in self.endpoints:
                self.endpoints[name].merge(tally, self.paths, shift)
            else:  # `other` is handed over: its tallies are kept, not copied
                self.endpoints[name] = _moved(tally, self.paths, shift) if shift else tally

    def renamed(self, renames: Mapping[str, str]) -> Census:
        """Endpoints under their new names, those that share one merged."""
        if not renames:
            return self
        endpoints: dict[str, Tally] = {}
        for name, tally in self.endpoints.items():
            new = renames.get(name, name)
            if new in endpoints:
                endpoints[new].merge(tally, self.paths)
            else:
                endpoints[new] = _moved(tally, self.paths, 0)
        return Census(self.paths, self.errors, self.stamps, dict(sorted(endpoints.items())))

    def only(self, names: Iterable[str]) -> Census:
        """These endpoints alone (files and errors all kept)."""
        wanted = set(names)
        kept = {n: t for n, t in self.endpoints.items() if n in wanted}
        return Census(self.paths, self.errors, self.stamps, kept)

    def location(self, tally: StatusTally) -> Location | None:
        """Where the first interaction of `tally` is."""
        position, _, line = tally.first
        return None if position < 0 else Location(self.paths[position], line)

    def notes(self, tally: StatusTally) -> list[str]:
        return [f"{self.paths[p]}#{index}: {note}" for p, index, note in tally.notes]

    def all_notes(self) -> tuple[str, ...]:
        """`file#index: note` for every interaction with a note, in the side's order."""
        spots = heapq.merge(
            *(s.notes for t in self.endpoints.values() for s in t.statuses.values())
        )
        return tuple(f"{self.paths[p]}#{index}: {note}" for p, index, note in spots)

    def files_of(self, name: str) -> list[str]:
        """The files that hold endpoint `name`, in order."""
        tally = self.endpoints.get(name)
        return [] if tally is None else [self.paths[p] for p in tally.files]

    def stamp(self, position: int) -> float | None:
        """The newest valid date recorded in a file, if any."""
        found = self.stamps[position]
        return None if found == NO_DATE else found


def by_file(interactions: Iterable[Interaction]) -> Iterator[tuple[str, list[Interaction]]]:
    """Interactions as files, in the order their `source` is first met: one met again
    later joins its file (its day is its newest date, whatever came between)."""
    files: dict[str, list[Interaction]] = {}
    for interaction in interactions:
        files.setdefault(interaction.source, []).append(interaction)
    return iter(files.items())


def _moved(tally: Tally, paths: Sequence[str], shift: int) -> Tally:
    """A copy of `tally` with its files `shift` positions on."""
    moved = Tally()
    moved.merge(tally, paths, shift)
    return moved


def _minus(files: Iterable[int], undated: Iterable[int]) -> set[int]:
    return set(files) - set(undated)


def _count(counts: dict[str, int], key: str, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by
