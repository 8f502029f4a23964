"""The counting behind shapes: mutable accumulators, filled a column of values at a time
(types, keys, elements, variants, and the strings' formats and enum values); merged and
folded into maps by `core/merging.py`, written as flat rows by `core/rows.py` (pure).

`shape.ShapeBuilder` is the public face. Every walk here is iterative, so a body nested
thousands of levels deep cannot overflow the interpreter's stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain
from operator import itemgetter
from typing import Any

from driftcheck.core import domains, maps, tags
from driftcheck.core.enum_keys import holds_below
from driftcheck.core.paths import Segment
from driftcheck.errors import ShapeDepthError

_TYPE_OF: dict[type, str] = {
    dict: "object",
    list: "array",
    tuple: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}

Decide = Callable[[tuple[Segment, ...]], bool | None]  # a path -> map (True), record, or guess


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value; integer and number are distinct."""
    name = _TYPE_OF.get(type(value))
    if name is not None:
        return name
    for kind, label in _TYPE_OF.items():  # subclasses, e.g. an OrderedDict or IntEnum
        if isinstance(value, kind) and kind is not bool:
            return "boolean" if isinstance(value, bool) else label
    raise TypeError(f"not a JSON value: {type(value).__name__}")


class Acc:
    """Mutable twin of `Node`, used while counting so inference allocates little.

    `variants` counts objects and keys per value of `tag`; None with a tag means the tag
    had too many values to be a discriminator.
    """

    __slots__ = ("empty", "enum", "formats", "items", "keys", "tag", "types", "values", "variants")

    def __init__(self) -> None:
        self.types: dict[str, int] = {}
        self.keys: dict[str, Acc] = {}
        self.items: Acc | None = None
        self.empty = 0
        self.values: Acc | None = None
        self.tag: str | None = None
        self.variants: tags.VariantCounts | None = None
        # None once a string without format (or not enum-like) was seen: no more to count
        self.formats: dict[str, int] | None = NO_VALUES  # replaced, never changed in place
        self.enum: dict[str, int] | None = NO_VALUES

    def add_strings(self, key: str | None, strings: list[str]) -> None:
        """The value domains of a column's strings (`key`: the key holding them)."""
        if self.formats is not None:
            self.formats = domains.merge_formats(self.formats, domains.count_formats(strings))
        if self.enum is not None:
            self.enum = domains.merge_enums(self.enum, domains.enum_values(key, strings))

    def add_domains(self, formats: dict[str, int] | None, enum: dict[str, int] | None) -> None:
        """Another count's value domains (a shape, an accumulator, cached rows)."""
        if self.formats is not None and formats is not NO_VALUES:
            self.formats = domains.merge_formats(self.formats, formats)
        if self.enum is not None and enum is not NO_VALUES:
            self.enum = domains.merge_enums(self.enum, enum)

    @property
    def count(self) -> int:
        return sum(self.types.values())


NO_VALUES: dict[str, Any] = {}  # no string seen (shared: never changed in place)


def _name(kind: type, column: list[Any]) -> str:
    """The JSON type name of a Python type seen in `column`; subclasses are looked up once."""
    name = _TYPE_OF.get(kind)
    return name if name is not None else json_type(next(v for v in column if type(v) is kind))


def _columns(objects: list[Any], keys: Counter[Any]) -> list[tuple[Any, list[Any]]]:
    """Each key with the values it has across `objects`, in document order.

    Keys every object has are split by C-level `itemgetter` (the usual array of records);
    the others are gathered key by key, or in one pass over the entries when they are
    sparse, so a map keyed by ids costs its size, not its size times its key count.
    """
    count = len(objects)
    full = [key for key, seen in keys.items() if seen == count]
    columns: dict[Any, list[Any]] = {}
    if len(full) == 1:
        columns[full[0]] = list(map(itemgetter(full[0]), objects))
    elif full:
        rows = map(itemgetter(*full), objects)  # a tuple per record
        columns.update(zip(full, map(list, zip(*rows, strict=True)), strict=True))
    if len(full) < len(keys):
        sparse = [key for key in keys if key not in columns]
        if len(sparse) * count <= 3 * sum(keys[key] for key in sparse):
            columns.update((key, [o[key] for o in objects if key in o]) for key in sparse)
        else:
            gathered: dict[Any, list[Any]] = {key: [] for key in sparse}
            for current in objects:
                for key, value in current.items():
                    if key in gathered:
                        gathered[key].append(value)
            columns.update(gathered)
    return [(key, columns[key]) for key in keys]


Work = list[tuple[list[Any], Acc, int, str | None]]  # a column, where, its depth and key


def add_values(
    acc: Acc,
    values: list[Any],
    max_depth: int,
    early: bool = False,
    depth: int = 0,
    key: str | None = None,
) -> None:
    """Count a column of values into `acc` (a node `depth` levels down), a whole column per
    shape node at a time.

    Every value at one place (say `$.data[*].owner`) is handled together, so the per-value
    work is done by C-level builtins (`map`, `set`, `itemgetter`, `chain`) rather than by
    a Python loop. Values keep document order, so keys are listed as first seen.
    """
    early_maps = early  # objects keyed only by ids become maps before their keys are counted
    work: Work = [(values, acc, depth, key)]
    while work:
        column, target, depth, key = work.pop()
        if len(column) == 1:  # a lone value: skip the column machinery
            _add_one(column[0], target, depth, key, max_depth, work, early_maps)
            continue
        objects, arrays = _count_kinds(target, column, key)
        if objects:
            _add_objects(target, objects, depth, max_depth, work, early_maps, key)
        if arrays:
            filled = list(filter(None, arrays))
            target.empty += len(arrays) - len(filled)
            if filled:
                _check_depth(depth, max_depth)
                if target.items is None:
                    target.items = Acc()
                work.append((list(chain.from_iterable(filled)), target.items, depth + 1, key))


def _count_kinds(target: Acc, column: list[Any], key: str | None) -> tuple[list[Any], list[Any]]:
    """Count a column's types (and its strings' domains); its objects and its arrays."""
    kinds = set(map(type, column))
    counts = {next(iter(kinds)): len(column)} if len(kinds) == 1 else Counter(map(type, column))
    objects: list[Any] = []
    arrays: list[Any] = []
    for kind, count in counts.items():
        name = _name(kind, column)
        target.types[name] = target.types.get(name, 0) + count
        if name == "object":
            objects = column if len(kinds) == 1 else objects + _only(kind, column)
        elif name == "array":
            arrays = column if len(kinds) == 1 else arrays + _only(kind, column)
        elif name == "string":
            target.add_strings(key, column if len(kinds) == 1 else _only(kind, column))
    return objects, arrays


def _add_one(
    value: Any, target: Acc, depth: int, key: str | None, max_depth: int, work: Work, early: bool
) -> None:
    name = _TYPE_OF.get(type(value)) or json_type(value)
    target.types[name] = target.types.get(name, 0) + 1
    if name == "string":
        target.add_strings(key, [value])
    elif name == "object" and not value:
        if target.variants is not None:  # an empty object is an untagged one, as in a column
            _note_variants(target, [value], Counter(), 1)
    elif name == "object":
        _one_object(value, target, depth, max_depth, work, early, key)
    elif name == "array":
        if not value:
            target.empty += 1
            return
        _check_depth(depth, max_depth)
        if target.items is None:
            target.items = Acc()
        work.append((list(value), target.items, depth + 1, key))


def _one_object(
    value: Any, target: Acc, depth: int, max_depth: int, work: Work, early: bool, held: str | None
) -> None:
    if (
        target.values is not None
        or (target.tag or tags.tag_of(value)) is not None
        or (early and maps.ids_only(value) and maps.one_kind(value.values()))
    ):
        _add_objects(target, [value], depth, max_depth, work, early, held)
        return
    _check_depth(depth, max_depth)
    for key, child in value.items():
        child_acc = target.keys.get(key)
        if child_acc is None:
            child_acc = target.keys[key] = Acc()
        work.append(([child], child_acc, depth + 1, _below(held, key)))


def _add_objects(
    target: Acc,
    objects: list[Any],
    depth: int,
    max_depth: int,
    work: Work,
    early: bool,
    held: str | None,
) -> None:
    """Queue the keys' columns of a column of objects (a map's values as one column).

    With `early`, objects keyed only by ids (whose values are of one type), or whose key
    set varies, become a map at once, so a map of 4,000 ids costs one column, not 4,000
    nodes folded afterwards; `settle` would fold them anyway, on the same evidence.
    """
    if (
        early
        and target.values is None
        and not target.keys
        and maps.ids_only(chain.from_iterable(objects))
    ):
        entries = [value for current in objects for value in current.values()]
        if maps.one_kind(entries):
            target.values = Acc()
    if target.values is not None:
        _add_entries(target, objects, depth, max_depth, work, held)
        return
    keys = Counter(chain.from_iterable(objects))
    if not keys:
        if target.variants is not None:  # empty objects at a tagged place: untagged ones
            _note_variants(target, objects, keys, len(objects))
        return
    if early and not target.keys and maps.varying(objects, keys):
        target.values = Acc()
        _add_entries(target, objects, depth, max_depth, work, _held_by(keys, held))
        return
    _check_depth(depth, max_depth)
    _note_variants(target, objects, keys, len(objects))
    for key, child in _columns(objects, keys):
        child_acc = target.keys.get(key)
        if child_acc is None:
            child_acc = target.keys[key] = Acc()
        work.append((child, child_acc, depth + 1, _below(held, key)))


def _held_by(keys: Counter[Any], held: str | None) -> str | None:
    """The key a map of field names holds its values by: the first that may hold no enum
    (`db_password`, `name`: values of several fields are no enum), else the map's own."""
    return next((k for k in keys if type(k) is str and not domains.key_allows_enum(k)), held)


def _below(held: str | None, key: str) -> str:
    """The key a child's strings are held by: its own, or below a key naming a secret
    (`credentials`, `password`) or a person's name (`name[*].family`), that one: no enum
    anywhere under it."""
    return held if held is not None and holds_below(held) else key


def _add_entries(
    target: Acc, objects: list[Any], depth: int, max_depth: int, work: Work, held: str | None
) -> None:
    """Queue a map's values, of every object, as one column (held by the map's key)."""
    assert target.values is not None  # a map
    entries = [value for current in objects for value in current.values()]
    if entries:
        _check_depth(depth, max_depth)
        work.append((entries, target.values, depth + 1, held))


def _note_variants(target: Acc, objects: list[Any], keys: Counter[Any], added: int) -> None:
    """Count the objects per value of their tag key (`type`, `kind`, ...), if any."""
    if target.tag is None:
        tag = tags.tag_of(keys)
        if tag is None:
            return
        start_variants(target, tag, target.types.get("object", 0) - added)
    if target.variants is not None:
        counts = tags.count_variants(objects, target.tag or "", keys)
        if counts is None:
            target.variants = None  # the tag is data here
            return
        tags.add_counts(target.variants, counts)
        bound(target)


def start_variants(target: Acc, tag: str, before: int) -> None:
    """A tag is seen first: objects counted before it are one untagged variant."""
    target.tag = tag
    target.variants = {}
    if before > 0:
        prior = {key: child.count for key, child in target.keys.items()}
        target.variants[tags.UNTAGGED] = (before, prior)


def forget_enums(root: Acc, keys: frozenset[str]) -> None:
    """No enum values at or below a key of `keys` (lower-case; the config's `scrub_body`),
    in place: done where shapes are counted, so a scrubbed key's values never reach the
    cache. Iterative: shapes nest deep."""
    if not keys:
        return
    stack: list[tuple[Acc, bool]] = [(root, False)]
    while stack:
        acc, under = stack.pop()
        if under and acc.enum:
            acc.enum = None
        stack.extend((child, under or key.lower() in keys) for key, child in acc.keys.items())
        stack.extend((below, under) for below in (acc.items, acc.values) if below is not None)


def bound(target: Acc) -> None:
    if target.variants is not None and len(target.variants) > tags.MAX_VARIANTS:
        target.variants = None  # the tag is data (ids, mime types): no discriminator


def check_depth(depth: int, max_depth: int) -> None:
    """Raise ShapeDepthError before the children of a container `depth` levels down."""
    if depth >= max_depth:
        raise ShapeDepthError(f"JSON nested deeper than {max_depth} levels")


_check_depth = check_depth


def _only(kind: type, column: list[Any]) -> list[Any]:
    return [value for value in column if type(value) is kind]
