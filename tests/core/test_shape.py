"""Shape inference and merging, on literal JSON."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.model import BodyKind, Interaction, Node
from driftcheck.core.paths import child_path
from driftcheck.core.shape import ShapeBuilder, flatten, infer, infer_all, merge
from driftcheck.errors import ShapeDepthError
from tests.helpers import json_values


def table(node: Node) -> dict[str, tuple[dict[str, int], int, int]]:
    return {f.path: (dict(f.counts), f.present, f.parent) for f in flatten(node)}


def test_presence_counts_against_the_parent() -> None:
    shape = infer_all(
        [
            {"id": 1, "profile": {"name": "a"}},
            {"id": 2, "profile": {"name": "b", "bio": None}},
            {"id": 3},
            {"id": 4.5, "profile": None},
        ]
    )
    assert shape is not None
    assert table(shape) == {
        "$": ({"object": 4}, 4, 4),
        "$.id": ({"integer": 3, "number": 1}, 4, 4),
        "$.profile": ({"object": 2, "null": 1}, 3, 4),
        "$.profile.name": ({"string": 2}, 2, 2),
        "$.profile.bio": ({"null": 1}, 1, 2),
    }


def test_arrays_merge_elements_and_count_empty_ones() -> None:
    shape = infer_all([{"tags": []}, {"tags": [{"k": 1}, {"k": "x", "extra": True}]}])
    assert shape is not None
    fields = {f.path: f for f in flatten(shape)}
    assert fields["$.tags"].empty == 1
    assert (fields["$.tags[*]"].present, fields["$.tags[*]"].parent) == (2, 1)
    assert fields["$.tags[*]"].is_item
    assert dict(fields["$.tags[*].k"].counts) == {"string": 1, "integer": 1}
    assert (fields["$.tags[*].extra"].present, fields["$.tags[*].extra"].parent) == (1, 2)


def test_nested_arrays() -> None:
    assert table(infer([[1, 2], [], [3.0]])) == {
        "$": ({"array": 1}, 1, 1),
        "$[*]": ({"array": 3}, 3, 1),
        "$[*][*]": ({"integer": 2, "number": 1}, 3, 2),
    }


def test_booleans_are_not_integers() -> None:
    assert table(infer({"a": True, "b": 1})) == {
        "$": ({"object": 1}, 1, 1),
        "$.a": ({"boolean": 1}, 1, 1),
        "$.b": ({"integer": 1}, 1, 1),
    }


@pytest.mark.parametrize("value", ["Success", 42, 1.5, None, True])
def test_bare_scalars_are_bodies(value: Any) -> None:
    assert [f.path for f in flatten(infer(value))] == ["$"]


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("name", "$.name"),
        ("_x1", "$._x1"),
        ("key with spaces", "$['key with spaces']"),
        ("content-type", "$['content-type']"),
        ("it's", "$['it\\'s']"),
        ("[*]", "$['[*]']"),
        ("", "$['']"),
    ],
)
def test_path_notation(key: str, path: str) -> None:
    assert child_path("$", key) == path


def test_ten_thousand_levels_do_not_crash() -> None:
    deep: Any = 1
    for _ in range(10_000):
        deep = {"a": deep}
    with pytest.raises(ShapeDepthError, match="nested deeper than 1024 levels"):
        infer(deep)
    shape = infer(deep, max_depth=20_000)  # iterative: no recursion limit either way
    assert len(list(flatten(shape))) == 10_001


def test_merge_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one shape"):
        merge()


@settings(max_examples=150, deadline=None)
@given(json_values, json_values, json_values)
def test_merge_is_associative_and_commutative(a: Any, b: Any, c: Any) -> None:
    """Counting alone (maps not detected): merging shapes equals inferring together."""
    x, y, z = infer(a, maps=None), infer(b, maps=None), infer(c, maps=None)
    assert merge(merge(x, y, maps=None), z, maps=None) == merge(
        x, merge(y, z, maps=None), maps=None
    )
    assert table(merge(x, y, maps=None)) == table(merge(y, x, maps=None))
    assert merge(x, y, z, maps=None) == infer_all([a, b, c], maps=None)


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=6))
def test_presence_never_exceeds_parent(values: list[Any]) -> None:
    shape = infer_all(values)
    assert shape is not None
    for field in flatten(shape):
        assert field.present > 0
        if not field.is_item:
            assert field.present <= field.parent


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=4))
def test_shapes_survive_pickling_and_copying(values: list[Any]) -> None:
    """Shapes cross from worker processes pickled, through a constructor call."""
    shape = infer_all(values)
    assert shape is not None
    interaction = Interaction("GET", "https://x.test/", 200, "application/json", BodyKind.JSON)
    interaction = dataclasses.replace(interaction, line=3, recorded_at=1.5)
    for value in (shape, interaction):
        again = pickle.loads(pickle.dumps(value))
        assert again == value
        assert type(again) is type(value)
        assert copy.deepcopy(value) == value
    assert list(flatten(pickle.loads(pickle.dumps(shape)))) == list(flatten(shape))  # key order


def reference(values: list[Any]) -> Node:
    """The obvious per-value inference: each value walked on its own, then merged."""

    def one(value: Any) -> Node:
        if isinstance(value, dict):
            return Node({"object": 1}, {k: one(v) for k, v in value.items()})
        if isinstance(value, (list, tuple)):
            items = merge(*map(one, value), maps=None) if value else None
            return Node({"array": 1}, {}, items, 0 if value else 1)
        kind = {bool: "boolean", int: "integer", float: "number", str: "string"}
        return Node({kind.get(type(value), "null"): 1})

    return merge(*map(one, values), maps=None)


def ordered(node: Node | None) -> Any:
    """A shape with its key order made visible to `==`."""
    if node is None:
        return None
    return (dict(node.types), [(k, ordered(c)) for k, c in node.keys.items()],
            ordered(node.items), node.empty)  # fmt: skip


records = st.lists(
    st.dictionaries(st.sampled_from(list("abcdefghij")), json_values, max_size=10), max_size=12
)
uniform = st.integers(1, 8).flatmap(
    lambda n: st.lists(st.fixed_dictionaries(dict.fromkeys("pqrs"[: n % 4 + 1], json_values)))
)


@settings(max_examples=120, deadline=None)
@given(st.lists(json_values | records | uniform, min_size=1, max_size=6))
def test_column_inference_equals_value_by_value(values: list[Any]) -> None:
    """Whole-column inference (itemgetter, sparse and row-wise paths) changes nothing."""
    assert ordered(infer_all(values, maps=None)) == ordered(reference(values))


@settings(max_examples=100, deadline=None)
@given(st.lists(json_values | records, min_size=1, max_size=6))
def test_rows_round_trip_and_add_up(values: list[Any]) -> None:
    """Shapes travel between processes and runs as rows: adding rows equals re-inferring."""
    pieces = []
    for value in values:
        builder = ShapeBuilder(maps=None)
        builder.add_values([value])
        pieces.append(builder.rows())
    total = ShapeBuilder(maps=None)
    for rows in pieces:
        total.add_rows(rows)
    assert ordered(total.build()) == ordered(infer_all(values, maps=None))


def test_rows_have_no_depth_limit() -> None:
    deep: Any = [1]
    for _ in range(5_000):
        deep = {"a": deep}
    builder = ShapeBuilder()
    builder.add_values([deep, deep], max_depth=10_000)
    again = ShapeBuilder()
    again.add_rows(builder.rows())
    assert again.rows() == builder.rows()  # Node's own `==` recurses: compare the rows
    assert len(list(flatten(again.build()))) == 5_002  # 5,000 keys, the list, its items


def test_subclasses_count_as_their_json_type() -> None:
    from collections import OrderedDict
    from enum import IntEnum

    class Level(IntEnum):
        LOW = 1

    shape = infer_all([OrderedDict(a=Level.LOW), {"a": 2}, (1, 2)])
    assert shape is not None
    assert dict(shape.types) == {"object": 2, "array": 1}
    assert dict(shape.keys["a"].types) == {"integer": 2}
    with pytest.raises(TypeError, match="not a JSON value: set"):
        infer_all([{1}, 2])


def test_a_built_shape_shares_equal_counts_and_empty_keys() -> None:
    """The main process holds one shape per endpoint and side; sharing keeps them small."""
    shape = infer_all([{"a": 1, "b": 2, "c": {"d": "x"}}, {"a": 3, "b": 4, "c": {"d": "y"}}])
    assert shape is not None
    a, b, c = shape.keys["a"], shape.keys["b"], shape.keys["c"]
    assert a.types == {"integer": 2}
    assert a.types is b.types
    assert a.keys == {}
    assert a.keys is b.keys is c.keys["d"].keys
    assert c.types is shape.types  # {"object": 2} at the root and at $.c
