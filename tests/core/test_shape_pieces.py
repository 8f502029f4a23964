"""Counting a column in two calls gives what one call gives, where `core.pieces` relies
on it (a huge array's elements are counted a stretch at a time)."""

from __future__ import annotations

from typing import Any

import pytest

from driftcheck.core.pieces import BodyPieces
from driftcheck.core.shape import ShapeBuilder
from driftcheck.errors import ShapeDepthError


def one_call(values: list[Any]) -> ShapeBuilder:
    builder = ShapeBuilder()
    builder.add_values(values)
    return builder


def two_calls(values: list[Any], cut: int) -> ShapeBuilder:
    builder = ShapeBuilder()
    builder.add_values(values[:cut])
    builder.add_values(values[cut:])
    return builder


@pytest.mark.parametrize(
    ("values", "cut"),
    [
        ([{"type": None}, {}], 1),  # an empty object after a tag: an untagged object
        ([None, {"type": "a", "x": 1}, None, {}], 2),
        ([{"kind": "a", "x": 1}, {"kind": "b"}, {}, {}], 2),
    ],
)
def test_empty_objects_at_a_tagged_place_count_as_untagged_in_any_call(
    values: list[Any], cut: int
) -> None:
    assert two_calls(values, cut).build() == one_call(values).build()


def test_pieces_count_a_top_level_array_as_one_body() -> None:
    body = [{"id": n, "tags": ["a"] * n} for n in range(6)]
    pieces = BodyPieces()
    items = pieces.open_array(pieces.root, False, 0)
    assert items is not None
    pieces.add(items, body[:3], 1)
    pieces.add(items, body[3:], 1)
    assert pieces.finish().build() == one_call([body]).build()


def test_pieces_count_a_top_level_object_key_by_key() -> None:
    body = {"data": [{"id": 1}, {"id": 2}, {"id": 3}], "meta": {"count": 3}, "empty": []}
    pieces = BodyPieces()
    pieces.open_object(pieces.root, False, 0)
    items = pieces.open_array(pieces.key(pieces.root, "data"), False, 1)
    assert items is not None
    pieces.add(items, body["data"][:2], 2)
    pieces.add(items, body["data"][2:], 2)
    pieces.add(pieces.key(pieces.root, "meta"), [body["meta"]], 1)
    assert pieces.open_array(pieces.key(pieces.root, "empty"), True, 1) is None
    assert pieces.finish().build() == one_call([body]).build()


def test_pieces_keep_the_depth_limit() -> None:
    pieces = BodyPieces(max_depth=2)
    items = pieces.open_array(pieces.root, False, 0)
    assert items is not None
    with pytest.raises(ShapeDepthError):
        pieces.add(items, [[[1]], [[2]]], 1)
    with pytest.raises(ShapeDepthError):
        ShapeBuilder().add_values([[[[1]], [[2]]]], max_depth=2)
