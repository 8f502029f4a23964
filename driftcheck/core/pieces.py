"""The shape of one huge JSON body counted a piece at a time (pure).

A body of hundreds of megabytes cannot be held parsed: a parsed tree is 3.5-4x its
text. `sources.json_pieces` reads it a stretch of array elements at a time and hands
each stretch here. The steps mirror what `ShapeBuilder.add_values([body])` does with
the top of a lone body (an object's keys one column each, an array's elements as one
column below it), so only the huge array's column is counted in several calls.
"""

from __future__ import annotations

from typing import Any

from driftcheck.core import inference
from driftcheck.core.shape import AUTO, MAX_DEPTH, MapRule, ShapeBuilder

Place = inference.Acc  # a node of the shape being built, handed back to the reader


class BodyPieces:
    """A `ShapeBuilder` filled from one body's top and its array's pieces; `finish()`
    settles it once, as `add_values` does once the whole body is counted."""

    __slots__ = ("_builder", "_early", "_max_depth", "_root")

    def __init__(self, maps: MapRule = AUTO, max_depth: int = MAX_DEPTH) -> None:
        self._builder = ShapeBuilder(maps)
        self._root = self._builder.root_acc()
        self._early = maps == AUTO
        self._max_depth = max_depth

    @property
    def root(self) -> Place:
        return self._root

    def open_object(self, place: Place, empty: bool, depth: int) -> None:
        """An object met at `place`, whose keys' values are then counted one by one."""
        place.types["object"] = place.types.get("object", 0) + 1
        if not empty:
            inference.check_depth(depth, self._max_depth)

    def key(self, place: Place, key: str) -> Place:
        """The node of an object's key below `place` (made when first seen)."""
        child = place.keys.get(key)
        if child is None:
            child = place.keys[key] = inference.Acc()
        return child

    def open_array(self, place: Place, empty: bool, depth: int) -> Place | None:
        """An array met at `place`: the node of its elements (None when it is empty)."""
        place.types["array"] = place.types.get("array", 0) + 1
        if empty:
            place.empty += 1
            return None
        inference.check_depth(depth, self._max_depth)
        if place.items is None:
            place.items = inference.Acc()
        return place.items

    def add(self, place: Place, values: list[Any], depth: int, key: str | None = None) -> None:
        """A column of values at `place`, `depth` levels down, held by `key` (raises
        ShapeDepthError)."""
        inference.add_values(place, values, self._max_depth, self._early, depth, key)

    def finish(self) -> ShapeBuilder:
        """The builder, its maps detected over everything counted."""
        self._builder.settle()
        return self._builder
