"""A huge body read in pieces gives the shape its whole parse gives, or is refused
(`NotPieces`) so that it is read whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.core.maps import Declared
from driftcheck.core.shape import AUTO, MapRule, ShapeBuilder, flatten
from driftcheck.sources.bodies import parse_json
from driftcheck.sources.file_shapes import echoed
from driftcheck.sources.json_pieces import ECHO_ITEMS, NotPieces, _Reader, read_in_pieces

# Text with the characters a cut is looked for at, so that some candidate cuts fall in strings.
TRICKY = st.text(alphabet='ab,{}[]":\\ é\n', max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TRICKY
)
IDS = st.from_regex(
    r"[1-9][0-9]{2,6}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", fullmatch=True
)
RECORDS = st.fixed_dictionaries(
    {"id": st.integers(0, 10**6), "name": TRICKY},
    optional={
        "email": st.none() | TRICKY,
        "score": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
        "tags": st.lists(TRICKY, max_size=3),
        "owner": st.none() | st.fixed_dictionaries({"login": TRICKY, "id": st.integers()}),
        "grid": st.lists(st.lists(st.integers(), max_size=3), max_size=3),  # nested arrays
        "prices": st.dictionaries(IDS, st.floats(0, 100), max_size=5),  # a map keyed by ids
        "extra": st.just({}) | st.just([]),  # empty containers
    },
)
ELEMENTS = st.one_of(
    st.lists(RECORDS, min_size=1, max_size=30),
    st.lists(SCALARS, min_size=1, max_size=30),  # scalars of mixed types, nulls
    st.lists(st.lists(SCALARS, max_size=4), min_size=1, max_size=30),  # nested arrays
    st.lists(st.dictionaries(IDS, RECORDS, max_size=4), min_size=1, max_size=10),  # id maps
)
TOP = st.fixed_dictionaries(
    {"data": ELEMENTS},
    optional={"meta": st.fixed_dictionaries({"count": st.integers()}), "next": TRICKY},
)
LAYOUTS = st.sampled_from(
    [
        {},
        {"indent": 2},
        {"indent": 0},
        {"separators": (",", ":")},
        {"separators": (" , ", " : ")},
        {"ensure_ascii": False},
    ]
)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


def whole(body: Any, rule: MapRule = AUTO) -> ShapeBuilder:
    builder = ShapeBuilder(rule)
    builder.add_values([body])
    return builder


@PROPERTY
@given(st.one_of(ELEMENTS, TOP), LAYOUTS, st.integers(1, 400))
def test_pieces_give_the_whole_parse_shape(body: Any, layout: Any, piece: int) -> None:
    text = json.dumps(body, **layout)
    parsed = parse_json(text)  # what the body gives read whole
    pieces, preview = read_in_pieces(text, piece_chars=piece)
    assert pieces.build() == whole(parsed).build()
    assert list(flatten(pieces.build())) == list(flatten(whole(parsed).build()))
    uri = "https://api.example.com/v1/items/123/a"
    assert echoed(uri, preview) == echoed(uri, parsed)


@settings(PROPERTY, max_examples=40)
@given(ELEMENTS, st.integers(1, 200))
def test_declared_maps_are_followed_in_pieces(body: Any, piece: int) -> None:
    rule = Declared(maps=("$.data[*].owner",), not_maps=("$.data[*].prices",))
    text = json.dumps({"data": body})
    pieces, _ = read_in_pieces(text, rule, piece_chars=piece)
    assert pieces.build() == whole(parse_json(text), rule).build()


def test_a_huge_string_is_counted_and_kept_out_of_the_preview() -> None:
    text = json.dumps({"data": "x" * 100_000, "id": "abc"})
    pieces, preview = read_in_pieces(text, keep=10)
    assert pieces.build() == whole(json.loads(text)).build()
    assert preview == {"data": "/", "id": "abc"}


def test_the_preview_keeps_the_first_elements_only() -> None:
    body = [{"id": index} for index in range(100)]
    _, preview = read_in_pieces(json.dumps(body), piece_chars=10)
    assert preview == body[:ECHO_ITEMS]


@pytest.mark.parametrize(
    "text",
    [
        '[{"a": 1}, {"a": 2}',  # not closed
        '[{"a": 1}, {"a": 2}] x',  # text after it
        '[{"a": 1} {"a": 2}]',  # no comma
        '{"a": [1, 2], "a": [3]}',  # a key twice
        '{"type": "user", "items": [1, 2]}',  # a tag at the top
        '{"123": [1, 2], "456": [3]}',  # ids at the top: a map
        '["\\ud800", "x"]',  # an escaped lone surrogate
        '["\ud800", "x"]',  # a lone surrogate in the text itself
        '[{"a": NaN}, {"a": 1}, {"a": 2}]',  # lenient JSON: the whole body is read leniently
        '[{"a": 1}, {"a": 2}, {"a": NaN}, {"a": 3}]',
        '"just a string"',
        "[" * 1100 + "]" * 1100,  # deeper than the scanner goes
    ],
)
def test_what_is_read_whole_instead(text: str) -> None:
    with pytest.raises(NotPieces):
        read_in_pieces(text, piece_chars=1)


@pytest.mark.parametrize(
    "text",
    [
        f"[{2**70}, {-(2**80)}, 1, 2, 3]",  # integers past 64 bits: orjson makes them numbers
        '[{"a": 1}, {"a": "},{\\"a\\": 2"}, {"a": 3}]',  # a cut's mark inside a string
    ],
)
def test_numbers_and_cut_marks_read_as_the_whole_parse_reads_them(text: str) -> None:
    pieces, _ = read_in_pieces(text, piece_chars=1)
    assert pieces.build() == whole(parse_json(text)).build()


def test_a_body_too_deep_for_shapes_is_read_whole() -> None:
    body = [[[[1]]], [[[2]]]]
    text = json.dumps(body)
    with pytest.raises(NotPieces):
        read_in_pieces(text, piece_chars=1, max_depth=3)


def test_one_value_too_large_for_a_piece_is_read_whole() -> None:
    text = json.dumps({"data": [{"id": 1, "blob": "x" * 500}, {"id": 2}]})
    with pytest.raises(NotPieces):
        read_in_pieces(text, piece_chars=10, value_chars=100)
    assert read_in_pieces(text, piece_chars=10, value_chars=1000)[0].build() == (
        whole(json.loads(text)).build()
    )


def test_stretches_are_cut_where_elements_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elements are read one by one only at the end of the array, where no cut follows."""
    calls: list[int] = []
    one_by_one = _Reader._one_by_one

    def counted(reader: _Reader, start: int, depth: int) -> tuple[list[Any], int]:
        calls.append(start)
        return one_by_one(reader, start, depth)

    monkeypatch.setattr(_Reader, "_one_by_one", counted)
    body = {"data": [{"id": n, "name": '},{"id":', "tags": [{"id": n}]} for n in range(300)]}
    text = json.dumps(body)
    pieces, _ = read_in_pieces(text, piece_chars=200)
    assert pieces.build() == whole(json.loads(text)).build()
    assert len(calls) == 1
