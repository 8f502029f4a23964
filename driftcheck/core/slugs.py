"""Slugs: a path segment that takes many values at one place across the recordings, each
answered with a body of the same shape that names it (`collections/naip`,
`collections/landsat`), is an identifier like a number, and becomes `{id}` (pure).

Decided once the scan has grouped every side, over all sides together, so both sides of a
comparison name their endpoints alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from driftcheck.core.census import Census
from driftcheck.core.endpoints import (
    API_PREFIXES,
    ID,
    Names,
    Pooled,
    PoolKey,
    grouped,
    is_version_segment,
    pool,
)
from driftcheck.core.matchers import is_placeholder
from driftcheck.core.model import EndpointSet, Field, Node, StatusShape
from driftcheck.core.paths import ROOT
from driftcheck.core.shape import AUTO, MapRule, flatten

SLUG_VALUES = 3
"""Distinct values at one position before they are taken for slugs. Two could be two named
resources of one shape (`/users/me`, `/users/self`); three literal names sharing a parent
and a shape are rare, while a test suite records three records of a collection often."""

Evidence = frozenset[tuple[object, ...]]
MAX_SHAPES = 64  # distinct shapes among one position's values: past this, they do not agree


@dataclass(frozen=True, slots=True)
class _Paths:
    """What a key's recordings show, to agree on: its statuses, its key paths per status,
    and those of them every sample had."""

    statuses: frozenset[int]
    seen: frozenset[tuple[int, str]]
    always: frozenset[tuple[int, str]]

    @property
    def structured(self) -> bool:
        """Whether a successful response shows more than a bare `$`: evidence at all."""
        return any(200 <= status < 300 and path != ROOT for status, path in self.seen)

    def agrees(self, other: _Paths) -> bool:
        """Key paths agree in the statuses both have, one of them a success: what one
        always returns there, the other has returned too (a path only one of them has is
        optional there). An error status one slug has and another lacks changes nothing."""
        common = self.statuses & other.statuses
        if not any(200 <= status < 300 for status in common):
            return False
        mine, theirs = _within(self, common), _within(other, common)
        return mine[1] <= theirs[0] and theirs[1] <= mine[0]


def _within(paths: _Paths, statuses: frozenset[int]) -> tuple[set[object], set[object]]:
    """The paths seen and those always there, in `statuses`."""
    return (
        {pair for pair in paths.seen if pair[0] in statuses},
        {pair for pair in paths.always if pair[0] in statuses},
    )


def collapse_slugs(
    sides: Sequence[EndpointSet], echoes: Mapping[str, frozenset[int]]
) -> dict[str, str]:
    """Automatic keys to rename, their slug segment become `{id}`, decided over all sides.

    Candidates differ from each other in one segment only, which follows a collection's
    name (never a version, an `api` prefix or a placeholder: there resource names stand),
    and which each one's successful JSON bodies state (`echoes`: `{"id": "naip"}` for
    `/collections/naip`; a resource type does not name itself so). They merge when at
    least `SLUG_VALUES` of them have 2xx JSON whose shapes agree (`_Paths.agrees`), and
    only when each looks the same on every side it is recorded on: a key that drifts
    between sides keeps its own findings, never diluted into a merge.
    """
    known = {name for side in sides for name in side.endpoints}
    groups = _candidates(known, echoes)
    evidence = _evidence(sides, {key for members in groups.values() for key in members})
    renames: dict[str, str] = {}
    for template, members in sorted(groups.items()):
        cluster = _slug_cluster([key for key in members if key in evidence], evidence)
        if cluster is None or (template in known and template not in cluster):
            continue  # the collapsed key exists with another shape: never merge them
        renames.update((key, template) for key in cluster if key != template and key not in renames)
    return {key: _final(renames, key) for key in renames}


def _final(renames: Mapping[str, str], key: str) -> str:
    """Where a key ends up when the key it collapses to collapses in turn."""
    seen = {key}
    while key in renames and renames[key] not in seen:
        key = renames[key]
        seen.add(key)
    return key


def _evidence(sides: Sequence[EndpointSet], keys: set[str]) -> dict[str, _Paths]:
    """Per key of `keys` with structured JSON bodies, the paths its shapes agree on; keys
    whose shape (as a comparison sees it) differs between sides are left out. Only the
    candidates' shapes are walked: most endpoints are never one."""
    wholes: dict[str, Evidence] = {}
    found: dict[str, _Paths] = {}
    drifting: set[str] = set()
    for side in sides:
        for name, statuses in side.endpoints.items():
            if name not in keys:
                continue
            whole = _whole(statuses)
            if wholes.setdefault(name, whole) != whole:
                drifting.add(name)
            elif name not in found:
                found[name] = _paths(statuses)
    return {
        name: paths for name, paths in found.items() if name not in drifting and paths.structured
    }


def _fields(statuses: Mapping[int, StatusShape]) -> Iterator[tuple[int, Field]]:
    for status, shape in statuses.items():
        if shape.shape is not None:
            yield from ((status, field) for field in flatten(shape.shape))


def _paths(statuses: Mapping[int, StatusShape]) -> _Paths:
    fields = list(_fields(statuses))
    return _Paths(
        frozenset(status for status, _ in fields),
        frozenset((status, field.path) for status, field in fields),
        frozenset((status, field.path) for status, field in fields if field.required),
    )


def _whole(statuses: Mapping[int, StatusShape]) -> Evidence:
    whole: set[tuple[object, ...]] = {(s, *sorted(x.content_types)) for s, x in statuses.items()}
    whole.update(
        (status, field.path, field.types, field.required, field.empty > 0)
        for status, field in _fields(statuses)
    )
    return frozenset(whole)


def _candidates(keys: Iterable[str], echoes: Mapping[str, frozenset[int]]) -> dict[str, list[str]]:
    """Automatic keys grouped by the template they would collapse to, per slug position;
    only groups of at least `SLUG_VALUES` (configured names, without a space, never)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(key for key in keys if " " in key):
        head, _, path = key.partition("/")
        segments = path.split("/")
        stated = echoes.get(key, frozenset())
        for position in range(1, len(segments)):
            named = segments[position] == ID or position in stated
            if named and _slug_position(segments, position):
                template = "/".join([*segments[:position], ID, *segments[position + 1 :]])
                groups[f"{head}/{template}"].append(key)
    return {template: keys for template, keys in groups.items() if len(keys) >= SLUG_VALUES}


def slug_positions(key: str) -> tuple[int, ...]:
    """Where a slug may stand in an automatic key's path (0: its first segment), among
    the segments still literal there: what a scan looks for in the bodies."""
    segments = key.partition("/")[2].split("/")
    return tuple(
        position
        for position in range(1, len(segments))
        if segments[position] != ID and _slug_position(segments, position)
    )


def _slug_position(segments: list[str], position: int) -> bool:
    """Whether a slug may stand at `position`: after a collection's literal name."""
    previous, segment = segments[position - 1], segments[position]
    before = segments[position - 2] if position > 1 else None
    return not (
        is_placeholder(previous)
        or is_version_segment(previous, before)
        or previous.lower() in API_PREFIXES
        or (segment != ID and is_version_segment(segment, previous))
    )


def _slug_cluster(members: list[str], evidence: Mapping[str, _Paths]) -> list[str] | None:
    """The one group of at least `SLUG_VALUES` members whose shapes all agree, if exactly
    one exists; the rest (`/users/me` beside `/users/{id}`) stay apart. Keys of equal
    paths are taken together, so this costs the number of distinct shapes, squared."""
    alike: dict[_Paths, list[str]] = defaultdict(list)
    for key in members:
        alike[evidence[key]].append(key)
    if len(members) < SLUG_VALUES or len(alike) > MAX_SHAPES:
        return None
    clusters: list[tuple[list[_Paths], list[str]]] = []
    for paths, keys in alike.items():
        home = next((c for c in clusters if all(paths.agrees(o) for o in c[0])), None)
        if home is None:
            clusters.append(([paths], list(keys)))
        else:
            home[0].append(paths)
            home[1].extend(keys)
    large = [sorted(keys) for _, keys in clusters if len(keys) >= SLUG_VALUES]
    return large[0] if len(large) == 1 else None


def echoes(censuses: Iterable[Census]) -> dict[str, frozenset[int]]:
    """Per endpoint, the path segments every one of its successful JSON bodies states."""
    found: dict[str, frozenset[int]] = {}
    for census in censuses:
        for name, tally in census.endpoints.items():
            if tally.echoed is not None:
                here = tally.echoed
                found[name] = found[name] & here if name in found else here
    return found


def renamed(pooled: Pooled, renames: Mapping[str, str]) -> dict[PoolKey, Node]:
    """Pooled shapes under their collapsed names (merged: counts add up), each status and
    day apart."""
    return pool(((renames.get(key[0], key[0]), *key[1:]), node) for key, node in pooled.items())


def group_sides(
    sides: Sequence[tuple[Census, Pooled]],
    names: Names | None = None,
    maps: MapRule = AUTO,
) -> tuple[list[EndpointSet], Names, list[Census]]:
    """Each side's scan grouped by the names it was scanned with, then slugs collapsed
    over all sides together; with the names as collapsed for the rest of the run (shards,
    staleness), and each side's census under them."""
    names = names or Names()
    grouped_sides = [grouped(census, pooled, maps) for census, pooled in sides]
    renames = collapse_slugs(grouped_sides, echoes(census for census, _ in sides))
    if not renames:
        return grouped_sides, names, [census for census, _ in sides]
    censuses = [census.renamed(renames) for census, _ in sides]
    regrouped = [
        grouped(census, renamed(pooled, renames), maps)
        for census, (_, pooled) in zip(censuses, sides, strict=True)
    ]
    return regrouped, names.renamed(renames), censuses
