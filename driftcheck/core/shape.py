"""Infer the shape of JSON values and merge shapes (pure: values in, values out).

The counting itself is in `core.inference`; this is its public face: build, merge and
flatten shapes. Depth is bounded by `MAX_DEPTH` to keep paths printable. An object whose
keys are data (ids, names) is a map: its values are merged at `{*}` (`core.maps`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any, TypeVar

from driftcheck.core import domain_rules, inference, merging, tags
from driftcheck.core.inference import Decide, json_type
from driftcheck.core.limits import MAX_SHAPE_DEPTH
from driftcheck.core.model import JSON_TYPES, Field, Node
from driftcheck.core.paths import ITEMS, ROOT, VALUES, Segment, Step, child_path
from driftcheck.core.rows import Rows, from_rows, from_rows_acc, to_rows

__all__ = [
    "AUTO",
    "MAX_DEPTH",
    "MapRule",
    "Rows",
    "ShapeBuilder",
    "align_maps",
    "describe_values",
    "fits",
    "flatten",
    "format_types",
    "from_rows",
    "infer",
    "infer_all",
    "json_type",
    "merge",
    "node_at",
    "settled",
]

MAX_DEPTH = MAX_SHAPE_DEPTH
AUTO = "auto"  # map detection by the heuristics of `core.maps`


def fits(kind: str, types: Collection[str]) -> bool:
    """Whether a value of type `kind` fits where `types` were seen: every integer is also
    a number, so an integer fits where numbers were seen (not the reverse)."""
    return kind in types or (kind == "integer" and "number" in types)


MapRule = Decide | str | None  # a path decider, AUTO, or None (maps never detected)


class ShapeBuilder:
    """Accumulates shapes from values, other shapes and cached rows; `build()` freezes.

    Adding is order-preserving (keys stay in first-seen order) and counts add up. Maps are
    detected (`maps`: AUTO, a decider built from config, or None for never) in the values
    added in one call, and again over everything when the shape is built; a map met while
    merging turns the other side's object into a map too, so no grouping of files into
    workers changes the result.
    """

    __slots__ = ("_maps", "_root")

    def __init__(self, maps: MapRule = AUTO) -> None:
        self._root = inference.Acc()
        self._maps = maps

    def root_acc(self) -> inference.Acc:
        """The accumulator counts go into, for `core.pieces`, which fills it step by step."""
        return self._root

    def settle(self) -> None:
        """Detect maps over everything counted so far (as `add_values` does after a call)."""
        self._settle()

    def _settle(self) -> None:
        if self._maps is not None:
            merging.settle(self._root, None if self._maps == AUTO else self._maps)  # type: ignore[arg-type]  # a Decide

    def add_values(self, values: list[Any], max_depth: int = MAX_DEPTH) -> None:
        """Infer `values` as samples of one place; on ShapeDepthError, discard the builder."""
        inference.add_values(self._root, values, max_depth, early=self._maps == AUTO)
        self._settle()

    def add(self, node: Node) -> None:
        merging.add_node(self._root, node)

    def forget_enums(self, keys: frozenset[str]) -> None:
        """No enum values at or below a key of `keys` (lower-case: the scrubbed keys)."""
        inference.forget_enums(self._root, keys)

    def add_builder(self, other: ShapeBuilder) -> None:
        merging.add_node(self._root, other._root)

    def add_rows(self, rows: Rows) -> None:
        """Add a shape given as `rows()` wrote it (e.g. read back from a cache)."""
        read = from_rows_acc(rows)
        if not self._root.types and not self._root.keys:
            self._root = read
        else:
            merging.add_node(self._root, read)

    def rows(self) -> Rows:
        """The shape as flat rows, parents first, as added (maps found so far)."""
        return to_rows(self._root)

    def build(self) -> Node:
        """The frozen shape, maps detected over everything added."""
        self._settle()
        return from_rows(self.rows())


def infer(value: Any, max_depth: int = MAX_DEPTH, maps: MapRule = AUTO) -> Node:
    """The shape of one JSON value; raises ShapeDepthError past `max_depth` levels."""
    builder = ShapeBuilder(maps)
    builder.add_values([value], max_depth)
    return builder.build()


def merge(*nodes: Node, maps: MapRule = None) -> Node:
    """Combine shapes: counts add up, and an object that is a map in one is a map in the
    result. New maps are looked for only when `maps` says how (`settled` does)."""
    if not nodes:
        raise ValueError("merge() needs at least one shape")
    builder = ShapeBuilder(maps)
    for node in nodes:
        builder.add(node)
    return builder.build()


def settled(node: Node, maps: MapRule = AUTO) -> Node:
    """`node` with its maps detected (a shape pooled from parts, say); `node` itself when
    it has none to fold, which is most of the time and costs one walk."""
    if maps is None:
        return node
    decide = None if maps == AUTO else maps
    if not merging.any_map(node, decide):  # type: ignore[arg-type]  # a Decide
        return node
    return merge(node, maps=maps)


def infer_all(
    values: Iterable[Any], max_depth: int = MAX_DEPTH, maps: MapRule = AUTO
) -> Node | None:
    """The merged shape of many values, or None when there are none."""
    column = list(values)
    if not column:
        return None
    builder = ShapeBuilder(maps)
    builder.add_values(column, max_depth)
    return builder.build()


def align_maps(first: Node, second: Node) -> tuple[Node, Node]:
    """Two shapes where each object that is a map on one side is a map on the other too,
    so one side's ids never show as keys added or removed against the other's `{*}`."""
    if not _misaligned(first, second):
        return first, second
    accs = inference.Acc(), inference.Acc()
    merging.add_node(accs[0], first)
    merging.add_node(accs[1], second)
    stack = [accs]
    while stack:
        one, other = stack.pop()
        if (one.values is None) != (other.values is None):
            merging.fold(one if one.values is None else other)
        stack.extend(_pairs(one, other))
    return from_rows(to_rows(accs[0])), from_rows(to_rows(accs[1]))


def _misaligned(first: Node, second: Node) -> bool:
    stack = [(first, second)]
    while stack:
        one, other = stack.pop()
        if one is other:
            continue
        if (one.values is None) != (other.values is None):
            return True
        stack.extend(_pairs(one, other))
    return False


_T = TypeVar("_T", Node, inference.Acc)


def _pairs(one: _T, other: _T) -> list[tuple[_T, _T]]:
    """The places both sides have below these two: elements, map values, common keys."""
    pairs = [(one.items, other.items), (one.values, other.values)]
    pairs.extend((child, other.keys.get(key)) for key, child in one.keys.items())
    return [(a, b) for a, b in pairs if a is not None and b is not None]


def node_at(shape: Node, segments: Iterable[Segment]) -> Node | None:
    """The node of `shape` at a path's segments (`paths.parse_path`); None if it has none."""
    node: Node | None = shape
    for segment in segments:
        if node is None:
            return None
        if segment is Step.ITEMS:
            node = node.items
        elif segment is Step.VALUES:
            node = node.values
        else:
            node = node.keys.get(segment)
    return node


def flatten(node: Node) -> Iterator[Field]:
    """Every path of a shape, depth first, keys in the order they were first seen.

    A map's values are one path, `{*}`, counted like array elements; under a tag that
    tells variants apart, a key's parent is the objects of the variants that have it.
    """
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
            format=domain_rules.path_format(current),
            enum=domain_rules.enum_values(current),
        )
        stack.extend(reversed(_children(path, current)))


def _children(path: str, current: Node) -> list[tuple[str, Node, int, str | None, bool]]:
    objects = current.types.get("object", 0)
    parents = tags.key_parents(current)
    children: list[tuple[str, Node, int, str | None, bool]] = [
        (child_path(path, key), child, parents[key] if parents else objects, path, False)
        for key, child in current.keys.items()
    ]
    if current.items is not None:
        arrays = current.types.get("array", 0) - current.empty
        children.append((path + ITEMS, current.items, arrays, path, True))
    if current.values is not None:
        children.append((path + VALUES, current.values, current.values.count, path, True))
    return children


def describe_values(field: Field) -> str:
    """`, date-time` or `, one of active|inactive` after a path's types ("" for neither)."""
    if field.enum is not None:
        return ", one of " + "|".join(field.enum)
    return f", {field.format}" if field.format else ""


def format_types(types: Iterable[str]) -> str:
    """`integer|null`, in the canonical JSON type order."""
    present = set(types)
    return "|".join(kind for kind in JSON_TYPES if kind in present) or "nothing"
