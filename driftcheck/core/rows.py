"""Shapes as flat rows, parents first: how they cross from worker processes and sit in
the cache (pure). No nesting, so no depth limit to hit; checked when read back, since a
cache entry is never trusted.
"""

from __future__ import annotations

from typing import Any

from driftcheck.core import domains
from driftcheck.core.inference import NO_VALUES, Acc
from driftcheck.core.model import JSON_TYPES, Node, Tagged


def ordered_types(types: dict[str, int]) -> dict[str, int]:
    if len(types) == 1:
        return dict(types)
    return {kind: types[kind] for kind in JSON_TYPES if kind in types}


# A shape as flat rows, parents first: [parent row, key, types, empty, variants, formats,
# enum]. The key is a str for an object's key, None for an array's elements, VALUES_KEY
# for a map's values; variants is None or [tag, {value: [count, {key: count}]} or None];
# formats counts strings per format, enum each value of enum-like strings (None: not).
Rows = list[list[Any]]
VALUES_KEY = 1


def to_rows(root: Acc) -> Rows:
    """The shape as flat rows, parents first: no nesting, so no depth limit to hit."""
    rows: Rows = []
    stack: list[tuple[int, str | int | None, Acc]] = [(-1, None, root)]
    while stack:
        parent, key, acc = stack.pop()
        index = len(rows)
        rows.append([parent, key, acc.types, acc.empty, _variants_row(acc), acc.formats, acc.enum])
        if acc.values is not None:
            stack.append((index, VALUES_KEY, acc.values))
        if acc.items is not None:
            stack.append((index, None, acc.items))
        stack.extend((index, k, child) for k, child in reversed(acc.keys.items()))
    return rows


def _variants_row(acc: Acc) -> list[Any] | None:
    if acc.tag is None:
        return None
    if acc.variants is None:
        return [acc.tag, None]
    return [acc.tag, {name: [count, dict(keys)] for name, (count, keys) in acc.variants.items()}]


def from_rows_acc(rows: Rows) -> Acc:
    """The accumulator `rows` describe (rows as `to_rows` wrote them, e.g. cached)."""
    accs: list[Acc] = []
    for parent, key, types, empty, variants, formats, enum in rows:
        target = Acc()
        if parent >= 0:
            owner = accs[parent]
            if key is None:
                owner.items = target
            elif key == VALUES_KEY and not isinstance(key, str):
                owner.values = target
            else:
                owner.keys[key] = target
        target.types = dict(types)
        target.empty = empty
        if formats != NO_VALUES:
            target.formats = None if formats is None else dict(formats)
        if enum != NO_VALUES:
            target.enum = None if enum is None else dict(enum)
        if variants is not None:
            target.tag = variants[0]
            found = variants[1]
            target.variants = None if found is None else {
                name: (count, dict(keys)) for name, (count, keys) in found.items()
            }  # fmt: skip
        accs.append(target)
    if not accs:
        raise ValueError("no shape rows")
    return accs[0]


def _tagged(variants: list[Any] | None) -> tuple[str | None, dict[str, Tagged]]:
    if variants is None:
        return None, {}
    tag, found = variants
    if found is None:
        return tag, {}
    return tag, {name: Tagged(count, dict(keys)) for name, (count, keys) in found.items()}


def from_rows(rows: Rows) -> Node:
    """The frozen shape `rows` describe; raises ValueError when they describe none.

    Nodes are read-only, so equal type counts share one dict and every leaf one empty
    dict: most nodes are leaves, and siblings often have the same counts. This takes a
    third off the shapes the main process holds, one per endpoint and side.
    """
    shared: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
    no_keys: dict[str, Node] = {}
    keys: dict[int, list[tuple[str, Node]]] = {}  # children, last first
    items: dict[int, Node] = {}
    values: dict[int, Node] = {}
    node = None
    for index in range(len(rows) - 1, -1, -1):  # children come after their parent
        parent, key, types, empty, variants, formats, enum = rows[index]
        if not (0 <= parent < index or parent == index - 1 == -1):
            raise ValueError(f"shape row {index} has no parent row before it")
        counts = ordered_types(types)
        pairs = keys.pop(index, None)
        tag, tagged = _tagged(variants)
        node = Node(
            types=shared.setdefault(tuple(counts.items()), counts),
            keys=dict(reversed(pairs)) if pairs else no_keys,
            items=items.pop(index, None),
            empty=empty,
            values=values.pop(index, None),
            tag=tag,
            variants=tagged,
            formats=formats if formats != NO_VALUES else NO_VALUES,
            enum=enum if enum != NO_VALUES else NO_VALUES,
        )
        if key is None:
            items[parent] = node
        elif isinstance(key, str):
            keys.setdefault(parent, []).append((key, node))
        else:
            values[parent] = node
    if node is None:
        raise ValueError("no shape rows")
    return node


def check_rows(rows: Any) -> Rows:
    """`rows` when they describe a shape (as `to_rows` writes them); else ValueError.

    Everything a shape's rows could hold that `to_rows` never writes is refused: a parent
    that is not an earlier row, or cannot have that child (an element under no array), a
    type name or count that is no JSON type or no positive count. Damaged rows would crash
    a later step, or silently change a report.
    """
    if not isinstance(rows, list) or not rows:
        raise ValueError("no shape rows")
    for index, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != 7:
            raise ValueError(f"shape row {index} is not a row")
        parent, key, types, empty, variants, formats, enum = row
        if not _placed(rows, index, parent, key):
            raise ValueError(f"shape row {index} is not placed in a shape")
        if type(empty) is not int or empty < 0 or not _types(types):
            raise ValueError(f"shape row {index} does not count types")
        if variants is not None and not _variants_ok(variants):
            raise ValueError(f"shape row {index} does not count variants")
        if not _domains_ok(types, formats, enum):
            raise ValueError(f"shape row {index} does not count value domains")
    return rows


def _placed(rows: list[Any], index: int, parent: Any, key: Any) -> bool:
    """Whether row `index` hangs from an earlier row that can have such a child: a key or
    a map's values under an object, elements under an array."""
    if index == 0:
        return parent == -1 and type(parent) is int and key is None
    if type(parent) is not int or not 0 <= parent < index:
        return False
    if key is None:
        needed = "array"
    elif type(key) is str or (type(key) is int and key == VALUES_KEY):
        needed = "object"
    else:
        return False
    owner = rows[parent][2]
    return type(owner) is dict and needed in owner


def _types(table: Any) -> bool:
    return (
        type(table) is dict
        and bool(table)
        and all(kind in JSON_TYPES and type(n) is int and n > 0 for kind, n in table.items())
    )


def _counts(table: Any) -> bool:
    return type(table) is dict and all(
        type(key) is str and type(n) is int and n >= 0 for key, n in table.items()
    )


def _variants_ok(variants: Any) -> bool:
    if not isinstance(variants, list) or len(variants) != 2 or type(variants[0]) is not str:
        return False
    found = variants[1]
    return found is None or (
        type(found) is dict
        and all(
            isinstance(v, list)
            and len(v) == 2
            and type(v[0]) is int
            and v[0] >= 0
            and _counts(v[1])
            for v in found.values()
        )
    )


def _domains_ok(types: Any, formats: Any, enum: Any) -> bool:
    """Formats and enum values count strings: no more than the strings seen here, known
    formats only, at most `domains.ENUM_CAP` values (a cache never holds more)."""
    strings = types.get("string", 0)
    if not (bool(strings) if formats is None else _formats_ok(formats, strings)):
        return False
    if enum is None:
        return bool(strings)
    return (
        _counts(enum)
        and len(enum) <= domains.ENUM_CAP
        and sum(enum.values()) == strings
        and 0 not in enum.values()
        and all(map(domains.enum_token, enum))
    )


def _formats_ok(formats: Any, strings: int) -> bool:
    """Counts of known formats that count every string (a string without one: None)."""
    return (
        _counts(formats)
        and all(name in domains.COUNTED and n > 0 for name, n in formats.items())
        and sum(formats.values()) == (strings if formats else 0)
    )
