"""A cassette read a body at a time (`read_shapes`) gives what reading it whole gives
(`infer_bodies(parse_cassette(...))`), and lets its bytes and bodies go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.endpoints import PoolKey
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.shape import ShapeBuilder
from driftcheck.errors import CassetteError
from driftcheck.sources import big_scalars
from driftcheck.sources.cassettes import parse_cassette
from driftcheck.sources.file_shapes import infer_bodies
from driftcheck.sources.file_stream import Limits, read_shapes
from tests.helpers import CASSETTES

TINY = Limits(batch_chars=400, pieces_chars=300, piece_chars=50)  # every path, on small files

Read = tuple[list[Interaction], dict[PoolKey, ShapeBuilder]]


def whole(data: bytes, name: str) -> Read:
    return infer_bodies(parse_cassette(data, name))


DEFAULT = Limits()


def streamed(data: bytes, name: str, limits: Limits = DEFAULT) -> Read:
    box = [data]
    read = read_shapes(box, name, limits=limits)
    assert box == []  # the bytes were taken, to be freed before bodies are parsed
    return read


def same(one: Read, other: Read) -> None:
    assert one[0] == other[0]
    assert list(one[1]) == list(other[1])  # endpoints in the same order
    assert [b.rows() for b in one[1].values()] == [b.rows() for b in other[1].values()]


def cassette(bodies: list[tuple[str, str, str]]) -> bytes:
    """A vcrpy cassette of (uri, content type, body) interactions."""
    interactions = [
        {
            "request": {"body": None, "headers": {}, "method": "GET", "uri": uri},
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": [media]},
                "body": {"string": body},
            },
        }
        for uri, media, body in bodies
    ]
    return yaml.safe_dump({"interactions": interactions, "version": 1}).encode()


def records(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": n, "name": f"user {n}", "tags": ["a"] * (n % 3), "owner": None if n % 2 else {}}
        for n in range(start, start + count)
    ]


JSON = "application/json"
MIXED = cassette(
    [
        ("https://api.example.com/users", JSON, json.dumps(records(40))),
        ("https://api.example.com/users/7", JSON, json.dumps({"id": "7", "items": records(30)})),
        ("https://api.example.com/users", JSON, json.dumps({"data": records(3)})),
        ("https://api.example.com/broken", JSON, '{"a": '),
        ("https://api.example.com/page", "text/html", "<html>" + "x" * 500),
        ("https://api.example.com/sniffed", "", "  \n [1, 2, 3]"),
        ("https://api.example.com/blank", JSON, " \n\t "),
        ("https://api.example.com/deep", JSON, "[" * 1030 + "]" * 1030),
        ("https://api.example.com/users", JSON, json.dumps(records(50, 40))),
    ]
)


@pytest.mark.parametrize("path", sorted(CASSETTES.iterdir()), ids=lambda path: path.name)
def test_every_sample_cassette_reads_the_same(path: Path) -> None:
    data = path.read_bytes()
    try:
        expected = whole(data, str(path))
    except CassetteError as error:
        reason = error.reason
    else:
        same(streamed(data, str(path)), expected)
        same(streamed(data, str(path), TINY), expected)
        return
    with pytest.raises(CassetteError) as raised:
        streamed(data, str(path))
    assert raised.value.reason == reason


def test_batches_and_pieces_give_what_the_whole_file_gives() -> None:
    expected = whole(MIXED, "mixed.yaml")
    same(streamed(MIXED, "mixed.yaml"), expected)
    same(streamed(MIXED, "mixed.yaml", TINY), expected)


def test_unreadable_bodies_keep_their_notes() -> None:
    interactions, _ = streamed(MIXED, "mixed.yaml", TINY)
    by_uri = {i.uri.rsplit("/", 1)[-1]: i for i in interactions}
    assert by_uri["broken"].kind is BodyKind.UNREADABLE
    assert str(by_uri["broken"].note).startswith("not valid JSON")
    assert by_uri["deep"].kind is BodyKind.UNREADABLE
    assert by_uri["deep"].note == "not valid JSON: JSON nested deeper than 1024 levels"
    assert by_uri["sniffed"].kind is BodyKind.JSON
    assert by_uri["blank"].kind is BodyKind.EMPTY
    assert all(i.body is None for i in interactions)


@pytest.mark.parametrize("depth", [1000, 1024, 1025])
def test_bodies_at_the_depth_limits_read_as_before(depth: int) -> None:
    nested = "[" * depth + "1" + "]" * depth
    data = cassette([("https://a.example/x", JSON, nested), ("https://a.example/x", JSON, "[2]")])
    same(streamed(data, "deep.yaml", TINY), whole(data, "deep.yaml"))


def test_lines_are_found_before_the_bytes_go() -> None:
    interactions, _ = streamed(MIXED, "mixed.yaml", TINY)
    assert [i.line for i in interactions] == [i.line for i in whole(MIXED, "mixed.yaml")[0]]
    assert all(i.line > 0 for i in interactions)


def test_a_broken_file_is_one_error() -> None:
    with pytest.raises(CassetteError, match="not a cassette"):
        streamed(b"just: text\n", "broken.yaml")


def vcrpy_cassette(bodies: list[str], request_body: str | None = None, width: int = 10**9) -> bytes:
    """As vcrpy writes a cassette: block style, each body a single-quoted string."""
    interactions = [
        {
            "request": {
                "body": request_body,
                "headers": {},
                "method": "GET",
                "uri": f"https://a.example/{n}",
            },
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": [JSON]},
                "body": {"string": body},
            },
        }
        for n, body in enumerate(bodies)
    ]
    text = yaml.dump({"interactions": interactions, "version": 1}, width=width)
    return text.encode()


def flow_cassette(bodies: list[str]) -> bytes:
    """Hand-written YAML, each response on a few lines in flow style."""
    lines = ["interactions:"]
    for n, body in enumerate(bodies):
        quoted = body.replace("'", "''")
        lines += [
            f"- request: {{method: GET, uri: 'https://a.example/{n}', body: null}}",
            "  response:",
            "    status: {code: 200, message: OK}",
            "    headers: {Content-Type: [application/json]}",
            f"    body: {{string: '{quoted}'}}",
        ]
    return ("\n".join(lines) + "\nversion: 1\n").encode()


BODIES = [
    json.dumps({"data": records(20), "note": "it's"}),  # a quote, doubled in the YAML
    json.dumps(records(3)),
    json.dumps({"data": records(5), "name": "caf\u00e9"}, ensure_ascii=False),  # not ASCII
    "[1,\n 2]",  # more than one line
]


@pytest.mark.parametrize(
    "data",
    [
        vcrpy_cassette(BODIES),
        vcrpy_cassette(BODIES, width=80),  # long lines folded at spaces, as vcrpy writes them
        vcrpy_cassette([json.dumps({"a": "x  y", "b": "it' s"}) * 9], width=20),
        vcrpy_cassette(BODIES, request_body="a: |\n  string: '" + "x" * 80 + "'\n"),
        flow_cassette(BODIES[:2]),
    ],
    ids=["vcrpy", "folded", "spaces", "look-alike", "flow style"],
)
def test_huge_strings_taken_out_of_the_yaml_read_the_same(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as the YAML parser reads them; a look-alike (in a block scalar) makes the
    whole text be parsed again as it is."""
    expected = whole(data, "big.yaml")
    taken: list[int] = []
    take_out = big_scalars.take_out

    def counted(text: bytes) -> tuple[bytes, dict[str, str]]:
        out, values = take_out(text)
        taken.append(len(values))
        return out, values

    monkeypatch.setattr(big_scalars, "BIG_SCALAR", 60)
    monkeypatch.setattr(big_scalars, "take_out", counted)
    same(streamed(data, "big.yaml"), expected)
    same(streamed(data, "big.yaml", TINY), expected)
    assert taken[0] >= 1  # some string was taken out (ASCII, long enough)


def test_a_placeholder_that_does_not_come_back_whole_is_refused() -> None:
    data = vcrpy_cassette(["[1]"], request_body="a: |\n  string: 'xyz'\n")
    document = yaml.safe_load(data.replace(b"'xyz'", b"'driftcheck-body-t-0'"))
    assert not big_scalars.put_back(document, {"driftcheck-body-t-0": "xyz"})
    document = yaml.safe_load(data.replace(b"'[1]'", b"'driftcheck-body-t-0'"))
    assert big_scalars.put_back(document, {"driftcheck-body-t-0": "[1]"})
    assert document["interactions"][0]["response"]["body"]["string"] == "[1]"


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"data": records(5), "name": "caf\u00e9"}, ensure_ascii=False),  # not ASCII
        json.dumps({"data": records(5)}, indent=1),  # line breaks kept: blank lines in YAML
    ],
)
def test_what_is_not_plain_folded_ascii_stays_in_the_yaml(
    body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(big_scalars, "BIG_SCALAR", 60)
    data = vcrpy_cassette([body], width=80)
    text, taken = big_scalars.take_out(data)
    assert text is data
    assert taken == {}
    same(streamed(data, "big.yaml"), whole(data, "big.yaml"))


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=300),
    st.integers(10, 90),
)
def test_a_string_taken_out_is_what_yaml_reads(text: str, width: int) -> None:
    body = "{" + text  # quoted, as a JSON body is
    data = yaml.dump({"interactions": [{"body": {"string": body}}]}, width=width).encode()
    out, taken = big_scalars.take_out(data, least=1)
    document = yaml.safe_load(out)
    assert len(taken) == (b"string: '" in data)
    if taken:
        assert big_scalars.put_back(document, taken)
    assert document == yaml.safe_load(data)


@pytest.mark.parametrize(
    "scalar",
    [
        '\'{"a": 1,\n        "b": 2}\'',  # folded as yaml.dump folds: one replace
        '\'{"a": 1,   \n           "b":\n        2}\'',  # blanks around breaks, uneven indents
        '\'{"a": "it\'\'s",\n "b": 2}\'',
    ],
)
def test_folded_strings_read_as_yaml_folds_them(scalar: str) -> None:
    data = f"interactions:\n- response:\n    body:\n      string: {scalar}\n".encode()
    out, taken = big_scalars.take_out(data, least=1)
    assert len(taken) == 1
    document = yaml.safe_load(out)
    assert big_scalars.put_back(document, taken)
    assert document == yaml.safe_load(data)
