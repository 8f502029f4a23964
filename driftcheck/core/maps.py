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

In every case the values must agree: one JSON type (integer and number count as one),
and objects sharing most of their keys. A wrong "map" hides a removed field; a wrong
"record" fails CI with noise. Config settles a case either way (`maps`, `not_maps`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from driftcheck.core.pathglob import compile_pattern
from driftcheck.core.paths import Segment, join

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ID_LIKE = re.compile(
    r"""
    -?\d+(\.\d+)?\Z                                     # a number
    | [0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}\Z   # a UUID
    | (?=.*\d)[0-9a-fA-F]{12,}\Z                          # a hex token
    | (?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}\Z          # a base64-ish token
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


def looks_like_id(key: str) -> bool:
    """Whether a key reads as data rather than as a field name: `123`, `443 / tcp`,
    `2019-05`, `report.csv`, a UUID; not `login`, `avatarUrl`, `B01` or `first-name`."""
    return (bool(_ID_LIKE.match(key)) and not _IDENTIFIER.match(key)) or _long_id(key)


def _long_id(key: str) -> bool:
    """An identifier-shaped key that is an id all the same: `user_123456`, a hex digest."""
    return (
        bool(_IDENTIFIER.match(key)) and bool(_ID_LIKE.match(key)) and any(c.isdigit() for c in key)
    )


@dataclass(frozen=True, slots=True)
class Value:
    """What the heuristics need of one key's values: their JSON types (with counts), and
    for objects the keys they had (for maps below: their values' keys)."""

    types: Mapping[str, int]
    keys: Collection[str] = ()


def _kinds(types: Mapping[str, int]) -> frozenset[str]:
    kinds = {"number" if kind == "integer" else kind for kind in types if kind != "null"}
    return frozenset(kinds)


def agree(values: Sequence[Value]) -> bool:
    """One JSON type (null aside) for every value, and objects that share most keys."""
    kinds = {_kinds(value.types) for value in values} - {frozenset()}  # null alone: no say
    if len(kinds) != 1:
        return False
    (kind,) = kinds
    if len(kind) != 1:
        return False
    if kind != {"object"}:
        return True
    objects = [value for value in values if "object" in value.types]
    union: set[str] = set().union(*(value.keys for value in objects))
    if not union:
        return True
    return all(len(value.keys) >= AGREEING_KEYS * len(union) for value in objects)


def is_map(objects: int, values: Mapping[str, Value]) -> bool:
    """Whether an object seen `objects` times, with these keys and values, is a map."""
    if not values or objects <= 0 or not agree(list(values.values())):
        return False
    if all(looks_like_id(key) for key in values):
        return True
    size = len(values)
    present = sum(sum(value.types.values()) for value in values.values())
    if objects >= 2 and size >= VARYING_SIZE and present * 2 <= objects * size:
        return True
    first = next(iter(values.values()))
    return size >= OBJECT_MAP_SIZE and _kinds(first.types) == {"object"} and bool(first.keys)


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
