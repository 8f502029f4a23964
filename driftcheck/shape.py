"""Infer the shape of JSON values and merge shapes (pure: values in, values out).

Every walk here is iterative, so a body nested thousands of levels deep cannot overflow
the interpreter's stack; depth is still bounded by `MAX_DEPTH` to keep paths printable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from driftcheck.errors import ShapeDepthError
from driftcheck.model import JSON_TYPES, Field, Node

MAX_DEPTH = 1024
ROOT = "$"
ITEMS = "[*]"

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
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value; integer and number are distinct."""
    name = _TYPE_OF.get(type(value))
    if name is not None:
        return name
    for kind, label in _TYPE_OF.items():  # subclasses, e.g. an OrderedDict or IntEnum
        if isinstance(value, kind) and kind is not bool:
            return "boolean" if isinstance(value, bool) else label
    raise TypeError(f"not a JSON value: {type(value).__name__}")


class _Acc:
    """Mutable twin of `Node`, used while counting so inference allocates little."""

    __slots__ = ("empty", "items", "keys", "types")

    def __init__(self) -> None:
        self.types: dict[str, int] = {}
        self.keys: dict[str, _Acc] = {}
        self.items: _Acc | None = None
        self.empty = 0


def _add_value(acc: _Acc, value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, _Acc, int]] = [(value, acc, 0)]
    while stack:
        current, target, depth = stack.pop()
        kind = json_type(current)
        target.types[kind] = target.types.get(kind, 0) + 1
        if kind == "object" and current:
            if depth >= max_depth:
                raise ShapeDepthError(f"JSON nested deeper than {max_depth} levels")
            for key, child in current.items():
                child_acc = target.keys.get(key)
                if child_acc is None:
                    child_acc = target.keys[key] = _Acc()
                stack.append((child, child_acc, depth + 1))
        elif kind == "array":
            if not current:
                target.empty += 1
                continue
            if depth >= max_depth:
                raise ShapeDepthError(f"JSON nested deeper than {max_depth} levels")
            if target.items is None:
                target.items = _Acc()
            item_acc = target.items
            stack.extend((element, item_acc, depth + 1) for element in reversed(current))


def _add_node(acc: _Acc, node: Node) -> None:
    stack: list[tuple[Node, _Acc]] = [(node, acc)]
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


def _freeze(root: _Acc) -> Node:
    order: list[_Acc] = []
    stack = [root]
    while stack:
        acc = stack.pop()
        order.append(acc)
        stack.extend(acc.keys.values())
        if acc.items is not None:
            stack.append(acc.items)
    frozen: dict[int, Node] = {}
    for acc in reversed(order):  # children are always frozen before their parent
        frozen[id(acc)] = Node(
            types=_ordered_types(acc.types),
            keys={key: frozen[id(child)] for key, child in acc.keys.items()},
            items=None if acc.items is None else frozen[id(acc.items)],
            empty=acc.empty,
        )
    return frozen[id(root)]


def _ordered_types(types: dict[str, int]) -> dict[str, int]:
    return {kind: types[kind] for kind in JSON_TYPES if kind in types}


def infer(value: Any, max_depth: int = MAX_DEPTH) -> Node:
    """The shape of one JSON value; raises ShapeDepthError past `max_depth` levels."""
    acc = _Acc()
    _add_value(acc, value, max_depth)
    return _freeze(acc)


def merge(*nodes: Node) -> Node:
    """Combine shapes as if their samples had been inferred together.

    Counts add up, so merging is associative and commutative.
    """
    if not nodes:
        raise ValueError("merge() needs at least one shape")
    acc = _Acc()
    for node in nodes:
        _add_node(acc, node)
    return _freeze(acc)


def infer_all(values: Iterable[Any], max_depth: int = MAX_DEPTH) -> Node | None:
    """The merged shape of many values, or None when there are none."""
    acc: _Acc | None = None
    for value in values:
        if acc is None:
            acc = _Acc()
        _add_node(acc, infer(value, max_depth))
    return None if acc is None else _freeze(acc)


def child_path(parent: str, key: str) -> str:
    """JSONPath of a key under `parent`: dotted when it is an identifier, bracketed else."""
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{parent}['{escaped}']"


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


_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\['((?:[^'\\]|\\.)*)'\]")


def parse_path(path: str) -> tuple[str | None, ...]:
    """The segments of a JSONPath written by `child_path`: keys, and None for `[*]`."""
    if not path.startswith(ROOT):
        raise ValueError(f"not a JSONPath: {path!r}")
    segments: list[str | None] = []
    position = len(ROOT)
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            raise ValueError(f"not a JSONPath: {path!r}")
        if match.group(1) is not None:
            segments.append(match.group(1))
        elif match.group(2) is not None:
            segments.append(re.sub(r"\\(.)", r"\1", match.group(2)))
        else:
            segments.append(None)
        position = match.end()
    return tuple(segments)
