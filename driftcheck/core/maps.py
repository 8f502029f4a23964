"""When an object is a map: its keys are data (ids, names, file names, ports), not field
names (pure heuristics, no shapes built here).

A map's values are merged into one place, `{*}`, so keys seen on one side only are never
findings and a shape does not grow with the number of ids. quicktype infers maps too
(all-digit keys, or many properties of one type); here the evidence is the keys' spelling,
how the key set varies across samples, and whether the values agree:

- every key looks like an id: numbers, UUIDs, hex or base64 tokens, dates, or text with
  spaces, slashes, dots or colons (`443 / tcp`, `report.csv`, `2019-05`);
- the key set varies: on average an object has at most half of the keys seen there
  (records have mostly required fields; a map of ids has a few of many);
- three or more values that are all objects of one structure (`assets`, HAL `_links`).

In every case the values have one JSON type (integer and number count as one); for
keys that read as ids that is enough, otherwise objects must also share their common
keys (each has half of the keys most of them have). A wrong "map" hides a removed
field; a wrong "record" fails CI with noise. Config settles a case either way (`maps`,
`not_maps`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

from driftcheck.core.pathglob import compile_pattern
from driftcheck.core.paths import Segment, join

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ID_LIKE = re.compile(
    r"""
    -?\d+(\.\d+)?\Z                                     # a number
    | [0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}\Z   # a UUID
    | (?=.*\d)[0-9a-fA-F]{12,}\Z                          # a hex token
    | ([a-z]+_)?(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{12,}\Z  # a token
    | \d{4}-\d{2}(-\d{2})?([T ].*)?\Z                     # a date, a month
    | .*[\s/.:@,]                                         # spaces, slashes, dots, ...
    | .*\d{4,}                                            # a long run of digits
    | \d                                                  # starts with a digit
    """,
    re.VERBOSE,
)
OBJECT_MAP_SIZE = 3  # values that are all objects of one structure: from this many keys
VARYING_SIZE = 3  # a varying key set: from this many distinct keys
AGREEING_KEYS = 0.5  # objects agree when each has at least this share of their keys


@functools.lru_cache(maxsize=16384)  # field names repeat in every object; ids are sampled
def looks_like_id(key: str) -> bool:
    """Whether a key reads as data rather than as a field name: `123`, `443 / tcp`,
    `2019-05`, `report.csv`, a UUID; not `login`, `avatarUrl`, `B01` or `first-name`."""
    return (bool(_ID_LIKE.match(key)) and not _IDENTIFIER.match(key)) or _long_id(key)


def _long_id(key: str) -> bool:
    """An identifier-shaped key that is an id all the same: `user_123456`, a hex digest."""
    return (
        bool(_IDENTIFIER.match(key)) and bool(_ID_LIKE.match(key)) and any(c.isdigit() for c in key)
    )


class Entry(Protocol):
    """What the heuristics read of one key's values (a shape node or an accumulator):
    their JSON types with counts, their keys when objects, and whether they are a map."""

    @property
    def types(self) -> Mapping[str, int]: ...

    @property
    def keys(self) -> Mapping[str, Any]: ...

    @property
    def values(self) -> Any: ...


def _kinds(types: Mapping[str, int]) -> frozenset[str]:
    kinds = {"number" if kind == "integer" else kind for kind in types if kind != "null"}
    return frozenset(kinds)


def _key_count(entry: Entry) -> int:
    return 1 if entry.values is not None else len(entry.keys)  # a map: one place, `{*}`


def _key_set(entry: Entry) -> Collection[str]:
    return ("{*}",) if entry.values is not None else entry.keys


def one_type(entries: Collection[Entry]) -> bool:
    """One JSON type (null aside) for every value; integer and number count as one."""
    kinds = {_kinds(entry.types) for entry in entries} - {frozenset()}  # null alone: no say
    return len(kinds) == 1 and len(next(iter(kinds))) == 1


def agree(entries: Collection[Entry], strict: bool = False) -> bool:
    """One JSON type for every value, and objects that share their common keys: each has
    at least half of the keys that at least half of them have (optional keys aside), or
    when `strict`, at least half of all the keys any of them has."""
    if not one_type(entries):
        return False
    objects = [_key_set(entry) for entry in entries if "object" in entry.types]
    return not objects or share_keys(objects, strict)


def share_keys(key_sets: Collection[Collection[str]], strict: bool = False) -> bool:
    """Whether objects (each given by the keys its values had) share their common keys:
    each has at least half of the keys at least half of them have, or when `strict`,
    at least half of all the keys any of them has."""
    counts = Counter(key for keys in key_sets for key in keys)
    least = 1 if strict else (len(key_sets) + 1) // 2  # strict: every key any of them has
    common = {key for key, count in counts.items() if count >= least}
    return bool(common) and all(
        len(common.intersection(keys)) >= AGREEING_KEYS * len(common) for keys in key_sets
    )


def varies(objects: int, size: int, present: int) -> bool:
    """The key set varies: on average an object has at most half of the keys seen."""
    return objects >= 2 and size >= VARYING_SIZE and present * 2 <= objects * size


def is_map(objects: int, children: Mapping[str, Entry]) -> bool:
    """Whether an object seen `objects` times, with these keys and values, is a map.

    The cheap evidence (the keys' spelling, counts) is looked at first; whether the values
    agree only when some evidence speaks for a map.
    """
    if not children or objects <= 0:
        return False
    size = len(children)
    if all(looks_like_id(key) for key in children):
        return one_type(children.values())  # ids: the keys say it; values of one type
    if objects >= 2 and size >= VARYING_SIZE and _varies(objects, size, children.values()):
        return agree(children.values())
    if size < OBJECT_MAP_SIZE:
        return False
    return _all_objects(children.values()) and agree(children.values(), strict=True)


def _varies(objects: int, size: int, entries: Iterable[Entry]) -> bool:
    """On average an object has at most half of the keys (stops once it has more)."""
    budget, present = objects * size, 0
    for entry in entries:
        present += sum(entry.types.values())
        if present * 2 > budget:
            return False
    return True


def _all_objects(entries: Iterable[Entry]) -> bool:
    """Every value an object with keys, null aside (stops at the first that is not)."""
    for entry in entries:
        types = entry.types
        if "object" not in types or not _key_count(entry):
            return False
        if len(types) > 1 and not _OBJECT_OR_NULL.issuperset(types):
            return False
    return True


_OBJECT_OR_NULL = frozenset({"object", "null"})


# Judged on raw values, before anything is counted (`core.inference`): the same
# evidence `is_map` reads from counted shapes.


def ids_only(keys: Iterable[Any]) -> bool:
    """Whether the keys read as ids: `core.maps`'s first kind of evidence, judged before
    anything is counted, on the first `ID_SAMPLE` keys (most objects fail at their
    first; a map of 4,000 ids need not spell out every one)."""
    return all(type(key) is str and looks_like_id(key) for key in islice(keys, ID_SAMPLE))


ID_SAMPLE = 64


def one_kind(entries: Iterable[Any]) -> bool:
    """Whether values have one JSON type, null aside (integer and number count as one)."""
    kinds = {_NUMBERS.get(kind, kind) for kind in set(map(type, entries))} - {type(None)}
    return len(kinds) == 1


_NUMBERS: dict[type, type] = {int: float}


def varying(objects: list[Any], keys: Counter[Any]) -> bool:
    """`core.maps`'s second kind of evidence, judged before the keys' columns are made:
    the key set varies across the objects, the values have one type, and object values
    share their common keys (each key's values taken together, as `settle` sees them)."""
    if not varies(len(objects), len(keys), sum(keys.values())):
        return False
    entries = [value for current in objects for value in current.values()]
    if not one_kind(entries):
        return False
    unions: dict[Any, set[Any]] = {}
    for current in objects:
        for key, value in current.items():
            if isinstance(value, dict):
                unions.setdefault(key, set()).update(value)
    return not unions or share_keys(list(unions.values()))


@dataclass(frozen=True, slots=True)
class Declared:
    """Config's say on maps: `maps` paths always are, `not_maps` paths never are, the rest
    is left to the heuristics. Picklable and with a stable repr: it goes to the worker
    processes and into the cache keys."""

    maps: tuple[str, ...] = ()
    not_maps: tuple[str, ...] = ()

    def __call__(self, path: tuple[Segment, ...]) -> bool | None:
        text = join(path)
        if any(compile_pattern(pattern).matches(text) for pattern in self.not_maps):
            return False
        if any(compile_pattern(pattern).matches(text) for pattern in self.maps):
            return True
        return None
