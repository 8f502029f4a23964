"""Infer the shape of JSON values and merge shapes (pure: values in, values out).

Every walk here is iterative, so a body nested thousands of levels deep cannot overflow
the interpreter's stack; depth is still bounded by `MAX_DEPTH` to keep paths printable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from itertools import chain
from operator import itemgetter
from typing import Any

from driftcheck.core.limits import MAX_SHAPE_DEPTH
from driftcheck.core.model import JSON_TYPES, Field, Node
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.errors import ShapeDepthError

MAX_DEPTH = MAX_SHAPE_DEPTH

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


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value; integer and number are distinct."""
    name = _TYPE_OF.get(type(value))
    if name is not None:
        return name
    for kind, label in _TYPE_OF.items():  # subclasses, e.g. an OrderedDict or IntEnum
        if isinstance(value, kind) and kind is not bool:
            return "boolean" if isinstance(value, bool) else label
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def fits(kind: str, types: Collection[str]) -> bool:
    """Whether a value of type `kind` fits where `types` were seen: every integer is also
    a number, so an integer fits where numbers were seen (not the reverse)."""
    return kind in types or (kind == "integer" and "number" in types)


class _Acc:
    """Mutable twin of `Node`, used while counting so inference allocates little."""

    __slots__ = ("empty", "items", "keys", "types")

    def __init__(self) -> None:
        self.types: dict[str, int] = {}
        self.keys: dict[str, _Acc] = {}
        self.items: _Acc | None = None
        self.empty = 0


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


def _add_values(acc: _Acc, values: list[Any], max_depth: int) -> None:  # noqa: C901 - hot loop kept in one frame
    """Count a column of values into `acc`, a whole column per shape node at a time.

    Every value at one place (say `$.data[*].owner`) is handled together, so the per-value
    work is done by C-level builtins (`map`, `set`, `itemgetter`, `chain`) rather than by
    a Python loop. Values keep document order, so keys are listed as first seen.
    """
    work: list[tuple[list[Any], _Acc, int]] = [(values, acc, 0)]
    while work:
        column, target, depth = work.pop()
        if len(column) == 1:  # a lone value: skip the column machinery
            _add_one(column[0], target, depth, max_depth, work)
            continue
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
        if objects:
            keys = Counter(chain.from_iterable(objects))
            if keys:
                if depth >= max_depth:
                    raise _too_deep(max_depth)
                for key, child in _columns(objects, keys):
                    child_acc = target.keys.get(key)
                    if child_acc is None:
                        child_acc = target.keys[key] = _Acc()
                    work.append((child, child_acc, depth + 1))
        if arrays:
            filled = list(filter(None, arrays))
            target.empty += len(arrays) - len(filled)
            if filled:
                if depth >= max_depth:
                    raise _too_deep(max_depth)
                if target.items is None:
                    target.items = _Acc()
                work.append((list(chain.from_iterable(filled)), target.items, depth + 1))


def _too_deep(max_depth: int) -> ShapeDepthError:
    return ShapeDepthError(f"JSON nested deeper than {max_depth} levels")


def _only(kind: type, column: list[Any]) -> list[Any]:
    return [value for value in column if type(value) is kind]


def _add_one(
    value: Any, target: _Acc, depth: int, max_depth: int, work: list[tuple[list[Any], _Acc, int]]
) -> None:
    name = _TYPE_OF.get(type(value)) or json_type(value)
    target.types[name] = target.types.get(name, 0) + 1
    if name == "object" and value:
        if depth >= max_depth:
            raise _too_deep(max_depth)
        for key, child in value.items():
            child_acc = target.keys.get(key)
            if child_acc is None:
                child_acc = target.keys[key] = _Acc()
            work.append(([child], child_acc, depth + 1))
    elif name == "array":
        if not value:
            target.empty += 1
            return
        if depth >= max_depth:
            raise _too_deep(max_depth)
        if target.items is None:
            target.items = _Acc()
        work.append((list(value), target.items, depth + 1))


def _add_node(acc: _Acc, node: Node | _Acc) -> None:
    """Add a frozen shape, or another accumulator (they share their field names)."""
    stack: list[tuple[Node | _Acc, _Acc]] = [(node, acc)]
    while stack:
        source, target = stack.pop()
        for kind, count in source.types.items():
            target.types[kind] = target.types.get(kind, 0) + count
        target.empty += source.empty
        for key, child in source.keys.items():
            child_acc = target.keys.get(key)
            if child_acc is None:
                child_acc = target.keys[key] = _Acc()
            stack.append((child, child_acc))
        if source.items is not None:
            if target.items is None:
                target.items = _Acc()
            stack.append((source.items, target.items))


def _ordered_types(types: dict[str, int]) -> dict[str, int]:
    if len(types) == 1:
        return dict(types)
    return {kind: types[kind] for kind in JSON_TYPES if kind in types}


Rows = list[list[Any]]  # a shape as flat rows: [parent row, key (None: items), types, empty]


class ShapeBuilder:
    """Accumulates shapes from values, other shapes and cached rows; `build()` freezes.

    Adding is order-preserving (keys stay in first-seen order) and counts add up, so a
    shape built in pieces across files, workers or runs equals one built in one go.
    """

    __slots__ = ("_root",)

    def __init__(self) -> None:
        self._root = _Acc()

    def add_values(self, values: list[Any], max_depth: int = MAX_DEPTH) -> None:
        """Infer `values` as samples of one place; on ShapeDepthError, discard the builder."""
        _add_values(self._root, values, max_depth)

    def add(self, node: Node) -> None:
        _add_node(self._root, node)

    def add_builder(self, other: ShapeBuilder) -> None:
        _add_node(self._root, other._root)

    def add_rows(self, rows: Rows) -> None:
        """Add a shape given as `rows()` wrote it (e.g. read back from a cache)."""
        accs: list[_Acc] = []
        for parent, key, types, empty in rows:
            if parent < 0:
                target = self._root
            elif key is None:
                owner = accs[parent]
                target = owner.items = owner.items or _Acc()
            else:
                owner = accs[parent]
                target = owner.keys.get(key) or owner.keys.setdefault(key, _Acc())
            for kind, count in types.items():
                target.types[kind] = target.types.get(kind, 0) + count
            target.empty += empty
            accs.append(target)

    def rows(self) -> Rows:
        """The shape as flat rows, parents first: no nesting, so no depth limit to hit."""
        rows: Rows = []
        stack: list[tuple[int, str | None, _Acc]] = [(-1, None, self._root)]
        while stack:
            parent, key, acc = stack.pop()
            index = len(rows)
            rows.append([parent, key, acc.types, acc.empty])
            if acc.items is not None:
                stack.append((index, None, acc.items))
            stack.extend((index, k, child) for k, child in reversed(acc.keys.items()))
        return rows

    def build(self) -> Node:
        return from_rows(self.rows())


def from_rows(rows: Rows) -> Node:
    """The frozen shape `rows()` describes; raises ValueError when they describe none.

    Nodes are read-only, so equal type counts share one dict and every leaf one empty
    dict: most nodes are leaves, and siblings often have the same counts. This takes a
    third off the shapes the main process holds, one per endpoint and side.
    """
    shared: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
    no_keys: dict[str, Node] = {}
    keys: dict[int, list[tuple[str, Node]]] = {}  # children, last first
    items: dict[int, Node] = {}
    node = None
    for index in range(len(rows) - 1, -1, -1):  # children come after their parent
        parent, key, types, empty = rows[index]
        if not (0 <= parent < index or parent == index - 1 == -1):
            raise ValueError(f"shape row {index} has no parent row before it")
        counts = _ordered_types(types)
        pairs = keys.pop(index, None)
        node = Node(
            types=shared.setdefault(tuple(counts.items()), counts),
            keys=dict(reversed(pairs)) if pairs else no_keys,
            items=items.pop(index, None),
            empty=empty,
        )
        if key is None:
            items[parent] = node
        else:
            keys.setdefault(parent, []).append((key, node))
    if node is None:
        raise ValueError("no shape rows")
    return node


def infer(value: Any, max_depth: int = MAX_DEPTH) -> Node:
    """The shape of one JSON value; raises ShapeDepthError past `max_depth` levels."""
    builder = ShapeBuilder()
    builder.add_values([value], max_depth)
    return builder.build()


def merge(*nodes: Node) -> Node:
    """Combine shapes as if their samples had been inferred together.

    Counts add up, so merging is associative and commutative.
    """
    if not nodes:
        raise ValueError("merge() needs at least one shape")
    builder = ShapeBuilder()
    for node in nodes:
        builder.add(node)
    return builder.build()


def infer_all(values: Iterable[Any], max_depth: int = MAX_DEPTH) -> Node | None:
    """The merged shape of many values, or None when there are none."""
    column = list(values)
    if not column:
        return None
    builder = ShapeBuilder()
    builder.add_values(column, max_depth)
    return builder.build()


def flatten(node: Node) -> Iterator[Field]:
    """Every path of a shape, depth first, keys in the order they were first seen."""
    stack: list[tuple[str, Node, int, str | None, bool]] = [(ROOT, node, node.count, None, False)]
    while stack:
        path, current, parent_count, parent_path, is_item = stack.pop()
        yield Field(
            path=path,
            counts=current.types,
            present=current.count,
            parent=parent_count,
            parent_path=parent_path,
            empty=current.empty,
            is_item=is_item,
        )
        children: list[tuple[str, Node, int, str | None, bool]] = []
        objects = current.types.get("object", 0)
        children.extend(
            (child_path(path, key), child, objects, path, False)
            for key, child in current.keys.items()
        )
        if current.items is not None:
            arrays = current.types.get("array", 0) - current.empty
            children.append((path + ITEMS, current.items, arrays, path, True))
        stack.extend(reversed(children))


def format_types(types: Iterable[str]) -> str:
    """`integer|null`, in the canonical JSON type order."""
    present = set(types)
    return "|".join(kind for kind in JSON_TYPES if kind in present) or "nothing"
